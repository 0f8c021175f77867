// The verdict an evidence bundle states for one person's day, computed by the pure breach engine from the
// records the bundle holds. The exporter and every verifier call the same function, so a verifier that gets a
// different verdict from the same records knows the stated one was changed.
import { BreachEngine, type EngineOptions } from '../breach/engine.ts';
import { type DayWindow, dayWindow } from '../breach/day-window.ts';
import { type Breach, type ReviewItem, breachStands } from '../breach/findings.ts';
import { type Indexed, SubjectLog } from '../breach/subject-log.ts';
import { MusterError } from '../errors.ts';
import { parseCheckin } from '../records/checkin.ts';
import type { EntryRef, LogRecord } from '../records/entry-ref.ts';
import { type Plan, parsePlan } from '../records/plan.ts';
import { formatDay } from '../time/civil-day.ts';

/**
 * on-time: a check-in in the window and nothing against the person; late / missed / breach: a breach of that
 * rule (breach: any other rule) stands; excused: breaches found, none stands (excused or dismissed); review:
 * items for staff review and no breach; none: nothing found (no obligation that day, or not yet due).
 */
export const VERDICT_KINDS = ['on-time', 'late', 'missed', 'breach', 'excused', 'review', 'none'] as const;
export type VerdictKind = (typeof VERDICT_KINDS)[number];

export interface Verdict {
  readonly kind: VerdictKind;
  /** The person's check-ins that count for the day (in the window, grace or late period), in time order. */
  readonly checkins: readonly EntryRef[];
  readonly breaches: readonly Breach[];
  readonly reviews: readonly ReviewItem[];
}

export interface JudgedDay {
  readonly verdict: Verdict;
  /** The plan version governing the day and its entry. */
  readonly plan: Indexed<Plan>;
  readonly window: DayWindow;
}

/**
 * Judges `subject`'s local `day` at `at` from `records` (breaches limited to `rule` when given). `staffOrigin`, as
 * for the breach engine: staff decisions (the plan in force among them) count only from the logs it accepts.
 */
export function judgeDay(
  records: readonly LogRecord[],
  subject: string,
  day: number,
  at: number,
  rule?: string,
  staffOrigin?: EngineOptions['staffOrigin'],
): JudgedDay {
  const log = new SubjectLog(subject);
  for (const record of records) {
    if (record.type !== 'plan' || (staffOrigin && !staffOrigin(record.ref.origin))) continue;
    try {
      const plan = parsePlan(record.payload);
      if (plan.subject === subject) log.addPlan(plan, record);
    } catch (error) {
      // A malformed plan is the engine's problem to report; it governs nothing.
      if (!(error instanceof MusterError)) throw error;
    }
  }
  const plan = log.governing(day);
  if (!plan) throw new MusterError('no-plan', `no plan of ${subject} governs ${formatDay(day)}`);
  const window = dayWindow(plan.value, day);
  const dayText = formatDay(day);
  // The engine judges people one by one: only this person is evaluated, not everyone in the records.
  const engine = new BreachEngine(staffOrigin ? { staffOrigin } : {});
  for (const record of records) engine.add(record);
  const found = engine.evaluateSubject(subject, at);
  const breaches = found.breaches.filter(
    (b) => b.subject === subject && b.day === dayText && (rule === undefined || b.rule === rule),
  );
  const reviews = found.reviews.filter((r) => r.subject === subject && r.day === dayText);
  const checkins = records
    .filter(
      (r) => r.type === 'checkin' && r.ts >= window.open && r.ts < window.lateUntil && checkinSubject(r) === subject,
    )
    .sort((a, b) => a.ts - b.ts || a.ref.seq - b.ref.seq || (a.ref.origin < b.ref.origin ? -1 : 1))
    .map((r) => r.ref);
  return { verdict: { kind: kindOf(breaches, reviews, checkins.length), checkins, breaches, reviews }, plan, window };
}

function checkinSubject(record: LogRecord): string | undefined {
  try {
    return parseCheckin(record.payload).subject;
  } catch (error) {
    if (!(error instanceof MusterError)) throw error;
    return undefined;
  }
}

function kindOf(breaches: readonly Breach[], reviews: readonly ReviewItem[], checkins: number): VerdictKind {
  const standing = breaches.filter((b) => breachStands(b.status));
  if (standing.some((b) => b.rule === 'missed-checkin')) return 'missed';
  if (standing.some((b) => b.rule === 'late-checkin')) return 'late';
  if (standing.length > 0) return 'breach';
  if (breaches.length > 0) return 'excused';
  if (reviews.length > 0) return 'review';
  return checkins > 0 ? 'on-time' : 'none';
}
