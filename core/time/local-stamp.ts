// An instant written as local time in a zone with its offset (ISO 8601: 2026-06-01T08:30:00+08:00), so an
// export read anywhere says both the centre's wall clock and the exact instant.
import { MS_PER_MINUTE } from './civil-day.ts';
import { zoneOffset } from './zoned-time.ts';

export function localStamp(ms: number, zone: string): string {
  const offset = zoneOffset(ms, zone);
  const local = new Date(ms + offset).toISOString().slice(0, 19);
  return `${local}${offsetText(offset)}`;
}

/** "+08:00", "-03:30", "+00:00". */
export function offsetText(offsetMs: number): string {
  const minutes = Math.round(Math.abs(offsetMs) / MS_PER_MINUTE);
  return `${offsetMs < 0 ? '-' : '+'}${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}
