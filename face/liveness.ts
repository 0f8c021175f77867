// Passive liveness from Human's anti-spoof and liveness models. A low score refers the person to staff:
// it is neither a match nor a mismatch.
import type { LivenessScores } from './analysis.ts';

export interface LivenessLimits {
  readonly minAntispoof: number;
  readonly minLiveness: number;
}

/**
 * Low on purpose: on the labelled development photos (real faces, re-photographed by press cameras) the
 * scores ranged 0.46-0.85 (antispoof) and 0.15-1.0 (liveness). The active challenge is the stronger check.
 */
export const DEFAULT_LIVENESS_LIMITS: LivenessLimits = { minAntispoof: 0.3, minLiveness: 0.1 };

export type LivenessVerdict = { readonly live: true } | { readonly live: false; readonly detail: string };

export function livenessVerdict(scores: LivenessScores, limits: LivenessLimits = DEFAULT_LIVENESS_LIMITS): LivenessVerdict {
  if (scores.antispoof < limits.minAntispoof || scores.liveness < limits.minLiveness) {
    return { live: false, detail: `anti-spoof ${scores.antispoof.toFixed(2)} (need ${limits.minAntispoof}), liveness ${scores.liveness.toFixed(2)} (need ${limits.minLiveness})` };
  }
  return { live: true };
}
