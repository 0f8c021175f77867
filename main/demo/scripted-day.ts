// The demo centre's scripted day: who is supervised, and what happens when, in the centre's local time.
// Pure data and small builders; demo-center.ts plays it against real kiosks, a real broker and HQ.
import { type Plan, ALL_DAYS, planPayload } from '../../core/records/plan.ts';
import { attemptPayload, checkinPayload, type AttemptOutcome } from '../../core/records/checkin.ts';
import type { Payload, EntryType } from '../../core/entry.ts';
import { formatDay, parseDay } from '../../core/time/civil-day.ts';
import { zonedInstant } from '../../core/time/zoned-time.ts';

export const CENTRE = 'centre-01';
export const ZONE = 'Asia/Shanghai';
export const KIOSKS = ['centre-01/kiosk-1', 'centre-01/kiosk-2'] as const;
export type KioskId = (typeof KIOSKS)[number];
export const STAFF = 'staff-07';

/** The simulated day runs from 07:00 to 13:00 local: the 08:00-10:00 window, grace, lateness, then judgement. */
export const DAY_START_MINUTE = 7 * 60;
export const DAY_END_MINUTE = 13 * 60;

export interface ScriptedAction {
  /** Minutes after local midnight. */
  readonly minute: number;
  readonly kiosk: KioskId;
  readonly type: EntryType;
  readonly payload: Payload;
  /** What the action shows, for the console. */
  readonly says: string;
}

export interface NetworkOutage {
  readonly kiosk: KioskId;
  readonly from: number;
  readonly to: number;
}

export interface Script {
  readonly day: string;
  readonly people: readonly string[];
  readonly actions: readonly ScriptedAction[];
  readonly outage: NetworkOutage;
  /** Evaluation time for the summary: the end of the simulated day. */
  readonly judgedAt: number;
  readonly instant: (minute: number) => number;
}

/** The named roles of the script; anyone beyond them (--people) is a regular who checks in on time. */
export const CAST = {
  onTime: 'p-0001',
  otherKiosk: 'p-0002',
  late: 'p-0003',
  absent: 'p-0004',
  faceFails: 'p-0005',
  excused: 'p-0006',
} as const;

export function scriptFor(dayText: string, peopleCount: number): Script {
  const day = parseDay(dayText);
  if (day === undefined) throw new TypeError(`day: expected YYYY-MM-DD, got ${JSON.stringify(dayText)}`);
  const named = Object.values(CAST);
  const people = [...named, ...Array.from({ length: Math.max(0, peopleCount - named.length) }, (_, i) => `p-${String(named.length + i + 1).padStart(4, '0')}`)];
  const instant = (minute: number): number => zonedInstant(day, minute, ZONE);
  const actions: ScriptedAction[] = [];
  // Plans are signed at the centre before the day starts.
  for (const subject of people) {
    actions.push({ minute: DAY_START_MINUTE, kiosk: KIOSKS[0], type: 'plan', payload: planPayload(planFor(subject, day, instant(0))), says: `plan for ${subject}` });
  }
  let attempts = 0;
  const checkin = (minute: number, kiosk: KioskId, subject: string, says: string): void => {
    const attempt = `a-${++attempts}`;
    actions.push({ minute, kiosk, type: 'checkin-attempt', payload: attemptPayload({ attempt, centre: CENTRE, kiosk, step: 'identify', method: 'fingerprint', outcome: 'matched', subject, score: 142, try: 1 }), says: `${subject} places a finger: matched` });
    actions.push({ minute, kiosk, type: 'checkin-attempt', payload: attemptPayload({ attempt, centre: CENTRE, kiosk, step: 'verify', method: 'face', outcome: 'matched', subject, identifiedBy: 'fingerprint', score: 0.31, try: 1 }), says: `${subject} looks at the camera: matched` });
    actions.push({
      minute,
      kiosk,
      type: 'checkin',
      payload: checkinPayload({ subject, centre: CENTRE, kiosk, attempt, methods: ['fingerprint', 'face'], fingerprintScore: 142, faceScore: 0.31, tasks: [{ task: 'study' }] }),
      says,
    });
  };
  const faceFails = (minute: number, kiosk: KioskId, subject: string, outcome: AttemptOutcome, tryNo: number): void => {
    const attempt = `a-${++attempts}`;
    actions.push({ minute, kiosk, type: 'checkin-attempt', payload: attemptPayload({ attempt, centre: CENTRE, kiosk, step: 'identify', method: 'fingerprint', outcome: 'matched', subject, score: 131, try: 1 }), says: `${subject} places a finger: matched` });
    actions.push({ minute, kiosk, type: 'checkin-attempt', payload: attemptPayload({ attempt, centre: CENTRE, kiosk, step: 'verify', method: 'face', outcome, subject, identifiedBy: 'fingerprint', score: 0.71, try: tryNo }), says: `${subject} looks at the camera: ${outcome}` });
  };
  checkin(8 * 60 + 5, KIOSKS[0], CAST.onTime, `${CAST.onTime} checks in on time`);
  checkin(8 * 60 + 40, KIOSKS[1], CAST.otherKiosk, `${CAST.otherKiosk} checks in on time at the other kiosk, whose network is down`);
  faceFails(9 * 60 + 10, KIOSKS[0], CAST.faceFails, 'mismatch', 1);
  faceFails(9 * 60 + 12, KIOSKS[0], CAST.faceFails, 'mismatch', 2);
  actions.push({
    minute: 9 * 60 + 30,
    kiosk: KIOSKS[0],
    type: 'excuse',
    payload: { subject: CAST.excused, from: formatDay(day), to: formatDay(day), reason: 'hospital appointment, letter seen', staff: STAFF },
    says: `staff excuse ${CAST.excused} for today (hospital appointment)`,
  });
  people.slice(named.length).forEach((subject, i) => {
    checkin(8 * 60 + 10 + (i % 100), i % 2 === 0 ? KIOSKS[0] : KIOSKS[1], subject, `${subject} checks in on time`);
  });
  checkin(11 * 60 + 20, KIOSKS[0], CAST.late, `${CAST.late} checks in late`);
  actions.sort((a, b) => a.minute - b.minute);
  return { day: formatDay(day), people, actions, outage: { kiosk: KIOSKS[1], from: 8 * 60 + 30, to: 9 * 60 + 45 }, judgedAt: instant(DAY_END_MINUTE), instant };
}

function planFor(subject: string, day: number, effectiveFrom: number): Plan {
  return {
    subject,
    effectiveFrom,
    start: day - 30,
    end: null,
    zone: ZONE,
    centres: [CENTRE],
    days: ALL_DAYS,
    open: 8 * 60,
    close: 10 * 60,
    graceMinutes: 15,
    lateMinutes: 120,
    tasks: [{ id: 'study', kind: 'study', module: 'law-basics-3', days: 'reporting' }],
    staff: STAFF,
    reason: 'court order 2026-114',
  };
}
