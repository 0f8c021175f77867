// What the HQ charts show, from the same engine as the tables: compliance per centre and day (each day through
// the roster and dayCount, exactly as the centre table counts today; kept between calls by HqDays), standing
// breaches by rule and day (as the table counts them; a centre-day a withheld entry casts doubt over is under
// review in both, as in the centre table), per-kiosk false-reject rate and uptime, and one person's
// calendar.
import type { CalendarView, ChartsView } from '../../core/api/hq-api.ts';
import type { BreachEngine } from '../../core/breach/engine.ts';
import { lowerBound } from '../../core/breach/subject-log.ts';
import { MusterError } from '../../core/errors.ts';
import { formatDay, parseDay } from '../../core/time/civil-day.ts';
import { zonedDay, zonedInstant } from '../../core/time/zoned-time.ts';
import type { VerifyProblem } from '../../ledger/verified-reader.ts';
import { rosterRow } from './attendance.ts';
import { type HqDays, engineSource, judgedAt } from './hq-days.ts';
import { dayInDoubt } from './unverified-view.ts';

const MAX_DAYS = 400;

function dayRange(from: string, to: string): number[] {
  const a = parseDay(from);
  const b = parseDay(to);
  if (a === undefined || b === undefined || b < a)
    throw new MusterError('bad-request', `a range is two days YYYY-MM-DD, from <= to (got ${from} to ${to})`);
  if (b - a + 1 > MAX_DAYS) throw new MusterError('bad-request', `a range covers at most ${MAX_DAYS} days`);
  return Array.from({ length: b - a + 1 }, (_, i) => a + i);
}

/** `problems`: entries withheld by verification; a centre-day they cast doubt over is under review (dayInDoubt). */
export function hqCharts(
  days: HqDays,
  centres: ReadonlyMap<string, string>,
  from: string,
  to: string,
  now: number,
  problems: readonly VerifyProblem[] = [],
): ChartsView {
  const range = dayRange(from, to);
  const compliance: ChartsView['compliance'][number][] = [];
  const byDay = new Map<number, { counts: Map<string, number>; shared: Map<string, string> }>();
  // By centre: the same whatever order HQ learnt of the centres in.
  const sorted = [...centres].sort(([a], [b]) => (a < b ? -1 : 1));
  for (const [centre, zone] of sorted) {
    for (const day of range) {
      const found = days.centreDay(centre, zone, day, now);
      if (!found) continue;
      const c = found.count;
      // As the centre table: a day in doubt is counted neither as breaches nor as compliance.
      const inDoubt = dayInDoubt(day, zone, problems);
      compliance.push({
        centre,
        zone,
        day: formatDay(day),
        due: c.due,
        open: c.open,
        breached: inDoubt ? 0 : c.breached,
        compliance: inDoubt ? null : c.compliance,
        ...(inDoubt ? { inDoubt } : {}),
      });
      if (inDoubt) continue;
      // Standing breaches of the people due, as the centre table counts them; one person due at two centres once.
      let sum = byDay.get(day);
      if (!sum) byDay.set(day, (sum = { counts: new Map<string, number>(), shared: new Map<string, string>() }));
      for (const [rule, n] of found.byRule) sum.counts.set(rule, (sum.counts.get(rule) ?? 0) + n);
      for (const [id, rule] of found.shared) sum.shared.set(id, rule);
    }
  }
  const breaches: ChartsView['breaches'][number][] = [];
  for (const [day, { counts, shared }] of [...byDay].sort(([a], [b]) => a - b)) {
    for (const rule of shared.values()) counts.set(rule, (counts.get(rule) ?? 0) + 1);
    // By rule within a day: the same whatever order the days were judged in.
    for (const [rule, count] of [...counts].sort(([a], [b]) => (a < b ? -1 : 1)))
      breaches.push({ day: formatDay(day), rule, count });
  }
  const zone = sorted[0]?.[1] ?? 'UTC';
  const start = zonedInstant(range[0] ?? 0, 0, zone);
  const end = Math.min(now, zonedInstant((range.at(-1) ?? 0) + 1, 0, zone));
  return { days: range.map(formatDay), compliance, breaches, kiosks: days.kiosks.reliability(start, end) };
}

/** One person's days over a range, each judged as the roster judges it. */
export function personCalendar(
  engine: BreachEngine,
  subject: string,
  from: string,
  to: string,
  now: number,
): CalendarView {
  const range = dayRange(from, to);
  const log = engine.subjectLog(subject);
  const plan = log?.plans.at(-1)?.value;
  const zone = plan?.zone ?? 'UTC';
  const source = engineSource(engine, now);
  const out: CalendarView['days'][number][] = [];
  for (const day of range) {
    const at = judgedAt(day, zone, now);
    if (at === undefined) break;
    const row = plan
      ? plan.centres.map((c) => rosterRow(source, subject, c, at, now)?.row).find((r) => r !== undefined)
      : undefined;
    const start = zonedInstant(day, 0, zone);
    const next = log?.checkins[lowerBound(log.checkins, start)];
    const breaches = source.findings(subject, day).breaches.filter((b) => b.status !== 'dismissed').length;
    out.push({
      day: formatDay(day),
      state: row?.state ?? 'not-due',
      checkedIn: next !== undefined && next.record.ts <= now && zonedDay(next.record.ts, zone) === day,
      breaches,
    });
  }
  return { subject, zone, days: out };
}
