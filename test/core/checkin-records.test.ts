import { describe, expect, it } from 'vitest';
import { checkPayload } from '../../core/entry.ts';
import { MusterError } from '../../core/errors.ts';
import { parseBreachNotice } from '../../core/records/breach-notice.ts';
import { checkinPayload, parseCheckin, parseCheckinAttempt } from '../../core/records/checkin.ts';
import { parseDeviceHealth } from '../../core/records/device-health-record.ts';
import { parsePlan, planPayload } from '../../core/records/plan.ts';
import { parseContest, parseExcuse, parseReview } from '../../core/records/staff-decisions.ts';
import { parseTaskRecord } from '../../core/records/task-record.ts';
import { planPayload as testPlan } from '../checkin/support/log-builder.ts';

const PLAN = testPlan({
  subject: 's-1',
  days: [1, 3, 5],
  open: '22:00',
  close: '01:30',
  tasks: [
    { id: 't1', kind: 'study', module: 'm-1' },
    { id: 't2', kind: 'service', minutes: 90, days: [6] },
    { id: 't3', kind: 'questionnaire', questionnaire: 'q-1', flags: { q2: ['yes', 'often'] } },
  ],
});

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof MusterError) return `${error.code}: ${error.message}`;
    throw error;
  }
  return 'ok';
}

describe('plan records', () => {
  it("parse and print back to the same payload, which passes the log's payload check", () => {
    const plan = parsePlan(PLAN);
    expect(plan.open).toBe(22 * 60);
    expect(plan.close).toBe(90);
    expect(plan.days).toEqual([1, 3, 5]);
    expect(planPayload(plan)).toEqual(PLAN);
    expect(() => checkPayload(planPayload(plan))).not.toThrow();
  });

  it.each([
    ['unknown field', { ...PLAN, nickname: 'x' }, 'plan.nickname: unknown field'],
    ['personal data is no id', { ...PLAN, subject: 'John Smith' }, 'plan.subject'],
    ['bad zone', { ...PLAN, zone: 'Mars/Base' }, 'plan.zone'],
    ['bad day', { ...PLAN, start: '2026-02-30' }, 'plan.start'],
    ['end before start', { ...PLAN, end: '2026-01-01' }, 'plan.end'],
    ['empty window', { ...PLAN, window: { open: '09:00', close: '09:00' } }, 'plan.window'],
    ['span over 20 hours', { ...PLAN, window: { open: '01:00', close: '20:00' }, lateMinutes: 120 }, 'exceed 20 hours'],
    ['bad clock', { ...PLAN, window: { open: '9:00', close: '10:00' } }, 'plan.window.open'],
    ['no centre', { ...PLAN, centres: [] }, 'plan.centres'],
    ['bad weekday', { ...PLAN, days: [7] }, 'plan.days[0]'],
    [
      'repeated task ids',
      {
        ...PLAN,
        tasks: [
          { id: 't', kind: 'study', module: 'm' },
          { id: 't', kind: 'study', module: 'm' },
        ],
      },
      'task ids repeat',
    ],
    ['unknown task kind', { ...PLAN, tasks: [{ id: 't', kind: 'yoga' }] }, 'plan.tasks[0].kind'],
    ['not a map', 'plan', 'expected a map'],
    ['missing reason', { ...PLAN, reason: '' }, 'plan.reason'],
  ])('rejects %s with a bad-record error naming the field', (_name, payload, fragment) => {
    const result = code(() => parsePlan(payload));
    expect(result.startsWith('bad-record: ')).toBe(true);
    expect(result).toContain(fragment);
  });
});

describe('check-in records', () => {
  const CHECKIN = {
    subject: 's-1',
    centre: 'c-1',
    kiosk: 'c-1/k1',
    attempt: 'a-1',
    methods: ['fingerprint', 'face'],
    fingerprintScore: 88,
    faceScore: 0.3,
    tasks: [{ task: 't1' }, { task: 't3', answers: { q2: 'no' } }],
  };

  it('parse and print back', () => {
    expect(checkinPayload(parseCheckin(CHECKIN))).toEqual(CHECKIN);
  });

  it.each([
    ['one method', { ...CHECKIN, methods: ['face'] }, 'two methods'],
    ['staff without a staff id', { ...CHECKIN, methods: ['fingerprint', 'staff'] }, 'checkin.staff'],
    ['a template smuggled in', { ...CHECKIN, template: 'AAAA' }, 'unknown field'],
    ['free-text answer', { ...CHECKIN, tasks: [{ task: 't3', answers: { q2: 'I feel bad today' } }] }, 'answers.q2'],
    ['score not a number', { ...CHECKIN, faceScore: 'high' }, 'faceScore'],
  ])('rejects %s', (_name, payload, fragment) => {
    expect(code(() => parseCheckin(payload))).toContain(fragment);
  });

  it('parses attempts, identified or not', () => {
    const attempt = parseCheckinAttempt({
      attempt: 'a',
      centre: 'c',
      kiosk: 'c/k',
      step: 'identify',
      method: 'fingerprint',
      outcome: 'no-match',
      try: 2,
    });
    expect(attempt.subject).toBeUndefined();
    expect(
      code(() =>
        parseCheckinAttempt({
          attempt: 'a',
          centre: 'c',
          kiosk: 'c/k',
          step: 'identify',
          method: 'iris',
          outcome: 'no-match',
          try: 1,
        }),
      ),
    ).toContain('method');
    expect(
      code(() =>
        parseCheckinAttempt({
          attempt: 'a',
          centre: 'c',
          kiosk: 'c/k',
          step: 'guess',
          method: 'face',
          outcome: 'matched',
          try: 1,
        }),
      ),
    ).toContain('step');
  });
});

describe('staff decisions, tasks, health and notices', () => {
  it('parse the happy path', () => {
    expect(
      parseExcuse({
        subject: 's',
        from: '2026-03-01',
        to: '2026-03-02',
        rules: ['missed-checkin'],
        reason: 'hospital',
        staff: 'st',
      }).rules,
    ).toEqual(['missed-checkin']);
    expect(
      parseReview({
        item: 'verification-failed/s/2026-03-01',
        subject: 's',
        day: '2026-03-01',
        decision: 'cleared',
        reason: 'ok',
        staff: 'st',
      }).decision,
    ).toBe('cleared');
    expect(
      parseContest({
        breach: 'missed-checkin/s/2026-03-01',
        subject: 's',
        day: '2026-03-01',
        action: 'resolve',
        outcome: 'upheld',
        reason: 'r',
        staff: 'st',
      }).outcome,
    ).toBe('upheld');
    expect(
      parseTaskRecord({ subject: 's', day: '2026-03-01', completion: { task: 't', minutes: 30 }, staff: 'st' })
        .completion.minutes,
    ).toBe(30);
    expect(
      parseDeviceHealth({ centre: 'c', kiosk: 'c/k', device: 'camera', state: 'failing', since: 5, fault: 'timeout' })
        .state,
    ).toBe('failing');
    expect(
      parseBreachNotice({
        breach: 'missed-checkin/s/2026-03-01',
        rule: 'missed-checkin',
        subject: 's',
        day: '2026-03-01',
        evidence: [{ origin: 'k', seq: 3, hash: 'ab'.repeat(32) }],
      }).evidence,
    ).toHaveLength(1);
  });

  it.each([
    [
      'excuse with an unknown rule',
      () =>
        parseExcuse({
          subject: 's',
          from: '2026-03-01',
          to: '2026-03-01',
          rules: ['jaywalking'],
          reason: 'r',
          staff: 'st',
        }),
    ],
    [
      'excuse backwards',
      () => parseExcuse({ subject: 's', from: '2026-03-02', to: '2026-03-01', reason: 'r', staff: 'st' }),
    ],
    [
      'review with an unknown decision',
      () => parseReview({ item: 'x', subject: 's', day: '2026-03-01', decision: 'maybe', reason: 'r', staff: 'st' }),
    ],
    [
      'contest resolve without outcome',
      () => parseContest({ breach: 'b', subject: 's', day: '2026-03-01', action: 'resolve', reason: 'r', staff: 'st' }),
    ],
    [
      'contest open with an outcome',
      () =>
        parseContest({
          breach: 'b',
          subject: 's',
          day: '2026-03-01',
          action: 'open',
          outcome: 'upheld',
          reason: 'r',
          staff: 'st',
        }),
    ],
    [
      'reason too long',
      () => parseExcuse({ subject: 's', from: '2026-03-01', to: '2026-03-01', reason: 'x'.repeat(281), staff: 'st' }),
    ],
    [
      'health with a bad state',
      () => parseDeviceHealth({ centre: 'c', kiosk: 'k', device: 'camera', state: 'sad', since: 1 }),
    ],
    [
      'notice with a bad hash',
      () =>
        parseBreachNotice({
          breach: 'b',
          rule: 'missed-checkin',
          subject: 's',
          day: '2026-03-01',
          evidence: [{ origin: 'k', seq: 1, hash: 'zz' }],
        }),
    ],
  ])('rejects %s', (_name, fn) => {
    expect(code(fn)).toMatch(/^bad-record: /);
  });
});
