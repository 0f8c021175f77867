// Calendar days and clock times without a time zone. A day is an integer: days since 1970-01-01, so day
// arithmetic is integer arithmetic and every node agrees on it. Pure: Date.UTC only, no local time zone.

export const MS_PER_MINUTE = 60_000;
export const MS_PER_DAY = 86_400_000;

/** 0 = Sunday ... 6 = Saturday, as Date.getUTCDay. */
export type Weekday = 0 | 1 | 2 | 3 | 4 | 5 | 6;

const DAY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const CLOCK_PATTERN = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Parses YYYY-MM-DD; undefined if it is not a real calendar date. */
export function parseDay(text: string): number | undefined {
  const m = DAY_PATTERN.exec(text);
  if (!m) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(year, month - 1, day);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== year || back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day) return undefined;
  return ms / MS_PER_DAY;
}

const formatted = new Map<number, string>();

export function formatDay(day: number): string {
  let text = formatted.get(day);
  if (text === undefined) {
    text = new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
    if (formatted.size < 100_000) formatted.set(day, text);
  }
  return text;
}

export function weekdayOf(day: number): Weekday {
  // 1970-01-01 was a Thursday.
  return ((((day + 4) % 7) + 7) % 7) as Weekday;
}

/** Parses HH:MM (00:00-23:59) to minutes after midnight; undefined if malformed. */
export function parseClock(text: string): number | undefined {
  const m = CLOCK_PATTERN.exec(text);
  return m ? Number(m[1]) * 60 + Number(m[2]) : undefined;
}

export function formatClock(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}
