// `enrolment` entries: a person was enrolled at a kiosk with these methods. Never a template, a photo or a
// name: the face template appears only as its salted SHA-256 commitment (64 hex digits).
import { CHECKIN_METHODS, type CheckinMethod } from './checkin.ts';
import { asFields, bad, id, list, onlyKeys } from './fields.ts';

export interface Enrolment {
  readonly subject: string;
  readonly centre: string;
  readonly kiosk: string;
  readonly methods: readonly CheckinMethod[];
  readonly faceCommitment?: string;
}

const COMMITMENT = /^[0-9a-f]{64}$/;

export function parseEnrolment(payload: unknown): Enrolment {
  const p = asFields(payload, 'enrolment');
  onlyKeys(p, 'enrolment', ['subject', 'centre', 'kiosk', 'methods', 'faceCommitment']);
  const methods = list(p, 'methods', 'enrolment', 3).map((m, i) => {
    if (typeof m !== 'string' || !(CHECKIN_METHODS as readonly string[]).includes(m) || m === 'staff') bad(`enrolment.methods[${i}]`, 'expected fingerprint, badge or face');
    return m as CheckinMethod;
  });
  const { faceCommitment } = p;
  if (faceCommitment !== undefined && (typeof faceCommitment !== 'string' || !COMMITMENT.test(faceCommitment))) bad('enrolment.faceCommitment', 'expected 64 hex digits');
  if (methods.includes('face') !== (faceCommitment !== undefined)) bad('enrolment.faceCommitment', 'present exactly when face is among the methods');
  return {
    subject: id(p, 'subject', 'enrolment'),
    centre: id(p, 'centre', 'enrolment'),
    kiosk: id(p, 'kiosk', 'enrolment'),
    methods,
    ...(faceCommitment === undefined ? {} : { faceCommitment }),
  };
}
