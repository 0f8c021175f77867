// 1:1 verification of a capture against the claimed person's template. Four outcomes, and only one of
// them is a mismatch: a frame the gate refused is a retry, a low liveness score is a referral to staff.
import type { LivenessScores } from './analysis.ts';
import type { Capture } from './capture.ts';
import { DEFAULT_LIVENESS_LIMITS, type LivenessLimits, livenessVerdict } from './liveness.ts';
import { type MatchResult, decide, templateDistance } from './match.ts';
import type { UnusableReason } from './quality.ts';
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
  return { outcome: match.decision, match, liveness };
}
