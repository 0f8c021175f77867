// Picks the TensorFlow.js backend once per worker: tfjs-node (native, optional) when it loads, else the
// wasm backend. Never the plain cpu backend: it takes seconds per frame, and a kiosk that slow makes people
// retry until a check-in fails.
import { createRequire } from 'node:module';
import { MusterError, errorMessage } from '../core/errors.ts';
import type { FaceApi } from './face-api-types.ts';

const require = createRequire(import.meta.url);

export type BackendName = 'tensorflow' | 'wasm';
/** 'auto' tries tfjs-node first; tests and benchmarks pin 'wasm' so they measure what CI runs. */
export type BackendChoice = 'auto' | BackendName;

export interface LoadedBackend {
  readonly name: BackendName;
  readonly faceApi: FaceApi;
  /** Why tfjs-node was not used, when it was wanted. */
  readonly fallbackReason?: string;
}

export async function loadBackend(choice: BackendChoice): Promise<LoadedBackend> {
  let fallbackReason: string | undefined;
  if (choice !== 'wasm') {
    try {
      require('@tensorflow/tfjs-node');
      return {
        name: 'tensorflow',
        faceApi: await activate(require('@vladmandic/face-api/dist/face-api.node.js') as FaceApi, 'tensorflow'),
      };
    } catch (error) {
      if (choice === 'tensorflow') throw unavailable('tensorflow', error);
      fallbackReason = `tfjs-node not loaded: ${errorMessage(error).split('\n')[0] ?? ''}`;
    }
  }
  const faceApi = await activate(require('@vladmandic/face-api/dist/face-api.node-wasm.js') as FaceApi, 'wasm');
  return fallbackReason === undefined ? { name: 'wasm', faceApi } : { name: 'wasm', faceApi, fallbackReason };
}

async function activate(faceApi: FaceApi, name: BackendName): Promise<FaceApi> {
  const { tf } = faceApi;
  let ok: boolean;
  try {
    ok = await tf.setBackend(name);
    await tf.ready();
  } catch (error) {
    throw unavailable(name, error);
  }
  // setBackend resolves false (and tfjs may fall back to cpu) when the backend fails to initialise.
  if (!ok || tf.getBackend() !== name) throw unavailable(name, `active backend is ${tf.getBackend()}`);
  return faceApi;
}

function unavailable(name: BackendName, cause: unknown): MusterError {
  return new MusterError(
    'face-backend-unavailable',
    `TensorFlow.js backend ${name} did not start: ${errorMessage(cause)}`,
    { cause },
  );
}
