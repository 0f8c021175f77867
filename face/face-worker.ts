// Entry point of the inference worker thread (started by FaceService). Frames are analysed one at a time:
// TensorFlow.js work is single-threaded anyway, and a queue of one decoded frame bounds memory.
import { parentPort, workerData } from 'node:worker_threads';
import { MusterError, errorMessage } from '../core/errors.ts';
import { FaceEngine, type EngineOptions } from './engine.ts';
import type { WireError, WorkerMessage, WorkerRequest } from './worker-protocol.ts';

const port = parentPort;
if (!port) throw new Error('face-worker.ts runs only as a worker thread');

function toWire(error: unknown): WireError {
  return { code: error instanceof MusterError ? error.code : 'face-internal', message: errorMessage(error) };
}

function send(message: WorkerMessage): void {
  port?.postMessage(message);
}

let engine: FaceEngine | undefined;
try {
  engine = await FaceEngine.load(workerData as EngineOptions);
  send({ type: 'ready', health: engine.health });
} catch (error) {
  send({ type: 'failed', error: toWire(error) });
}

if (engine) {
  const loaded = engine;
  let queue = Promise.resolve();
  port.on('message', (request: WorkerRequest) => {
    queue = queue.then(async () => {
      try {
        send({ type: 'result', id: request.id, analysis: await loaded.analyze(request.input) });
      } catch (error) {
        send({ type: 'error', id: request.id, error: toWire(error) });
      }
    });
  });
}
