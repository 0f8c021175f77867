// The face layer's front door: owns the inference worker so the kiosk's event loop never waits on a model.
// start() resolves once the backend and models are loaded and reports which backend was chosen.
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { MusterError } from '../core/errors.ts';
import { type Logger, componentLogger } from '../runtime/logger.ts';
import { startWorker } from '../runtime/worker.ts';
import type { FrameAnalysis, FrameInput } from './analysis.ts';
import type { BackendChoice } from './backend.ts';
import { DEFAULT_DETECTOR, type DetectorName } from './detectors.ts';
import type { EngineHealth, EngineOptions } from './engine.ts';
import type { WorkerMessage, WorkerRequest } from './worker-protocol.ts';

export interface FaceServiceOptions {
  readonly backend?: BackendChoice;
  readonly detector?: DetectorName;
  /** Eye openness for the blink challenge (EngineOptions.eyes; default on). */
  readonly eyes?: boolean;
  /** Where the chosen backend is logged (default: the process logger's `face` child). */
  readonly logger?: Logger;
}

/** Frames waiting for the worker before new ones are refused: a stalled worker must not hoard frames. */
const MAX_PENDING = 4;

interface Pending {
  resolve(analysis: FrameAnalysis): void;
  reject(error: Error): void;
}

export class FaceService {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private closed = false;

  private constructor(
    private readonly worker: Worker,
    /** For device health: backend, versions, models, load time. */
    readonly health: EngineHealth,
    /** From start() to the warmed engine: the worker's own start and imports, then health.startMs's stages. */
    readonly startMs: number,
  ) {
    worker.on('message', (message: WorkerMessage) => {
      if (message.type !== 'result' && message.type !== 'error') return;
      const waiting = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.type === 'result') waiting?.resolve(message.analysis);
      else waiting?.reject(new MusterError(message.error.code, message.error.message));
    });
    worker.on('exit', (code) => {
      this.closed = true;
      this.failAll(new MusterError('face-worker-exited', `face worker exited with code ${code}`));
    });
    worker.on('error', (error) => {
      this.failAll(new MusterError('face-worker-exited', `face worker failed: ${error.message}`, { cause: error }));
    });
  }

  static async start(options: FaceServiceOptions = {}): Promise<FaceService> {
    const engineOptions: EngineOptions = {
      backend: options.backend ?? 'auto',
      detector: options.detector ?? DEFAULT_DETECTOR,
      eyes: options.eyes ?? true,
    };
    const started = performance.now();
    // Sources run as .ts through tsx, a build as .js.
    const self = fileURLToPath(import.meta.url);
    const worker = startWorker(new URL(`./face-worker${extname(self)}`, import.meta.url), {
      workerData: engineOptions,
    });
    const health = await new Promise<EngineHealth>((resolve, reject) => {
      const onMessage = (message: WorkerMessage): void => {
        worker.off('exit', onExit);
        if (message.type === 'ready') resolve(message.health);
        else if (message.type === 'failed') reject(new MusterError(message.error.code, message.error.message));
      };
      const onExit = (code: number): void => {
        worker.off('message', onMessage);
        reject(new MusterError('face-worker-exited', `face worker exited with code ${code} while loading`));
      };
      worker.once('message', onMessage);
      worker.once('exit', onExit);
    }).catch(async (error: unknown) => {
      await worker.terminate();
      throw error;
    });
    const startMs = performance.now() - started;
    (options.logger ?? componentLogger('face')).info(
      {
        backend: health.backend,
        tfjs: health.tfjsVersion,
        faceApi: health.faceApiVersion,
        detector: health.detector,
        loadMs: Math.round(health.loadMs),
        warmUpMs: Math.round(health.startMs.warmUp),
        startMs: Math.round(startMs),
        ...(health.fallbackReason ? { fallback: health.fallbackReason } : {}),
      },
      'face models loaded',
    );
    return new FaceService(worker, health, startMs);
  }

  /** Decodes, shrinks and analyses one frame in the worker. Image errors reject with their MusterError code. */
  analyze(input: FrameInput): Promise<FrameAnalysis> {
    if (this.closed) return Promise.reject(new MusterError('face-closed', 'face service is closed'));
    if (this.pending.size >= MAX_PENDING)
      return Promise.reject(new MusterError('face-busy', `${MAX_PENDING} frames already waiting`));
    const id = this.nextId++;
    return new Promise<FrameAnalysis>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      const request: WorkerRequest = { id, input };
      this.worker.postMessage(request);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.failAll(new MusterError('face-closed', 'face service closed'));
    await this.worker.terminate();
  }

  private failAll(error: MusterError): void {
    for (const waiting of this.pending.values()) waiting.reject(error);
    this.pending.clear();
  }
}
