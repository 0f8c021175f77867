// The HQ dashboard's queries on a store holding a year of a 5,000-person city (signed logs of six centres, their
// kiosks, staff logs and HQ), on SQLite and on PostgreSQL: the overview, one centre's month (charts and breach
// feed), one person's year (calendar and timeline) and the city's charts over a month and over the year.
// Goal: p95 < 200 ms each. Before each round a kiosk's new check-in reaches the store and HQ announces it; the
// dashboard verifies, sweeps and judges it in the background (its own figure) and the round's queries answer from
// what was judged. Baseline, in the same run: the overview computed the way it was before the engine-backed
// roster and HqDays (a report from scratch, then every record scanned per centre).
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { computeBreaches } from '../core/breach/engine.ts';
import type { CborValue } from '../core/canonical.ts';
import type { Payload } from '../core/entry.ts';
import type { LogRecord } from '../core/records/entry-ref.ts';
import { formatDay, parseDay } from '../core/time/civil-day.ts';
import { zonedInstant } from '../core/time/zoned-time.ts';
import { HqBackend } from '../main/web/hq-backend.ts';
import { dayRoster } from '../main/web/attendance.ts';
import type { HqEvents } from '../net/hq/hq-service.ts';
import type { HqStore } from '../net/hq/hq-store.ts';
import { PostgresHqStore } from '../net/hq/postgres-hq-store.ts';
import { SqliteHqStore } from '../net/hq/sqlite-hq-store.ts';
import { checkinPayload } from '../test/checkin/support/log-builder.ts';
import { syntheticCity } from '../test/checkin/support/synthetic-city.ts';
import { startPostgres } from '../test/helpers/postgres.ts';
import { type SignedLog, appendSigned, signLogs } from '../test/helpers/signed-logs.ts';
import { type BenchReport, percentile } from './report.ts';
import type { Suite } from './suites.ts';

const PEOPLE = Number(process.env.MUSTER_BENCH_CITY_PEOPLE ?? 5000);
const START = '2025-01-01';
const DAYS = 365;
const ROUNDS = 40;
const officer = { principal: { user: 'olga', role: 'officer' as const, centres: [] }, kioskScreen: false };

type Call = (params: unknown, caller: unknown) => Promise<unknown>;

export const hqDashboardSuite: Suite = {
  name: 'hq-dashboard',
  async run(report) {
    const startDay = parseDay(START) as number;
    const lastDay = startDay + DAYS - 1;
    // The city's zones are New York, London and Kolkata; its centres are named like a city's (ny-c0, ...).
    const records = syntheticCity({
      people: PEOPLE,
      startDay,
      days: DAYS,
      seed: 7,
      outagePerMille: 5,
      compliance: 0.95,
    }).records.map(renamed);
    const now = zonedInstant(lastDay, 15 * 60, 'UTC');
    const logs = signLogs(records.filter((r) => r.ts <= now));
    report.add(
      'hq-dashboard: city entries (signed)',
      logs.reduce((n, l) => n + l.rows.length, 0),
      'entries',
    );

    const baseline = previousOverview(
      records.filter((r) => r.ts <= now),
      now,
    );
    report.add('hq-dashboard: overview, previous way (every record per centre) (baseline)', baseline, 'ms');

    const dir = mkdtempSync(join(tmpdir(), 'muster-bench-hq-dashboard-'));
    const postgres = await startPostgres();
    try {
      const sqlite = SqliteHqStore.open(join(dir, 'hq.db'));
      for (const log of logs) {
        sqlite.ledger.addLog(log.origin, log.signer.verifier.publicKey, false);
        for (let at = 0; at < log.rows.length; at += 4000)
          sqlite.ledger.appendVerified(log.origin, at, log.rows.slice(at, at + 4000));
      }
      await measure(report, 'sqlite', sqlite, logs, now, startDay, lastDay);

      const admin = new pg.Client(postgres.url);
      await admin.connect();
      await admin.query('CREATE DATABASE bench_dashboard');
      await admin.end();
      const store = await PostgresHqStore.open(postgres.url.replace(/\/postgres$/, '/bench_dashboard'));
      let start = performance.now();
      for (const log of logs) {
        for (let at = 0; at < log.rows.length; at += 4000) {
          const [result] = await store.ingestMany([
            { origin: log.origin, leaves: log.rows.slice(at, at + 4000).map((r) => r.leaf), source: 'bench' },
          ]);
          if (result?.status !== 'fulfilled')
            throw new Error(`PostgreSQL refused the bench city: ${String(result?.reason)}`);
        }
      }
      process.stderr.write(`hq-dashboard: PostgreSQL loaded in ${((performance.now() - start) / 1000).toFixed(0)} s\n`);
      start = performance.now();
      await measure(report, 'postgres', store, logs, now, startDay, lastDay);
    } finally {
      await postgres.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

async function measure(
  report: BenchReport,
  name: string,
  store: HqStore,
  logs: SignedLog[],
  now: number,
  startDay: number,
  lastDay: number,
): Promise<void> {
  const events = new EventEmitter<HqEvents>();
  const hq = new HqBackend({ hq: { store, events, fleetView: () => [] }, clock: () => now });
  const call = (method: string, params: unknown): Promise<unknown> =>
    (hq.handlers[method as keyof typeof hq.handlers] as Call)(params, officer);
  const base = 'hq-dashboard: overview, previous way (every record per centre) (baseline)';
  let start = performance.now();
  await call('hq.overview', {});
  report.add(
    `hq-dashboard ${name}: first call (read, verify and judge the whole store)`,
    (performance.now() - start) / 1000,
    's',
  );

  const year = { from: formatDay(startDay), to: formatDay(lastDay) };
  const month = { from: formatDay(lastDay - 30), to: formatDay(lastDay) };
  const queries: [string, string, unknown][] = [
    ['overview', 'hq.overview', {}],
    ["one centre's month: charts", 'hq.charts', { ...month, centre: 'ny-c0' }],
    ["one centre's month: breach feed", 'hq.breaches', { ...month, centre: 'ny-c0' }],
    ["one person's year: calendar", 'hq.calendar', { subject: 's-000042', ...year }],
    ["one person's year: timeline", 'hq.timeline', { subject: 's-000042' }],
    ['city charts, last 31 days', 'hq.charts', month],
    ['city charts, the year', 'hq.charts', year],
    ['fleet and replication', 'hq.fleet', {}],
  ];
  // Warm once (the year's settled days are computed on first sight, then kept).
  start = performance.now();
  for (const [, method, params] of queries) await call(method, params);
  report.add(
    `hq-dashboard ${name}: first round of every query (days computed, then kept)`,
    performance.now() - start,
    'ms',
    base,
  );

  const kiosk = logs.find((l) => l.origin === 'ny-c0/k1') as SignedLog;
  const times = new Map(queries.map(([label]) => [label, [] as number[]]));
  const catchUps: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    // A new check-in reaches the store; the dashboard verifies, sweeps and judges it in the background.
    const t = performance.now();
    const judged = new Promise<void>((resolve) => {
      const off = hq.subscribe(() => {
        off();
        resolve();
      });
    });
    await appendCheckin(store, kiosk, now - 60_000 + round);
    events.emit('entries', { origin: kiosk.origin, size: kiosk.rows.length, inserted: 1 });
    await judged;
    catchUps.push(performance.now() - t);
    for (const [label, method, params] of queries) {
      const t = performance.now();
      await call(method, params);
      times.get(label)?.push(performance.now() - t);
    }
  }
  catchUps.sort((a, b) => a - b);
  report.add(
    `hq-dashboard ${name}: a new entry stored, verified and judged (background catch-up), p95`,
    percentile(catchUps, 95),
    'ms',
    base,
  );
  for (const [label, list] of times) {
    list.sort((a, b) => a - b);
    report.add(`hq-dashboard ${name}: ${label}, p50`, percentile(list, 50), 'ms', base);
    report.add(`hq-dashboard ${name}: ${label}, p95`, percentile(list, 95), 'ms', base);
  }
  await store.close();
}

/** One more signed check-in at the head of a kiosk's log, ingested as replication would hand it over. */
async function appendCheckin(store: HqStore, log: SignedLog, ts: number): Promise<void> {
  await store.ingest(log.origin, [appendSigned(log, 'checkin', checkinPayload('s-000001', 'ny-c0'), ts)], 'bench');
}

/** The overview as computed before this suite's work: a from-scratch report, then every record scanned per centre. */
function previousOverview(records: readonly LogRecord[], now: number): number {
  const start = performance.now();
  const report = computeBreaches(records, now);
  const judged = performance.now();
  for (const centre of ['ny-c0', 'ny-c1', 'london-c0', 'london-c1', 'kolkata-c0', 'kolkata-c1'])
    dayRoster(records, report, centre, now);
  process.stderr.write(
    `hq-dashboard: previous overview: ${((judged - start) / 1000).toFixed(1)} s judging, ${((performance.now() - judged) / 1000).toFixed(1)} s rosters\n`,
  );
  return performance.now() - start;
}

const CENTRE_NAMES: readonly [RegExp, string][] = [
  [/^America\/New_York\//, 'ny-'],
  [/^Europe\/London\//, 'london-'],
  [/^Asia\/Kolkata\//, 'kolkata-'],
];

/** The synthetic city's centres are named after their zone ("America/New_York/c0"); HQ reads a centre from an origin's first segment. */
function renamed(record: LogRecord): LogRecord {
  const rename = (value: string): string => CENTRE_NAMES.reduce((v, [from, to]) => v.replace(from, to), value);
  const renameValue = (key: string, value: CborValue): CborValue => {
    if (key === 'zone') return value;
    if (typeof value === 'string') return rename(value);
    return Array.isArray(value) ? value.map((v: CborValue) => (typeof v === 'string' ? rename(v) : v)) : value;
  };
  const payload: Payload = Object.fromEntries(
    Object.entries(record.payload).map(([key, value]) => [key, renameValue(key, value)]),
  );
  return { ...record, ref: { ...record.ref, origin: rename(record.ref.origin) }, payload };
}
