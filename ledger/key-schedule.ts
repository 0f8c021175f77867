// Which key signs which entries of a log. Entry 0 (genesis) names the first key; a key-rotation entry,
// signed by the key in force, names the key for every entry after it.
import { bytesEqual, toHex } from '../core/bytes.ts';
import { decodeLeaf, type DecodedLeaf } from '../core/entry.ts';
import { MusterError } from '../core/errors.ts';
import { entrySignatureValid } from './entry-signing.ts';
import { Verifier } from './keys.ts';
import type { LedgerStore } from './store.ts';

export interface KeySpan {
  /** First seq this key signs. */
  readonly fromSeq: number;
  readonly publicKey: Uint8Array;
}

export class KeySchedule {
  private readonly spans: { fromSeq: number; verifier: Verifier }[];

  constructor(
    readonly origin: string,
    spans: readonly KeySpan[],
  ) {
    this.spans = spans.map((s) => ({ fromSeq: s.fromSeq, verifier: new Verifier(origin, s.publicKey) }));
  }

  get verifiers(): Verifier[] {
    return this.spans.map((s) => s.verifier);
  }

  get current(): Verifier {
    return (this.spans.at(-1) as { verifier: Verifier }).verifier;
  }

  toSpans(): KeySpan[] {
    return this.spans.map((s) => ({ fromSeq: s.fromSeq, publicKey: s.verifier.publicKey }));
  }

  keyFor(seq: number): Verifier {
    let found: Verifier | undefined;
    for (const span of this.spans) if (span.fromSeq <= seq) found = span.verifier;
    if (!found) throw new MusterError('no-key', `no key signs entry ${seq}`);
    return found;
  }

  /**
   * Checks one decoded entry's key and signature and, for genesis and rotation entries, extends the schedule.
   * Returns a reason when the entry is bad. `signatureVerified` skips only the Ed25519 check, for a signature
   * already verified under a key of this schedule with the entry's key id.
   */
  check(decoded: DecodedLeaf, trustedGenesisKey?: Uint8Array, signatureVerified = false): string | undefined {
    const { body } = decoded;
    if (body.seq === 0) {
      if (body.type !== 'genesis') return 'entry 0 is not a genesis entry';
      const key = body.payload.key;
      if (!(key instanceof Uint8Array) || key.length !== 32) return 'genesis entry does not name a 32-byte key';
      if (trustedGenesisKey && !bytesEqual(key, trustedGenesisKey)) return 'genesis key is not the trusted key for this log';
      if (this.spans.length === 0) this.spans.push({ fromSeq: 0, verifier: new Verifier(this.origin, key) });
    } else if (body.type === 'genesis') {
      return 'genesis entry after entry 0';
    }
    const verifier = this.keyFor(body.seq);
    if (!bytesEqual(body.kid, verifier.id)) return `signed by key ${toHex(body.kid)}, but key ${toHex(verifier.id)} is in force`;
    // signatureVerified: a worker thread already checked it under the key with this id (ledger/replica.ts).
    if (!signatureVerified && !entrySignatureValid(decoded, verifier)) return 'signature does not verify';
    if (body.type === 'key-rotation') {
      const next = body.payload.newKey;
      if (!(next instanceof Uint8Array) || next.length !== 32) return 'key rotation does not name a 32-byte key';
      if (!this.spans.some((s) => s.fromSeq === body.seq + 1)) this.spans.push({ fromSeq: body.seq + 1, verifier: new Verifier(this.origin, next) });
    }
    return undefined;
  }

  /** Rebuilds the schedule from the genesis and rotation entries a store holds (checking each). */
  static load(store: LedgerStore, origin: string, trustedGenesisKey?: Uint8Array): KeySchedule {
    const schedule = new KeySchedule(origin, []);
    for (const row of store.keyEntries(origin)) {
      let decoded: DecodedLeaf;
      try {
        decoded = decodeLeaf(row.leaf);
      } catch (error) {
        throw new MusterError('bad-entry', `entry ${row.seq}: ${(error as Error).message}`);
      }
      const reason = decoded.body.seq !== row.seq ? 'stored under the wrong sequence number' : schedule.check(decoded, trustedGenesisKey);
      if (reason) throw new MusterError('bad-entry', `entry ${row.seq}: ${reason}`);
    }
    return schedule;
  }
}
