// Passive liveness from Human's anti-spoof and liveness models. A low score refers the person to staff:
// it is neither a match nor a mismatch.
import type { LivenessScores } from './analysis.ts';

export interface LivenessLimits {
  readonly minAntispoof: number;
  readonly minLiveness: number;
}

/**
 * Single-frame RGB scores are a weak guard, and these limits are set to cost no genuine frame: over the 93
 * gate-passing camera-like frames of the development faces, anti-spoof ran 0.47-0.86 and liveness 0.47-1.0;
 * 0.4 / 0.4 refused none of them and 5 of 28 simulated screen replays and prints (test/face/spoof.ts) that
 * passed the quality gate; the other 23 scored like genuine frames (the development faces are photographs
 * themselves). Since dim crops are brightened before scoring and 36-64 px faces pass the gate (engine.ts,
 * quality.ts): 1 of 86 gate-passing genuine frames refused (liveness 0.38), 8 of 39 attacks (bench/README.md).
 * A still picture is stopped by the active challenge (live-verification.ts), not by these.
 */
export const DEFAULT_LIVENESS_LIMITS: LivenessLimits = { minAntispoof: 0.4, minLiveness: 0.4 };

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
