// Storing entries of other logs (replicas). Every entry is checked (origin, chain link, key, signature)
// before it is stored; inserts are idempotent on (origin, seq); a different, validly signed entry for a
// stored (origin, seq) is kept as evidence of equivocation, never overwriting and never dropped.
import { bytesEqual } from '../core/bytes.ts';
import { MusterError } from '../core/errors.ts';
import { type IngestResult, decodeForOrigin, planIngest, planResult } from './ingest-plan.ts';
import { KeySchedule } from './key-schedule.ts';
import { loadKeySchedule, readRegistry } from './registry.ts';
import type { LedgerStore } from './store.ts';

export type { IngestResult, Rejected } from './ingest-plan.ts';

export interface IngestOptions {
  /** Who handed us the entries (a peer id, a file name): recorded with equivocation evidence. */
  readonly source: string;
  /** Pins the log's genesis key; without it the first genesis seen is trusted. */
  readonly trustedKey?: Uint8Array;
  readonly now?: number;
}

export function ingestEntries(
  store: LedgerStore,
  origin: string,
  leaves: readonly Uint8Array[],
  options: IngestOptions,
): IngestResult {
  const batch = decodeForOrigin(origin, leaves);
  const log = store.log(origin);
  if (log?.own)
    throw new MusterError('own-log', `${origin} is this store's own log; it is written only by its own kiosk`);
  if (log && options.trustedKey && !bytesEqual(log.genesisKey, options.trustedKey)) {
    throw new MusterError('key-mismatch', `the key given for ${origin} is not the key this store already trusts`);
  }
  const schedule = log ? loadKeySchedule(store, origin, log.genesisKey) : new KeySchedule(origin, []);
  const head = store.head(origin);
  const stored = new Map<number, Uint8Array>();
  for (const { entry } of batch.decoded) {
    const seq = entry.body.seq;
    const row = seq < head.size ? store.entry(origin, seq) : undefined;
    if (row) stored.set(seq, row.hash);
  }
  const plan = planIngest(batch, head, stored, schedule, {
    trustedKey: options.trustedKey ?? log?.genesisKey,
    registry: readRegistry(store),
  });
  const now = options.now ?? Date.now();
  for (const e of plan.equivocations) store.recordConflict(origin, e.seq, e.leaf, e.hash, options.source, now);
  if (plan.rows.length > 0) {
    store.db.transaction(() => {
      if (!log) store.addLog(origin, schedule.keyFor(0).publicKey, false);
      store.appendVerified(origin, head.size, plan.rows);
    })();
  }
  return planResult(plan, head.size);
}
