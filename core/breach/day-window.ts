// One reporting day's instants under a plan, in the plan's zone. Cached: a city's people share a few zones and
// windows, and Intl calls are the engine's costliest step.
import type { Plan } from '../records/plan.ts';
import { MS_PER_MINUTE } from '../time/civil-day.ts';
import { zonedInstant } from '../time/zoned-time.ts';

export interface DayWindow {
  readonly open: number;
  readonly close: number;
  /** Check-ins before this are on time (close + grace). */
  readonly onTimeUntil: number;
  /** Check-ins before this are late, after it they do not count for the day. */
  readonly lateUntil: number;
  /** Tasks must be recorded by then: the end of the local day, or the end of lateness if that is later. */
  readonly taskDeadline: number;
}

/** Windows by their shape (zone, times, grace, lateness), then by day: a city has few shapes. */
const shapes = new Map<string, Map<number, DayWindow>>();
const shapeOf = new WeakMap<Plan, Map<number, DayWindow>>();
const MAX_DAYS_PER_SHAPE = 20_000;

export function dayWindow(plan: Plan, day: number): DayWindow {
  let cache = shapeOf.get(plan);
  if (!cache) {
    const key = `${plan.zone}|${plan.open}|${plan.close}|${plan.graceMinutes}|${plan.lateMinutes}`;
    cache = shapes.get(key);
    if (!cache) shapes.set(key, (cache = new Map<number, DayWindow>()));
    shapeOf.set(plan, cache);
  }
  let w = cache.get(day);
  if (!w) {
    // The open takes the earlier of a repeated (fall-back) time and the close the later: the longer window.
    const open = zonedInstant(day, plan.open, plan.zone, 'earlier');
    const close = zonedInstant(plan.close > plan.open ? day : day + 1, plan.close, plan.zone, 'later');
    const onTimeUntil = close + plan.graceMinutes * MS_PER_MINUTE;
    const lateUntil = onTimeUntil + plan.lateMinutes * MS_PER_MINUTE;
    const endOfDay = zonedInstant(day + 1, 0, plan.zone, 'later');
    w = { open, close, onTimeUntil, lateUntil, taskDeadline: Math.max(endOfDay, lateUntil) };
    if (cache.size >= MAX_DAYS_PER_SHAPE) cache.clear();
    cache.set(day, w);
  }
  return w;
}

/** When a plan version's window opens on a day: the moment a version must already be in effect to govern it. */
export function windowOpens(plan: Plan, day: number): number {
  return dayWindow(plan, day).open;
}
