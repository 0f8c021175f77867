// The HQ dashboard's queries on a store holding a year of a 5,000-person city (signed logs of six centres, their
// kiosks, staff logs and HQ), on SQLite and on PostgreSQL: the overview, one centre's month (charts and breach
// feed), one person's year (calendar and timeline) and the city's charts over a month and over the year.
// Goal: p95 < 200 ms each. Before each round a kiosk's new check-in reaches the store and HQ announces it; the
// dashboard verifies, sweeps and judges it in the background (its own figure) and the round's queries answer from
// what was judged. Baseline, in the same run: the overview computed the way it was before the engine-backed
// roster and HqDays (a report from scratch, then every record scanned per centre). Memory: the heap and resident
// size once HQ has read the store and answered every query, against the same before it read the store.
// The city store is built once per size and cached (bench/city-store.ts), and so is PostgreSQL's data directory
// once the city is copied in (beside it); MUSTER_BENCH_CITY_PEOPLE scales it, MUSTER_BENCH_HQ_STORES=sqlite or
// =postgres measures one store per run, MUSTER_BENCH_HQ_PREPARE=1 only builds what is kept (its own bench slot).
import { EventEmitter } from 'node:events';
import { copyFileSync, existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import pg from 'pg';
import { computeBreaches } from '../core/breach/engine.ts';
import type { CborValue } from '../core/canonical.ts';
import type { Payload } from '../core/entry.ts';
import type { LogRecord } from '../core/records/entry-ref.ts';
import { formatDay, parseDay } from '../core/time/civil-day.ts';
import { zonedInstant } from '../core/time/zoned-time.ts';
import type { Signer } from '../ledger/keys.ts';
import { LedgerStore } from '../ledger/store.ts';
import { HqBackend } from '../main/web/hq-backend.ts';
import { dayRoster } from '../main/web/attendance.ts';
import type { HqEvents } from '../net/hq/hq-service.ts';
import type { HqStore } from '../net/hq/hq-store.ts';
import { PostgresHqStore } from '../net/hq/postgres-hq-store.ts';
import { SqliteHqStore } from '../net/hq/sqlite-hq-store.ts';
import { checkinPayload } from '../test/checkin/support/log-builder.ts';
import { type PostgresServer, startPostgres } from '../test/helpers/postgres.ts';
import { cityStore, nextLeaf, storedRecords } from './city-store.ts';
import { type BenchReport, percentile } from './report.ts';
import type { Suite } from './suites.ts';

const PEOPLE = Number(process.env.MUSTER_BENCH_CITY_PEOPLE ?? 5000);
/** Which stores to measure (a 5,000-person year takes minutes per store to read and verify): sqlite, postgres. */
const STORES = (process.env.MUSTER_BENCH_HQ_STORES ?? 'sqlite,postgres').split(',');
const START = '2025-01-01';
const DAYS = 365;
const ROUNDS = 40;
const KIOSK = 'ny-c0/k1';
const officer = { principal: { user: 'olga', role: 'officer' as const, centres: [] }, kioskScreen: false };
const BASELINE = 'hq-dashboard: overview, previous way (every record per centre) (baseline)';
const HEAP_BEFORE = 'hq-dashboard: heap before HQ read the store (baseline)';
const RSS_BEFORE = 'hq-dashboard: resident size before HQ read the store (baseline)';

type Call = (params: unknown, caller: unknown) => Promise<unknown>;

// Heap figures after a full collection: exposes gc() to this process.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function memory(): { heap: number; rss: number } {
  gc();
  const { heapUsed, rss } = process.memoryUsage();
  return { heap: heapUsed / 2 ** 20, rss: rss / 2 ** 20 };
}

export const hqDashboardSuite: Suite = {
  name: 'hq-dashboard',
  async run(report) {
    report.add('hq-dashboard load average (1 min) at start', loadavg()[0] ?? 0, 'load');
    const startDay = parseDay(START) as number;
    const lastDay = startDay + DAYS - 1;
    const now = zonedInstant(lastDay, 15 * 60, 'UTC');
    // The city's zones are New York, London and Kolkata; its centres are named like a city's (ny-c0, ...).
    const city = cityStore({
      variant: 'hq-dashboard',
      map: renamed,
      until: now,
      people: PEOPLE,
      startDay,
      days: DAYS,
      seed: 7,
      outagePerMille: 5,
      compliance: 0.95,
    });
    const kiosk = city.signers.get(KIOSK) as Signer;
    report.add('hq-dashboard: city entries (signed)', city.entries, 'entries');
    if (process.env.MUSTER_BENCH_HQ_PREPARE === '1') {
      if (STORES.includes('postgres')) await (await cityInPostgres(city.path)).server.stop();
      return;
    }

    const dir = mkdtempSync(join(tmpdir(), 'muster-bench-hq-dashboard-'));
    const path = join(dir, 'hq.db');
    let postgres: PostgresServer | undefined;
    try {
      report.add(BASELINE, previousOverview(city.path, now), 'ms');
      const before = memory();
      report.add(HEAP_BEFORE, before.heap, 'MB');
      report.add(RSS_BEFORE, before.rss, 'MB');
      // What HQ's backend holds per entry it read: bounded memory would make this fall as the city grows.
      const perThousand = (name: string, heldHeap: number): void => {
        report.add(
          `hq-dashboard ${name}: heap HQ holds per 1,000 entries (held less before, over the city's entries)`,
          ((heldHeap - before.heap) * 1024 * 1000) / city.entries,
          'KB',
        );
      };
      if (STORES.includes('sqlite')) {
        copyFileSync(city.path, path);
        perThousand('sqlite', await measure(report, 'sqlite', SqliteHqStore.open(path), kiosk, now, startDay, lastDay));
      }
      if (STORES.includes('postgres')) {
        const start = performance.now();
        const seeded = await cityInPostgres(city.path);
        postgres = seeded.server;
        report.add(
          seeded.kept
            ? 'hq-dashboard postgres: city restored from its kept data directory (HQ verifies it on its first read)'
            : 'hq-dashboard postgres: city copied table by table, data directory kept (HQ verifies it on its first read)',
          (performance.now() - start) / 1000,
          's',
        );
        const store = await PostgresHqStore.open(seeded.url);
        perThousand('postgres', await measure(report, 'postgres', store, kiosk, now, startDay, lastDay));
      }
      report.add(
        'hq-dashboard: peak resident size of the run',
        process.resourceUsage().maxRSS / 1024,
        'MB',
        RSS_BEFORE,
      );
      report.add('hq-dashboard load average (1 min) at end', loadavg()[0] ?? 0, 'load');
    } finally {
      await postgres?.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

/**
 * A PostgreSQL server holding the city store at `path` in database bench_dashboard, started from a copy of the
 * data directory kept beside the city store (`kept`), or filled by a table copy, then kept the same way: a
 * 5,000-person city took about 4 minutes to copy under load, its kept directory seconds to copy back.
 */
async function cityInPostgres(path: string): Promise<{ server: PostgresServer; url: string; kept: boolean }> {
  const keptData = `${path}.${PG_LAYOUT}`;
  const url = (server: PostgresServer): string => server.url.replace(/\/postgres$/, '/bench_dashboard');
  if (existsSync(keptData)) {
    const server = await startPostgres({ from: keptData });
    return { server, url: url(server), kept: true };
  }
  const server = await startPostgres();
  try {
    const admin = new pg.Client(server.url);
    await admin.connect();
    await admin.query('CREATE DATABASE bench_dashboard');
    await admin.end();
    // HQ's store creates its tables (and later opens migrate a kept database as any deployed one).
    await (await PostgresHqStore.open(url(server))).close();
    await copyToPostgres(path, url(server));
    server.down();
    const partial = `${keptData}.partial`;
    rmSync(partial, { recursive: true, force: true });
    execFileSync('cp', ['-a', server.data, partial]);
    renameSync(partial, keptData);
    server.up();
  } catch (error) {
    await server.stop();
    throw error;
  }
  return { server, url: url(server), kept: false };
}

/** Names how cityInPostgres fills a database: a change to copyToPostgres must change it. */
const PG_LAYOUT = 'pg-data-1';

/**
 * The SQLite store at `path` copied into PostgreSQL's tables of the same shape (logs, entries, Merkle nodes) as
 * they are, in large batches: the bench measures queries, and HQ's first read verifies every entry anyway.
 * Through `ingestMany`, verifying twice, it took 88.5 s at 500 people: about 15 minutes for a 5,000-person year.
 */
async function copyToPostgres(path: string, url: string): Promise<void> {
  const source = LedgerStore.open(path, { readonly: true });
  const client = new pg.Client(url);
  await client.connect();
  try {
    const logs = source.db.prepare('SELECT origin, genesis_key FROM logs').all() as {
      origin: string;
      genesis_key: Buffer;
    }[];
    for (const log of logs) {
      await client.query('INSERT INTO logs (origin, genesis_key) VALUES ($1, $2)', [log.origin, log.genesis_key]);
      const size = source.head(log.origin).size;
      for (let at = 0; at < size; at += COPY_BATCH) {
        const rows = source.rangeAll(log.origin, at, at + COPY_BATCH);
        await client.query(
          'INSERT INTO entries (origin, seq, ts, type, leaf, hash) SELECT $1, * FROM unnest($2::bigint[], $3::bigint[], $4::text[], $5::bytea[], $6::bytea[])',
          [
            log.origin,
            rows.map((r) => r.seq),
            rows.map((r) => r.ts),
            rows.map((r) => r.type),
            rows.map((r) => Buffer.from(r.leaf)),
            rows.map((r) => Buffer.from(r.hash)),
          ],
        );
      }
    }
    const nodes = source.db.prepare('SELECT origin, level, idx, hash FROM nodes ORDER BY origin, level, idx');
    let batch: { origin: string; level: number; idx: number; hash: Buffer }[] = [];
    const flush = async (): Promise<void> => {
      await client.query(
        'INSERT INTO nodes (origin, level, idx, hash) SELECT * FROM unnest($1::text[], $2::int[], $3::bigint[], $4::bytea[])',
        [batch.map((n) => n.origin), batch.map((n) => n.level), batch.map((n) => n.idx), batch.map((n) => n.hash)],
      );
      batch = [];
    };
    for (const node of nodes.iterate() as Iterable<{ origin: string; level: number; idx: number; hash: Buffer }>) {
      batch.push(node);
      if (batch.length === COPY_BATCH) await flush();
    }
    if (batch.length > 0) await flush();
    await client.query('ANALYZE');
  } finally {
    await client.end();
    source.close();
  }
}

const COPY_BATCH = 10_000;

/** Measures HQ's backend over `store`; the heap it held once it had read the store and answered every query (MB). */
async function measure(
  report: BenchReport,
  name: string,
  store: HqStore,
  kiosk: Signer,
  now: number,
  startDay: number,
  lastDay: number,
): Promise<number> {
  const events = new EventEmitter<HqEvents>();
  const hq = new HqBackend({ hq: { store, events, fleetView: () => [] }, clock: () => now });
  const call = (method: string, params: unknown): Promise<unknown> =>
    (hq.handlers[method as keyof typeof hq.handlers] as Call)(params, officer);
  const base = BASELINE;
  let start = performance.now();
  await call('hq.overview', {});
  report.add(
    `hq-dashboard ${name}: first call (read, verify and judge the whole store)`,
    (performance.now() - start) / 1000,
    's',
  );
  const read = memory();

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

  const held = memory();
  report.add(
    `hq-dashboard ${name}: heap once HQ read the store and answered every query`,
    held.heap,
    'MB',
    HEAP_BEFORE,
  );
  report.add(`hq-dashboard ${name}: resident size at the same point`, held.rss, 'MB', RSS_BEFORE);
  report.add(
    `hq-dashboard ${name}: heap the first round added (the year's findings and kept centre-days)`,
    held.heap - read.heap,
    'MB',
  );
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
    events.emit('entries', { origin: kiosk.name, size: await store.size(kiosk.name), inserted: 1 });
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
  return held.heap;
}

/** One more signed check-in at the head of a kiosk's log, ingested as replication would hand it over. */
async function appendCheckin(store: HqStore, kiosk: Signer, ts: number): Promise<void> {
  const size = await store.size(kiosk.name);
  const [head] = await store.rows(kiosk.name, size - 1, size);
  if (!head) throw new Error(`the bench store lost the head of ${kiosk.name}`);
  const leaf = nextLeaf({ size, hash: head.hash }, kiosk, 'checkin', checkinPayload('s-000001', 'ny-c0'), ts);
  await store.ingest(kiosk.name, [leaf], 'bench');
}

/**
 * The overview as computed before this suite's work, from the store at `path`: a from-scratch report, then every
 * record scanned per centre. The records are dropped afterwards.
 */
function previousOverview(path: string, now: number): number {
  const source = LedgerStore.open(path, { readonly: true });
  const records = storedRecords(source).filter((r) => r.ts <= now);
  source.close();
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
