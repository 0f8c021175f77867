// Worker for the Ed25519 ceiling: verifies one entry-sized signature for a fixed time and reports the rate.
import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';

const { seconds } = workerData as { seconds: number };
const { publicKey, privateKey } = generateKeyPairSync('ed25519');
const message = Buffer.alloc(200, 7);
const signature = sign(null, message, privateKey);
const deadline = performance.now() + seconds * 1000;
const start = performance.now();
let count = 0;
while (performance.now() < deadline) {
  for (let i = 0; i < 100; i++) verify(null, message, publicKey, signature);
  count += 100;
}
parentPort?.postMessage(count / ((performance.now() - start) / 1000));
