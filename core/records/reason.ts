// Why a staff member decided, as the log carries it: a code from a fixed list, and at most the salted commitment
// (`note`, 64 hex digits) of words kept in the personal-data store. Free words never go on the log: it is signed,
// replicated to HQ, shown to the police and never erased ("Zhang Wei, ID 1101..., HIV clinic" stayed there for
// good). Staff and officers who may read notes open the words in the store, each read an `access` entry.
import { type TObject, Type } from '@sinclair/typebox';
import { type Parsed, text } from './record-schema.ts';

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

/**
 * The `reason` and `note` fields of a decision, spread into its record's schema. An entry written before reasons
 * were codes holds words in `reason`: they are read as `other`, so no view (the police's included) ever shows them;
 * they stay only in the raw log (and must still be text of the old bounds).
 */
export const REASON_FIELDS = {
  reason: Type.Transform(text())
    .Decode((words): ReasonCode => (isReasonCode(words) ? words : 'other'))
    .Encode((code): string => code),
  /** The salted commitment of the words in the personal-data store, when staff wrote any. */
  note: Type.Optional(
    Type.String({ pattern: '^[0-9a-f]{64}$', errorMessage: 'expected the 64 hex digits of a commitment' }),
  ),
};

export type Reason = Parsed<TObject<typeof REASON_FIELDS>>;

export function isReasonCode(value: unknown): value is ReasonCode {
  return typeof value === 'string' && (REASON_CODES as readonly string[]).includes(value);
}
