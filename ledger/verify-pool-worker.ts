// Worker thread of VerifyPool: claims chunks of each job alongside the other threads (see verify-claims.ts).
import { parentPort } from 'node:worker_threads';
import { type VerifyJob, VerifierCache, claimChunk } from './verify-claims.ts';

const cache = new VerifierCache();

parentPort?.on('message', (job: VerifyJob) => {
  const verifiers = cache.forJob(job);
  while (claimChunk(job, verifiers));
  // No chunk of this job left for this worker: the pool looks at which jobs are done.
  parentPort?.postMessage(null);
});
