// A synthetic city: people, plans and a month (or a year) of log entries, with the findings the rules must
// give, worked out here from what each person was made to do rather than by the engine.
import type { Payload } from '../../../core/entry.ts';
import type { LogRecord } from '../../../core/records/entry-ref.ts';
import { MS_PER_MINUTE, formatDay } from '../../../core/time/civil-day.ts';
import { zonedInstant } from '../../../core/time/zoned-time.ts';
import { LogBuilder, attemptPayload, checkinPayload, healthPayload, planPayload } from './log-builder.ts';

export type Behaviour =
  | 'on-time'
  | 'late'
  | 'missed'
  | 'wrong-centre'
  | 'biometric-failure'
  | 'excused'
  | 'contested'
  | 'dismissed'
  | 'impostor'
  | 'skipped-task';

const WEIGHTS: readonly (readonly [Behaviour, number])[] = [
  ['on-time', 0],
  ['late', 3],
  ['missed', 3],
  ['wrong-centre', 2],
  ['biometric-failure', 3],
  ['excused', 2],
  ['contested', 2],
  ['dismissed', 1],
  ['impostor', 1],
  ['skipped-task', 3],
];

const ZONES = ['America/New_York', 'Europe/London', 'Asia/Kolkata'] as const;
/** Windows [open, close] in minutes: a morning one, one across midnight, one inside New York's DST gap night. */
const WINDOWS: readonly (readonly [number, number])[] = [
  [9 * 60, 11 * 60],
  [22 * 60, 60],
  [90, 210],
];
const GRACE = 15;
const LATE = 120;
const NEW_WINDOW: readonly [number, number] = [14 * 60, 16 * 60];

export interface CityOptions {
  readonly people: number;
  readonly startDay: number;
  readonly days: number;
  readonly seed: number;
  /** Centre-days with a kiosk outage 08:00-12:00 local, out of 1000. */
  readonly outagePerMille?: number;
  /** Share of person-days that go by the book (default 0.8); the rest spread over the other behaviours. */
  readonly compliance?: number;
}

export interface City {
  readonly records: LogRecord[];
  /** "rule status subject day" for every breach the rules must give. */
  readonly expected: string[];
  /** "reason status subject day" for every review item. */
  readonly reviews: string[];
  /** The end of the period plus a day: every deadline has passed. */
  readonly end: number;
}

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function syntheticCity(options: CityOptions): City {
  const random = rng(options.seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const others = WEIGHTS.filter(([b]) => b !== 'on-time');
  const othersTotal = others.reduce((s, [, w]) => s + w, 0);
  const compliance = options.compliance ?? 0.8;
  const behaviour = (): Behaviour => {
    if (random() < compliance) return 'on-time';
    let r = random() * othersTotal;
    for (const [b, w] of others) if ((r -= w) < 0) return b;
    return 'missed';
  };
  const log = new LogBuilder();
  const expected: string[] = [];
  const reviews: string[] = [];
  const { startDay, days } = options;
  const lastDay = startDay + days - 1;

  // Kiosk outages 08:00-12:00 local on some centre-days, reported after the fact by HQ.
  const outages = new Set<string>();
  for (const zone of ZONES) {
    for (const centre of [`${zone}/c0`, `${zone}/c1`]) {
      for (let d = startDay; d <= lastDay; d++) {
        if (random() * 1000 >= (options.outagePerMille ?? 20)) continue;
        outages.add(`${centre}|${d}`);
        const from = zonedInstant(d, 8 * 60, zone);
        const to = zonedInstant(d, 12 * 60, zone);
        log.add(
          'hq',
          to + MS_PER_MINUTE,
          'device-health',
          healthPayload(centre, 'kiosk', 'disconnected', from, `${centre}/k1`),
        );
        log.add(
          'hq',
          to + 2 * MS_PER_MINUTE,
          'device-health',
          healthPayload(centre, 'kiosk', 'ok', to, `${centre}/k1`),
        );
      }
    }
  }

  for (let i = 0; i < options.people; i++) {
    const subject = `s-${String(i).padStart(6, '0')}`;
    const zone = pick(ZONES);
    // The DST-gap window only where a gap night exists in the data: New York.
    const window = zone === 'America/New_York' ? pick(WINDOWS) : pick(WINDOWS.slice(0, 2));
    const home = `${zone}/c${Math.floor(random() * 2)}`;
    const other = home.endsWith('c0') ? `${zone}/c1` : `${zone}/c0`;
    const withTask = random() < 0.5;
    const tasks: Payload[] = withTask ? [{ id: 't-study', kind: 'study', module: 'm-1' }] : [];
    const base = {
      subject,
      zone,
      centres: [home],
      start: formatDay(startDay),
      end: formatDay(lastDay),
      open: clock(window[0]),
      close: clock(window[1]),
      grace: GRACE,
      late: LATE,
      tasks,
    };
    log.add('hq', 0, 'plan', planPayload(base));
    // One person in ten moves to an afternoon window at noon on a day mid-period (morning windows only):
    // the new window governs from the next day.
    const changeDay = window[0] === 9 * 60 && random() < 0.1 ? startDay + Math.floor(days / 2) : undefined;
    if (changeDay !== undefined) {
      const effective = zonedInstant(changeDay, 12 * 60, zone);
      log.add('hq', effective, 'plan', {
        ...planPayload({ ...base, open: clock(NEW_WINDOW[0]), close: clock(NEW_WINDOW[1]) }),
        effectiveFrom: effective,
        reason: 'new job',
      });
    }
    const kiosk = `${home}/k1`;
    for (let d = startDay; d <= lastDay; d++) {
      const [o, c] = changeDay !== undefined && d > changeDay ? NEW_WINDOW : window;
      const open = zonedInstant(d, o, zone, 'earlier');
      const close = zonedInstant(c > o ? d : d + 1, c, zone, 'later');
      const dayText = formatDay(d);
      const outage = outages.has(`${home}|${d}`) && o < 12 * 60 && c > 8 * 60;
      let b = outage ? 'missed' : behaviour();
      if (b === 'skipped-task' && !withTask) b = 'on-time';
      const fair = outage ? 'excused' : 'open';
      const expect = (rule: string, status: string): void => {
        expected.push(`${rule} ${status} ${subject} ${dayText}`);
      };
      const done = withTask && b !== 'skipped-task' ? [{ task: 't-study' }] : [];
      const inWindow = open + Math.floor(random() * (close - open - MS_PER_MINUTE));
      const staffOrigin = `${home}/staff`;
      switch (b) {
        case 'on-time':
        case 'skipped-task':
          log.add(kiosk, inWindow, 'checkin', checkinPayload(subject, home, done));
          break;
        case 'late':
          log.add(kiosk, close + (GRACE + 10) * MS_PER_MINUTE, 'checkin', checkinPayload(subject, home, done));
          expect('late-checkin', fair);
          break;
        case 'wrong-centre':
          log.add(`${other}/k1`, inWindow, 'checkin', checkinPayload(subject, other, done));
          expect('wrong-centre', fair);
          break;
        case 'missed':
          expect('missed-checkin', fair);
          break;
        case 'biometric-failure':
          log.add(kiosk, inWindow, 'checkin-attempt', attemptPayload(subject, 'poor-quality', { centre: home, kiosk }));
          reviews.push(`verification-failed pending ${subject} ${dayText}`);
          break;
        case 'excused':
          log.add(staffOrigin, close + 3 * 3_600_000, 'excuse', {
            subject,
            from: dayText,
            to: dayText,
            reason: 'medical',
            staff: 'staff-1',
          });
          expect('missed-checkin', 'excused');
          break;
        case 'contested':
        case 'dismissed': {
          const breach = `missed-checkin/${subject}/${dayText}`;
          log.add(staffOrigin, close + 3 * 3_600_000, 'contest', {
            breach,
            subject,
            day: dayText,
            action: 'open',
            reason: 'lawyer',
            staff: 'staff-1',
          });
          if (b === 'dismissed')
            log.add(staffOrigin, close + 5 * 3_600_000, 'contest', {
              breach,
              subject,
              day: dayText,
              action: 'resolve',
              outcome: 'dismissed',
              reason: 'proved',
              staff: 'staff-2',
            });
          expect('missed-checkin', b);
          break;
        }
        case 'impostor':
          log.add(
            kiosk,
            open + MS_PER_MINUTE,
            'checkin-attempt',
            attemptPayload(subject, 'mismatch', { centre: home, kiosk }),
          );
          log.add(kiosk, open + 30 * MS_PER_MINUTE, 'checkin', checkinPayload(subject, home, done));
          // A review item first; staff confirm it, and only that makes the breach.
          log.add(staffOrigin, close + 3 * 3_600_000, 'review', {
            item: `suspected-impersonation/${subject}/${dayText}`,
            subject,
            day: dayText,
            decision: 'breach',
            reason: 'photo ID did not match',
            staff: 'staff-1',
          });
          reviews.push(`suspected-impersonation breach ${subject} ${dayText}`);
          expect('suspected-impersonation', 'open');
          break;
      }
      // Tasks are recorded only with a check-in that counts for the day.
      const checkedIn = b === 'on-time' || b === 'late' || b === 'wrong-centre' || b === 'impostor';
      if (withTask && (!checkedIn || b === 'skipped-task') && b !== 'biometric-failure') {
        expect('task-not-done', b === 'excused' ? 'excused' : fair);
      } else if (withTask && b === 'skipped-task') {
        expect('task-not-done', fair);
      }
    }
  }
  const end = zonedInstant(lastDay + 2, 0, 'UTC');
  return { records: log.records, expected: expected.sort(), reviews: reviews.sort(), end };
}

function clock(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}
