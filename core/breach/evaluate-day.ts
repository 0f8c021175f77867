// The rules for one person and one local day. Pure and deterministic: the same log and the same `at` give the
// same findings on every node. The result depends on `at` only through two deadlines (end of grace, task
// deadline), which is what lets the engine cache a day until the next deadline passes.
import { type Checkin, type CheckinAttempt, type TaskCompletion, VERIFICATION_FAILURES } from '../records/checkin.ts';
import type { EntryRef } from '../records/entry-ref.ts';
import type { TaskRecord } from '../records/task-record.ts';
import { compareRecords } from '../records/entry-ref.ts';
import { ALL_DAYS, type Plan, type TaskSpec, supervisedOn, taskDueOn } from '../records/plan.ts';
import { formatDay, MS_PER_MINUTE, type Weekday, weekdayOf } from '../time/civil-day.ts';
import { type DayWindow, dayWindow } from './day-window.ts';
import type { Breach, BreachStatus, HistoryEvent, ReviewItem } from './findings.ts';
import type { CentreOutages } from './outages.ts';
import type { ReviewReason, RuleId } from './rule-ids.ts';
import { between, type Indexed, lowerBound, type SubjectLog } from './subject-log.ts';
import { zonedDay } from '../time/zoned-time.ts';

export interface DayResult {
  readonly breaches: readonly Breach[];
  readonly reviews: readonly ReviewItem[];
  /** The result holds for validFrom <= at < validUntil. */
  readonly validFrom: number;
  readonly validUntil: number;
}

/** Failed verifications in one day's window from which staff review the day rather than the engine. */
export const REPEATED_FAILURES = 3;
/** A face mismatch followed this soon by a verified check-in at the same kiosk is the person retrying, not an impostor. */
export const RETRY_WITHIN_MS = 15 * MS_PER_MINUTE;

const NOTHING: DayResult = { breaches: [], reviews: [], validFrom: -Infinity, validUntil: Infinity };

const NO_BREACHES: readonly Breach[] = [];
const NO_REVIEWS: readonly ReviewItem[] = [];

export function evaluateDay(log: SubjectLog, day: number, at: number, outages: CentreOutages): DayResult {
  const result = evaluateRules(log, day, at, outages);
  const replaced = reenrolmentReviews(log, day);
  return replaced.length === 0 ? result : { ...result, reviews: [...result.reviews, ...replaced] };
}

/** A review item for each re-enrolment on the day (in the zone of the plan governing it), decided by staff like any other. */
function reenrolmentReviews(log: SubjectLog, day: number): ReviewItem[] {
  const governing = log.governing(day);
  if (!governing || log.reenrolments.length === 0) return [];
  const dayText = formatDay(day);
  return log.reenrolments
    .filter((e) => zonedDay(e.record.ts, governing.value.zone) === day)
    .map((e) => {
      const id = ['re-enrolment', log.subject, dayText, `${e.record.ref.origin}@${e.record.ref.seq}`].join('/');
      const decisions = log.reviews.get(id) ?? [];
      return {
        id,
        reason: 're-enrolment',
        subject: log.subject,
        day: dayText,
        at: e.record.ts,
        detail: `biometrics replaced at ${e.value.kiosk} by ${e.value.staff ?? '?'}, approved by ${e.value.approvedBy ?? '?'}`,
        evidence: [governing.record.ref, e.record.ref],
        status: decisions.at(-1)?.value.decision ?? 'pending',
        history: decisions.map((d) => ({
          status: d.value.decision,
          at: d.record.ts,
          ref: d.record.ref,
          note: `${d.value.staff}: ${d.value.reason}`,
        })),
      };
    });
}

function evaluateRules(log: SubjectLog, day: number, at: number, outages: CentreOutages): DayResult {
  const governing = log.governing(day);
  if (!governing) return NOTHING;
  const plan = governing.value;
  if (!supervisedOn(plan, day)) return NOTHING;
  const w = dayWindow(plan, day);
  const weekday = weekdayOf(day);
  const reporting = plan.days.includes(weekday);
  const dueTasks = tasksDue(plan, weekday);
  // The two deadlines split time into three spans; the result is the same anywhere inside one.
  const first = Math.min(w.onTimeUntil, w.taskDeadline);
  const second = Math.max(w.onTimeUntil, w.taskDeadline);
  const validFrom = at >= second ? second : at >= first ? first : -Infinity;
  const validUntil = at < first ? first : at < second ? second : Infinity;
  if (!reporting && dueTasks.length === 0) return { breaches: NO_BREACHES, reviews: NO_REVIEWS, validFrom, validUntil };

  // Most days: on time at the right centre, every task done, nothing else to look at. Checked without
  // allocating, since it runs for nearly every day of every person.
  if (quietDay(log, day, plan, w, reporting, dueTasks))
    return { breaches: NO_BREACHES, reviews: NO_REVIEWS, validFrom, validUntil };
  const checkins = between(log.checkins, w.open, w.lateUntil);
  const attempts = between(log.attempts, w.open, w.lateUntil);
  return findings(log, day, at, outages, governing, w, reporting, dueTasks, checkins, attempts, validFrom, validUntil);
}

function quietDay(
  log: SubjectLog,
  day: number,
  plan: Plan,
  w: DayWindow,
  reporting: boolean,
  dueTasks: readonly TaskSpec[],
): boolean {
  const attempts = log.attempts;
  const a = lowerBound(attempts, w.open);
  if (a < attempts.length && (attempts[a] as Indexed<CheckinAttempt>).record.ts < w.lateUntil) return false;
  const checkins = log.checkins;
  const first = lowerBound(checkins, w.open);
  let onTime = !reporting;
  for (let i = first; i < checkins.length; i++) {
    const c = checkins[i] as Indexed<Checkin>;
    if (c.record.ts >= w.onTimeUntil) break;
    if (plan.centres.includes(c.value.centre)) onTime = true;
  }
  if (!onTime) return false;
  for (const task of dueTasks) {
    if (task.kind !== 'study') return false;
    if (!studyDone(task.id, checkins, first, w, log.tasks.get(day))) return false;
  }
  return true;
}

function studyDone(
  taskId: string,
  checkins: readonly Indexed<Checkin>[],
  first: number,
  w: DayWindow,
  records: readonly Indexed<TaskRecord>[] | undefined,
): boolean {
  for (let i = first; i < checkins.length; i++) {
    const c = checkins[i] as Indexed<Checkin>;
    if (c.record.ts >= w.lateUntil) break;
    for (const t of c.value.tasks) if (t.task === taskId) return true;
  }
  for (const t of records ?? []) if (t.record.ts <= w.taskDeadline && t.value.completion.task === taskId) return true;
  return false;
}

interface Completion {
  readonly completion: TaskCompletion;
  readonly ref: EntryRef;
  readonly ts: number;
}

function completionsFor(
  log: SubjectLog,
  day: number,
  checkins: readonly Indexed<Checkin>[],
  deadline: number,
): Completion[] {
  const out: Completion[] = [];
  for (const c of checkins)
    for (const completion of c.value.tasks) out.push({ completion, ref: c.record.ref, ts: c.record.ts });
  for (const t of log.tasks.get(day) ?? [])
    if (t.record.ts <= deadline) out.push({ completion: t.value.completion, ref: t.record.ref, ts: t.record.ts });
  return out;
}

function taskSatisfied(task: TaskSpec, completions: readonly Completion[]): boolean {
  if (task.kind !== 'service') return completions.some((c) => c.completion.task === task.id);
  let minutes = 0;
  for (const c of completions) if (c.completion.task === task.id) minutes += c.completion.minutes ?? 0;
  return minutes >= task.minutes;
}

const dueByWeekday = new WeakMap<Plan, readonly (readonly TaskSpec[])[]>();

function tasksDue(plan: Plan, weekday: Weekday): readonly TaskSpec[] {
  let table = dueByWeekday.get(plan);
  if (!table) {
    table = ALL_DAYS.map((d) => plan.tasks.filter((t) => taskDueOn(t, plan, d)));
    dueByWeekday.set(plan, table);
  }
  return table[weekday] ?? [];
}

/** The full rules, for the days where something happened. */
function findings(
  log: SubjectLog,
  day: number,
  at: number,
  outages: CentreOutages,
  governing: Indexed<Plan>,
  w: DayWindow,
  reporting: boolean,
  dueTasks: readonly TaskSpec[],
  checkins: readonly Indexed<Checkin>[],
  attempts: readonly Indexed<CheckinAttempt>[],
  validFrom: number,
  validUntil: number,
): DayResult {
  const plan = governing.value;
  const subject = log.subject;
  const dayText = formatDay(day);
  const planRef = governing.record.ref;
  const failures = attempts.filter((a) => VERIFICATION_FAILURES.has(a.value.outcome));
  const breaches: Breach[] = [];
  const reviews: ReviewItem[] = [];

  // Fairness: a device fault is never the person's fault. Any outage at their centres during the window, or a
  // device that failed under their own attempt, excuses the day's check-in and task rules.
  const fairness: HistoryEvent[] = [
    ...outages.overlapping(plan.centres, w.open, w.onTimeUntil).map((o) => ({
      status: 'excused' as const,
      at: o.from,
      ref: o.record.ref,
      note: `outage: ${o.device} at ${o.kiosk} out of service`,
    })),
    ...attempts
      .filter((a) => a.value.outcome === 'device-down')
      .map((a) => ({
        status: 'excused' as const,
        at: a.record.ts,
        ref: a.record.ref,
        note: `outage: ${a.value.method} device down during the attempt`,
      })),
  ];

  const emit = (
    rule: RuleId,
    detailKey: string,
    firedAt: number,
    detail: string,
    evidence: readonly EntryRef[],
    fair: boolean,
  ): void => {
    const breachId = [rule, subject, dayText, detailKey].filter((p) => p !== '').join('/');
    breaches.push({
      id: breachId,
      rule,
      subject,
      day: dayText,
      at: firedAt,
      detail,
      evidence: [planRef, ...evidence],
      ...decide(log, breachId, rule, day, fair ? fairness : []),
    });
  };
  const review = (
    reason: ReviewReason,
    detailKey: string,
    firedAt: number,
    detail: string,
    evidence: readonly EntryRef[],
  ): ReviewItem => {
    const itemId = [reason, subject, dayText, detailKey].filter((p) => p !== '').join('/');
    const decisions = log.reviews.get(itemId) ?? [];
    const last = decisions.at(-1);
    const item: ReviewItem = {
      id: itemId,
      reason,
      subject,
      day: dayText,
      at: firedAt,
      detail,
      evidence: [planRef, ...evidence],
      status: last ? last.value.decision : 'pending',
      history: decisions.map((d) => ({
        status: d.value.decision,
        at: d.record.ts,
        ref: d.record.ref,
        note: `${d.value.staff}: ${d.value.reason}`,
      })),
    };
    reviews.push(item);
    return item;
  };

  // Verification failed and the person never got through: their kiosk tasks could not be recorded either, so
  // the whole day is for staff to judge.
  let blockedReview: ReviewItem | undefined;
  if (reporting) {
    const atCentre = checkins.filter((c) => plan.centres.includes(c.value.centre));
    const onTime = atCentre.some((c) => c.record.ts < w.onTimeUntil);
    const late = atCentre[0];
    const elsewhere = checkins.find((c) => !plan.centres.includes(c.value.centre));
    if (onTime) {
      // Done for the day.
    } else if (late) {
      const minutes = Math.ceil((late.record.ts - w.onTimeUntil) / MS_PER_MINUTE);
      const failedInTime = failures.filter((f) => f.record.ts < w.onTimeUntil);
      if (failedInTime.length > 0) {
        // Late because the biometrics kept failing: staff decide, as for a missed day.
        const evidence = [...failedInTime.map((f) => f.record.ref), late.record.ref];
        const item = review(
          'verification-failed',
          '',
          late.record.ts,
          `checked in ${minutes} min late after ${failedInTime.length} failed verification(s)`,
          evidence,
        );
        const decision = log.reviews.get(item.id)?.at(-1);
        if (decision?.value.decision === 'breach') {
          emit(
            'late-checkin',
            '',
            decision.record.ts,
            `checked in ${minutes} min late; staff review found no excuse (${decision.value.reason})`,
            [...evidence, decision.record.ref],
            true,
          );
        }
      } else {
        emit(
          'late-checkin',
          '',
          late.record.ts,
          `checked in ${minutes} min after the window and grace ended`,
          [late.record.ref],
          true,
        );
      }
    } else if (elsewhere) {
      emit(
        'wrong-centre',
        '',
        elsewhere.record.ts,
        `checked in at ${elsewhere.value.centre}; assigned ${plan.centres.join(', ')}`,
        [elsewhere.record.ref],
        true,
      );
    } else if (at >= w.onTimeUntil) {
      if (failures.length > 0) {
        // A biometric failure alone is never a breach: staff decide.
        const item = review(
          'verification-failed',
          '',
          w.onTimeUntil,
          `no check-in; ${failures.length} failed verification(s) in the window`,
          failures.map((f) => f.record.ref),
        );
        blockedReview = item;
        const decision = log.reviews.get(item.id)?.at(-1);
        if (decision?.value.decision === 'breach') {
          emit(
            'missed-checkin',
            '',
            decision.record.ts,
            `no check-in; staff review found no excuse (${decision.value.reason})`,
            [...item.evidence.slice(1), decision.record.ref],
            true,
          );
        }
      } else {
        emit('missed-checkin', '', w.onTimeUntil, 'no check-in in the window', [], true);
      }
    }
  }

  // A face that did not match the fingerprint is as likely a false reject as an impostor: never a breach by
  // itself. Mismatches the person cleared by verifying soon after are one review each; the others make one
  // suspected-impersonation item for the day, which becomes a breach only when staff decide so.
  const suspect: Indexed<CheckinAttempt>[] = [];
  for (const a of attempts) {
    if (!isFaceMismatchAfterFinger(a.value)) continue;
    const retried = between(log.checkins, a.record.ts, a.record.ts + RETRY_WITHIN_MS + 1).find(
      (c) => c.value.kiosk === a.value.kiosk && c.value.methods.includes('face') && c.record.ts > a.record.ts,
    );
    if (retried) {
      review(
        'face-mismatch-then-verified',
        `${a.record.ref.origin}@${a.record.ref.seq}`,
        a.record.ts,
        'face did not match the fingerprint, then verified on a retry',
        [a.record.ref, retried.record.ref],
      );
    } else suspect.push(a);
  }
  const firstSuspect = suspect[0];
  if (firstSuspect) {
    const scores = suspect.map((a) => a.value.score ?? 'n/a').join(', ');
    const evidence = suspect.map((a) => a.record.ref);
    const item = review(
      'suspected-impersonation',
      '',
      firstSuspect.record.ts,
      `fingerprint matched, face did not (${suspect.length} attempt(s), scores ${scores}); liveness passed`,
      evidence,
    );
    const decision = log.reviews.get(item.id)?.at(-1);
    if (decision?.value.decision === 'breach') {
      emit(
        'suspected-impersonation',
        '',
        decision.record.ts,
        `fingerprint matched, face did not; staff review confirmed (${decision.value.reason})`,
        [...evidence, decision.record.ref],
        false,
      );
    }
  }

  // A fault of Muster itself during the person's attempt excuses nothing (it is not in `fairness`): staff look.
  const internal = attempts.filter((a) => a.value.outcome === 'internal-error');
  const firstInternal = internal[0];
  if (firstInternal) {
    const codes = [...new Set(internal.map((a) => a.value.fault ?? 'unknown'))].join(', ');
    review(
      'internal-error',
      '',
      firstInternal.record.ts,
      `Muster failed during ${internal.length} attempt(s) (${codes}); not an excuse: staff decide`,
      internal.map((a) => a.record.ref),
    );
  }

  if (failures.length >= REPEATED_FAILURES) {
    const third = failures[REPEATED_FAILURES - 1] as Indexed<CheckinAttempt>;
    review(
      'repeated-failed-verification',
      '',
      third.record.ts,
      `${failures.length} failed verifications in the window`,
      failures.map((f) => f.record.ref),
    );
  }

  if (dueTasks.length > 0) {
    const completions = completionsFor(log, day, checkins, w.taskDeadline);
    for (const task of dueTasks) {
      const done = completions.filter((c) => c.completion.task === task.id);
      const satisfied = taskSatisfied(task, done);
      if (task.kind === 'questionnaire') {
        const flagged = done.filter((c) =>
          Object.entries(c.completion.answers ?? {}).some(([q, answer]) => task.flags[q]?.includes(answer) === true),
        );
        const first = flagged[0];
        if (first)
          review(
            'questionnaire-flag',
            task.id,
            first.ts,
            `answers to ${task.questionnaire} need a staff review`,
            flagged.map((f) => f.ref),
          );
      }
      if (!satisfied && at >= w.taskDeadline && (!blockedReview || blockedReview.status === 'breach')) {
        emit(
          'task-not-done',
          task.id,
          w.taskDeadline,
          describeTask(plan, task.id),
          done.map((d) => d.ref),
          true,
        );
      }
    }
  }
  return { breaches, reviews, validFrom, validUntil };
}

function isFaceMismatchAfterFinger(a: CheckinAttempt): boolean {
  return a.step === 'verify' && a.method === 'face' && a.outcome === 'mismatch' && a.identifiedBy === 'fingerprint';
}

function describeTask(plan: Plan, taskId: string): string {
  const task = plan.tasks.find((t) => t.id === taskId);
  if (!task) return `task ${taskId} not done`;
  switch (task.kind) {
    case 'study':
      return `study module ${task.module} not done`;
    case 'service':
      return `${task.minutes} min of community service not recorded`;
    case 'questionnaire':
      return `questionnaire ${task.questionnaire} not answered`;
  }
}

/** Status and visible history of a breach: fairness excuses, then staff excuses and contests in log order. */
function decide(
  log: SubjectLog,
  breachId: string,
  rule: RuleId,
  day: number,
  fairness: readonly HistoryEvent[],
): { status: BreachStatus; history: HistoryEvent[] } {
  const history: HistoryEvent[] = [...fairness];
  let status: BreachStatus = fairness.length > 0 ? 'excused' : 'open';
  const excuses = log.excuses.filter(
    (e) => e.value.from <= day && day <= e.value.to && (e.value.rules.length === 0 || e.value.rules.includes(rule)),
  );
  const decisions = [
    ...excuses.map((e) => ({ kind: 'excuse' as const, e })),
    ...(log.contests.get(breachId) ?? []).map((c) => ({ kind: 'contest' as const, e: c })),
  ];
  decisions.sort((a, b) => compareRecords(a.e.record, b.e.record));
  for (const d of decisions) {
    if (d.kind === 'excuse') {
      status = 'excused';
      history.push({
        status,
        at: d.e.record.ts,
        ref: d.e.record.ref,
        note: `excused by ${d.e.value.staff}: ${d.e.value.reason}`,
      });
      continue;
    }
    const c = d.e.value;
    const next: BreachStatus = c.action === 'open' ? 'contested' : (c.outcome ?? 'upheld');
    // An excused breach stays excused; the contest is still shown.
    if (status !== 'excused') status = next;
    history.push({
      status: next,
      at: d.e.record.ts,
      ref: d.e.record.ref,
      note: `${c.action === 'open' ? 'contested' : `contest ${next}`} (${c.staff}): ${c.reason}`,
    });
  }
  return { status, history };
}
