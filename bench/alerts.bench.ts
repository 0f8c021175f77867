// Window-close-to-alert latency: 5,000 people whose windows close at the same minute, nobody checked in, on HQ's
// SQLite and PostgreSQL stores. The breach watcher (net/hq/breach-watcher.ts) holds every plan (a signed staff
// log ingested into the store, read through the verified read path); its clock runs a few seconds behind the close
// when the run starts, so the figures are what HQ does when the minute turns: evaluate everyone due, store 5,000
// alerts, hand each to delivery (its JSON is made, as for MQTT and SSE). Latency = delivery time - close, per alert
// (p50, p99, max; goal p99 < 5 s). Baseline, in the same run: writing the same 5,000 alerts to that store in one call,
// the least any alerting must do.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { Signer } from '../ledger/keys.ts';
import { LogWriter } from '../ledger/log-writer.ts';
import { LedgerStore } from '../ledger/store.ts';
import type { BreachAlert } from '../net/hq/breach-alert.ts';
import { BreachWatcher } from '../net/hq/breach-watcher.ts';
import type { HqStore } from '../net/hq/hq-store.ts';
import { PostgresHqStore } from '../net/hq/postgres-hq-store.ts';
import { SqliteHqStore } from '../net/hq/sqlite-hq-store.ts';
import { ReaderRecords } from '../net/hq/verified-records.ts';
import { planPayload } from '../test/checkin/support/log-builder.ts';
import { startPostgres } from '../test/helpers/postgres.ts';
import { percentile, type BenchReport } from './report.ts';
import type { Suite } from './suites.ts';

const PEOPLE = 5000;
const MIN = 60_000;
/** The watcher's clock starts this far before the close, so the close happens during the run. */
const LEAD_MS = 3_000;

export const alertsSuite: Suite = {
  name: 'alerts',
  async run(report) {
    const dir = mkdtempSync(join(tmpdir(), 'muster-bench-alerts-'));
    const postgres = await startPostgres();
    try {
      const staff = await staffLog(join(dir, 'staff.db'));
      await measure(report, 'sqlite', SqliteHqStore.open(join(dir, 'hq.db')), staff);
      const admin = new pg.Client(postgres.url);
      await admin.connect();
      await admin.query('CREATE DATABASE bench_alerts');
      await admin.end();
      await measure(
        report,
        'postgres',
        await PostgresHqStore.open(postgres.url.replace(/\/postgres$/, '/bench_alerts')),
        staff,
      );
    } finally {
      await postgres.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

interface StaffLog {
  readonly origin: string;
  readonly leaves: readonly Uint8Array[];
  /** Every window closes here (kiosk-independent: a UTC minute). */
  readonly close: number;
}

/** One staff log with a plan for each person: window 09:00-10:00 UTC, no grace, on the day of `close`. */
async function staffLog(path: string): Promise<StaffLog> {
  const close = Date.UTC(2026, 11, 3, 10, 0);
  const store = LedgerStore.open(path, { create: true });
  const origin = 'centre-a/staff';
  const writer = LogWriter.init(store, origin, Signer.generate(origin), () => close - 12 * 60 * MIN);
  await Promise.all(
    Array.from({ length: PEOPLE }, (_, i) =>
      writer.append(
        'plan',
        planPayload({
          subject: `p-${i}`,
          zone: 'UTC',
          start: '2026-12-03',
          open: '09:00',
          close: '10:00',
          grace: 0,
          late: 30,
          centres: [`centre-${i % 20}`],
        }),
      ),
    ),
  );
  const leaves = [...store.range(origin, 0, store.head(origin).size)].map((r) => r.leaf);
  store.close();
  return { origin, leaves, close };
}

async function measure(report: BenchReport, name: string, store: HqStore, staff: StaffLog): Promise<void> {
  try {
    for (let i = 0; i < staff.leaves.length; i += 500)
      await store.ingest(staff.origin, staff.leaves.slice(i, i + 500), 'bench');
    // The watcher's clock: real time shifted so that the close comes LEAD_MS after the watcher has started.
    let offset = 0;
    const clock = (): number => Date.now() + offset;
    const latencies: number[] = [];
    let payloadBytes = 0;
    let done: () => void = () => undefined;
    const all = new Promise<void>((resolve) => (done = resolve));
    const watcher = new BreachWatcher({
      source: new ReaderRecords(store),
      store,
      clock,
      deliver: (alert: BreachAlert) => {
        payloadBytes += JSON.stringify(alert).length;
        latencies.push(clock() - staff.close);
        if (latencies.length === PEOPLE) done();
      },
    });
    offset = staff.close - 60 * MIN - Date.now();
    await watcher.start();
    offset = staff.close - LEAD_MS - Date.now();
    // The watcher's timer does not hold the process open (HQ's connections do); here this does.
    const alive = setInterval(() => undefined, 1_000);
    void watcher.poke();
    await all;
    clearInterval(alive);
    await watcher.close();
    latencies.sort((a, b) => a - b);
    report.add(`alerts ${name}: write ${PEOPLE} alerts in one call (baseline)`, await writeBaseline(store), 'ms');
    const base = `alerts ${name}: write ${PEOPLE} alerts in one call (baseline)`;
    report.add(
      `alerts ${name}: close to alert, p50 (${PEOPLE} people, same minute)`,
      percentile(latencies, 50),
      'ms',
      base,
    );
    report.add(`alerts ${name}: close to alert, p99 (goal < 5000 ms)`, percentile(latencies, 99), 'ms', base);
    report.add(`alerts ${name}: close to alert, max`, latencies.at(-1) ?? 0, 'ms', base);
    report.add(`alerts ${name}: alert JSON, mean bytes`, payloadBytes / PEOPLE, 'bytes');
  } finally {
    await store.close();
  }
}

/** The same number of alerts, new ids, written to the store in one call. */
async function writeBaseline(store: HqStore): Promise<number> {
  const template = (await store.breachAlerts({ limit: 1 }))[0];
  if (!template) throw new Error('no alert was stored');
  const changes = Array.from({ length: PEOPLE }, (_, i) => ({
    alert: { ...template, id: `${template.id}/baseline-${i}` },
    expectedVersion: null,
  }));
  const start = performance.now();
  await store.applyAlertChanges(changes);
  return performance.now() - start;
}
