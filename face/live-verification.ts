// 1:1 verification across the frames of an active challenge: the strong guard against a photo or a still
// screen held up to the camera, which the single-frame anti-spoof scores cannot tell from a face (ARCHITECTURE.md).
// A match counts only when the person also blinked or turned their head, as the same person, in those frames;
// a failed challenge is a referral to staff (spoof-suspected), never a mismatch and never a silent accept.
import type { FrameInput } from './analysis.ts';
import { type Capture, capture } from './capture.ts';
import { type ChallengeKind, type ChallengeResult, evaluateChallenge } from './challenge.ts';
import type { FaceService } from './face-service.ts';
import { DEFAULT_LIVENESS_LIMITS, type LivenessLimits } from './liveness.ts';
import { DEFAULT_QUALITY_LIMITS, GUIDANCE, type QualityLimits } from './quality.ts';
import type { FaceTemplate } from './template.ts';
import { type Verification, verifyCapture } from './verification.ts';

export interface LiveVerification {
  readonly verification: Verification;
  readonly challenge: ChallengeResult;
}

export async function verifyLive(
  service: FaceService,
  template: FaceTemplate,
  kind: ChallengeKind,
  frames: readonly FrameInput[],
  threshold: number,
  limits: { readonly quality?: QualityLimits; readonly liveness?: LivenessLimits } = {},
): Promise<LiveVerification> {
  const quality = limits.quality ?? DEFAULT_QUALITY_LIMITS;
  // The challenge judges every frame with one face; a head turn fails the pose gate, so the probe is the
  // first frame that passes the whole gate.
  const captures: Capture[] = [];
  for (const frame of frames) captures.push(await capture(service, frame, quality));
  const faces = captures.flatMap((c) =>
    c.kind === 'usable' ? [c.face] : c.analysis?.faceCount === 1 && c.analysis.face ? [c.analysis.face] : [],
  );
  const challenge = evaluateChallenge(kind, faces, threshold);
  const probe = captures.find((c) => c.kind === 'usable') ?? captures[0];
  if (!probe)
    return { verification: { outcome: 'retry', reason: 'no-face', guidance: GUIDANCE['no-face'] }, challenge };
  const verification = verifyCapture(template, probe, threshold, limits.liveness ?? DEFAULT_LIVENESS_LIMITS);
  if (verification.outcome !== 'match' && verification.outcome !== 'no-match') return { verification, challenge };
  if (challenge.passed) return { verification, challenge };
  if (challenge.reason === 'too-few-frames')
    return { verification: { outcome: 'retry', reason: 'no-face', guidance: GUIDANCE['no-face'] }, challenge };
  return {
    verification: {
      outcome: 'spoof-suspected',
      liveness: verification.liveness,
      detail: `active challenge failed: ${challenge.reason} (${challenge.detail})`,
    },
    challenge,
  };
}
