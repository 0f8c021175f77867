// Storing entries of other logs (replicas). Every entry is checked (origin, chain link, key, signature)
// before it is stored; inserts are idempotent on (origin, seq); a different, validly signed entry for a
// stored (origin, seq) is kept as evidence of equivocation, never overwriting and never dropped.
import { bytesEqual } from '../core/bytes.ts';
import { type DecodedLeaf, decodeLeaf } from '../core/entry.ts';
import { MusterError, errorMessage } from '../core/errors.ts';
import { leafHash } from './hash.ts';
import { KeySchedule } from './key-schedule.ts';
import { entrySignatureValid } from './entry-signing.ts';
import type { EntryRow, LedgerStore } from './store.ts';

export interface Rejected {
  readonly seq?: number;
  readonly reason: string;
}

export interface IngestResult {
  readonly inserted: number;
  readonly duplicates: number;
  /** Sequence numbers at which a second, validly signed entry was seen. */
  readonly equivocations: readonly number[];
  readonly rejected: readonly Rejected[];
  /** Set when entries beyond the head arrived without the ones before them: fetch from here. */
  readonly missingFrom?: number;
  readonly size: number;
}

export interface IngestOptions {
  /** Who handed us the entries (a peer id, a file name): recorded with equivocation evidence. */
  readonly source: string;
  /** Pins the log's genesis key; without it the first genesis seen is trusted. */
  readonly trustedKey?: Uint8Array;
  readonly now?: number;
  /**
   * The log's key schedule, kept by a caller that ingests often (HQ, peers) so that the genesis and rotation
   * entries are not re-verified on every call. It must be the schedule of what the store holds; it is extended
   * in place as genesis and rotation entries verify, so drop it if the call throws.
   */
  readonly schedule?: KeySchedule;
  /**
   * Leaves (by identity) whose signatures were already verified, in worker threads, under the key of this log's
   * schedule that has the entry's key id; the key id is still checked against the key in force here.
   */
  readonly preverified?: ReadonlySet<Uint8Array>;
}

export function ingestEntries(store: LedgerStore, origin: string, leaves: readonly Uint8Array[], options: IngestOptions): IngestResult {
  const rejected: Rejected[] = [];
  const equivocations: number[] = [];
  const decoded: { leaf: Uint8Array; entry: DecodedLeaf }[] = [];
  for (const leaf of leaves) {
    try {
      const entry = decodeLeaf(leaf);
      if (entry.body.origin !== origin) rejected.push({ seq: entry.body.seq, reason: `entry is for origin ${JSON.stringify(entry.body.origin)}` });
      else decoded.push({ leaf, entry });
    } catch (error) {
      rejected.push({ reason: errorMessage(error) });
    }
  }
  decoded.sort((a, b) => a.entry.body.seq - b.entry.body.seq);

  const log = store.log(origin);
  if (log?.own) throw new MusterError('own-log', `${origin} is this store's own log; it is written only by its own kiosk`);
  const trusted = options.trustedKey ?? log?.genesisKey;
  if (log && options.trustedKey && !bytesEqual(log.genesisKey, options.trustedKey)) {
    throw new MusterError('key-mismatch', `the key given for ${origin} is not the key this store already trusts`);
  }
  const schedule = options.schedule ?? (log ? KeySchedule.load(store, origin, log.genesisKey) : new KeySchedule(origin, []));
  const head = store.head(origin);
  let size = head.size;
  let prev = head.hash;
  let duplicates = 0;
  let missingFrom: number | undefined;
  const batch: EntryRow[] = [];
  for (const { leaf, entry } of decoded) {
    const seq = entry.body.seq;
    const hash = leafHash(leaf);
    if (seq < size) {
      const stored = seq < head.size ? store.entry(origin, seq)?.hash : batch[seq - head.size]?.hash;
      if (stored && bytesEqual(stored, hash)) {
        duplicates++;
      } else if (entrySignatureValid(entry, schedule.keyFor(seq))) {
        store.recordConflict(origin, seq, leaf, hash, options.source, options.now ?? Date.now());
        equivocations.push(seq);
      } else {
        rejected.push({ seq, reason: 'a different entry is stored at this seq and this one is not validly signed' });
      }
      continue;
    }
    if (seq > size) {
      missingFrom ??= size;
      continue;
    }
    if (!bytesEqual(entry.body.prev, prev)) {
      rejected.push({ seq, reason: 'prev hash does not match the stored entry before it' });
      missingFrom ??= size;
      continue;
    }
    const reason = schedule.check(entry, trusted, options.preverified?.has(leaf) ?? false);
    if (reason) {
      rejected.push({ seq, reason });
      continue;
    }
    batch.push({ seq, ts: entry.body.ts, type: entry.body.type, leaf, hash });
    prev = hash;
    size++;
  }
  if (batch.length > 0) {
    store.db.transaction(() => {
      if (!log) store.addLog(origin, schedule.keyFor(0).publicKey, false);
      store.appendVerified(origin, head.size, batch);
    })();
  }
  return { inserted: batch.length, duplicates, equivocations, rejected, size, ...(missingFrom === undefined ? {} : { missingFrom }) };
}
