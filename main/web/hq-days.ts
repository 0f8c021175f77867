// HQ's dashboard figures kept between calls, so a city's year answers in milliseconds: each centre's day as the
// roster counts it, and each kiosk's verification attempts, false rejects and outages, indexed by time. A day
// still open (its deadlines not all passed) keeps each person's row, and only the rows an entry touched or a
// deadline has changed are judged again; once every deadline has passed it keeps only its counts (centres x days
// of small figures, whatever the entries), until an entry that can change it arrives.
import type { RosterRow } from '../../core/api/staff-api.ts';
import type { BreachEngine } from '../../core/breach/engine.ts';
import { breachStands } from '../../core/breach/findings.ts';
import { VERIFICATION_FAILURES, parseCheckin, parseCheckinAttempt } from '../../core/records/checkin.ts';
import { isOutage, parseDeviceHealth } from '../../core/records/device-health-record.ts';
import type { LogRecord } from '../../core/records/entry-ref.ts';
import { parsePlan } from '../../core/records/plan.ts';
import { parseContest, parseExcuse, parseReview } from '../../core/records/staff-decisions.ts';
import { parseTaskRecord } from '../../core/records/task-record.ts';
import { MS_PER_DAY } from '../../core/time/civil-day.ts';
import { zonedDay, zonedInstant } from '../../core/time/zoned-time.ts';
import { type DayCount, type RosterSource, dayCount, rosterRow } from './attendance.ts';

/** One centre's day, as the roster and the centre table count it: counts only, whatever the number of entries. */
export interface CentreDay {
  readonly count: DayCount;
  /** Standing breaches of the people due, by rule, but for people due at more than one centre (`shared`). */
  readonly byRule: ReadonlyMap<string, number>;
  /** Standing breaches of people due at more than one centre, id to rule: counted once across centres. */
  readonly shared: ReadonlyMap<string, string>;
}

/** The standing breaches of the people due that day (the centre table's figure). */
export function standingBreaches(day: CentreDay): number {
  let n = day.shared.size;
  for (const count of day.byRule.values()) n += count;
  return n;
}

/** A day is final once this many days have passed after it: windows past midnight, lateness, task deadlines. */
const SETTLED_AFTER_DAYS = 2;

/** A roster source over an incrementally fed engine: findings of one day, judged at `now`. */
export function engineSource(engine: BreachEngine, now: number): RosterSource {
  return {
    people: (centre) => engine.peopleAt(centre),
    log: (subject) => engine.subjectLog(subject),
    findings: (subject, day) => engine.evaluateSubject(subject, now, { from: day, to: day }),
  };
}

/** The instant a day is judged at on a chart: its last minute, or now for today; undefined for a day not begun. */
export function judgedAt(day: number, zone: string, now: number): number | undefined {
  const at = Math.min(now, zonedInstant(day, 23 * 60 + 59, zone));
  return at < zonedInstant(day, 0, zone) ? undefined : at;
}

/** What an open day keeps of one person's row. */
interface RowFigures extends Pick<RosterRow, 'state' | 'checkedInAt'> {
  /** Standing breaches, id and rule. */
  readonly breaches: readonly (readonly [string, string])[];
  /** Due at more than one centre that day. */
  readonly shared: boolean;
  /** The row holds until then with no new entry. */
  readonly until: number;
}

/** A centre's day whose deadlines have not all passed: each person's row, judged again only when it may change. */
interface OpenDay {
  readonly zone: string;
  readonly rows: Map<string, RowFigures>;
  /** People an entry may have changed since their row was judged (at first: everyone the centre may have). */
  readonly dirty: Set<string>;
  /** No row changes by time alone before this. */
  until: number;
  /** The latest `now` the rows were brought to: a clock set back judges every row again. */
  asOf: number;
  result: CentreDay | undefined;
}

export class HqDays {
  private readonly settled = new Map<string, Map<number, CentreDay>>();
  private readonly open = new Map<string, Map<number, OpenDay>>();
  readonly kiosks = new KioskIndex();

  constructor(private readonly engine: () => BreachEngine) {}

  /** Takes a record the engine was just fed (`touched`: the people it may change) and forgets what it can change. */
  add(record: LogRecord, touched: readonly string[]): void {
    this.kiosks.add(record);
    if (touched.length === 0) return;
    const engine = this.engine();
    const span = affectedDays(record, () => [...new Set(touched.flatMap((s) => engine.subjectLog(s)?.zones() ?? []))]);
    if (!span) return;
    const centres = new Set<string>();
    for (const subject of touched)
      for (const plan of engine.subjectLog(subject)?.plans ?? []) for (const c of plan.value.centres) centres.add(c);
    for (const centre of centres) {
      const settled = this.settled.get(centre);
      if (settled) {
        if (span.to - span.from <= 8) for (let d = span.from; d <= span.to; d++) settled.delete(d);
        else for (const d of [...settled.keys()]) if (d >= span.from && d <= span.to) settled.delete(d);
      }
      for (const [day, open] of this.open.get(centre) ?? [])
        if (day >= span.from && day <= span.to) for (const subject of touched) open.dirty.add(subject);
    }
  }

  clear(): void {
    this.settled.clear();
    this.open.clear();
    this.kiosks.clear();
  }

  /** A centre's day at `now`; undefined for a day not begun. */
  centreDay(centre: string, zone: string, day: number, now: number): CentreDay | undefined {
    const settled = this.settled.get(centre)?.get(day);
    if (settled) return settled;
    const at = judgedAt(day, zone, now);
    if (at === undefined) return undefined;
    let days = this.open.get(centre);
    if (!days) this.open.set(centre, (days = new Map<number, OpenDay>()));
    let open = days.get(day);
    if (!open || open.zone !== zone || now < open.asOf) {
      const dirty = new Set(this.engine().peopleAt(centre));
      open = { zone, rows: new Map(), dirty, until: Infinity, asOf: now, result: undefined };
      days.set(day, open);
      // Open days no chart asked for since they could settle (the overview moves on each day): judged whole if asked.
      for (const d of days.keys()) if (d < day - SETTLED_AFTER_DAYS) days.delete(d);
    }
    this.bringUp(open, centre, at, now);
    const result = (open.result ??= aggregate(open.rows.values()));
    if (open.until === Infinity && now >= zonedInstant(day + SETTLED_AFTER_DAYS, 0, zone)) {
      let kept = this.settled.get(centre);
      if (!kept) this.settled.set(centre, (kept = new Map<number, CentreDay>()));
      kept.set(day, result);
      days.delete(day);
    }
    return result;
  }

  /** Judges again the rows an entry touched or a passed deadline changed. */
  private bringUp(open: OpenDay, centre: string, at: number, now: number): void {
    open.asOf = now;
    if (now >= open.until) for (const [subject, row] of open.rows) if (row.until <= now) open.dirty.add(subject);
    if (open.dirty.size === 0) return;
    const source = engineSource(this.engine(), now);
    for (const subject of open.dirty) {
      const found = rosterRow(source, subject, centre, at, now);
      if (!found) {
        open.rows.delete(subject);
        continue;
      }
      const { row, plan, until } = found;
      const breaches = row.breaches.filter((b) => breachStands(b.status)).map((b) => [b.id, b.rule] as const);
      open.rows.set(subject, {
        state: row.state,
        checkedInAt: row.checkedInAt,
        breaches,
        shared: plan.centres.length > 1,
        until,
      });
    }
    open.dirty.clear();
    open.until = Infinity;
    for (const row of open.rows.values()) open.until = Math.min(open.until, row.until);
    open.result = undefined;
  }
}

function aggregate(rows: Iterable<RowFigures>): CentreDay {
  const list = [...rows];
  const byRule = new Map<string, number>();
  const shared = new Map<string, string>();
  for (const row of list)
    for (const [id, rule] of row.breaches) {
      if (row.shared) shared.set(id, rule);
      else byRule.set(rule, (byRule.get(rule) ?? 0) + 1);
    }
  return { count: dayCount(list), byRule, shared };
}

/**
 * The days (day numbers, with a margin where the zone is not known) whose findings a record can change;
 * undefined: none. `zones`: those of the people it touches.
 */
function affectedDays(record: LogRecord, zones: () => readonly string[]): { from: number; to: number } | undefined {
  const utcDay = Math.floor(record.ts / MS_PER_DAY);
  try {
    switch (record.type) {
      case 'plan':
        return { from: Math.min(parsePlan(record.payload).start, utcDay) - 1, to: Infinity };
      case 'checkin':
      case 'checkin-attempt':
      case 'enrolment': {
        // The local day it falls on in each of the person's zones, and the day before (a window past midnight).
        const days = zones().map((zone) => zonedDay(record.ts, zone));
        return days.length === 0 ? undefined : { from: Math.min(...days) - 1, to: Math.max(...days) };
      }
      case 'excuse': {
        const e = parseExcuse(record.payload);
        return { from: e.from, to: e.to };
      }
      case 'review': {
        const { day } = parseReview(record.payload);
        return { from: day, to: day };
      }
      case 'contest': {
        const { day } = parseContest(record.payload);
        return { from: day, to: day };
      }
      case 'task': {
        const { day } = parseTaskRecord(record.payload);
        return { from: day, to: day };
      }
      case 'device-health':
        return { from: Math.floor(parseDeviceHealth(record.payload).since / MS_PER_DAY) - 2, to: Infinity };
      default:
        return undefined;
    }
  } catch {
    // A malformed entry is one of the report's problems and changes no finding.
    return undefined;
  }
}

interface Failure {
  readonly at: number;
  readonly subject: string | undefined;
}

/** Per kiosk: verification attempts and failures by time, check-ins per person, device reports. */
export class KioskIndex {
  private attempts = new Map<string, number[]>();
  private failures = new Map<string, Failure[]>();
  private checkins = new Map<string, number[]>();
  private health = new Map<string, Map<string, { since: number; out: boolean }[]>>();
  /** Lists appended out of order since the last query. */
  private readonly unsortedTimes = new Set<number[]>();
  private readonly unsortedFailures = new Set<Failure[]>();

  add(record: LogRecord): void {
    try {
      if (record.type === 'checkin') {
        const c = parseCheckin(record.payload);
        this.push(this.checkins, `${c.kiosk}|${c.subject}`, record.ts);
      } else if (record.type === 'checkin-attempt') {
        const a = parseCheckinAttempt(record.payload);
        if (a.step !== 'verify') return;
        this.push(this.attempts, a.kiosk, record.ts);
        if (VERIFICATION_FAILURES.has(a.outcome)) {
          let list = this.failures.get(a.kiosk);
          if (!list) this.failures.set(a.kiosk, (list = []));
          if ((list.at(-1)?.at ?? -Infinity) > record.ts) this.unsortedFailures.add(list);
          list.push({ at: record.ts, subject: a.subject });
        }
      } else if (record.type === 'device-health') {
        const d = parseDeviceHealth(record.payload);
        let devices = this.health.get(d.kiosk);
        if (!devices) this.health.set(d.kiosk, (devices = new Map<string, { since: number; out: boolean }[]>()));
        let reports = devices.get(d.device);
        if (!reports) devices.set(d.device, (reports = []));
        reports.push({ since: d.since, out: isOutage(d.state) });
      }
    } catch {
      // malformed entries are the report's problems
    }
  }

  clear(): void {
    this.attempts = new Map();
    this.failures = new Map();
    this.checkins = new Map();
    this.health = new Map();
    this.unsortedTimes.clear();
    this.unsortedFailures.clear();
  }

  /**
   * Per kiosk over [start, end): false rejects are failed verifications of a person who checked in at the same
   * kiosk within a day after (the person was who they said); uptime is the share with no device out of service.
   */
  reliability(
    start: number,
    end: number,
  ): { kiosk: string; attempts: number; falseRejects: number; falseRejectRate: number | null; uptime: number }[] {
    for (const list of this.unsortedTimes) list.sort((a, b) => a - b);
    for (const list of this.unsortedFailures) list.sort((a, b) => a.at - b.at);
    this.unsortedTimes.clear();
    this.unsortedFailures.clear();
    const kiosks = new Set([...this.attempts.keys(), ...this.health.keys()]);
    return [...kiosks].sort().map((kiosk) => {
      const times = this.attempts.get(kiosk) ?? [];
      const attempts = firstAtOrAfter(times, end, (t) => t) - firstAtOrAfter(times, start, (t) => t);
      const failures = this.failures.get(kiosk) ?? [];
      let falseRejects = 0;
      for (let i = firstAtOrAfter(failures, start, (f) => f.at); i < failures.length; i++) {
        const f = failures[i] as Failure;
        if (f.at >= end) break;
        if (f.subject === undefined) continue;
        const later = this.checkins.get(`${kiosk}|${f.subject}`) ?? [];
        const next = later[firstAtOrAfter(later, f.at + 1, (t) => t)];
        if (next !== undefined && next - f.at < MS_PER_DAY) falseRejects++;
      }
      return {
        kiosk,
        attempts,
        falseRejects,
        falseRejectRate: attempts === 0 ? null : falseRejects / attempts,
        uptime: uptime(this.health.get(kiosk), start, end),
      };
    });
  }

  private push(map: Map<string, number[]>, key: string, ts: number): void {
    let list = map.get(key);
    if (!list) map.set(key, (list = []));
    if ((list.at(-1) ?? -Infinity) > ts) this.unsortedTimes.add(list);
    list.push(ts);
  }
}

function firstAtOrAfter<T>(list: readonly T[], ts: number, time: (item: T) => number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (time(list[mid] as T) < ts) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function uptime(
  devices: ReadonlyMap<string, readonly { since: number; out: boolean }[]> | undefined,
  start: number,
  end: number,
): number {
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
