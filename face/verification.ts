// 1:1 verification of a capture against the claimed person's template. Four outcomes, and only one of
// them is a mismatch: a frame the gate refused is a retry, a low liveness score is a referral to staff.
import { badArgument } from '../core/errors.ts';
import type { LivenessScores } from './analysis.ts';
import type { Capture } from './capture.ts';
import { DEFAULT_LIVENESS_LIMITS, type LivenessLimits, livenessVerdict } from './liveness.ts';
import { type MatchResult, decide, templateDistance } from './match.ts';
import { GUIDANCE, type UnusableReason } from './quality.ts';
import type { FaceTemplate } from './template.ts';

export type Verification =
  | { readonly outcome: 'retry'; readonly reason: UnusableReason; readonly guidance: string }
  | { readonly outcome: 'spoof-suspected'; readonly liveness: LivenessScores; readonly detail: string }
  | { readonly outcome: 'match' | 'no-match'; readonly match: MatchResult; readonly liveness: LivenessScores };

export function verifyCapture(
  template: FaceTemplate,
  capture: Capture,
  threshold: number,
  livenessLimits: LivenessLimits = DEFAULT_LIVENESS_LIMITS,
): Verification {
  if (capture.kind === 'unusable') return { outcome: 'retry', reason: capture.reason, guidance: capture.guidance };
  const { liveness, descriptor } = capture.face;
  const verdict = livenessVerdict(liveness, livenessLimits);
  if (!verdict.live) return { outcome: 'spoof-suspected', liveness, detail: verdict.detail };
  const match = decide(templateDistance(template.descriptors, descriptor), threshold);
  // A face too small to be sure of may confirm a person but never reject one.
  if (match.decision === 'no-match' && capture.marginal)
    return { outcome: 'retry', reason: capture.marginal, guidance: GUIDANCE[capture.marginal] };
  return { outcome: match.decision, match, liveness };
}

/** Frames a check-in's face try takes at most before its best result stands (`verifyFrames`). */
export const DEFAULT_FACE_FRAMES = 3;

export type FramesVerification = Verification & {
  /** Frames taken: fewer than the limit when a match or a spoof ended the try early. */
  readonly frames: number;
};

/**
 * Best of up to `frames` consecutive frames, each against every enrolled capture (`templateDistance`): the
 * first match ends the try (a serial camera pays a frame's transfer only when it needs another look), a
 * spoof-suspected frame ends it as a referral to staff, and otherwise the closest mismatch stands, or a retry
 * when no frame was usable. So one blurred or dim frame no longer rejects a person; each extra frame is also an
 * impostor's extra chance, which the FAR on the bench's attempts (`npm run bench -- --only face-frr`) includes.
 */
export async function verifyFrames(
  template: FaceTemplate,
  nextCapture: () => Promise<Capture>,
  frames: number,
  threshold: number,
  livenessLimits: LivenessLimits = DEFAULT_LIVENESS_LIMITS,
): Promise<FramesVerification> {
  if (!Number.isInteger(frames) || frames < 1) badArgument('frames', 'a whole number of frames, at least 1', frames);
  let best: Verification | undefined;
  for (let taken = 1; taken <= frames; taken++) {
    const result = verifyCapture(template, await nextCapture(), threshold, livenessLimits);
    if (result.outcome === 'match' || result.outcome === 'spoof-suspected') return { ...result, frames: taken };
    if (
      !best ||
      (result.outcome === 'no-match' && (best.outcome !== 'no-match' || result.match.distance < best.match.distance))
    )
      best = result;
  }
  if (!best) throw new Error('no frame was verified');
  return { ...best, frames };
}
