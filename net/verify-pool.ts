// Ed25519 checks of entry batches on every core, so that HQ's verified ingest is bounded by the machine's verify
// ceiling rather than one core's. The calling thread takes part: it and the worker threads claim small chunks of
// the batch from a shared counter (work stealing), so a worker that starts late or a core that another process
// holds costs nothing but its share, and a two-core machine gains its second core.
// What is checked here is only "this leaf carries a valid signature under the log key with the entry's key id";
// the ingest (ledger/ingest-plan.ts) still checks origin, order, chain links and that the key id is the key in
// force, and verifies itself whatever no thread vouched for.
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../runtime/worker.ts';
import { type VerifyGroup, type VerifyRequest, type VerifyResponse, VerifierCache, verifyClaimed } from './verify-claims.ts';

/** Below this many leaves a batch is checked on the calling thread alone: waking workers would cost more. */
export const MIN_POOLED = 16;

export type { VerifyGroup };

export class VerifyPool {
  private readonly workers: Worker[];
  private readonly waiting = new Map<number, () => void>();
  private readonly verifiers = new VerifierCache();
  private next = 0;

  /** `size` worker threads besides the calling thread (default: one per other core). */
  constructor(size = Math.max(1, availableParallelism() - 1)) {
    this.workers = Array.from({ length: size }, () => {
      const worker = startWorker(new URL('./verify-pool-worker.ts', import.meta.url));
      worker.on('message', (response: VerifyResponse) => {
        this.waiting.get(response.id)?.();
      });
      worker.unref();
      return worker;
    });
  }

  /** Per group (one log's batch each), the indexes of the leaves whose signatures verify under one of its keys (matched by key id). */
  async verifyGroups(groups: readonly VerifyGroup[]): Promise<Set<number>[]> {
    const total = groups.reduce((n, g) => n + g.leaves.length, 0);
    const claims = new Int32Array(new SharedArrayBuffer(4));
    const flags = new Uint8Array(new SharedArrayBuffer(Math.max(1, total)));
    const id = this.next++;
    const posted: VerifyRequest = { id, groups: groups.map((g) => ({ origin: g.origin, keys: [...g.keys], leaves: [...g.leaves] })), claims, flags };
    let pending = this.workers.length;
    const finished = new Promise<void>((resolve) => {
      this.waiting.set(id, () => {
        if (--pending === 0) resolve();
      });
    });
    // Busy workers keep the process alive (it must not exit mid-request); idle ones must not.
    for (const worker of this.workers) {
      worker.ref();
      worker.postMessage(posted);
    }
    // This thread's share uses the caller's decoded leaves where it has them.
    verifyClaimed({ ...posted, groups }, this.verifiers);
    await finished;
    this.waiting.delete(id);
    if (this.waiting.size === 0) for (const worker of this.workers) worker.unref();
    const out: Set<number>[] = [];
    let offset = 0;
    for (const group of groups) {
      const valid = new Set<number>();
      for (let i = 0; i < group.leaves.length; i++) if (flags[offset + i] === 1) valid.add(i);
      out.push(valid);
      offset += group.leaves.length;
    }
    return out;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
