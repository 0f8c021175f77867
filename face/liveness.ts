// Passive liveness from Human's anti-spoof and liveness models. A low score refers the person to staff:
// it is neither a match nor a mismatch.
import type { LivenessScores } from './analysis.ts';

export interface LivenessLimits {
  readonly minAntispoof: number;
  readonly minLiveness: number;
}

/**
 * Single-frame RGB scores are a weak guard, and these limits are set to cost as few genuine frames as they can
 * without letting more simulated attacks through. Liveness 0.4: over the face-frr bench's 430 gate-passing frames
 * of the named people and dlib's chips, genuine liveness (0.04-0.37 at the bottom) and the simulated screen
 * replays and prints of test/face/spoof.ts (26 of 150 gate-passing attacks below 0.4, 0.01-0.39) overlap, and 0.3
 * would pass 7 more attacks to spare 3 more genuine frames. Anti-spoof 0.3 (0.4 until 2026-12-04): no simulated
 * attack scored under 0.43, while one darker-skinned genuine face scored 0.34-0.40 in every frame; 0.4 refused
 * 7 genuine frames and no attack, 0.3 refuses neither (bench/README.md, face false rejects). A still picture is
 * stopped by the active challenge (live-verification.ts), not by these.
 */
export const DEFAULT_LIVENESS_LIMITS: LivenessLimits = { minAntispoof: 0.3, minLiveness: 0.4 };

export type LivenessVerdict = { readonly live: true } | { readonly live: false; readonly detail: string };

export function livenessVerdict(
  scores: LivenessScores,
  limits: LivenessLimits = DEFAULT_LIVENESS_LIMITS,
): LivenessVerdict {
  if (scores.antispoof < limits.minAntispoof || scores.liveness < limits.minLiveness) {
    return {
      live: false,
      detail: `anti-spoof ${scores.antispoof.toFixed(2)} (need ${limits.minAntispoof}), liveness ${scores.liveness.toFixed(2)} (need ${limits.minLiveness})`,
    };
  }
  return { live: true };
}
