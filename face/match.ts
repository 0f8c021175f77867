// 1:1 matching on face-api's 128-d descriptors: Euclidean distance, smaller is more alike. dlib's
// published operating point for this network is 0.6; Muster's comes from `muster face calibrate`.
import { badArgument } from '../core/errors.ts';

export const DESCRIPTOR_LENGTH = 128;

/**
 * Default threshold when configuration gives none, from the face-frr bench (bench/README.md, "Face false rejects":
 * 246 genuine / 6,810 impostor kiosk tries): the closest impostor tries come to 0.556 and 0.567 (one face turned
 * sideways), so 0.57 accepted 6 (FAR 0.088%, 95% bound 0.174%); at 0.54 none (bound 0.044%) with 0.016 of margin,
 * FRR 6.50% against face-api's 7.32% at its 0.6. Re-run on the final code (2026-12-04 18:14): 0 of 6,426 (bound
 * 0.047%; enrolment at 0.54 refuses one person's two photos, so fewer claims), FRR still 6.50%. Stricter than dlib's 0.6 on purpose: a false accept lets someone
 * check in for another person, while a false reject is a retry, then staff review, never a breach. One photo
 * against another of the same person can lie beyond it (kit_harington_2 at 0.564): the kiosk refers that to staff.
 */
export const DEFAULT_MATCH_THRESHOLD = 0.54;

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
