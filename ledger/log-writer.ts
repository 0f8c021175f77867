// The kiosk's own log. An append resolves only after its transaction is durably committed
// (synchronous=FULL): no sequence number is handed out for an entry that a crash could lose.
// Appends made in the same tick share one transaction (group commit); each still resolves after the commit.
import { bytesEqual } from '../core/bytes.ts';
import { type EntryType, type Payload, checkOrigin, checkPayload, isEntryType } from '../core/entry.ts';
import { MusterError } from '../core/errors.ts';
import { type SignedEntry, signEntry } from './entry-signing.ts';
import { loadKeySchedule, readRegistry } from './registry.ts';
import type { Signer } from './keys.ts';
import { rootHash } from './merkle.ts';
import { signCheckpoint } from './note.ts';
import type { Head, LedgerStore, StoredCheckpoint } from './store.ts';

export interface Appended {
  readonly seq: number;
  readonly hash: Uint8Array;
  readonly leaf: Uint8Array;
}

interface Pending {
  readonly type: EntryType;
  readonly payload: Payload;
  readonly resolve: (value: Appended) => void;
  readonly reject: (error: unknown) => void;
}

export type Clock = () => number;

/** Every how many lost races an append gives up: another process writing the same log is a deployment error. */
const MAX_RACES = 3;

export class LogWriter {
  private pending: Pending[] = [];
  private flushScheduled = false;
  private head: Head | undefined;

  private constructor(
    readonly store: LedgerStore,
    readonly origin: string,
    private signer: Signer,
    private readonly clock: Clock,
  ) {}

  /** Creates the own log of a store: the genesis entry names the signer's key. */
  static init(store: LedgerStore, origin: string, signer: Signer, clock: Clock = Date.now): LogWriter {
    checkOrigin(origin);
    if (signer.name !== origin)
      throw new TypeError(
        `signer: key is named ${JSON.stringify(signer.name)}, expected the origin ${JSON.stringify(origin)}`,
      );
    const existing = store.ownOrigin();
    if (existing !== undefined)
      throw new MusterError('already-initialised', `log store already holds the own log ${JSON.stringify(existing)}`);
    if (store.log(origin))
      throw new MusterError('already-initialised', `log store already holds a replica of ${JSON.stringify(origin)}`);
    const writer = new LogWriter(store, origin, signer, clock);
    const genesis = writer.sign(0, store.head(origin).hash, 'genesis', { key: signer.verifier.publicKey });
    store.db.transaction(() => {
      store.addLog(origin, signer.verifier.publicKey, true);
      writer.commit(0, [genesis]);
    })();
    return writer;
  }

  /** Opens the own log; the signer must be the key in force. */
  static open(store: LedgerStore, signer: Signer, clock: Clock = Date.now): LogWriter {
    const origin = store.ownOrigin();
    const log = origin === undefined ? undefined : store.log(origin);
    if (origin === undefined || !log)
      throw new MusterError('not-initialised', `log store ${store.path} has no own log (run muster ledger init)`);
    const current = loadKeySchedule(store, origin, log.genesisKey).current;
    if (!current.equals(signer.verifier)) {
      throw new MusterError(
        'wrong-key',
        `the key given is not the key in force for ${origin} (expected key id ${current.encode().split('+')[1] ?? ''})`,
      );
    }
    return new LogWriter(store, origin, signer, clock);
  }

  get verifier(): Signer['verifier'] {
    return this.signer.verifier;
  }

  /** Signs a message that is not an entry (a heartbeat) with the key in force; the caller prefixes its domain. */
  signMessage(message: Uint8Array): Uint8Array {
    return this.signer.sign(message);
  }

  append(type: EntryType, payload: Payload): Promise<Appended> {
    if (!isEntryType(type)) return Promise.reject(new TypeError(`type: unknown entry type ${JSON.stringify(type)}`));
    if (type === 'genesis' || type === 'key-rotation')
      return Promise.reject(new TypeError(`type: ${type} entries are written by the ledger itself`));
    let checked: Payload;
    try {
      checked = checkPayload(payload);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    return new Promise((resolve, reject) => {
      this.pending.push({ type, payload: checked, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        queueMicrotask(() => {
          this.flush();
        });
      }
    });
  }

  /** Appends a key-rotation entry signed by the current key; later entries are signed by `next`. */
  rotateKey(next: Signer): Appended {
    if (next.name !== this.origin)
      throw new TypeError(`next: key is named ${JSON.stringify(next.name)}, expected ${JSON.stringify(this.origin)}`);
    const [appended] = this.commitWithRetry([{ type: 'key-rotation', payload: { newKey: next.verifier.publicKey } }]);
    this.signer = next;
    return appended as Appended;
  }

  /** The signed checkpoint for the log as it is now (stored, so fsck and witnesses can check it later). */
  checkpoint(): StoredCheckpoint {
    const { size } = this.store.head(this.origin);
    const existing = this.store.checkpointAt(this.origin, size);
    if (existing) return existing;
    const root = rootHash(this.store.treeSource(this.origin), size);
    const note = signCheckpoint({ origin: this.origin, size, root, extensions: [] }, this.signer);
    const stored = { size, root, note };
    this.store.saveCheckpoint(this.origin, stored);
    return stored;
  }

  private flush(): void {
    this.flushScheduled = false;
    const batch = this.pending;
    this.pending = [];
    try {
      const appended = this.commitWithRetry(batch);
      batch.forEach((p, i) => {
        p.resolve(appended[i] as Appended);
      });
    } catch (error) {
      for (const p of batch) p.reject(error);
    }
  }

  private commitWithRetry(items: readonly { type: EntryType; payload: Payload }[]): Appended[] {
    for (let attempt = 0; ; attempt++) {
      // The head this writer last committed, unless a race showed another writer moved it.
      const head = this.head ?? this.store.head(this.origin);
      this.refuseIfRevoked(head.size + items.length - 1);
      // Sign outside the transaction: the write lock is held only for the inserts.
      let prev = head.hash;
      const signed = items.map((item, i) => {
        const entry = this.sign(head.size + i, prev, item.type, item.payload);
        prev = entry.hash;
        return entry;
      });
      try {
        this.commit(head.size, signed);
        const last = signed.at(-1);
        this.head = last ? { size: head.size + signed.length, hash: last.hash } : head;
        return signed.map((s) => ({ seq: s.body.seq, hash: s.hash, leaf: s.leaf }));
      } catch (error) {
        this.head = undefined;
        if (!(error instanceof MusterError && error.code === 'concurrent-append') || attempt >= MAX_RACES) throw error;
      }
    }
  }

  /**
   * A kiosk never signs with a revoked key: once the registry this store holds (replicated from HQ) revokes the key
   * in force from a seq at or before `lastSeq`, nothing more is signed; everyone else would refuse it anyway.
   */
  private refuseIfRevoked(lastSeq: number): void {
    const revocation = readRegistry(this.store)?.revocations.find(
      (r) => r.origin === this.origin && bytesEqual(r.publicKey, this.signer.verifier.publicKey),
    );
    if (revocation && lastSeq >= revocation.fromSeq) {
      throw new MusterError(
        'key-revoked',
        `the signing key of ${this.origin} is revoked from entry ${revocation.fromSeq} (HQ's registry): nothing more is signed with it; provision the kiosk with a new key`,
      );
    }
  }

  private sign(seq: number, prev: Uint8Array, type: EntryType, payload: Payload): SignedEntry {
    return signEntry(
      { v: 1, origin: this.origin, seq, ts: this.clock(), type, prev, kid: this.signer.id, payload },
      this.signer,
    );
  }

  private commit(expectedSize: number, signed: readonly SignedEntry[]): void {
    this.store.appendVerified(
      this.origin,
      expectedSize,
      signed.map((s) => ({ seq: s.body.seq, ts: s.body.ts, type: s.body.type, leaf: s.leaf, hash: s.hash })),
    );
  }
}
