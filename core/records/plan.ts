// `plan` entries: one person's supervision plan, whole, as of `effectiveFrom`. Every change is a new entry
// carrying the full plan, so the rules in force at any moment are the newest version already in effect.
import type { Payload } from '../entry.ts';
import type { Weekday } from '../time/civil-day.ts';
import { formatClock, formatDay } from '../time/civil-day.ts';
import {
  type Fields,
  asFields,
  bad,
  clock,
  count,
  day,
  id,
  ids,
  list,
  onlyKeys,
  optionalCount,
  time,
  zone,
} from './fields.ts';
import { type Reason, reasonOf } from './reason.ts';

export type TaskSpec =
  | {
      readonly id: string;
      readonly kind: 'study';
      readonly module: string;
      readonly days: readonly Weekday[] | 'reporting';
    }
  | {
      readonly id: string;
      readonly kind: 'service';
      readonly minutes: number;
      readonly days: readonly Weekday[] | 'reporting';
    }
  | {
      readonly id: string;
      readonly kind: 'questionnaire';
      readonly questionnaire: string;
      /** Answer codes that put the person on the staff review queue, by question id. */
      readonly flags: Readonly<Record<string, readonly string[]>>;
      readonly days: readonly Weekday[] | 'reporting';
    };

/** Why staff set it: a reason code and at most a note's commitment (core/records/reason.ts). */
export interface Plan extends Reason {
  readonly subject: string;
  /** When this version takes over (ms). It governs a day only if in effect when that day's window opens. */
  readonly effectiveFrom: number;
  /** First and last supervised local days (inclusive); last is null while open-ended. */
  readonly start: number;
  readonly end: number | null;
  /** The centres' IANA time zone: windows and days are local to it. */
  readonly zone: string;
  readonly centres: readonly string[];
  /** Reporting weekdays (0 = Sunday). */
  readonly days: readonly Weekday[];
  /** Window in minutes after local midnight; close <= open means it ends the next day. */
  readonly open: number;
  readonly close: number;
  /** A check-in up to close + grace is on time. */
  readonly graceMinutes: number;
  /** A check-in after the grace but within this many minutes more is late rather than missed. */
  readonly lateMinutes: number;
  readonly tasks: readonly TaskSpec[];
  readonly staff: string;
}

export const ALL_DAYS: readonly Weekday[] = [0, 1, 2, 3, 4, 5, 6];
/** Window, grace and lateness together stay under 20 hours, so a day's late check-in never reaches the next window (even on a 23-hour DST day). */
const MAX_SPAN_MINUTES = 20 * 60;

export function windowMinutes(plan: Pick<Plan, 'open' | 'close'>): number {
  return plan.close > plan.open ? plan.close - plan.open : plan.close + 1440 - plan.open;
}

export function parsePlan(payload: unknown): Plan {
  const p = asFields(payload, 'plan');
  onlyKeys(p, 'plan', [
    'subject',
    'effectiveFrom',
    'start',
    'end',
    'zone',
    'centres',
    'days',
    'window',
    'graceMinutes',
    'lateMinutes',
    'tasks',
    'staff',
    'reason',
    'note',
  ]);
  const window = asFields(p.window, 'plan.window');
  onlyKeys(window, 'plan.window', ['open', 'close']);
  const start = day(p, 'start', 'plan');
  const end = p.end === null ? null : day(p, 'end', 'plan');
  if (end !== null && end < start) bad('plan.end', 'is before plan.start');
  const plan: Plan = {
    subject: id(p, 'subject', 'plan'),
    effectiveFrom: time(p, 'effectiveFrom', 'plan'),
    start,
    end,
    zone: zone(p, 'zone', 'plan'),
    centres: ids(p, 'centres', 'plan', 1),
    days: weekdays(p, 'days', 'plan'),
    open: clock(window, 'open', 'plan.window'),
    close: clock(window, 'close', 'plan.window'),
    graceMinutes: optionalCount(p, 'graceMinutes', 'plan', 240, 0),
    lateMinutes: optionalCount(p, 'lateMinutes', 'plan', 720, 0),
    tasks: list(p, 'tasks', 'plan', 16).map((t, i) => parseTask(t, `plan.tasks[${i}]`)),
    staff: id(p, 'staff', 'plan'),
    ...reasonOf(p, 'plan'),
  };
  if (plan.open === plan.close) bad('plan.window', 'open and close are the same time');
  if (windowMinutes(plan) + plan.graceMinutes + plan.lateMinutes > MAX_SPAN_MINUTES) {
    bad('plan.window', `window, grace and lateness together exceed ${MAX_SPAN_MINUTES / 60} hours`);
  }
  const taskIds = new Set(plan.tasks.map((t) => t.id));
  if (taskIds.size !== plan.tasks.length) bad('plan.tasks', 'task ids repeat');
  return plan;
}

function weekdays(fields: Fields, key: string, path: string): Weekday[] {
  const v = fields[key];
  if (v === 'daily') return [...ALL_DAYS];
  if (!Array.isArray(v) || v.length > 7)
    bad(`${path}.${key}`, 'expected "daily" or a list of weekdays 0-6 (0 = Sunday)');
  const out = (v as readonly unknown[]).map((d, i) => {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0 || d > 6)
      bad(`${path}.${key}[${i}]`, 'expected a weekday 0-6');
    return d as Weekday;
  });
  if (new Set(out).size !== out.length) bad(`${path}.${key}`, 'weekdays repeat');
  return out.sort();
}

function parseTask(value: unknown, path: string): TaskSpec {
  const t = asFields(value, path);
  const kind = t.kind;
  const base = {
    id: id(t, 'id', path),
    days: t.days === undefined ? ('reporting' as const) : weekdays(t, 'days', path),
  };
  switch (kind) {
    case 'study':
      onlyKeys(t, path, ['id', 'kind', 'module', 'days']);
      return { ...base, kind, module: id(t, 'module', path) };
    case 'service':
      onlyKeys(t, path, ['id', 'kind', 'minutes', 'days']);
      return { ...base, kind, minutes: count(t, 'minutes', path, 1440) };
    case 'questionnaire': {
      onlyKeys(t, path, ['id', 'kind', 'questionnaire', 'flags', 'days']);
      const flagFields = t.flags === undefined ? {} : asFields(t.flags, `${path}.flags`);
      const flags: Record<string, readonly string[]> = {};
      for (const question of Object.keys(flagFields)) flags[question] = ids(flagFields, question, `${path}.flags`);
      return { ...base, kind, questionnaire: id(t, 'questionnaire', path), flags };
    }
    default:
      return bad(`${path}.kind`, 'expected study, service or questionnaire');
  }
}

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
