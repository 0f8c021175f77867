// What the record schemas read a payload as, beyond checking it: text days and clock times as numbers, defaults
// filled in, older entries' words read as `other`, and the few rules TypeBox's own checks would let through.
import { describe, expect, it } from 'vitest';
import { parseAccessRecord, parseErasureRecord, parseEvidenceExport } from '../../core/access/access-records.ts';
import { MusterError } from '../../core/errors.ts';
import { parseAlertAction } from '../../core/records/alert-action.ts';
import { parseEnrolment } from '../../core/records/enrolment.ts';
import { parsePlan } from '../../core/records/plan.ts';
import { parseContest, parseExcuse } from '../../core/records/staff-decisions.ts';
import { parseTaskRecord } from '../../core/records/task-record.ts';
import { parseDay } from '../../core/time/civil-day.ts';
import { planPayload } from '../checkin/support/log-builder.ts';

function message(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof MusterError && error.code === 'bad-record') return error.message;
    throw error;
  }
  throw new Error('accepted');
}

const PLAN = planPayload({ subject: 's-1', days: [5, 1, 3], open: '22:00', close: '01:30', tasks: [] });
const EXCUSE = { subject: 's', from: '2026-03-01', to: '2026-03-02', reason: 'sick', staff: 'st' };
const SHA = 'ab'.repeat(32);

describe('record decoding', () => {
  it('reads a plan: days as numbers, weekdays sorted, the defaults of grace, lateness and task days', () => {
    const { graceMinutes: _g, lateMinutes: _l, ...bare } = PLAN;
    const plan = parsePlan({
      ...bare,
      end: null,
      tasks: [
        { id: 't1', kind: 'study', module: 'm' },
        { id: 't2', kind: 'questionnaire', questionnaire: 'q', days: 'daily' },
      ],
    });
    expect(plan.start).toBe(parseDay('2026-03-01'));
    expect(plan.end).toBeNull();
    expect(plan.days).toEqual([1, 3, 5]);
    expect([plan.graceMinutes, plan.lateMinutes]).toEqual([0, 0]);
    expect(plan.tasks).toEqual([
      { id: 't1', kind: 'study', module: 'm', days: 'reporting' },
      { id: 't2', kind: 'questionnaire', questionnaire: 'q', flags: {}, days: [0, 1, 2, 3, 4, 5, 6] },
    ]);
    expect(parsePlan({ ...PLAN, days: 'daily' }).days).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('names the field of the variant meant, and a byte string is no map', () => {
    expect(message(() => parsePlan({ ...PLAN, tasks: [{ id: 't', kind: 'service', minutes: 2000 }] }))).toBe(
      'plan.tasks[0].minutes: expected an integer 0-1440',
    );
    expect(message(() => parsePlan({ ...PLAN, days: [1, 1] }))).toContain('plan.days: ');
    expect(message(() => parsePlan({ ...PLAN, end: '2026-13-01' }))).toContain('plan.end: ');
    const bytes = { id: 't', kind: 'questionnaire', questionnaire: 'q', flags: new Uint8Array() };
    const task = { subject: 's', day: '2026-03-01', completion: { task: 't', answers: new Uint8Array() }, staff: 'st' };
    expect(message(() => parseTaskRecord(task))).toBe(
      'task.completion.answers: expected a map of at most 64 answer codes',
    );
    expect(message(() => parsePlan({ ...PLAN, tasks: [bytes] }))).toBe(
      'plan.tasks[0].flags: expected a map of question ids to lists of answer codes',
    );
  });

  it("reads an older entry's words as the reason `other`, and still refuses blank words", () => {
    expect(parseExcuse({ ...EXCUSE, reason: 'in hospital' }).reason).toBe('other');
    expect(parseExcuse(EXCUSE).reason).toBe('sick');
    expect(parseExcuse(EXCUSE).rules).toEqual([]);
    expect(message(() => parseExcuse({ ...EXCUSE, reason: '   ' }))).toBe(
      'excuse.reason: expected text of 1-280 characters',
    );
    expect(message(() => parseExcuse({ ...EXCUSE, note: 'words' }))).toBe(
      'excuse.note: expected the 64 hex digits of a commitment',
    );
  });

  it('keeps the rules between fields', () => {
    const contest = { breach: 'b/s/2026-03-01', subject: 's', day: '2026-03-01', reason: 'other', staff: 'st' };
    expect(message(() => parseContest({ ...contest, action: 'resolve' }))).toBe(
      'contest.outcome: expected one of upheld, dismissed',
    );
    expect(message(() => parseContest({ ...contest, action: 'open', outcome: 'upheld' }))).toBe(
      'contest.outcome: only a resolve has an outcome',
    );
    expect(message(() => parseExcuse({ ...EXCUSE, to: '2026-02-01' }))).toBe('excuse.to: is before excuse.from');
    expect(message(() => parseAlertAction({ alert: 'breach:x', action: 'assign', by: 'o', note: SHA }))).toBe(
      'alert-action.assignee: is required for assign and only for assign',
    );
    const enrolment = { subject: 's', centre: 'c', kiosk: 'c/k', methods: ['fingerprint'], staff: 'st' };
    expect(message(() => parseEnrolment({ ...enrolment, replaces: true, approvedBy: 'st' }))).toContain(
      'enrolment.approvedBy: ',
    );
    expect(message(() => parseEnrolment({ ...enrolment, methods: ['face'] }))).toBe(
      'enrolment.faceCommitment: present exactly when face is among the methods',
    );
  });

  it('reads access, erasure and evidence-export records, each field kind once', () => {
    const access = { subject: 's', centre: 'c', by: 'u', role: 'staff', fields: ['name'], reason: 'visit' };
    expect(parseAccessRecord(access).fields).toEqual(['name']);
    expect(message(() => parseAccessRecord({ ...access, fields: ['name', 'name'] }))).toContain('access.fields: ');
    expect(message(() => parseAccessRecord({ ...access, fields: [] }))).toContain('access.fields: ');
    const erasure = { subject: 's', centre: 'c', fields: [], cause: 'request', by: 'u', erasedAt: 5 };
    expect(parseErasureRecord(erasure).erasedAt).toBe(5);
    expect(message(() => parseErasureRecord({ ...erasure, erasedAt: -1 }))).toBe(
      'erasure.erasedAt: expected milliseconds since the Unix epoch',
    );
    const bundle = { subject: 's', day: '2026-03-01', by: 'u', role: 'officer', verdict: 'breach', bundle: SHA };
    expect(parseEvidenceExport(bundle).day).toBe('2026-03-01');
    expect(message(() => parseEvidenceExport({ ...bundle, day: '2026-02-30' }))).toBe(
      'evidence-export.day: expected a calendar day YYYY-MM-DD',
    );
  });
});
