// What the staff screen and the HQ dashboard show, derived from log records and the breach engine's report:
// each person's state today at a centre, and one person's timeline. Everything here is recomputed from the
// signed entries, so every screen agrees with the engine and with every other node.
import type { FindingView, RosterRow, RosterState, TimelineEvent } from '../../core/api/staff-api.ts';
import { dayWindow } from '../../core/breach/day-window.ts';
import { type Breach, type BreachReport, type ReviewItem, breachStands } from '../../core/breach/findings.ts';
import { SubjectLog } from '../../core/breach/subject-log.ts';
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

/** Everyone whose plan has them report at `centre` today, with their state at `at`. */
export function dayRoster(records: readonly LogRecord[], report: BreachReport, centre: string, at: number, fallbackZone = 'UTC'): DayRoster {
  const logs = new Map<string, SubjectLog>();
  const checkins = new Map<string, { at: number; kiosk: string }[]>();
  for (const record of records) {
    try {
      if (record.type === 'plan') {
        const plan = parsePlan(record.payload);
        let log = logs.get(plan.subject);
        if (!log) logs.set(plan.subject, (log = new SubjectLog(plan.subject)));
        log.addPlan(plan, record);
      } else if (record.type === 'checkin') {
        const c = parseCheckin(record.payload);
        let list = checkins.get(c.subject);
        if (!list) checkins.set(c.subject, (list = []));
        list.push({ at: record.ts, kiosk: c.kiosk });
      }
    } catch {
      // A malformed entry is one of the report's problems; the roster skips it.
    }
  }
  let zone = fallbackZone;
  const rows: RosterRow[] = [];
  for (const [subject, log] of [...logs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const latest = log.plans.at(-1)?.value;
    if (!latest) continue;
    const today = zonedDay(at, latest.zone);
    const plan = log.governing(today)?.value;
    if (!plan || !reportsOn(plan, today) || !plan.centres.includes(centre)) continue;
    zone = plan.zone;
    const window = dayWindow(plan, today);
    const day = formatDay(today);
    const breaches = report.breaches.filter((b) => b.subject === subject && b.day === day);
    const reviews = report.reviews.filter((r) => r.subject === subject && r.day === day);
    const first = (checkins.get(subject) ?? []).filter((c) => c.at >= window.open - 12 * 3_600_000 && c.at < window.lateUntil && zonedDay(c.at, plan.zone) === today).sort((a, b) => a.at - b.at)[0];
    rows.push({
      subject,
      state: stateOf(breaches, reviews, first !== undefined),
      window: `${formatClock(plan.open)}-${formatClock(plan.close)}`,
      checkedInAt: first?.at ?? null,
      kiosk: first?.kiosk ?? null,
      breaches: breaches.map(breachView),
      reviews: reviews.map(reviewView),
    });
  }
  return { day: formatDay(zonedDay(at, zone)), zone, rows };
}

function reportsOn(plan: Plan, day: number): boolean {
  return supervisedOn(plan, day) && plan.days.includes(weekdayOf(day));
}

/** One state at a glance; the most serious wins: a standing breach, then a pending review, then lateness. */
function stateOf(breaches: readonly Breach[], reviews: readonly ReviewItem[], checkedIn: boolean): RosterState {
  const standing = breaches.filter((b) => breachStands(b.status));
  if (standing.some((b) => b.rule !== 'late-checkin')) return 'breached';
  if (reviews.some((r) => r.status === 'pending')) return 'review';
  if (standing.length > 0) return 'late';
  if (checkedIn) return 'checked-in';
  if (breaches.some((b) => b.status === 'excused')) return 'excused';
  return 'expected';
}

export function breachView(b: Breach): FindingView {
  return { id: b.id, rule: b.rule, subject: b.subject, day: b.day, at: b.at, status: b.status, detail: b.detail, evidence: b.evidence.map(refView), history: b.history.map(historyView) };
}

export function reviewView(r: ReviewItem): FindingView {
  return { id: r.id, rule: r.reason, subject: r.subject, day: r.day, at: r.at, status: r.status, detail: r.detail, evidence: r.evidence.map(refView), history: r.history.map(historyView) };
}

function refView(ref: { readonly origin: string; readonly seq: number }): { origin: string; seq: number } {
  return { origin: ref.origin, seq: ref.seq };
}

function historyView(h: { readonly status: string; readonly at: number; readonly note: string }): { status: string; at: number; note: string } {
  return { status: h.status, at: h.at, note: h.note.slice(0, 1000) };
}

/** Every entry about one person, oldest first, each with a one-line summary. */
export function timelineEvents(records: readonly LogRecord[], subject: string): TimelineEvent[] {
  const events: TimelineEvent[] = [];
  for (const record of records) {
    if (record.payload.subject !== subject) continue;
    events.push({ at: record.ts, type: record.type, summary: summarise(record), ref: refView(record.ref) });
  }
  return events.sort((a, b) => a.at - b.at || (a.ref.origin < b.ref.origin ? -1 : a.ref.origin > b.ref.origin ? 1 : a.ref.seq - b.ref.seq));
}

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
