// Ed25519 checks of entry batches spread over worker threads, so that HQ's verified ingest uses every core:
// workers report which leaves carry a valid signature under the log's key with the entry's key id; the
// ingest (on the main thread) still checks origin, order, chain links and that the key id is the key in force,
// and verifies itself whatever a worker did not vouch for.
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import type { KeySpan } from '../ledger/key-schedule.ts';
import { startWorker } from '../runtime/worker.ts';
import type { VerifyRequest, VerifyResponse } from './verify-pool-worker.ts';

/** Below this many leaves a batch is checked on the calling thread: the round trip would cost more. */
export const MIN_POOLED = 64;

export class VerifyPool {
  private readonly workers: Worker[];
  private readonly waiting = new Map<number, (valid: number[]) => void>();
  private next = 0;
  private turn = 0;

  constructor(size = Math.max(1, availableParallelism() - 1)) {
    this.workers = Array.from({ length: size }, () => {
      const worker = startWorker(new URL('./verify-pool-worker.ts', import.meta.url));
      worker.on('message', (response: VerifyResponse) => {
        this.waiting.get(response.id)?.(response.valid);
        this.waiting.delete(response.id);
        // Idle workers must not keep the process alive; busy ones must, or it could exit mid-request.
        if (this.waiting.size === 0) for (const w of this.workers) w.unref();
      });
      worker.unref();
      return worker;
    });
  }

  /** Indexes of the leaves whose signatures verify under one of `keys` (matched by key id). */
  async verify(origin: string, keys: readonly KeySpan[], leaves: readonly Uint8Array[]): Promise<Set<number>> {
    const chunk = Math.ceil(leaves.length / this.workers.length);
    const parts: Promise<number[]>[] = [];
    for (let start = 0; start < leaves.length; start += chunk) {
      const id = this.next++;
      const worker = this.workers[this.turn++ % this.workers.length] as Worker;
      const request: VerifyRequest = { id, origin, keys: [...keys], leaves: leaves.slice(start, start + chunk), offset: start };
      parts.push(new Promise((resolve) => {
        this.waiting.set(id, resolve);
        worker.ref();
        worker.postMessage(request);
      }));
    }
    return new Set((await Promise.all(parts)).flat());
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
