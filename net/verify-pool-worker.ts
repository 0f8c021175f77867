// Worker thread of VerifyPool: claims chunks of each request alongside the other threads (see verify-claims.ts).
import { parentPort } from 'node:worker_threads';
import { type VerifyRequest, type VerifyResponse, VerifierCache, verifyClaimed } from './verify-claims.ts';

const cache = new VerifierCache();

parentPort?.on('message', (request: VerifyRequest) => {
  verifyClaimed(request, cache);
  const response: VerifyResponse = { id: request.id };
  parentPort?.postMessage(response);
});
