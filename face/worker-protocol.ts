// Messages between FaceService (any thread) and the inference worker. Plain data, structured clone.
import type { FrameAnalysis, FrameInput } from './analysis.ts';
import type { ErrorCode } from '../core/errors.ts';
import type { EngineHealth } from './engine.ts';

export interface WireError {
  readonly code: ErrorCode;
  readonly message: string;
}

export type WorkerRequest = { readonly id: number; readonly input: FrameInput };

export type WorkerMessage =
  | { readonly type: 'ready'; readonly health: EngineHealth }
  | { readonly type: 'failed'; readonly error: WireError }
  | { readonly type: 'result'; readonly id: number; readonly analysis: FrameAnalysis }
  | { readonly type: 'error'; readonly id: number; readonly error: WireError };
