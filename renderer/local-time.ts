// Times on the staff screen and the HQ dashboard: always in the zone of the centre (or person) they belong to,
// never the browser's, and labelled with that zone's UTC offset so nobody has to guess which clock it is.
import { offsetText } from '../core/time/local-stamp.ts';
import { zoneOffset } from '../core/time/zoned-time.ts';
import { locale } from './catalogue.ts';

/** "08:30" on the zone's wall clock. */
export function clockTime(ms: number | null, zone: string): string {
  if (ms === null) return '';
  return new Intl.DateTimeFormat(locale(), {
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZone: zone,
  }).format(ms);
}

/** Date and time on the zone's wall clock with its offset: "1 Jun 2026, 08:30 UTC+08:00". */
export function stamp(ms: number, zone: string): string {
  const local = new Intl.DateTimeFormat(locale(), {
    dateStyle: 'medium',
    timeStyle: 'short',
    hourCycle: 'h23',
    timeZone: zone,
  }).format(ms);
  return `${local} ${utcOffset(ms, zone)}`;
}

/** "UTC+08:00" at that instant. */
export function utcOffset(ms: number, zone: string): string {
  return `UTC${offsetText(zoneOffset(ms, zone))}`;
}

/**
 * The label every table of times carries, in the page's language: "China Standard Time (UTC+08:00)",
 * "中国标准时间（UTC+08:00）". The zone's own name (Asia/Shanghai) is in the tables' data attributes and exports.
 */
export function zoneLabel(zone: string, at: number): string {
  const name =
    new Intl.DateTimeFormat(locale(), { timeZone: zone, timeZoneName: 'long' })
      .formatToParts(at)
      .find((p) => p.type === 'timeZoneName')?.value ?? zone;
  return locale() === 'zh-CN' ? `${name}（${utcOffset(at, zone)}）` : `${name} (${utcOffset(at, zone)})`;
}
