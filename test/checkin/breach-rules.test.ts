// Table-driven: one person, one scenario per row, checked against the rule that must (or must not) fire.
import { describe, expect, it } from 'vitest';
import { computeBreaches } from '../../core/breach/engine.ts';
import type { Payload } from '../../core/entry.ts';
import {
  LogBuilder,
  MIN,
  at,
  attemptPayload,
  checkinPayload,
  healthPayload,
  planPayload,
  type PlanOptions,
} from './support/log-builder.ts';

const NY = 'America/New_York';
const S = 's-0001';

interface Row {
  readonly name: string;
  readonly plan?: Partial<PlanOptions>;
  /** Entries after the plan: [origin, local time, type, payload]. */
  readonly entries: readonly (readonly [string, string, Parameters<LogBuilder['add']>[2], Payload])[];
  readonly at: string;
  /** Expected breaches as "rule status day". */
  readonly breaches: readonly string[];
  readonly reviews?: readonly string[];
  readonly zone?: string;
}

const K = 'centre-a/k1';
const HQ = 'hq';

const ROWS: readonly Row[] = [
  {
    name: 'on time: nothing',
    entries: [[K, '2026-03-02 09:30', 'checkin', checkinPayload(S)]],
    at: '2026-03-02 23:00',
    breaches: [],
  },
  {
    name: 'within grace: nothing',
    entries: [[K, '2026-03-02 11:10', 'checkin', checkinPayload(S)]],
    at: '2026-03-02 23:00',
    breaches: [],
  },
  {
    name: 'no check-in: missed once grace ends',
    entries: [],
    at: '2026-03-02 11:15',
    breaches: ['missed-checkin open 2026-03-02'],
  },
  { name: 'no check-in, grace not over: nothing yet', entries: [], at: '2026-03-02 11:14', breaches: [] },
  {
    name: 'late check-in replaces missed',
    entries: [[K, '2026-03-02 12:00', 'checkin', checkinPayload(S)]],
    at: '2026-03-02 23:00',
    breaches: ['late-checkin open 2026-03-02'],
  },
  {
    name: 'after lateness a check-in does not count',
    entries: [[K, '2026-03-02 13:30', 'checkin', checkinPayload(S)]],
    at: '2026-03-02 23:00',
    breaches: ['missed-checkin open 2026-03-02'],
  },
  {
    name: 'wrong centre',
    entries: [['centre-b/k1', '2026-03-02 09:30', 'checkin', checkinPayload(S, 'centre-b')]],
    at: '2026-03-02 23:00',
    breaches: ['wrong-centre open 2026-03-02'],
  },
  {
    name: 'any assigned centre will do',
    plan: { centres: ['centre-a', 'centre-b'] },
    entries: [['centre-b/k1', '2026-03-02 09:30', 'checkin', checkinPayload(S, 'centre-b')]],
    at: '2026-03-02 23:00',
    breaches: [],
  },
  {
    name: 'staff-confirmed check-in (camera down) counts',
    entries: [[K, '2026-03-02 09:30', 'checkin', checkinPayload(S, 'centre-a', [], ['fingerprint', 'staff'])]],
    at: '2026-03-02 23:00',
    breaches: [],
  },
  {
    name: 'non-reporting weekday: nothing',
    plan: { days: [1, 3, 5] },
    entries: [],
    at: '2026-03-03 23:00', // a Tuesday
    breaches: ['missed-checkin open 2026-03-02'],
  },
  {
    name: 'window across midnight: check-in after midnight counts for the day before',
    plan: { open: '22:00', close: '02:00', start: '2026-03-01' },
    entries: [[K, '2026-03-03 01:30', 'checkin', checkinPayload(S)]],
    at: '2026-03-03 21:00',
    breaches: ['missed-checkin open 2026-03-01'],
  },
  {
    name: 'window across midnight: missed shows after the close next morning',
    plan: { open: '22:00', close: '02:00' },
    entries: [],
    at: '2026-03-03 02:15',
    breaches: ['missed-checkin open 2026-03-02'],
  },
  {
    name: 'DST spring forward: window 01:30-03:30 still closes at 03:30 EDT',
    plan: { open: '01:30', close: '03:30', start: '2026-03-08', grace: 0 },
    entries: [[K, '2026-03-08 03:20', 'checkin', checkinPayload(S)]],
    at: '2026-03-08 12:00',
    breaches: [],
  },
  {
    name: 'DST fall back: 01:00-01:45 window runs to the second 01:45',
    plan: { open: '01:00', close: '01:45', start: '2026-11-01', grace: 0 },
    // 06:30Z is 01:30 EST, in the repeated hour.
    entries: [[K, '2026-11-01 01:30+60', 'checkin', checkinPayload(S)]],
    at: '2026-11-01 12:00',
    breaches: [],
  },
  {
    name: 'outage at the centre during the window excuses a missed check-in',
    entries: [[HQ, '2026-03-02 12:00', 'device-health', healthPayload('centre-a', 'kiosk', 'disconnected', 0)]],
    at: '2026-03-02 23:00',
    breaches: ['missed-checkin excused 2026-03-02'],
  },
  {
    name: "a device down under the person's own attempt excuses them",
    entries: [
      [
        K,
        '2026-03-02 09:30',
        'checkin-attempt',
        attemptPayload(S, 'device-down', { method: 'fingerprint', step: 'identify' }),
      ],
    ],
    at: '2026-03-02 23:00',
    breaches: ['missed-checkin excused 2026-03-02'],
  },
  {
    name: 'a biometric failure alone goes to review, not a breach',
    entries: [[K, '2026-03-02 09:30', 'checkin-attempt', attemptPayload(S, 'poor-quality')]],
    at: '2026-03-02 23:00',
    breaches: [],
    reviews: ['verification-failed pending'],
  },
  {
    name: 'late because the biometrics kept failing: review, not a late breach',
    entries: [
      [K, '2026-03-02 10:50', 'checkin-attempt', attemptPayload(S, 'poor-quality')],
      [K, '2026-03-02 11:40', 'checkin', checkinPayload(S)],
    ],
    at: '2026-03-02 23:00',
    breaches: [],
    reviews: ['verification-failed pending'],
  },
  {
    name: 'staff review of a biometric failure can find a breach',
    entries: [
      [K, '2026-03-02 09:30', 'checkin-attempt', attemptPayload(S, 'poor-quality')],
      [
        'centre-a/staff',
        '2026-03-03 10:00',
        'review',
        {
          item: `verification-failed/${S}/2026-03-02`,
          subject: S,
          day: '2026-03-02',
          decision: 'breach',
          reason: 'left before retrying',
          staff: 'staff-2',
        },
      ],
    ],
    at: '2026-03-03 23:00',
    breaches: ['missed-checkin open 2026-03-02', 'missed-checkin open 2026-03-03'],
    reviews: ['verification-failed breach'],
  },
  {
    name: 'fingerprint matched, face did not: a suspected-impersonation review, not a breach',
    entries: [
      [K, '2026-03-02 09:30', 'checkin-attempt', attemptPayload(S, 'mismatch')],
      [K, '2026-03-02 09:31', 'checkin-attempt', attemptPayload(S, 'mismatch')],
    ],
    at: '2026-03-02 10:00',
    breaches: [],
    reviews: ['suspected-impersonation pending'],
  },
  {
    name: 'staff confirm the suspected impersonation: then it is a breach',
    entries: [
      [K, '2026-03-02 09:30', 'checkin-attempt', attemptPayload(S, 'mismatch')],
      [
        'centre-a/staff',
        '2026-03-02 09:50',
        'review',
        {
          item: `suspected-impersonation/${S}/2026-03-02`,
          subject: S,
          day: '2026-03-02',
          decision: 'breach',
          reason: 'not the person on the photo ID',
          staff: 'staff-2',
        },
      ],
    ],
    at: '2026-03-02 10:00',
    breaches: ['suspected-impersonation open 2026-03-02'],
    reviews: ['suspected-impersonation breach'],
  },
  {
    name: 'staff clear the suspected impersonation (a false reject): no breach',
    entries: [
      [K, '2026-03-02 09:30', 'checkin-attempt', attemptPayload(S, 'mismatch')],
      [
        'centre-a/staff',
        '2026-03-02 09:50',
        'review',
        {
          item: `suspected-impersonation/${S}/2026-03-02`,
          subject: S,
          day: '2026-03-02',
          decision: 'cleared',
          reason: 'checked photo ID; new glasses',
          staff: 'staff-2',
        },
      ],
    ],
    at: '2026-03-02 10:00',
    breaches: [],
    reviews: ['suspected-impersonation cleared'],
  },
  {
    name: 'face mismatch then verified on retry: review, not impersonation',
    entries: [
      [K, '2026-03-02 09:30', 'checkin-attempt', attemptPayload(S, 'mismatch')],
      [K, '2026-03-02 09:32', 'checkin', checkinPayload(S)],
    ],
    at: '2026-03-02 23:00',
    breaches: [],
    reviews: ['face-mismatch-then-verified pending'],
  },
  {
    name: 'three failures: repeated-failure review even after success',
    entries: [
      [K, '2026-03-02 09:30', 'checkin-attempt', attemptPayload(S, 'poor-quality')],
      [K, '2026-03-02 09:31', 'checkin-attempt', attemptPayload(S, 'liveness-failed')],
      [K, '2026-03-02 09:32', 'checkin-attempt', attemptPayload(S, 'timeout')],
      [K, '2026-03-02 09:33', 'checkin', checkinPayload(S)],
    ],
    at: '2026-03-02 23:00',
    breaches: [],
    reviews: ['repeated-failed-verification pending'],
  },
  {
    name: 'staff excuse covers the day',
    entries: [
      [
        'centre-a/staff',
        '2026-03-03 08:00',
        'excuse',
        { subject: S, from: '2026-03-02', to: '2026-03-02', reason: 'hospital', staff: 'staff-2' },
      ],
    ],
    at: '2026-03-02 23:00',
    breaches: ['missed-checkin excused 2026-03-02'],
  },
  {
    name: 'staff excuse for another rule does not cover a missed check-in',
    entries: [
      [
        'centre-a/staff',
        '2026-03-03 08:00',
        'excuse',
        {
          subject: S,
          from: '2026-03-02',
          to: '2026-03-02',
          rules: ['task-not-done'],
          reason: 'hospital',
          staff: 'staff-2',
        },
      ],
    ],
    at: '2026-03-02 23:00',
    breaches: ['missed-checkin open 2026-03-02'],
  },
  {
    name: 'contested then dismissed',
    entries: [
      [
        'centre-a/staff',
        '2026-03-03 08:00',
        'contest',
        {
          breach: `missed-checkin/${S}/2026-03-02`,
          subject: S,
          day: '2026-03-02',
          action: 'open',
          reason: 'lawyer: bus strike',
          staff: 'staff-2',
        },
      ],
      [
        'centre-a/staff',
        '2026-03-04 08:00',
        'contest',
        {
          breach: `missed-checkin/${S}/2026-03-02`,
          subject: S,
          day: '2026-03-02',
          action: 'resolve',
          outcome: 'dismissed',
          reason: 'strike confirmed',
          staff: 'staff-3',
        },
      ],
    ],
    at: '2026-03-02 23:00',
    breaches: ['missed-checkin dismissed 2026-03-02'],
  },
  {
    name: 'contested and still open',
    entries: [
      [
        'centre-a/staff',
        '2026-03-03 08:00',
        'contest',
        {
          breach: `missed-checkin/${S}/2026-03-02`,
          subject: S,
          day: '2026-03-02',
          action: 'open',
          reason: 'lawyer',
          staff: 'staff-2',
        },
      ],
    ],
    at: '2026-03-02 23:00',
    breaches: ['missed-checkin contested 2026-03-02'],
  },
  {
    name: 'plan change mid-day governs from the next window, never retroactively',
    entries: [
      [
        HQ,
        '2026-03-02 10:00',
        'plan',
        { ...planPayload({ subject: S, open: '14:00', close: '16:00' }), effectiveFrom: at('2026-03-02 10:00', NY) },
      ],
    ],
    at: '2026-03-03 23:00',
    breaches: ['missed-checkin open 2026-03-02', 'missed-checkin open 2026-03-03'],
  },
  {
    name: 'plan change after the old window, before the new one: the person who reported is not held to it',
    entries: [
      [K, '2026-03-02 09:30', 'checkin', checkinPayload(S)],
      [
        HQ,
        '2026-03-02 12:00',
        'plan',
        { ...planPayload({ subject: S, open: '14:00', close: '16:00' }), effectiveFrom: at('2026-03-02 12:00', NY) },
      ],
      [K, '2026-03-03 14:30', 'checkin', checkinPayload(S)],
    ],
    at: '2026-03-03 23:00',
    breaches: [],
  },
  {
    name: 'biometric failure blocks the kiosk tasks too: review, no task breach',
    plan: { tasks: [{ id: 't-study', kind: 'study', module: 'm-1' }] },
    entries: [
      [
        K,
        '2026-03-02 09:30',
        'checkin-attempt',
        attemptPayload(S, 'no-match', { step: 'identify', method: 'fingerprint', identifiedBy: 'badge' }),
      ],
    ],
    at: '2026-03-03 00:30',
    breaches: [],
    reviews: ['verification-failed pending'],
  },
  {
    name: 'plan change before the window governs that day',
    entries: [
      [
        HQ,
        '2026-03-02 08:00',
        'plan',
        { ...planPayload({ subject: S, open: '14:00', close: '16:00' }), effectiveFrom: at('2026-03-02 08:00', NY) },
      ],
      [K, '2026-03-02 15:00', 'checkin', checkinPayload(S)],
    ],
    at: '2026-03-02 23:00',
    breaches: [],
  },
  {
    name: 'supervision ended: nothing after the end day',
    plan: { start: '2026-03-01', end: '2026-03-01' },
    entries: [],
    at: '2026-03-05 23:00',
    breaches: ['missed-checkin open 2026-03-01'],
  },
  {
    name: 'tasks: study done at the kiosk, service short, questionnaire flagged',
    plan: {
      tasks: [
        { id: 't-study', kind: 'study', module: 'm-anger-3' },
        { id: 't-service', kind: 'service', minutes: 120 },
        { id: 't-q', kind: 'questionnaire', questionnaire: 'q-weekly', flags: { q3: ['yes'] } },
      ],
    },
    entries: [
      [
        K,
        '2026-03-02 09:30',
        'checkin',
        checkinPayload(S, 'centre-a', [
          { task: 't-study' },
          { task: 't-service', minutes: 60 },
          { task: 't-q', answers: { q1: 'no', q3: 'yes' } },
        ]),
      ],
      [
        'centre-a/staff',
        '2026-03-02 18:00',
        'task',
        { subject: S, day: '2026-03-02', completion: { task: 't-service', minutes: 30 }, staff: 'sup-1' },
      ],
    ],
    at: '2026-03-03 00:00',
    breaches: ['task-not-done open 2026-03-02'],
    reviews: ['questionnaire-flag pending'],
  },
  {
    name: 'tasks: not due until the day is over',
    plan: { tasks: [{ id: 't-study', kind: 'study', module: 'm-1' }] },
    entries: [[K, '2026-03-02 09:30', 'checkin', checkinPayload(S)]],
    at: '2026-03-02 23:59',
    breaches: [],
  },
];

function localTime(text: string, zone: string): number {
  // "2026-11-01 01:30+60" means the wall time plus 60 minutes of real time (the repeated hour).
  const [base, plus] = text.split('+') as [string, string | undefined];
  return at(base, zone) + Number(plus ?? 0) * MIN;
}

describe('breach rules, one person per row', () => {
  it.each(ROWS)('$name', (row) => {
    const zone = row.zone ?? NY;
    const log = new LogBuilder();
    log.add(HQ, 0, 'plan', planPayload({ subject: S, zone, start: '2026-03-02', ...row.plan }));
    for (const [origin, time, type, payload] of row.entries) {
      const ts = localTime(time, zone);
      // Outage reports name the instant the outage began: the window's opening here.
      const p = type === 'device-health' ? { ...payload, since: localTime('2026-03-02 08:00', zone) } : payload;
      log.add(origin, ts, type, p);
    }
    const report = computeBreaches(log.records, localTime(row.at, zone));
    expect(report.problems).toEqual([]);
    const got = report.breaches.map((b) => `${b.rule} ${b.status} ${b.day}`);
    expect(got).toEqual(row.breaches);
    expect(report.reviews.map((r) => `${r.reason} ${r.status}`)).toEqual(row.reviews ?? []);
    for (const b of report.breaches) {
      expect(b.evidence[0]?.origin).toBe(HQ);
      expect(b.id.startsWith(`${b.rule}/${S}/${b.day}`)).toBe(true);
    }
  });
});

describe('bad entries on the log', () => {
  it('are reported as problems and never stop the engine', () => {
    const log = new LogBuilder();
    log.add(HQ, 0, 'plan', planPayload({ subject: S, start: '2026-03-02' }));
    const bad = log.add(HQ, 1, 'plan', { ...planPayload({ subject: 's-0002' }), zone: 'Nowhere/Land' });
    log.add(K, at('2026-03-02 09:30', NY), 'checkin', { subject: S, centre: 'centre-a' });
    log.add(K, at('2026-03-02 09:31', NY), 'checkin-attempt', { nonsense: true });
    log.add(HQ, 2, 'breach', { breach: 'x' });
    log.add(HQ, 3, 'genesis', { key: new Uint8Array(32) });
    const report = computeBreaches(log.records, at('2026-03-02 23:00', NY));
    // In log order: by origin, then sequence number.
    expect(report.problems.map((p) => `${p.type} ${p.code}`)).toEqual([
      'checkin bad-record',
      'checkin-attempt bad-record',
      'plan bad-record',
      'breach bad-record',
    ]);
    expect(report.problems[2]?.ref).toEqual(bad.ref);
    expect(report.problems[2]?.message).toContain('plan.zone');
    // The malformed check-in does not count: the day is missed.
    expect(report.breaches.map((b) => b.rule)).toEqual(['missed-checkin']);
  });
});
