// Wall-clock time in an IANA time zone, computed with Intl.DateTimeFormat only (no tz library).
//   zoneOffset(ms)      the zone's offset from UTC at an instant
//   zonedDay(ms)        the local calendar day of an instant
//   zonedInstant(d, m)  the instant of local day d at minute m, with DST gaps and overlaps resolved explicitly:
//                       a time skipped by spring-forward maps to the instant the clocks jumped to (as Temporal's
//                       'compatible'); a time repeated by fall-back maps to its earlier or later occurrence as asked.
import { MusterError } from '../errors.ts';
import { MS_PER_DAY, MS_PER_MINUTE } from './civil-day.ts';

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone: zone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
        era: 'short',
      });
    } catch {
      throw new MusterError('bad-zone', `unknown time zone ${JSON.stringify(zone)}`);
    }
    formatters.set(zone, f);
  }
  return f;
}

export function isTimeZone(zone: string): boolean {
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

const QUARTER_HOUR = 15 * MS_PER_MINUTE;
/** Per zone: the offset for each UTC day without a transition, and for each quarter hour of a day with one. */
const offsets = new Map<
  string,
  { days: Map<number, number>; quarters: Map<number, number>; lastDay: number; lastOffset: number }
>();
const MAX_CACHED = 100_000;

/**
 * Offset of `zone` from UTC at instant `ms`, in milliseconds (positive east of Greenwich). Intl costs ~20 µs a
 * call, so offsets are cached: by UTC day when the offset is the same at both ends of it, else by quarter hour
 * (every transition since 1970 falls on a quarter hour; no zone has two transitions in one day).
 */
export function zoneOffset(ms: number, zone: string): number {
  let cache = offsets.get(zone);
  if (!cache) offsets.set(zone, (cache = { days: new Map(), quarters: new Map(), lastDay: Number.NaN, lastOffset: 0 }));
  const utcDay = Math.floor(ms / MS_PER_DAY);
  // Consecutive calls mostly fall on the same day.
  if (utcDay === cache.lastDay) return cache.lastOffset;
  let daily = cache.days.get(utcDay);
  if (daily === undefined) {
    const start = intlOffset(utcDay * MS_PER_DAY, zone);
    daily = start === intlOffset((utcDay + 1) * MS_PER_DAY - 1000, zone) ? start : Number.NaN;
    if (cache.days.size >= MAX_CACHED) cache.days.clear();
    cache.days.set(utcDay, daily);
  }
  if (!Number.isNaN(daily)) {
    cache.lastDay = utcDay;
    cache.lastOffset = daily;
    return daily;
  }
  const quarter = Math.floor(ms / QUARTER_HOUR);
  let offset = cache.quarters.get(quarter);
  if (offset === undefined) {
    offset = intlOffset(quarter * QUARTER_HOUR, zone);
    if (cache.quarters.size >= MAX_CACHED) cache.quarters.clear();
    cache.quarters.set(quarter, offset);
  }
  return offset;
}

function intlOffset(ms: number, zone: string): number {
  const fields: Record<string, number> = {};
  let bc = false;
  for (const part of formatter(zone).formatToParts(ms)) {
    if (part.type === 'era') bc = part.value === 'BC';
    else if (part.type !== 'literal') fields[part.type] = Number(part.value);
  }
  const year = bc ? 1 - (fields.year ?? 0) : (fields.year ?? 0);
  const asUtc = Date.UTC(
    year,
    (fields.month ?? 1) - 1,
    fields.day ?? 1,
    fields.hour ?? 0,
    fields.minute ?? 0,
    fields.second ?? 0,
  );
  // Offsets are whole seconds in every zone since 1972; drop the instant's milliseconds.
  return asUtc - (ms - (((ms % 1000) + 1000) % 1000));
}

/** The local calendar day (days since 1970-01-01) of instant `ms` in `zone`. */
export function zonedDay(ms: number, zone: string): number {
  return Math.floor((ms + zoneOffset(ms, zone)) / MS_PER_DAY);
}

/** Minutes after local midnight of instant `ms` in `zone`. */
export function zonedMinute(ms: number, zone: string): number {
  const local = ms + zoneOffset(ms, zone);
  return Math.floor((local - Math.floor(local / MS_PER_DAY) * MS_PER_DAY) / MS_PER_MINUTE);
}

export type Disambiguation = 'earlier' | 'later';

/** The instant at which local day `day`, minute `minute` (may exceed 1440) occurs in `zone`. */
export function zonedInstant(day: number, minute: number, zone: string, prefer: Disambiguation = 'earlier'): number {
  const local = day * MS_PER_DAY + minute * MS_PER_MINUTE;
  // At most one transition lies within a day of any instant in real zones: the offsets a day either side
  // are the only candidates.
  const before = zoneOffset(local - MS_PER_DAY, zone);
  const after = zoneOffset(local + MS_PER_DAY, zone);
  const a = local - before;
  const b = local - after;
  const aValid = zoneOffset(a, zone) === before;
  const bValid = zoneOffset(b, zone) === after;
  if (aValid && bValid) return prefer === 'earlier' ? Math.min(a, b) : Math.max(a, b);
  if (aValid) return a;
  if (bValid) return b;
  // A gap (spring forward): the wall-clock time never happens; the old offset lands just past the jump.
  return a;
}
