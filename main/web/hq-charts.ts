// What the HQ charts show, from the same records and breach report as the tables: compliance per centre and day
// (each day through dayRoster and dayCount, exactly as the centre table counts today), breaches by rule and day,
// per-kiosk false-reject rate and uptime, and one person's calendar.
import type { CalendarView, ChartsView } from '../../core/api/hq-api.ts';
import type { BreachReport } from '../../core/breach/findings.ts';
import { VERIFICATION_FAILURES, parseCheckin, parseCheckinAttempt } from '../../core/records/checkin.ts';
import { isOutage, parseDeviceHealth } from '../../core/records/device-health-record.ts';
import type { LogRecord } from '../../core/records/entry-ref.ts';
import type { Plan } from '../../core/records/plan.ts';
import { MusterError } from '../../core/errors.ts';
import { MS_PER_DAY, formatDay, parseDay } from '../../core/time/civil-day.ts';
import { zonedDay, zonedInstant } from '../../core/time/zoned-time.ts';
import { dayCount, dayRoster } from './attendance.ts';

const MAX_DAYS = 400;

function dayRange(from: string, to: string): number[] {
  const a = parseDay(from);
  const b = parseDay(to);
  if (a === undefined || b === undefined || b < a) throw new MusterError('bad-request', `a range is two days YYYY-MM-DD, from <= to (got ${from} to ${to})`);
  if (b - a + 1 > MAX_DAYS) throw new MusterError('bad-request', `a range covers at most ${MAX_DAYS} days`);
  return Array.from({ length: b - a + 1 }, (_, i) => a + i);
}

/** The instant a past day is judged at: its last minute, or now for today. */
function judgedAt(day: number, zone: string, now: number): number {
  return Math.min(now, zonedInstant(day, 23 * 60 + 59, zone));
}

export function hqCharts(records: readonly LogRecord[], report: BreachReport, centres: ReadonlyMap<string, string>, from: string, to: string, now: number): ChartsView {
  const days = dayRange(from, to);
  const compliance: ChartsView['compliance'][number][] = [];
  for (const [centre, zone] of centres) {
    for (const day of days) {
      const at = judgedAt(day, zone, now);
      if (at < zonedInstant(day, 0, zone)) continue;
      const c = dayCount(dayRoster(records, report, centre, at, zone).rows);
      compliance.push({ centre, zone, day: formatDay(day), due: c.due, open: c.open, breached: c.breached, compliance: c.compliance });
    }
  }
  const first = formatDay(days[0] ?? 0);
  const last = formatDay(days.at(-1) ?? 0);
  const byRule = new Map<string, number>();
  for (const b of report.breaches) {
    if (b.day < first || b.day > last || b.status === 'dismissed') continue;
    const key = `${b.day}|${b.rule}`;
    byRule.set(key, (byRule.get(key) ?? 0) + 1);
  }
  const breaches = [...byRule].map(([key, count]) => {
    const [day = '', rule = ''] = key.split('|');
    return { day, rule, count };
  });
  const zone = centres.values().next().value ?? 'UTC';
  const start = zonedInstant(days[0] ?? 0, 0, zone);
  const end = Math.min(now, zonedInstant((days.at(-1) ?? 0) + 1, 0, zone));
  return { days: days.map(formatDay), compliance, breaches, kiosks: kioskReliability(records, start, end) };
}

/**
 * False rejects: failed verifications of a person who checked in at the same kiosk later that day (the person was
 * who they said). Uptime: the share of [start, end) with no device of the kiosk out of service.
 */
function kioskReliability(records: readonly LogRecord[], start: number, end: number): ChartsView['kiosks'] {
  const checkins = new Map<string, number[]>();
  const attempts: { kiosk: string; subject: string | undefined; at: number; failed: boolean }[] = [];
  const health = new Map<string, Map<string, { since: number; out: boolean }[]>>();
  for (const r of records) {
    try {
      if (r.type === 'checkin') {
        const c = parseCheckin(r.payload);
        const key = `${c.kiosk}|${c.subject}`;
        checkins.set(key, [...(checkins.get(key) ?? []), r.ts]);
      } else if (r.type === 'checkin-attempt' && r.ts >= start && r.ts < end) {
        const a = parseCheckinAttempt(r.payload);
        if (a.step === 'verify') attempts.push({ kiosk: a.kiosk, subject: a.subject, at: r.ts, failed: VERIFICATION_FAILURES.has(a.outcome) });
      } else if (r.type === 'device-health') {
        const d = parseDeviceHealth(r.payload);
        let devices = health.get(d.kiosk);
        if (!devices) health.set(d.kiosk, (devices = new Map<string, { since: number; out: boolean }[]>()));
        devices.set(d.device, [...(devices.get(d.device) ?? []), { since: d.since, out: isOutage(d.state) }]);
      }
    } catch {
      // malformed entries are the report's problems
    }
  }
  const kiosks = new Set([...attempts.map((a) => a.kiosk), ...health.keys()]);
  return [...kiosks].sort().map((kiosk) => {
    const mine = attempts.filter((a) => a.kiosk === kiosk);
    const falseRejects = mine.filter((a) => a.failed && a.subject !== undefined && (checkins.get(`${kiosk}|${a.subject}`) ?? []).some((t) => t > a.at && t - a.at < MS_PER_DAY)).length;
    return { kiosk, attempts: mine.length, falseRejects, falseRejectRate: mine.length === 0 ? null : falseRejects / mine.length, uptime: uptime(health.get(kiosk), start, end) };
  });
}

function uptime(devices: ReadonlyMap<string, readonly { since: number; out: boolean }[]> | undefined, start: number, end: number): number {
  if (end <= start) return 1;
  const outages: [number, number][] = [];
  for (const reports of devices?.values() ?? []) {
    const sorted = [...reports].sort((a, b) => a.since - b.since);
    sorted.forEach((r, i) => {
      if (!r.out) return;
      const from = Math.max(start, r.since);
      const to = Math.min(end, sorted[i + 1]?.since ?? end);
      if (to > from) outages.push([from, to]);
    });
  }
  outages.sort((a, b) => a[0] - b[0]);
  let down = 0;
  let reach = start;
  for (const [from, to] of outages) {
    if (to <= reach) continue;
    down += to - Math.max(from, reach);
    reach = to;
  }
  return 1 - down / (end - start);
}

/** One person's days over a range, each judged as the roster judges it. */
export function personCalendar(records: readonly LogRecord[], report: BreachReport, plan: Plan | undefined, subject: string, from: string, to: string, now: number): CalendarView {
  const days = dayRange(from, to);
  const zone = plan?.zone ?? 'UTC';
  const mine = records.filter((r) => r.payload.subject === subject);
  const theirs = { ...report, breaches: report.breaches.filter((b) => b.subject === subject), reviews: report.reviews.filter((r) => r.subject === subject) };
  const out: CalendarView['days'][number][] = [];
  for (const day of days) {
    const at = judgedAt(day, zone, now);
    if (at < zonedInstant(day, 0, zone)) break;
    const row = plan ? plan.centres.map((c) => dayRoster(mine, theirs, c, at, zone).rows[0]).find((r) => r !== undefined) : undefined;
    const text = formatDay(day);
    out.push({ day: text, state: row?.state ?? 'not-due', checkedIn: mine.some((r) => r.type === 'checkin' && zonedDay(r.ts, zone) === day), breaches: theirs.breaches.filter((b) => b.day === text && b.status !== 'dismissed').length });
  }
  return { subject, zone, days: out };
}
