// `enrolment` entries: a person was enrolled at a kiosk with these methods, by which staff member. Never a
// template, a photo or a name: the face template appears only as its salted SHA-256 commitment (64 hex digits).
// A re-enrolment (the person's biometrics replaced) names a second person who approved it (`approvedBy`, another
// staff member or an officer): a corrupt staff member alone cannot enrol a stand-in under someone's id.
import { CHECKIN_METHODS, type CheckinMethod } from './checkin.ts';
import { asFields, bad, id, list, onlyKeys, optionalId } from './fields.ts';

export interface Enrolment {
  readonly subject: string;
  readonly centre: string;
  readonly kiosk: string;
  readonly methods: readonly CheckinMethod[];
  readonly faceCommitment?: string;
  /** Who enrolled (entries written before enrolments named staff have none). */
  readonly staff?: string;
  /** Set on a re-enrolment: it replaced the person's enrolled biometrics. */
  readonly replaces?: true;
  /** On a re-enrolment: the second person who approved it, never `staff`. */
  readonly approvedBy?: string;
}

const COMMITMENT = /^[0-9a-f]{64}$/;

export function parseEnrolment(payload: unknown): Enrolment {
  const p = asFields(payload, 'enrolment');
  onlyKeys(p, 'enrolment', [
    'subject',
    'centre',
    'kiosk',
    'methods',
    'faceCommitment',
    'staff',
    'replaces',
    'approvedBy',
  ]);
  const methods = list(p, 'methods', 'enrolment', 3).map((m, i) => {
    if (typeof m !== 'string' || !(CHECKIN_METHODS as readonly string[]).includes(m) || m === 'staff')
      bad(`enrolment.methods[${i}]`, 'expected fingerprint, badge or face');
    return m as CheckinMethod;
  });
  const { faceCommitment } = p;
  if (faceCommitment !== undefined && (typeof faceCommitment !== 'string' || !COMMITMENT.test(faceCommitment)))
    bad('enrolment.faceCommitment', 'expected 64 hex digits');
  if (methods.includes('face') !== (faceCommitment !== undefined))
    bad('enrolment.faceCommitment', 'present exactly when face is among the methods');
  const staff = optionalId(p, 'staff', 'enrolment');
  const approvedBy = optionalId(p, 'approvedBy', 'enrolment');
  if (p.replaces !== undefined && p.replaces !== true) bad('enrolment.replaces', 'expected true or nothing');
  const replaces = p.replaces === true;
  if (!replaces && approvedBy !== undefined) bad('enrolment.approvedBy', 'only a re-enrolment is approved');
  if (replaces && (staff === undefined || approvedBy === undefined || approvedBy === staff))
    bad('enrolment.approvedBy', 'a re-enrolment names its staff member and a second person who approved it');
  return {
    subject: id(p, 'subject', 'enrolment'),
    centre: id(p, 'centre', 'enrolment'),
    kiosk: id(p, 'kiosk', 'enrolment'),
    methods,
    ...(faceCommitment === undefined ? {} : { faceCommitment }),
    ...(staff === undefined ? {} : { staff }),
    ...(replaces && approvedBy !== undefined ? { replaces: true as const, approvedBy } : {}),
  };
}
