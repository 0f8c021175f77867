// Why a staff member decided, as the log carries it: a code from a fixed list, and at most the salted commitment
// (`note`, 64 hex digits) of words kept in the personal-data store. Free words never go on the log: it is signed,
// replicated to HQ, shown to the police and never erased ("Zhang Wei, ID 1101..., HIV clinic" stayed there for
// good). Staff and officers who may read notes open the words in the store, each read an `access` entry.
import { bad, type Fields, text } from './fields.ts';

export const REASON_CODES = [
  'leave',
  'sick',
  'medical',
  'travel',
  'work',
  'family',
  'legal',
  'device-fault',
  'staff-error',
  'identity-confirmed',
  'identity-doubt',
  'evidence-checked',
  'no-excuse',
  'new-plan',
  'plan-change',
  'supervision-ended',
  're-enrolment',
  'other',
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

export interface Reason {
  readonly reason: ReasonCode;
  /** The salted commitment of the words in the personal-data store, when staff wrote any. */
  readonly note?: string;
}

const COMMITMENT = /^[0-9a-f]{64}$/;

export function isReasonCode(value: unknown): value is ReasonCode {
  return typeof value === 'string' && (REASON_CODES as readonly string[]).includes(value);
}

/**
 * Reads `reason` and `note`. An entry written before reasons were codes holds words in `reason`: they are read
 * as `other`, so no view (the police's included) ever shows them; they stay only in the raw log.
 */
export function reasonOf(fields: Fields, path: string): Reason {
  const code = fields.reason;
  // Words of an older entry must still be text of the old bounds; they are read as `other`.
  if (!isReasonCode(code)) text(fields, 'reason', path);
  const reason = isReasonCode(code) ? code : 'other';
  const { note } = fields;
  if (note === undefined) return { reason };
  if (typeof note !== 'string' || !COMMITMENT.test(note))
    bad(`${path}.note`, 'expected the 64 hex digits of a commitment');
  return { reason, note };
}
