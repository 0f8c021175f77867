// Worker for the Ed25519 ceiling: verifies one entry-sized signature for a fixed time and reports the rate.
// It waits at the shared gate first, so every core's thread measures the same window (see ed25519-ceiling.ts).
import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import type { CeilingJob } from './ceiling-job.ts';

const { seconds, gate } = workerData as CeilingJob;
const { publicKey, privateKey } = generateKeyPairSync('ed25519');
const message = Buffer.alloc(200, 7);
const signature = sign(null, message, privateKey);
parentPort?.postMessage('ready');
Atomics.wait(new Int32Array(gate), 0, 0);
const deadline = performance.now() + seconds * 1000;
const start = performance.now();
let count = 0;
while (performance.now() < deadline) {
  for (let i = 0; i < 100; i++) verify(null, message, publicKey, signature);
  count += 100;
}
parentPort?.postMessage(count / ((performance.now() - start) / 1000));
