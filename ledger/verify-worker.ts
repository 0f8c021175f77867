// Worker thread for fsck: claims blocks from a counter shared with the other verifiers and checks each one
// straight from the database file (read-only), so the main thread ships no entry bytes and signature checks
// use every core. A verifier that finds a bad block stops further claims; every block before it was
// already claimed, so the first bad entry is still found.
import { parentPort, workerData } from 'node:worker_threads';
import { KeySchedule, type KeySpan } from './key-schedule.ts';
import { LedgerStore } from './store.ts';
import { type BlockPlan, claimBlocks, WORKER_DONE } from './verify-block.ts';

export interface VerifyJob {
  readonly path: string;
  readonly plan: BlockPlan;
  readonly keys: readonly KeySpan[];
  /** One Int32: the next unclaimed block. */
  readonly claims: SharedArrayBuffer;
}

const job = workerData as VerifyJob;
const store = LedgerStore.open(job.path, { readonly: true });
try {
  const schedule = new KeySchedule(job.plan.origin, job.keys);
  for (const result of claimBlocks(store, job.plan, schedule, new Int32Array(job.claims))) {
    parentPort?.postMessage(result, result.ok ? [result.levels.buffer as ArrayBuffer] : []);
  }
  parentPort?.postMessage(WORKER_DONE);
} finally {
  store.close();
}
