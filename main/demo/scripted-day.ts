// The demo centre's scripted day: who is supervised, and what happens when, in the centre's local time. Pure
// data; demo-center.ts plays it on two kiosk runtimes with emulated devices, a real broker and HQ. Every
// check-in is a person at a kiosk (a finger on the sensor, a face before the camera, a badge when asked) going
// through the real check-in workflow; only staff decisions are written directly, as staff screens would.
import { type Plan, ALL_DAYS, planPayload } from '../../core/records/plan.ts';
import type { Payload } from '../../core/entry.ts';
import { formatDay, parseDay } from '../../core/time/civil-day.ts';
import { zonedInstant } from '../../core/time/zoned-time.ts';

export const CENTRE = 'centre-01';
export const ZONE = 'Asia/Shanghai';
export const KIOSKS = ['centre-01/kiosk-1', 'centre-01/kiosk-2'] as const;
/** The demo kiosks' `names`: the centre and the study module in both kiosk languages. */
export const DEMO_NAMES = {
  centre: { 'zh-CN': '示范区社区矫正中心', 'en': 'Demo District Community Corrections Centre' },
  tasks: { 'law-basics-3': { 'zh-CN': '法律基础 第三课', 'en': 'Law basics, lesson 3' } },
} as const;
export type KioskId = (typeof KIOSKS)[number];
export const STAFF = 'staff-07';

/** The simulated day runs from 07:00 to 13:00 local: the 08:00-10:00 window, grace, lateness, then judgement. */
export const DAY_START_MINUTE = 7 * 60;
export const DAY_END_MINUTE = 13 * 60;

export type ScriptedEvent =
  /** A person comes to a kiosk: finger on the sensor, and either their own face or someone else's before the camera. */
  | {
      readonly minute: number;
      readonly kind: 'visit';
      readonly kiosk: KioskId;
      readonly subject: string;
      readonly face: 'own' | 'someone-else';
      readonly says: string;
    }
  /** A staff decision, signed at the centre (the staff screen writes the same entry). */
  | {
      readonly minute: number;
      readonly kind: 'staff';
      readonly kiosk: KioskId;
      readonly type: 'excuse';
      readonly payload: Payload;
      readonly says: string;
    }
  | {
      readonly minute: number;
      readonly kind: 'network';
      readonly kiosk: KioskId;
      readonly online: boolean;
      readonly says: string;
    };

export interface Script {
  readonly day: string;
  readonly people: readonly string[];
  /** Plans, signed at the centre before the day starts. */
  readonly plans: readonly Payload[];
  readonly events: readonly ScriptedEvent[];
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

/** People who come to a kiosk, in the order they are given faces. */
export function visitors(people: readonly string[]): string[] {
  return people.filter((p) => p !== CAST.absent && p !== CAST.excused);
}

export function scriptFor(dayText: string, peopleCount: number): Script {
  const day = parseDay(dayText);
  if (day === undefined) throw new TypeError(`day: expected YYYY-MM-DD, got ${JSON.stringify(dayText)}`);
  const named = Object.values(CAST);
  const people = [
    ...named,
    ...Array.from(
      { length: Math.max(0, peopleCount - named.length) },
      (_, i) => `p-${String(named.length + i + 1).padStart(4, '0')}`,
    ),
  ];
  const instant = (minute: number): number => zonedInstant(day, minute, ZONE);
  const plans = people.map((subject) => planPayload(planFor(subject, day, instant(0))));
  const events: ScriptedEvent[] = [];
  const visit = (
    minute: number,
    kiosk: KioskId,
    subject: string,
    says: string,
    face: 'own' | 'someone-else' = 'own',
  ): void => {
    events.push({ minute, kind: 'visit', kiosk, subject, face, says });
  };
  visit(8 * 60 + 5, KIOSKS[0], CAST.onTime, `${CAST.onTime} checks in on time`);
  events.push({
    minute: 8 * 60 + 30,
    kind: 'network',
    kiosk: KIOSKS[1],
    online: false,
    says: 'network down; check-ins keep going into its own log',
  });
  visit(
    8 * 60 + 40,
    KIOSKS[1],
    CAST.otherKiosk,
    `${CAST.otherKiosk} checks in on time at the other kiosk, whose network is down`,
  );
  visit(
    9 * 60 + 10,
    KIOSKS[0],
    CAST.faceFails,
    `${CAST.faceFails}'s finger matches, but someone else's face is before the camera`,
    'someone-else',
  );
  events.push({
    minute: 9 * 60 + 30,
    kind: 'staff',
    kiosk: KIOSKS[0],
    type: 'excuse',
    payload: { subject: CAST.excused, from: formatDay(day), to: formatDay(day), reason: 'medical', staff: STAFF },
    says: `staff excuse ${CAST.excused} for today (hospital appointment)`,
  });
  events.push({
    minute: 9 * 60 + 45,
    kind: 'network',
    kiosk: KIOSKS[1],
    online: true,
    says: 'network back; catching up from its log',
  });
  people.slice(named.length).forEach((subject, i) => {
    visit(8 * 60 + 10 + (i % 100), i % 2 === 0 ? KIOSKS[0] : KIOSKS[1], subject, `${subject} checks in on time`);
  });
  visit(11 * 60 + 20, KIOSKS[0], CAST.late, `${CAST.late} checks in late`);
  // Stable: events at the same minute keep the order written above.
  events.sort((a, b) => a.minute - b.minute);
  return { day: formatDay(day), people, plans, events, judgedAt: instant(DAY_END_MINUTE), instant };
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
    reason: 'legal',
  };
}
