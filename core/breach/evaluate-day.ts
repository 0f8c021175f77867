// The rules for one person and one local day. Pure and deterministic: the same log and the same `at` give the
// same findings on every node. The result depends on `at` only through two deadlines (end of grace, task
// deadline), which is what lets the engine cache a day until the next deadline passes.
import { type CheckinAttempt, VERIFICATION_FAILURES } from '../records/checkin.ts';
import type { TaskCompletion } from '../records/checkin.ts';
import type { EntryRef } from '../records/entry-ref.ts';
import { compareRecords } from '../records/entry-ref.ts';
import { type Plan, taskDueOn } from '../records/plan.ts';
import { formatDay, MS_PER_MINUTE, weekdayOf } from '../time/civil-day.ts';
import { dayWindow } from './day-window.ts';
import type { Breach, BreachStatus, HistoryEvent, ReviewItem } from './findings.ts';
import type { CentreOutages } from './outages.ts';
import type { ReviewReason, RuleId } from './rule-ids.ts';
import { between, type Indexed, type SubjectLog } from './subject-log.ts';

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

export function evaluateDay(log: SubjectLog, day: number, at: number, outages: CentreOutages): DayResult {
  const governing = log.governing(day);
  if (!governing) return NOTHING;
  const plan = governing.value;
  if (day < plan.start || (plan.end !== null && day > plan.end)) return NOTHING;
  const w = dayWindow(plan, day);
  const weekday = weekdayOf(day);
  const reporting = plan.days.includes(weekday);
  const dueTasks = plan.tasks.filter((t) => taskDueOn(t, plan, weekday));
  const thresholds = [w.onTimeUntil, w.taskDeadline];
  const validFrom = Math.max(-Infinity, ...thresholds.filter((t) => t <= at));
  const validUntil = Math.min(Infinity, ...thresholds.filter((t) => t > at));
  if (!reporting && dueTasks.length === 0) return { ...NOTHING, validFrom, validUntil };

  const subject = log.subject;
  const dayText = formatDay(day);
  const planRef = governing.record.ref;
  const checkins = between(log.checkins, w.open, w.lateUntil);
  const attempts = between(log.attempts, w.open, w.lateUntil);
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
      .map((a) => ({ status: 'excused' as const, at: a.record.ts, ref: a.record.ref, note: `outage: ${a.value.method} device down during the attempt` })),
  ];

  const emit = (rule: RuleId, detailKey: string, firedAt: number, detail: string, evidence: readonly EntryRef[], fair: boolean): void => {
    const breachId = [rule, subject, dayText, detailKey].filter((p) => p !== '').join('/');
    breaches.push({ id: breachId, rule, subject, day: dayText, at: firedAt, detail, evidence: [planRef, ...evidence], ...decide(log, breachId, rule, day, fair ? fairness : []) });
  };
  const review = (reason: ReviewReason, detailKey: string, firedAt: number, detail: string, evidence: readonly EntryRef[]): ReviewItem => {
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
      history: decisions.map((d) => ({ status: d.value.decision, at: d.record.ts, ref: d.record.ref, note: `${d.value.staff}: ${d.value.reason}` })),
    };
    reviews.push(item);
    return item;
  };

  if (reporting) {
    const atCentre = checkins.filter((c) => plan.centres.includes(c.value.centre));
    const onTime = atCentre.some((c) => c.record.ts < w.onTimeUntil);
    const late = atCentre[0];
    const elsewhere = checkins.find((c) => !plan.centres.includes(c.value.centre));
    if (onTime) {
      // Done for the day.
    } else if (late) {
      const minutes = Math.ceil((late.record.ts - w.onTimeUntil) / MS_PER_MINUTE);
      emit('late-checkin', '', late.record.ts, `checked in ${minutes} min after the window and grace ended`, [late.record.ref], true);
    } else if (elsewhere) {
      emit('wrong-centre', '', elsewhere.record.ts, `checked in at ${elsewhere.value.centre}; assigned ${plan.centres.join(', ')}`, [elsewhere.record.ref], true);
    } else if (at >= w.onTimeUntil) {
      if (failures.length > 0) {
        // A biometric failure alone is never a breach: staff decide.
        const item = review('verification-failed', '', w.onTimeUntil, `no check-in; ${failures.length} failed verification(s) in the window`, failures.map((f) => f.record.ref));
        const decision = log.reviews.get(item.id)?.at(-1);
        if (decision?.value.decision === 'breach') {
          emit('missed-checkin', '', decision.record.ts, `no check-in; staff review found no excuse (${decision.value.reason})`, [...item.evidence.slice(1), decision.record.ref], true);
        }
      } else {
        emit('missed-checkin', '', w.onTimeUntil, 'no check-in in the window', [], true);
      }
    }
  }

  for (const a of attempts) {
    if (!isFaceMismatchAfterFinger(a.value)) continue;
    const retried = between(log.checkins, a.record.ts, a.record.ts + RETRY_WITHIN_MS + 1).find(
      (c) => c.value.kiosk === a.value.kiosk && c.value.methods.includes('face') && c.record.ts > a.record.ts,
    );
    const key = `${a.record.ref.origin}@${a.record.ref.seq}`;
    if (retried) {
      review('face-mismatch-then-verified', key, a.record.ts, 'face did not match the fingerprint, then verified on a retry', [a.record.ref, retried.record.ref]);
    } else {
      emit('suspected-impersonation', key, a.record.ts, `fingerprint matched, face did not (score ${a.value.score ?? 'n/a'})`, [a.record.ref], false);
    }
  }

  if (failures.length >= REPEATED_FAILURES) {
    const third = failures[REPEATED_FAILURES - 1] as Indexed<CheckinAttempt>;
    review('repeated-failed-verification', '', third.record.ts, `${failures.length} failed verifications in the window`, failures.map((f) => f.record.ref));
  }

  if (dueTasks.length > 0) {
    const completions: { readonly completion: TaskCompletion; readonly ref: EntryRef; readonly ts: number }[] = [
      ...checkins.flatMap((c) => c.value.tasks.map((completion) => ({ completion, ref: c.record.ref, ts: c.record.ts }))),
      ...(log.tasks.get(day) ?? [])
        .filter((t) => t.record.ts <= w.taskDeadline)
        .map((t) => ({ completion: t.value.completion, ref: t.record.ref, ts: t.record.ts })),
    ];
    for (const task of dueTasks) {
      const done = completions.filter((c) => c.completion.task === task.id);
      let satisfied = done.length > 0;
      if (task.kind === 'service') {
        const minutes = done.reduce((sum, c) => sum + (c.completion.minutes ?? 0), 0);
        satisfied = minutes >= task.minutes;
      } else if (task.kind === 'questionnaire') {
        const flagged = done.filter((c) => Object.entries(c.completion.answers ?? {}).some(([q, answer]) => task.flags[q]?.includes(answer) === true));
        const first = flagged[0];
        if (first) review('questionnaire-flag', task.id, first.ts, `answers to ${task.questionnaire} need a staff review`, flagged.map((f) => f.ref));
      }
      if (!satisfied && at >= w.taskDeadline) {
        emit('task-not-done', task.id, w.taskDeadline, describeTask(plan, task.id), done.map((d) => d.ref), true);
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
function decide(log: SubjectLog, breachId: string, rule: RuleId, day: number, fairness: readonly HistoryEvent[]): { status: BreachStatus; history: HistoryEvent[] } {
  const history: HistoryEvent[] = [...fairness];
  let status: BreachStatus = fairness.length > 0 ? 'excused' : 'open';
  const excuses = log.excuses.filter((e) => e.value.from <= day && day <= e.value.to && (e.value.rules.length === 0 || e.value.rules.includes(rule)));
  const decisions = [...excuses.map((e) => ({ kind: 'excuse' as const, e })), ...(log.contests.get(breachId) ?? []).map((c) => ({ kind: 'contest' as const, e: c }))];
  decisions.sort((a, b) => compareRecords(a.e.record, b.e.record));
  for (const d of decisions) {
    if (d.kind === 'excuse') {
      status = 'excused';
      history.push({ status, at: d.e.record.ts, ref: d.e.record.ref, note: `excused by ${d.e.value.staff}: ${d.e.value.reason}` });
      continue;
    }
    const c = d.e.value;
    const next: BreachStatus = c.action === 'open' ? 'contested' : (c.outcome ?? 'upheld');
    // An excused breach stays excused; the contest is still shown.
    if (status !== 'excused') status = next;
    history.push({ status: next, at: d.e.record.ts, ref: d.e.record.ref, note: `${c.action === 'open' ? 'contested' : `contest ${next}`} (${c.staff}): ${c.reason}` });
  }
  return { status, history };
}
