// One frame through the worker and the quality gate: a usable face, or a reason and guidance for the person.
// An unreadable image is also "unusable", never an error that could be mistaken for a mismatch.
import { MusterError } from '../core/errors.ts';
import type { FaceObservation, FrameAnalysis, FrameInput } from './analysis.ts';
import type { FaceService } from './face-service.ts';
import { DEFAULT_QUALITY_LIMITS, GUIDANCE, type QualityLimits, type UnusableReason, gateAnalysis } from './quality.ts';

export type Capture =
  | {
      readonly kind: 'usable';
      readonly face: FaceObservation;
      readonly analysis: FrameAnalysis;
      /** Good enough to confirm a match, not to reject: a mismatch on it is a retry for this reason. */
      readonly marginal?: UnusableReason;
    }
  | {
      readonly kind: 'unusable';
      readonly reason: UnusableReason;
      readonly guidance: string;
      readonly detail: string;
      readonly analysis?: FrameAnalysis;
    };

const IMAGE_ERRORS: Readonly<Record<string, UnusableReason>> = {
  'not-jpeg': 'not-an-image',
  'image-corrupt': 'not-an-image',
  'image-truncated': 'not-an-image',
  'image-invalid': 'not-an-image',
  'image-unreadable': 'not-an-image',
  'image-too-large': 'image-too-large',
};

export async function capture(
  service: FaceService,
  input: FrameInput,
  limits: QualityLimits = DEFAULT_QUALITY_LIMITS,
): Promise<Capture> {
  let analysis: FrameAnalysis;
  try {
    analysis = await service.analyze(input);
  } catch (error) {
    if (!(error instanceof MusterError)) throw error;
    const reason = IMAGE_ERRORS[error.code];
    if (!reason) throw error;
    return { kind: 'unusable', reason, guidance: GUIDANCE[reason], detail: error.message };
  }
  return gated(analysis, limits);
}

/** A frame's analysis through the quality gate (bench/face-frr.bench.ts gates analyses it cached). */
export function gated(analysis: FrameAnalysis, limits: QualityLimits = DEFAULT_QUALITY_LIMITS): Capture {
  const gate = gateAnalysis(analysis, limits);
  if (!gate.ok)
    return { kind: 'unusable', reason: gate.reason, guidance: GUIDANCE[gate.reason], detail: gate.detail, analysis };
  if (!analysis.face) throw new Error('gate passed a frame without a face');
  return { kind: 'usable', face: analysis.face, analysis, ...(gate.marginal ? { marginal: gate.marginal } : {}) };
}
