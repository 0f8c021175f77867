// HQ's dashboard backend over a synthetic city as real signed logs in HQ's SQLite store: its overview, charts and
// calendar (engine-backed rosters, settled days kept between calls by HqDays) agree with the roster computed
// from scratch from every record, and a late staff decision about a settled day changes the kept figures.
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CalendarView, CentreView, ChartsView } from '../../core/api/hq-api.ts';
import { computeBreaches } from '../../core/breach/engine.ts';
import { breachStands } from '../../core/breach/findings.ts';
import type { LogRecord } from '../../core/records/entry-ref.ts';
import { formatDay, parseDay } from '../../core/time/civil-day.ts';
import { zonedInstant } from '../../core/time/zoned-time.ts';
import { dayCount, dayRoster } from '../../main/web/attendance.ts';
import { HqBackend } from '../../main/web/hq-backend.ts';
import type { HqEvents } from '../../net/hq/hq-service.ts';
import { SqliteHqStore } from '../../net/hq/sqlite-hq-store.ts';
import { tempDir } from '../checkin/support/kiosk-log.ts';
import { LogBuilder } from '../checkin/support/log-builder.ts';
import { syntheticCity } from '../checkin/support/synthetic-city.ts';
import { appendSigned, signLogs } from '../helpers/signed-logs.ts';

const officer = { principal: { user: 'olga', role: 'officer' as const, centres: [] }, kioskScreen: false };
const START = parseDay('2026-03-01') as number;
const DAYS = 20;
const CENTRE = 'America/New_York/c0';
const ZONE = 'America/New_York';

type Call = (params: unknown, caller: unknown) => Promise<unknown>;

function cityAtHq(): {
  records: LogRecord[];
  now: number;
  call: (method: string, params: unknown) => Promise<unknown>;
  append: (origin: string, record: LogRecord) => Promise<void>;
} {
  const city = syntheticCity({
    people: 120,
    startDay: START,
    days: DAYS,
    seed: 11,
    outagePerMille: 40,
    compliance: 0.7,
  });
  const now = city.end;
  const logs = signLogs(city.records);
  const store = SqliteHqStore.open(join(tempDir(), 'hq.db'));
  for (const log of logs) {
    store.ledger.addLog(log.origin, log.signer.verifier.publicKey, false);
    store.ledger.appendVerified(log.origin, 0, log.rows);
  }
  const events = new EventEmitter<HqEvents>();
  const hq = new HqBackend({ hq: { store, events, fleetView: () => [] }, clock: () => now });
  const records = [...city.records];
  return {
    records,
    now,
    call: (method, params) => (hq.handlers[method as keyof typeof hq.handlers] as Call)(params, officer),
    append: async (origin, record) => {
      const log = logs.find((l) => l.origin === origin);
      if (!log) throw new Error(`no log ${origin}`);
      records.push(record);
      // As HQ's service does: the entry is stored, then announced; the dashboard says so once it is judged.
      const judged = new Promise<void>((resolve) => {
        const off = hq.subscribe((message) => {
          if (message.event !== 'hq.changed' || !('what' in message.data) || message.data.what !== 'entries') return;
          off();
          resolve();
        });
      });
      await store.ingest(origin, [appendSigned(log, record.type, record.payload, record.ts)], 'test');
      events.emit('entries', { origin, size: log.rows.length, inserted: 1 });
      await judged;
    },
  };
}

/** A day's roster from scratch (every record, a fresh engine), judged at its last minute as the charts judge it. */
function fromScratch(records: readonly LogRecord[], now: number, day: number): ReturnType<typeof dayRoster> {
  return dayRoster(records, computeBreaches(records, now), CENTRE, zonedInstant(day, 23 * 60 + 59, ZONE), ZONE);
}

describe('HQ dashboard figures over a city', () => {
  it('charts, calendar and overview count as the roster from scratch; a late excuse of a settled day changes the kept day', async () => {
    const { records, now, call, append } = cityAtHq();
    const range = { from: formatDay(START), to: formatDay(START + DAYS - 1), centre: CENTRE };
    const charts = (await call('hq.charts', range)) as ChartsView;
    const report = computeBreaches(records, now);
    for (let day = START; day < START + DAYS; day++) {
      const roster = dayRoster(records, report, CENTRE, zonedInstant(day, 23 * 60 + 59, ZONE), ZONE);
      const count = dayCount(roster.rows);
      const shown = charts.compliance.find((c) => c.day === formatDay(day));
      expect(shown, formatDay(day)).toEqual({
        centre: CENTRE,
        zone: ZONE,
        day: formatDay(day),
        due: count.due,
        open: count.open,
        breached: count.breached,
        compliance: count.compliance,
      });
      const byRule = new Map<string, number>();
      for (const b of roster.rows.flatMap((r) => r.breaches).filter((b) => breachStands(b.status)))
        byRule.set(b.rule, (byRule.get(b.rule) ?? 0) + 1);
      expect(new Map(charts.breaches.filter((b) => b.day === formatDay(day)).map((b) => [b.rule, b.count]))).toEqual(
        byRule,
      );
    }
    expect(charts.compliance.some((c) => c.breached > 0)).toBe(true);

    // One person's calendar: each day's state is their roster row's.
    const subject = report.breaches.find(
      (b) =>
        b.rule === 'missed-checkin' &&
        b.status === 'open' &&
        fromScratch(records, now, parseDay(b.day) as number).rows.some((r) => r.subject === b.subject),
    )?.subject as string;
    const calendar = (await call('hq.calendar', { subject, from: range.from, to: range.to })) as CalendarView;
    for (const d of calendar.days) {
      const row = fromScratch(records, now, parseDay(d.day) as number).rows.find((r) => r.subject === subject);
      expect(d.state, d.day).toBe(row?.state ?? 'not-due');
    }

    // A settled day (kept) is excused after the fact: that day's figures change, the others stay.
    const missed = report.breaches.find(
      (b) =>
        b.subject === subject &&
        b.rule === 'missed-checkin' &&
        b.status === 'open' &&
        parseDay(b.day) !== undefined &&
        (parseDay(b.day) as number) < START + DAYS - 3,
    );
    if (!missed) throw new Error('the city has no open missed check-in to excuse');
    const before = charts.compliance.find((c) => c.day === missed.day);
    const staffLog = [...new Set(records.map((r) => r.ref.origin))].find((o) => o === `${CENTRE}/staff`) ?? 'hq';
    const excuse = new LogBuilder().add(staffLog, now - 60_000, 'excuse', {
      subject,
      from: missed.day,
      to: missed.day,
      reason: '病假',
      staff: 'staff-1',
    });
    await append(staffLog, excuse);
    const after = (await call('hq.charts', range)) as ChartsView;
    const changed = after.compliance.find((c) => c.day === missed.day);
    const scratch = dayCount(fromScratch(records, now, parseDay(missed.day) as number).rows);
    expect(changed?.breached).toBe(scratch.breached);
    expect(changed?.breached).toBeLessThan(before?.breached ?? 0);
    expect(changed?.compliance ?? 0).toBeGreaterThan(before?.compliance ?? 1);
    expect(after.compliance.filter((c) => c.day !== missed.day)).toEqual(
      charts.compliance.filter((c) => c.day !== missed.day),
    );

    // The overview's centre table counts today the same way.
    const overview = (await call('hq.overview', {})) as { centres: CentreView[] };
    const today = dayCount(dayRoster(records, computeBreaches(records, now), CENTRE, now, ZONE).rows);
    expect(overview.centres.find((c) => c.centre === CENTRE)).toMatchObject({
      expected: today.due,
      checkedIn: today.checkedIn,
      compliance: today.compliance,
      open: today.open,
    });
  });
});
