// Ed25519 checks of entry batches on every core, so that HQ's verified ingest is bounded by the machine's verify
// ceiling rather than one core's. Each job is packed into shared memory and posted to every worker; workers and
// the calling thread claim small chunks of it from a shared counter (work stealing), so a worker that starts late
// or a core that another process holds costs nothing but its share.
// The calling thread never blocks on a job: it helps one chunk at a time from setImmediate, so its own work
// (decoding the next batch, committing the last one) always comes first and the workers are never left idle
// while it does that work. Jobs submitted while others are running queue behind them (a pipeline).
// What is checked here is only "this message carries a valid signature under this key"; the ingest
// (ledger/ingest-plan.ts) still checks origin, order, chain links and that the key is the key in force, and
// verifies itself whatever no thread vouched for.
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import type { Verifier } from './keys.ts';
import { startWorker } from '../runtime/worker.ts';
import {
  type VerifyItem,
  type VerifyJob,
  type VerifyKey,
  VerifierCache,
  claimChunk,
  jobClaimable,
  jobDone,
  packJob,
} from './verify-claims.ts';

/** Below this many signatures a batch is checked on the calling thread alone: waking workers would cost more. */
export const MIN_POOLED = 16;

export type { VerifyItem, VerifyKey };

/** A job handed to the workers by startSync, for finishSync. */
export interface StartedJob {
  readonly job: VerifyJob;
  readonly verifiers: readonly Verifier[];
}

interface Pending {
  readonly job: VerifyJob;
  readonly verifiers: readonly Verifier[];
  readonly resolve: (flags: Uint8Array) => void;
  readonly reject: (error: Error) => void;
}

export class VerifyPool {
  private workers: Worker[];
  /** Jobs not yet finished, oldest first. */
  private pending: Pending[] = [];
  private readonly verifiers = new VerifierCache();
  private helping = false;
  private closing = false;

  /** `size` worker threads besides the calling thread (default: one per other core). */
  constructor(size = Math.max(1, availableParallelism() - 1)) {
    this.workers = Array.from({ length: size }, () => {
      const worker = startWorker(new URL('./verify-pool-worker.ts', import.meta.url), { selfContained: true });
      worker.on('message', () => {
        this.settle();
      });
      worker.on('error', (error) => {
        this.lost(worker, error);
      });
      worker.on('exit', (code) => {
        this.lost(worker, new Error(`verify worker exited with code ${code}`));
      });
      worker.unref();
      return worker;
    });
  }

  /**
   * Per item, 1 when its signature verifies under `keys[item.key]`, else 0. Resolves once every item is checked;
   * rejects when a worker dies or the pool closes before then (the caller then checks the items itself).
   */
  verify(keys: readonly VerifyKey[], items: readonly VerifyItem[]): Promise<Uint8Array> {
    if (items.length === 0) return Promise.resolve(new Uint8Array(0));
    if (this.closing) return Promise.reject(new Error('the verify pool was closed'));
    const job = packJob(keys, items);
    const verifiers = this.verifiers.forJob(job);
    return new Promise((resolve, reject) => {
      // Busy workers keep the process alive (it must not exit mid-job); idle ones must not.
      if (this.pending.length === 0) for (const worker of this.workers) worker.ref();
      this.pending.push({ job, verifiers, resolve, reject });
      for (const worker of this.workers) worker.postMessage(job);
      this.scheduleHelp();
    });
  }

  /**
   * As verify, for a caller that cannot yield (the verified reader's nextSync), in two steps: startSync hands the
   * job to the workers at once, so the caller can do other work (check the next range) while they verify, then
   * finishSync has this thread claim chunks until none is left. A flag is 1 only for a signature that verified;
   * those of the last chunks a worker was still checking when this thread ran out of claims are 0 too, and the
   * caller checks every 0 itself (at most a chunk per worker: cheaper than waiting, and nothing to wait for if a
   * worker died).
   */
  startSync(keys: readonly VerifyKey[], items: readonly VerifyItem[]): StartedJob {
    const job = packJob(keys, items);
    const verifiers = this.verifiers.forJob(job);
    if (items.length >= MIN_POOLED && !this.closing) for (const worker of this.workers) worker.postMessage(job);
    return { job, verifiers };
  }

  /** The flags of a job from startSync, once this thread has claimed every chunk left. */
  finishSync({ job, verifiers }: StartedJob): Uint8Array {
    while (claimChunk(job, verifiers));
    return job.flags;
  }

  private scheduleHelp(): void {
    if (this.helping) return;
    this.helping = true;
    setImmediate(() => {
      this.help();
    });
  }

  /** One chunk of the oldest job with work left, then back to the event loop. */
  private help(): void {
    this.helping = false;
    const open = this.pending.find((p) => jobClaimable(p.job));
    if (open) claimChunk(open.job, open.verifiers);
    this.settle();
    if (this.pending.some((p) => jobClaimable(p.job))) this.scheduleHelp();
  }

  /** Resolves every finished job (a worker reports each job it has no more chunks of; this thread after each chunk). */
  private settle(): void {
    const done = this.pending.filter((p) => jobDone(p.job));
    if (done.length === 0) return;
    this.pending = this.pending.filter((p) => !done.includes(p));
    if (this.pending.length === 0) for (const worker of this.workers) worker.unref();
    for (const p of done) p.resolve(p.job.flags);
  }

  /** A worker died: the chunks it had claimed will never be marked, so its unfinished jobs fail; the rest carry on without it. */
  private lost(worker: Worker, error: Error): void {
    if (this.closing || !this.workers.includes(worker)) return;
    this.workers = this.workers.filter((w) => w !== worker);
    const failed = this.pending;
    this.pending = [];
    for (const w of this.workers) w.unref();
    for (const p of failed) p.reject(error);
  }

  /** Stops the workers; jobs not finished fail (their callers check those signatures themselves). */
  async close(): Promise<void> {
    this.closing = true;
    const failed = this.pending;
    this.pending = [];
    for (const p of failed) p.reject(new Error('the verify pool was closed'));
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
