// The kinds of personal data the personal-data store holds, and which action reading each needs. Pure, so the
// renderer can tell which fields a role could ever see.
import type { Action } from './roles.ts';

/**
 * `notes`: the words staff wrote beside decisions (a reason on the log is only a code and the note's commitment).
 * `faceCapture`: camera frames a kiosk kept of a face check that went to staff review (a mismatch, a liveness
 * failure), for staff to compare with the enrolment photo; the attempt entry carries only their commitment.
 */
export const PERSONAL_FIELDS = [
  'name',
  'idNumber',
  'photo',
  'faceTemplate',
  'fingerprintTemplate',
  'notes',
  'faceCapture',
] as const;
export type PersonalField = (typeof PERSONAL_FIELDS)[number];

export const BIOMETRIC_FIELDS: readonly PersonalField[] = ['faceTemplate', 'fingerprintTemplate', 'faceCapture'];

/** Fields kept by their own methods of the store (putNote, putCapture), never by `put`. */
export const KEPT_APART: readonly PersonalField[] = ['notes', 'faceCapture'];

export function isPersonalField(value: unknown): value is PersonalField {
  return typeof value === 'string' && (PERSONAL_FIELDS as readonly string[]).includes(value);
}

/** Biometric templates need read-biometrics and notes read-notes (police hold neither); the rest needs read-pii. */
export function actionToRead(field: PersonalField): Action {
  if (field === 'notes') return 'read-notes';
  return BIOMETRIC_FIELDS.includes(field) ? 'read-biometrics' : 'read-pii';
}
