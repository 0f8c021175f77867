// People and plans as staff change them, from the staff screen or the `muster person` commands: a plan set or
// changed (window, days, grace, tasks with their questionnaire flags) and supervision ended, each the payload of
// a signed `plan` entry naming the staff member. The whole plan is written every time (core/records/plan.ts), so
// what is in force at any moment is the newest version already in effect; parsePlan checks each before it goes.
import type { Payload } from '../../core/entry.ts';
import { MusterError } from '../../core/errors.ts';
import { type Plan, parsePlan, planPayload } from '../../core/records/plan.ts';
import type { Reason } from '../../core/records/reason.ts';
import { formatClock, formatDay, parseDay } from '../../core/time/civil-day.ts';

export interface TaskRequest {
  readonly id: string;
  readonly kind: 'study' | 'service' | 'questionnaire';
  readonly module?: string;
  readonly minutes?: number;
  readonly questionnaire?: string;
  /** Answer codes that put the person on the review queue, by question id. */
  readonly flags?: Readonly<Record<string, readonly string[]>>;
}

export interface PlanRequest {
  readonly subject: string;
  /** First and last supervised local days (YYYY-MM-DD); last null while open-ended. */
  readonly start: string;
  readonly end: string | null;
  /** Reporting weekdays, 0 = Sunday. */
  readonly days: readonly number[];
  /** The window, local "HH:MM". */
  readonly open: string;
  readonly close: string;
  readonly graceMinutes: number;
  readonly lateMinutes: number;
  readonly tasks: readonly TaskRequest[];
  readonly reason: string;
}

export interface PlanContext {
  readonly centre: string;
  /** The centre's zone: the window and days are local to it. */
  readonly zone: string;
  readonly staff: string;
  /** When the new version takes over (ms): now, for a change made now. */
  readonly effectiveFrom: number;
}

function taskPayload(t: TaskRequest): Payload {
  switch (t.kind) {
    case 'study':
      return { id: t.id, kind: t.kind, module: t.module ?? '' };
    case 'service':
      return { id: t.id, kind: t.kind, minutes: t.minutes ?? 0 };
    case 'questionnaire':
      return {
        id: t.id,
        kind: t.kind,
        questionnaire: t.questionnaire ?? '',
        flags: Object.fromEntries(Object.entries(t.flags ?? {}).map(([q, answers]) => [q, [...answers]])),
      };
  }
}

/** A plan entry's payload for this centre, checked as the log's readers will check it; its reason a code (words are a note's commitment). */
export function planEntry(request: PlanRequest & Reason, context: PlanContext): Payload {
  const payload: Payload = {
    subject: request.subject,
    effectiveFrom: context.effectiveFrom,
    start: request.start,
    end: request.end,
    zone: context.zone,
    centres: [context.centre],
    days: request.days.length === 7 ? 'daily' : [...request.days],
    window: { open: request.open, close: request.close },
    graceMinutes: request.graceMinutes,
    lateMinutes: request.lateMinutes,
    tasks: request.tasks.map(taskPayload),
    staff: context.staff,
    reason: request.reason,
    ...(request.note === undefined ? {} : { note: request.note }),
  };
  parsePlan(payload);
  return payload;
}

/** Supervision ends after `last` (a local day): the current plan again, with that end. */
export function endEntry(
  current: Plan | undefined,
  subject: string,
  last: string,
  reason: Reason,
  staff: string,
  effectiveFrom: number,
): Payload {
  if (!current) throw new MusterError('not-found', `${subject} has no plan to end`);
  const lastDay = parseDay(last);
  if (lastDay === undefined) throw new MusterError('bad-input', `last day ${JSON.stringify(last)} is not YYYY-MM-DD`);
  // The plan's earlier note is that decision's, not this one's.
  const { note: _earlier, ...plan } = current;
  const payload = planPayload({ ...plan, end: lastDay, effectiveFrom, staff, ...reason });
  parsePlan(payload);
  return payload;
}

/** A plan as the screen's form shows it. */
export function planRequestOf(
  plan: Plan,
): PlanRequest & { readonly zone: string; readonly centres: readonly string[] } {
  return {
    subject: plan.subject,
    start: formatDay(plan.start),
    end: plan.end === null ? null : formatDay(plan.end),
    days: [...plan.days],
    open: formatClock(plan.open),
    close: formatClock(plan.close),
    graceMinutes: plan.graceMinutes,
    lateMinutes: plan.lateMinutes,
    tasks: plan.tasks.map((t) =>
      t.kind === 'study'
        ? { id: t.id, kind: t.kind, module: t.module }
        : t.kind === 'service'
          ? { id: t.id, kind: t.kind, minutes: t.minutes }
          : { id: t.id, kind: t.kind, questionnaire: t.questionnaire, flags: t.flags },
    ),
    reason: plan.reason,
    zone: plan.zone,
    centres: plan.centres,
  };
}
