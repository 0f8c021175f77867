// Every entry type has one way its payloads are checked: a record schema, or the key command that writes it.
import { describe, expect, it } from 'vitest';
import { ENTRY_TYPES } from '../../core/entry.ts';
import { parseEnrolment } from '../../core/records/enrolment.ts';
import { KEY_ENTRY_COMMANDS, RECORD_SCHEMAS } from '../../core/records/record-schemas.ts';

describe('record schemas', () => {
  it('cover every entry type exactly once', () => {
    const covered = [...Object.keys(RECORD_SCHEMAS), ...Object.keys(KEY_ENTRY_COMMANDS)];
    expect([...covered].sort()).toEqual([...ENTRY_TYPES].sort());
  });

  it('accept the enrolment entry the kiosk writes, and refuse one that could carry more', () => {
    const enrolment = {
      subject: 'p-0042',
      centre: 'center-01',
      kiosk: 'center-01/kiosk-1',
      methods: ['fingerprint', 'face'],
      faceCommitment: 'ab'.repeat(32),
    };
    expect(parseEnrolment(enrolment)).toEqual(enrolment);
    expect(parseEnrolment({ ...enrolment, methods: ['badge'], faceCommitment: undefined })).toEqual({
      subject: 'p-0042',
      centre: 'center-01',
      kiosk: 'center-01/kiosk-1',
      methods: ['badge'],
    });
    expect(() => parseEnrolment({ ...enrolment, template: [0.1, 0.2] })).toThrow(/enrolment.template: unknown field/);
    expect(() => parseEnrolment({ ...enrolment, faceCommitment: undefined })).toThrow(
      /enrolment.faceCommitment: present exactly when face/,
    );
    expect(() => parseEnrolment({ ...enrolment, faceCommitment: 'Ann Smith' })).toThrow(
      /enrolment.faceCommitment: expected 64 hex digits/,
    );
    expect(() => parseEnrolment({ ...enrolment, methods: ['staff'] })).toThrow(/enrolment.methods\[0\]/);
  });
});
