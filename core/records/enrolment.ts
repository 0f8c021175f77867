// `enrolment` entries: a person was enrolled at a kiosk with these methods, by which staff member. Never a
// template, a photo or a name: the face template appears only as its salted SHA-256 commitment (64 hex digits).
// A re-enrolment (the person's biometrics replaced) names a second person who approved it (`approvedBy`, another
// staff member or an officer): a corrupt staff member alone cannot enrol a stand-in under someone's id.
import { Type } from '@sinclair/typebox';
import { ID, type Parsed, type RecordRule, list, map, oneOf, recordParser } from './record-schema.ts';

const ENROLMENT = map({
  subject: ID,
  centre: ID,
  kiosk: ID,
  methods: list(oneOf(['fingerprint', 'badge', 'face']), 3),
  faceCommitment: Type.Optional(Type.String({ pattern: '^[0-9a-f]{64}$', errorMessage: 'expected 64 hex digits' })),
  /** Who enrolled (entries written before enrolments named staff have none). */
  staff: Type.Optional(ID),
  /** Set on a re-enrolment: it replaced the person's enrolled biometrics. */
  replaces: Type.Optional(Type.Literal(true, { errorMessage: 'expected true or nothing' })),
  /** On a re-enrolment: the second person who approved it, never `staff`. */
  approvedBy: Type.Optional(ID),
});

export type Enrolment = Parsed<typeof ENROLMENT>;

const rule: RecordRule<Enrolment> = (e) => {
  if (e.methods.includes('face') !== (e.faceCommitment !== undefined))
    return { field: 'faceCommitment', message: 'present exactly when face is among the methods' };
  if (e.replaces === undefined && e.approvedBy !== undefined)
    return { field: 'approvedBy', message: 'only a re-enrolment is approved' };
  if (e.replaces && (e.staff === undefined || e.approvedBy === undefined || e.approvedBy === e.staff))
    return {
      field: 'approvedBy',
      message: 'a re-enrolment names its staff member and a second person who approved it',
    };
  return undefined;
};

export const parseEnrolment: (payload: unknown) => Enrolment = recordParser(ENROLMENT, 'enrolment', rule);
