// What the staff screen and the HQ dashboard show, derived from log records and the breach engine's report:
// each person's state today at a centre, and one person's timeline. Everything here is recomputed from the
// signed entries, so every screen agrees with the engine and with every other node.
import type {
  DeviceView,
  FindingView,
  RosterRow,
  RosterState,
  Timeline,
  TimelineEvent,
} from '../../core/api/staff-api.ts';
import { parseDeviceHealth } from '../../core/records/device-health-record.ts';
import { planRequestOf } from './plan-decisions.ts';
import { dayWindow } from '../../core/breach/day-window.ts';
import { type Breach, type BreachReport, type ReviewItem, breachStands } from '../../core/breach/findings.ts';
import type { ReviewReason } from '../../core/breach/rule-ids.ts';
import { SubjectLog, lowerBound } from '../../core/breach/subject-log.ts';
import { errorMessage } from '../../core/errors.ts';
import { parseCheckin, parseCheckinAttempt } from '../../core/records/checkin.ts';
import type { LogRecord } from '../../core/records/entry-ref.ts';
import { type Plan, parsePlan, supervisedOn } from '../../core/records/plan.ts';
import { parseContest, parseExcuse, parseReview } from '../../core/records/staff-decisions.ts';
import { formatClock, formatDay, weekdayOf } from '../../core/time/civil-day.ts';
import { zonedDay } from '../../core/time/zoned-time.ts';

export interface DayRoster {
  readonly day: string;
  readonly zone: string;
  readonly rows: readonly RosterRow[];
}

/**
 * What a roster reads: each person's plans, check-ins and excuses (the breach engine's SubjectLog), who may report
 * at a centre, and a person's findings of one day. Built from a list of records (dayRoster) or held by an engine
 * fed incrementally (HQ), so both count the same way.
 */
export interface RosterSource {
  /** Everyone some plan assigns to the centre (a superset: each is checked against the plan governing the day). */
  people(centre: string): Iterable<string>;
  log(subject: string): SubjectLog | undefined;
  findings(
    subject: string,
    day: number,
  ): { readonly breaches: readonly Breach[]; readonly reviews: readonly ReviewItem[] };
}

/** Everyone whose plan has them report at `centre` today, with their state at `at`. */
export function dayRoster(
  records: readonly LogRecord[],
  report: BreachReport,
  centre: string,
  at: number,
  fallbackZone = 'UTC',
): DayRoster {
  // The records given are what is known: all of them count, whatever `at` is.
  return rosterOf(recordSource(records, report), centre, at, fallbackZone, Infinity);
}

/** The roster of `centre` on the day `at` falls on, from any source, with what was on the log at `asOf`. */
export function rosterOf(source: RosterSource, centre: string, at: number, fallbackZone = 'UTC', asOf = at): DayRoster {
  let zone = fallbackZone;
  const rows: RosterRow[] = [];
  for (const subject of [...source.people(centre)].sort()) {
    const found = rosterRow(source, subject, centre, at, asOf);
    if (!found) continue;
    zone = found.zone;
    rows.push(found.row);
  }
  return { day: formatDay(zonedDay(at, zone)), zone, rows };
}

/**
 * One person's row at `centre` on the day `at` falls on (in their zone); undefined when not due there that day.
 * `plan` is the version governing the day; `until` is when the row can next change with no new entry (a deadline
 * of the day passing, an entry logged after `asOf` coming to count), for a source judging at `asOf`.
 */
export function rosterRow(
  source: RosterSource,
  subject: string,
  centre: string,
  at: number,
  asOf = at,
): { row: RosterRow; zone: string; plan: Plan; until: number } | undefined {
  const log = source.log(subject);
  const latest = log?.plans.at(-1)?.value;
  if (!log || !latest) return undefined;
  const today = zonedDay(at, latest.zone);
  const plan = log.governing(today)?.value;
  if (!plan || !reportsOn(plan, today) || !plan.centres.includes(centre)) return undefined;
  const window = dayWindow(plan, today);
  const { breaches, reviews } = source.findings(subject, today);
  // The engine's findings change only as the day's two deadlines pass.
  let until = Math.min(...[window.onTimeUntil, window.taskDeadline].filter((t) => t > asOf));
  // Excused ahead of time (leave, travel): the person is excused today, not "expected" until the window closes.
  let excusedToday = false;
  for (const e of log.excuses) {
    if (e.value.from > today || today > e.value.to) continue;
    if (e.value.rules.length > 0 && !e.value.rules.includes('missed-checkin')) continue;
    if (e.record.ts <= asOf) excusedToday = true;
    else until = Math.min(until, e.record.ts);
  }
  let first: { at: number; kiosk: string } | undefined;
  for (let i = lowerBound(log.checkins, window.open - 12 * 3_600_000); i < log.checkins.length; i++) {
    const c = log.checkins[i] as (typeof log.checkins)[number];
    if (c.record.ts >= window.lateUntil) break;
    if (c.record.ts > asOf) {
      until = Math.min(until, c.record.ts);
      break;
    }
    if (zonedDay(c.record.ts, plan.zone) === today) {
      first = { at: c.record.ts, kiosk: c.value.kiosk };
      break;
    }
  }
  return {
    zone: plan.zone,
    plan,
    until,
    row: {
      subject,
      state: stateOf(breaches, reviews, first !== undefined, excusedToday),
      window: `${formatClock(plan.open)}-${formatClock(plan.close)}`,
      checkedInAt: first?.at ?? null,
      kiosk: first?.kiosk ?? null,
      breaches: breaches.map((b) => breachView(b, plan.zone)),
      reviews: incidentViews(reviews, plan.zone),
    },
  };
}

/** A roster source over a list of records and a report judged from them. */
function recordSource(records: readonly LogRecord[], report: BreachReport): RosterSource {
  const logs = new Map<string, SubjectLog>();
  const centres = new Map<string, Set<string>>();
  const logOf = (subject: string): SubjectLog => {
    let log = logs.get(subject);
    if (!log) logs.set(subject, (log = new SubjectLog(subject)));
    return log;
  };
  for (const record of records) {
    try {
      if (record.type === 'plan') {
        const plan = parsePlan(record.payload);
        logOf(plan.subject).addPlan(plan, record);
        for (const centre of plan.centres) {
          let people = centres.get(centre);
          if (!people) centres.set(centre, (people = new Set()));
          people.add(plan.subject);
        }
      } else if (record.type === 'checkin') {
        const c = parseCheckin(record.payload);
        logOf(c.subject).addCheckin(c, record);
      } else if (record.type === 'excuse') {
        const e = parseExcuse(record.payload);
        logOf(e.subject).addExcuse(e, record);
      }
    } catch {
      // A malformed entry is one of the report's problems; the roster skips it.
    }
  }
  const byDay = new Map<string, { breaches: Breach[]; reviews: ReviewItem[] }>();
  const dayOf = (subject: string, day: string): { breaches: Breach[]; reviews: ReviewItem[] } => {
    const key = `${subject}|${day}`;
    let found = byDay.get(key);
    if (!found) byDay.set(key, (found = { breaches: [], reviews: [] }));
    return found;
  };
  for (const b of report.breaches) dayOf(b.subject, b.day).breaches.push(b);
  for (const r of report.reviews) dayOf(r.subject, r.day).reviews.push(r);
  const none = { breaches: [], reviews: [] };
  return {
    people: (centre) => centres.get(centre) ?? [],
    log: (subject) => logs.get(subject),
    findings: (subject, day) => byDay.get(`${subject}|${formatDay(day)}`) ?? none,
  };
}

/**
 * Compliance, counted the same way by every table and chart: of the people due on a day whose day is settled
 * (checked in on time, excused, or holding a standing breach), the share who checked in on time or were
 * excused. People still expected, or whose day waits on a staff review, are not counted yet: at 08:37 with 30
 * of 60 checked in and the window open, compliance is 30 of 30 settled, with 30 still open, never 30 of 60.
 */
export interface DayCount {
  readonly due: number;
  readonly checkedIn: number;
  readonly excused: number;
  /** People with a standing breach that day (late included). */
  readonly breached: number;
  /** Not settled yet: still expected, or under review. */
  readonly open: number;
  /** (due - open - breached) / (due - open); null while nobody's day is settled. */
  readonly compliance: number | null;
}

export function dayCount(rows: readonly Pick<RosterRow, 'state' | 'checkedInAt'>[]): DayCount {
  const breached = rows.filter((r) => r.state === 'breached' || r.state === 'late').length;
  const open = rows.filter((r) => r.state === 'expected' || r.state === 'review').length;
  const settled = rows.length - open;
  return {
    due: rows.length,
    checkedIn: rows.filter((r) => r.checkedInAt !== null).length,
    excused: rows.filter((r) => r.state === 'excused').length,
    breached,
    open,
    compliance: settled === 0 ? null : (settled - breached) / settled,
  };
}

function reportsOn(plan: Plan, day: number): boolean {
  return supervisedOn(plan, day) && plan.days.includes(weekdayOf(day));
}

/** One state at a glance; the most serious wins: a standing breach, then a pending review, then lateness. */
function stateOf(
  breaches: readonly Breach[],
  reviews: readonly ReviewItem[],
  checkedIn: boolean,
  excusedAhead: boolean,
): RosterState {
  const standing = breaches.filter((b) => breachStands(b.status));
  if (standing.some((b) => b.rule !== 'late-checkin')) return 'breached';
  if (reviews.some((r) => r.status === 'pending')) return 'review';
  if (standing.length > 0) return 'late';
  if (checkedIn) return 'checked-in';
  if (excusedAhead || breaches.some((b) => b.status === 'excused')) return 'excused';
  return 'expected';
}

export function breachView(b: Breach, zone: string): FindingView {
  return {
    id: b.id,
    parts: [],
    zone,
    rule: b.rule,
    subject: b.subject,
    day: b.day,
    at: b.at,
    status: b.status,
    detail: b.detail,
    evidence: b.evidence.map(refView),
    history: b.history.map(historyView),
  };
}

/** Most serious first: an incident is named after its most serious part. */
const SERIOUSNESS: readonly ReviewReason[] = [
  'suspected-impersonation',
  'verification-failed',
  'repeated-failed-verification',
  'face-mismatch-then-verified',
  'questionnaire-flag',
];

/**
 * One incident, one review item: the engine raises an item per reason (a face mismatch three times over is a
 * suspected impersonation, repeated failed verifications and, once the window closes, a day staff must judge),
 * and items of one person's day that share evidence are one incident, decided once (`staff.review` records the
 * decision for each part). Pending while any part is.
 */
export function incidents(reviews: readonly ReviewItem[]): ReviewItem[][] {
  const groups: { items: ReviewItem[]; refs: Set<string> }[] = [];
  for (const item of reviews) {
    // evidence[0] is the plan in force: every item of the day names it.
    const refs = new Set(item.evidence.slice(1).map((e) => `${e.origin}#${e.seq}`));
    const joined = groups.filter(
      (g) =>
        g.items[0]?.subject === item.subject && g.items[0].day === item.day && [...refs].some((r) => g.refs.has(r)),
    );
    const into = joined[0] ?? { items: [], refs: new Set<string>() };
    if (!joined[0]) groups.push(into);
    for (const other of joined.slice(1)) {
      into.items.push(...other.items);
      for (const r of other.refs) into.refs.add(r);
      groups.splice(groups.indexOf(other), 1);
    }
    into.items.push(item);
    for (const r of refs) into.refs.add(r);
  }
  return groups.map((g) => g.items.sort((a, b) => SERIOUSNESS.indexOf(a.reason) - SERIOUSNESS.indexOf(b.reason)));
}

export function incidentViews(reviews: readonly ReviewItem[], zone: string): FindingView[] {
  return incidents(reviews).map((parts) => {
    const head = parts[0] as ReviewItem;
    const evidence = new Map(parts.flatMap((p) => p.evidence).map((e) => [`${e.origin}#${e.seq}`, refView(e)]));
    const status = parts.some((p) => p.status === 'pending')
      ? 'pending'
      : parts.some((p) => p.status === 'breach')
        ? 'breach'
        : 'cleared';
    return {
      id: head.id,
      parts: parts.map((p) => ({ id: p.id, rule: p.reason })),
      zone,
      rule: head.reason,
      subject: head.subject,
      day: head.day,
      at: Math.min(...parts.map((p) => p.at)),
      status,
      // One line per part: the screens read each line through its template.
      detail: parts
        .map((p) => p.detail)
        .join('\n')
        .slice(0, 1000),
      evidence: [...evidence.values()].slice(0, 200),
      history: parts
        .flatMap((p) => p.history.map(historyView))
        .sort((a, b) => a.at - b.at)
        .slice(0, 200),
    };
  });
}

/** Each person's newest plan (by effect time). */
export function latestPlans(records: readonly LogRecord[]): Map<string, Plan> {
  const out = new Map<string, Plan>();
  for (const record of records) {
    if (record.type !== 'plan') continue;
    try {
      const plan = parsePlan(record.payload);
      const seen = out.get(plan.subject);
      if (!seen || seen.effectiveFrom <= plan.effectiveFrom) out.set(plan.subject, plan);
    } catch {
      // malformed plans are the engine's problems
    }
  }
  return out;
}

/** One person's timeline with findings, in their plan's zone. */
export function personTimeline(
  records: readonly LogRecord[],
  report: BreachReport,
  subject: string,
  fallbackZone: string,
): Timeline {
  const plan = latestPlans(records.filter((r) => r.payload.subject === subject)).get(subject);
  const zone = plan?.zone ?? fallbackZone;
  return {
    subject,
    zone,
    plan: plan === undefined ? null : planRequestOf(plan),
    events: timelineEvents(records, subject),
    breaches: report.breaches.filter((b) => b.subject === subject).map((b) => breachView(b, zone)),
    reviews: incidentViews(
      report.reviews.filter((r) => r.subject === subject),
      zone,
    ),
  };
}

function refView(ref: { readonly origin: string; readonly seq: number }): { origin: string; seq: number } {
  return { origin: ref.origin, seq: ref.seq };
}

function historyView(h: { readonly status: string; readonly at: number; readonly note: string }): {
  status: string;
  at: number;
  note: string;
} {
  return { status: h.status, at: h.at, note: h.note.slice(0, 1000) };
}

/** Every entry about one person, oldest first, each with a one-line summary. */
export function timelineEvents(records: readonly LogRecord[], subject: string): TimelineEvent[] {
  const events: TimelineEvent[] = [];
  for (const record of records) {
    if (record.payload.subject !== subject) continue;
    events.push({
      at: record.ts,
      type: record.type,
      summary: summarise(record),
      ref: refView(record.ref),
      ...noteOf(record),
    });
  }
  return events.sort(
    (a, b) =>
      a.at - b.at || (a.ref.origin < b.ref.origin ? -1 : a.ref.origin > b.ref.origin ? 1 : a.ref.seq - b.ref.seq),
  );
}

/** A decision's note: the commitment of the words kept in the personal-data store (staff.note opens them). */
function noteOf(record: LogRecord): { note?: string } {
  const { note } = record.payload;
  return DECISION_TYPES.has(record.type) && typeof note === 'string' && /^[0-9a-f]{64}$/.test(note) ? { note } : {};
}
const DECISION_TYPES = new Set(['plan', 'excuse', 'review', 'contest']);

function summarise(record: LogRecord): string {
  try {
    switch (record.type) {
      case 'checkin': {
        const c = parseCheckin(record.payload);
        return `checked in at ${c.kiosk} (${c.methods.join(' + ')})${c.tasks.length > 0 ? `; tasks ${c.tasks.map((t) => t.task).join(', ')}` : ''}`;
      }
      case 'checkin-attempt': {
        const a = parseCheckinAttempt(record.payload);
        return `${a.step} by ${a.method}: ${a.outcome} (try ${a.try}) at ${a.kiosk}`;
      }
      case 'plan': {
        const p = parsePlan(record.payload);
        return `plan: ${formatClock(p.open)}-${formatClock(p.close)} at ${p.centres.join(', ')}, grace ${p.graceMinutes} min (${p.staff}: ${p.reason})`;
      }
      case 'excuse': {
        const e = parseExcuse(record.payload);
        return `excused ${formatDay(e.from)}${e.to === e.from ? '' : ` to ${formatDay(e.to)}`}${e.rules.length > 0 ? ` from ${e.rules.join(', ')}` : ''} (${e.staff}: ${e.reason})`;
      }
      case 'review': {
        const r = parseReview(record.payload);
        return `review ${r.item}: ${r.decision} (${r.staff}: ${r.reason})`;
      }
      case 'contest': {
        const c = parseContest(record.payload);
        return `contest ${c.action}${c.outcome ? ` ${c.outcome}` : ''} of ${c.breach} (${c.staff}: ${c.reason})`;
      }
      default:
        return record.type;
    }
  } catch (error) {
    return `malformed ${record.type}: ${errorMessage(error)}`.slice(0, 1000);
  }
}

/** The centre's other kiosks, each device as its newest device-health entry (by `since`) reports it. */
export function peerDevices(
  records: readonly LogRecord[],
  centre: string,
  self: string,
): { kiosk: string; devices: DeviceView[] }[] {
  const kiosks = new Map<string, Map<string, DeviceView>>();
  for (const record of records) {
    if (record.type !== 'device-health') continue;
    try {
      const d = parseDeviceHealth(record.payload);
      if (d.centre !== centre || d.kiosk === self) continue;
      let devices = kiosks.get(d.kiosk);
      if (!devices) kiosks.set(d.kiosk, (devices = new Map<string, DeviceView>()));
      const seen = devices.get(d.device);
      if (!seen || seen.since <= d.since)
        devices.set(d.device, {
          id: d.device,
          kind: d.device,
          state: d.state,
          since: d.since,
          lastError: d.fault ?? null,
        });
    } catch {
      // A malformed report is one of the report's problems.
    }
  }
  return [...kiosks]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([kiosk, devices]) => ({ kiosk, devices: [...devices.values()] }));
}
