import { describe, expect, it } from 'vitest';
import { formatClock, formatDay, parseClock, parseDay, weekdayOf } from '../../core/time/civil-day.ts';
import { isTimeZone, zonedDay, zonedInstant, zonedMinute, zoneOffset } from '../../core/time/zoned-time.ts';

const H = 3_600_000;
const utc = (iso: string): number => Date.parse(iso);
const day = (text: string): number => parseDay(text) as number;

describe('civil days and clock times', () => {
  it.each([
    ['1970-01-01', 0, 4],
    ['2026-03-08', 20520, 0],
    ['2024-02-29', 19782, 4],
  ])('%s is day %i, weekday %i', (text, n, weekday) => {
    expect(parseDay(text)).toBe(n);
    expect(formatDay(n)).toBe(text);
    expect(weekdayOf(n)).toBe(weekday);
  });

  it.each(['2025-02-29', '2026-13-01', '2026-1-01', '26-01-01', '2026-01-32', ''])('rejects %j', (text) => {
    expect(parseDay(text)).toBeUndefined();
  });

  it('parses and formats clock times', () => {
    expect(parseClock('00:00')).toBe(0);
    expect(parseClock('23:59')).toBe(1439);
    expect(formatClock(22 * 60 + 5)).toBe('22:05');
    for (const bad of ['24:00', '7:00', '07:60', '07-00', '']) expect(parseClock(bad)).toBeUndefined();
  });

  it('weekdays of negative days stay in 0-6', () => {
    expect(weekdayOf(-1)).toBe(3);
  });
});

describe('zoned time (Intl only)', () => {
  it('knows real zones and refuses made-up ones', () => {
    expect(isTimeZone('America/New_York')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
  });

  it.each([
    ['UTC', '2026-06-01T12:00:00Z', 0],
    ['America/New_York', '2026-01-15T12:00:00Z', -5 * H],
    ['America/New_York', '2026-07-15T12:00:00Z', -4 * H],
    ['Asia/Kolkata', '2026-07-15T12:00:00Z', 5.5 * H],
    ['Australia/Lord_Howe', '2026-01-15T12:00:00Z', 11 * H],
    ['Australia/Lord_Howe', '2026-07-15T12:00:00Z', 10.5 * H],
    ['Pacific/Kiritimati', '2026-07-15T12:00:00.123Z', 14 * H],
  ])('offset of %s at %s', (zone, iso, offset) => {
    expect(zoneOffset(utc(iso), zone)).toBe(offset);
  });

  it('gives the local day and minute of an instant', () => {
    // 03:30 UTC is still the previous evening in New York.
    expect(formatDay(zonedDay(utc('2026-03-02T03:30:00Z'), 'America/New_York'))).toBe('2026-03-01');
    expect(zonedMinute(utc('2026-03-02T03:30:00Z'), 'America/New_York')).toBe(22 * 60 + 30);
    expect(formatDay(zonedDay(utc('2026-03-01T23:30:00Z'), 'Asia/Tokyo'))).toBe('2026-03-02');
  });

  it.each([
    // [zone, local day, minute, prefer, expected UTC]
    ['ordinary day', 'America/New_York', '2026-01-10', 9 * 60, 'earlier', '2026-01-10T14:00:00Z'],
    ['summer day', 'America/New_York', '2026-07-10', 9 * 60, 'earlier', '2026-07-10T13:00:00Z'],
    [
      'spring-forward gap maps past the jump',
      'America/New_York',
      '2026-03-08',
      2 * 60 + 30,
      'earlier',
      '2026-03-08T07:30:00Z',
    ],
    ['spring-forward gap, later too', 'America/New_York', '2026-03-08', 2 * 60 + 30, 'later', '2026-03-08T07:30:00Z'],
    ['just after the jump', 'America/New_York', '2026-03-08', 3 * 60, 'earlier', '2026-03-08T07:00:00Z'],
    ['fall-back repeated hour, earlier', 'America/New_York', '2026-11-01', 60 + 30, 'earlier', '2026-11-01T05:30:00Z'],
    ['fall-back repeated hour, later', 'America/New_York', '2026-11-01', 60 + 30, 'later', '2026-11-01T06:30:00Z'],
    ['midnight of the next day via minute 1440', 'Europe/Paris', '2026-03-28', 1440, 'earlier', '2026-03-28T23:00:00Z'],
    ['Paris spring forward gap', 'Europe/Paris', '2026-03-29', 2 * 60 + 15, 'earlier', '2026-03-29T01:15:00Z'],
    ['half-hour zone', 'Asia/Kolkata', '2026-05-01', 0, 'earlier', '2026-04-30T18:30:00Z'],
  ] as const)('%s', (_name, zone, localDay, minute, prefer, iso) => {
    expect(new Date(zonedInstant(day(localDay), minute, zone, prefer)).toISOString()).toBe(
      new Date(utc(iso)).toISOString(),
    );
  });

  it('round-trips every quarter hour of a DST year in New York', () => {
    for (let t = utc('2026-01-01T00:00:00Z'); t < utc('2027-01-01T00:00:00Z'); t += 15 * 60_000 * 97) {
      const d = zonedDay(t, 'America/New_York');
      const m = zonedMinute(t, 'America/New_York');
      const back = zonedInstant(d, m, 'America/New_York', 'earlier');
      const backLater = zonedInstant(d, m, 'America/New_York', 'later');
      expect([back, backLater]).toContain(t - (t % 60_000));
    }
  });

  it('days are 23 and 25 hours long on DST changes', () => {
    const length = (text: string): number =>
      zonedInstant(day(text) + 1, 0, 'America/New_York') - zonedInstant(day(text), 0, 'America/New_York');
    expect(length('2026-03-08')).toBe(23 * H);
    expect(length('2026-11-01')).toBe(25 * H);
    expect(length('2026-06-01')).toBe(24 * H);
  });
});
