// `plan` entries: one person's supervision plan, whole, as of `effectiveFrom`. Every change is a new entry
// carrying the full plan, so the rules in force at any moment are the newest version already in effect.
import { Type } from '@sinclair/typebox';
import type { Payload } from '../entry.ts';
import type { Weekday } from '../time/civil-day.ts';
import { formatClock, formatDay } from '../time/civil-day.ts';
import { REASON_FIELDS } from './reason.ts';
import {
  CLOCK,
  DAY,
  ID,
  type Parsed,
  type RecordRule,
  TIME,
  ZONE,
  count,
  ids,
  list,
  map,
  recordParser,
  variants,
} from './record-schema.ts';

export const ALL_DAYS: readonly Weekday[] = [0, 1, 2, 3, 4, 5, 6];

const WEEKDAY = Type.Unsafe<Weekday>(
  Type.Union(
    ALL_DAYS.map((d) => Type.Literal(d)),
    { errorMessage: 'expected a weekday 0-6' },
  ),
);

/** "daily" or a list of weekdays (0 = Sunday), each once; read as the sorted list. */
const WEEKDAYS = Type.Transform(
  Type.Union(
    [
      Type.Literal('daily'),
      Type.Array(WEEKDAY, {
        maxItems: 7,
        uniqueItems: true,
        errorMessage: 'expected at most 7 weekdays 0-6, each once',
      }),
    ],
    {
      errorMessage: 'expected "daily" or a list of weekdays 0-6 (0 = Sunday)',
    },
  ),
)
  .Decode((days): Weekday[] => (days === 'daily' ? [...ALL_DAYS] : [...days].sort()))
  .Encode((days) => (days.length === 7 ? ('daily' as const) : days));

/** A task's own days, or (left out) the plan's reporting days. */
const TASK_DAYS = Type.Optional(WEEKDAYS);

const STUDY = Type.Transform(map({ id: ID, kind: Type.Literal('study'), module: ID, days: TASK_DAYS }))
  .Decode(({ days, ...task }) => ({ ...task, days: days ?? ('reporting' as const) }))
  .Encode(({ days, ...task }) => ({ ...task, ...(days === 'reporting' ? {} : { days }) }));

const SERVICE = Type.Transform(map({ id: ID, kind: Type.Literal('service'), minutes: count(1440), days: TASK_DAYS }))
  .Decode(({ days, ...task }) => ({ ...task, days: days ?? ('reporting' as const) }))
  .Encode(({ days, ...task }) => ({ ...task, ...(days === 'reporting' ? {} : { days }) }));

const QUESTIONNAIRE = Type.Transform(
  map({
    id: ID,
    kind: Type.Literal('questionnaire'),
    questionnaire: ID,
    /** Answer codes that put the person on the staff review queue, by question id. */
    flags: Type.Optional(
      Type.Record(Type.String(), ids(0), { errorMessage: 'expected a map of question ids to lists of answer codes' }),
    ),
    days: TASK_DAYS,
  }),
)
  .Decode(({ days, flags = {}, ...task }) => ({ ...task, flags, days: days ?? ('reporting' as const) }))
  .Encode(({ days, ...task }) => ({ ...task, ...(days === 'reporting' ? {} : { days }) }));

const TASK_SPEC = variants('kind', [STUDY, SERVICE, QUESTIONNAIRE], 'expected study, service or questionnaire');

export type TaskSpec = Parsed<typeof TASK_SPEC>;

const PLAN = Type.Transform(
  map({
    subject: ID,
    /** When this version takes over (ms). It governs a day only if in effect when that day's window opens. */
    effectiveFrom: TIME,
    /** First and last supervised local days (inclusive); last is null while open-ended. */
    start: DAY,
    end: Type.Union([Type.Null(), DAY], { errorMessage: 'expected a calendar day YYYY-MM-DD or null' }),
    /** The centres' IANA time zone: windows and days are local to it. */
    zone: ZONE,
    centres: ids(1),
    /** Reporting weekdays. */
    days: WEEKDAYS,
    /** Window after local midnight; close <= open means it ends the next day. */
    window: map({ open: CLOCK, close: CLOCK }),
    /** A check-in up to close + grace is on time. */
    graceMinutes: Type.Optional(count(240)),
    /** A check-in after the grace but within this many minutes more is late rather than missed. */
    lateMinutes: Type.Optional(count(720)),
    tasks: list(TASK_SPEC, 16),
    staff: ID,
    /** Why staff set it: a reason code and at most a note's commitment (core/records/reason.ts). */
    ...REASON_FIELDS,
  }),
)
  .Decode(({ window, graceMinutes = 0, lateMinutes = 0, ...plan }) => ({
    ...plan,
    /** The window in minutes after local midnight. */
    open: window.open,
    close: window.close,
    graceMinutes,
    lateMinutes,
  }))
  .Encode(({ open, close, ...plan }) => ({ ...plan, window: { open, close } }));

export type Plan = Parsed<typeof PLAN>;

/** Window, grace and lateness together stay under 20 hours, so a day's late check-in never reaches the next window (even on a 23-hour DST day). */
const MAX_SPAN_MINUTES = 20 * 60;

export function windowMinutes(plan: Pick<Plan, 'open' | 'close'>): number {
  return plan.close > plan.open ? plan.close - plan.open : plan.close + 1440 - plan.open;
}

const rule: RecordRule<Plan> = (plan) => {
  if (plan.end !== null && plan.end < plan.start) return { field: 'end', message: 'is before plan.start' };
  if (plan.open === plan.close) return { field: 'window', message: 'open and close are the same time' };
  if (windowMinutes(plan) + plan.graceMinutes + plan.lateMinutes > MAX_SPAN_MINUTES)
    return { field: 'window', message: `window, grace and lateness together exceed ${MAX_SPAN_MINUTES / 60} hours` };
  if (new Set(plan.tasks.map((t) => t.id)).size !== plan.tasks.length)
    return { field: 'tasks', message: 'task ids repeat' };
  return undefined;
};

export const parsePlan: (payload: unknown) => Plan = recordParser(PLAN, 'plan', rule);

/** The payload for a plan: the inverse of parsePlan. */
export function planPayload(plan: Plan): Payload {
  return {
    subject: plan.subject,
    effectiveFrom: plan.effectiveFrom,
    start: formatDay(plan.start),
    end: plan.end === null ? null : formatDay(plan.end),
    zone: plan.zone,
    centres: [...plan.centres],
    days: plan.days.length === 7 ? 'daily' : [...plan.days],
    window: { open: formatClock(plan.open), close: formatClock(plan.close) },
    graceMinutes: plan.graceMinutes,
    lateMinutes: plan.lateMinutes,
    tasks: plan.tasks.map(taskPayload),
    staff: plan.staff,
    reason: plan.reason,
    ...(plan.note === undefined ? {} : { note: plan.note }),
  };
}

function taskPayload(task: TaskSpec): Payload {
  const days = task.days === 'reporting' ? {} : { days: [...task.days] };
  switch (task.kind) {
    case 'study':
      return { id: task.id, kind: task.kind, module: task.module, ...days };
    case 'service':
      return { id: task.id, kind: task.kind, minutes: task.minutes, ...days };
    case 'questionnaire':
      return {
        id: task.id,
        kind: task.kind,
        questionnaire: task.questionnaire,
        flags: Object.fromEntries(Object.entries(task.flags).map(([q, a]) => [q, [...a]])),
        ...days,
      };
  }
}

/** Whether a task is due on a weekday under its plan. */
/** Whether `day` lies within the plan's supervision (from start to end, inclusive; no end: open). */
export function supervisedOn(plan: Pick<Plan, 'start' | 'end'>, day: number): boolean {
  return day >= plan.start && (plan.end === null || day <= plan.end);
}

export function taskDueOn(task: TaskSpec, plan: Plan, weekday: Weekday): boolean {
  return (task.days === 'reporting' ? plan.days : task.days).includes(weekday);
}
