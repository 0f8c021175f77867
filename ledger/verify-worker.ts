// Worker thread for fsck: checks one range of a log straight from the database file (read-only), so the
// main thread ships no entry bytes and signature checks use every core.
import { parentPort, workerData } from 'node:worker_threads';
import { KeySchedule, type KeySpan } from './key-schedule.ts';
import { leafHash } from './hash.ts';
import { LedgerStore } from './store.ts';
import { verifyRows } from './verify-range.ts';
import { ZERO_HASH } from '../core/entry.ts';

export interface VerifyJob {
  readonly path: string;
  readonly origin: string;
  readonly start: number;
  readonly end: number;
  readonly keys: readonly KeySpan[];
}

const job = workerData as VerifyJob;
const store = LedgerStore.open(job.path, { readonly: true });
try {
  const before = job.start === 0 ? undefined : store.entry(job.origin, job.start - 1);
  const prev = job.start === 0 ? ZERO_HASH : before ? leafHash(before.leaf) : undefined;
  const result = prev
    ? verifyRows(job.origin, store.range(job.origin, job.start, job.end), job.start, job.end, prev, new KeySchedule(job.origin, job.keys))
    : { ok: false as const, seq: job.start - 1, reason: `entry ${job.start - 1} is missing` };
  parentPort?.postMessage(result, result.ok ? [result.hashes.buffer as ArrayBuffer] : []);
} finally {
  store.close();
}
