// The machine's Ed25519 verify ceiling: one thread per core verifying at once. The threads start at one
// gate once all of them are up: summing rates measured over staggered windows would count a thread that
// ran while another was still starting (a lone thread on a core shared with a sibling runs faster).
import { once } from 'node:events';
import { cpus } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../runtime/worker.ts';
import type { CeilingJob } from './ceiling-job.ts';

/** Ed25519 verifies/s with every core verifying at once (one thread each, nothing else; as many as fsck uses). */
export async function allCoresVerifyRate(seconds: number): Promise<number> {
  const job: CeilingJob = { seconds, gate: new SharedArrayBuffer(4) };
  const workers: Worker[] = Array.from({ length: cpus().length }, () =>
    startWorker(new URL('./ed25519-worker.ts', import.meta.url), { workerData: job }),
  );
  try {
    await Promise.all(workers.map((worker) => once(worker, 'message')));
    const rates = workers.map(async (worker) => (await once(worker, 'message'))[0] as number);
    const gate = new Int32Array(job.gate);
    Atomics.store(gate, 0, 1);
    Atomics.notify(gate, 0);
    return (await Promise.all(rates)).reduce((a, b) => a + b, 0);
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}
