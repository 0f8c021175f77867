// 1:1 matching on face-api's 128-d descriptors: Euclidean distance, smaller is more alike. dlib's
// published operating point for this network is 0.6; Muster's comes from `muster face calibrate`.
import { badArgument } from '../core/errors.ts';

export const DESCRIPTOR_LENGTH = 128;

/**
 * Default threshold when configuration gives none, from `muster face calibrate` on the pair set of
 * test/face/pair-set.ts (368 genuine / 3593 impostor pairs through the gate): genuine distances reach 0.570,
 * the closest impostor is at 0.597; at 0.57 FAR 0 (below about 0.08%) and FRR 0.3%. Below the calibrator's
 * suggestion (0.60, FAR 0.06%) and dlib's 0.6 on purpose: a false accept lets someone check in for another
 * person, while a false reject goes to staff review, never to a breach.
 */
export const DEFAULT_MATCH_THRESHOLD = 0.57;

export type MatchDecision = 'match' | 'no-match';

export interface MatchResult {
  readonly distance: number;
  readonly threshold: number;
  /** 'no-match' is a referral to staff, not a breach. */
  readonly decision: MatchDecision;
}

export function descriptorDistance(a: Float32Array, b: Float32Array): number {
  if (a.length !== DESCRIPTOR_LENGTH) badArgument('a', `${DESCRIPTOR_LENGTH} floats`, a.length);
  if (b.length !== DESCRIPTOR_LENGTH) badArgument('b', `${DESCRIPTOR_LENGTH} floats`, b.length);
  let sum = 0;
  for (let i = 0; i < DESCRIPTOR_LENGTH; i++) sum += ((a[i] as number) - (b[i] as number)) ** 2;
  return Math.sqrt(sum);
}

/** Mean distance to every enrolled descriptor, as face-api's FaceMatcher does: one odd capture cannot carry it. */
export function templateDistance(enrolled: readonly Float32Array[], probe: Float32Array): number {
  if (enrolled.length === 0) badArgument('enrolled', 'at least one descriptor', enrolled);
  let total = 0;
  for (const d of enrolled) total += descriptorDistance(d, probe);
  return total / enrolled.length;
}

export function decide(distance: number, threshold: number): MatchResult {
  if (!(threshold > 0 && threshold < 2)) badArgument('threshold', 'a number between 0 and 2', threshold);
  return { distance, threshold, decision: distance < threshold ? 'match' : 'no-match' };
}
