// The rules of the breach engine and the reasons an item goes to staff review. Stable strings: they are
// written into excuse entries and breach notices. suspected-impersonation is both: a review item first, a
// breach only once staff decide so.

export const RULE_IDS = [
  'missed-checkin',
  'late-checkin',
  'wrong-centre',
  'task-not-done',
  'suspected-impersonation',
] as const;
export type RuleId = (typeof RULE_IDS)[number];

/**
 * internal-error: Muster itself failed during the person's attempt (a bug, not a device): never an excuse, staff look.
 * re-enrolment: the person's enrolled biometrics were replaced (approved by a second person): staff check it was them.
 */
export const REVIEW_REASONS = [
  'verification-failed',
  'repeated-failed-verification',
  'questionnaire-flag',
  'face-mismatch-then-verified',
  'suspected-impersonation',
  'internal-error',
  're-enrolment',
] as const;
export type ReviewReason = (typeof REVIEW_REASONS)[number];
