// Province scale (issue 20), `npm run bench -- --only scale`: fleets of light simulated kiosks (net.bench's kiosk
// worker: each signs entries and publishes them and its checkpoint over MQTT, QoS 1, no process per kiosk), one
// worker per broker node, through a 3-node NATS cluster (deploy/nats, per-user permissions) into HQ (HqService on
// this thread) on PostgreSQL. The rate is a province's morning peak scaled to the fleet: 50,000 people per 2,000
// kiosks in a two-hour window, about three entries each (attempt, check-in, task), the peak twice the mean.
// Figures per fleet (500, 1,000, 2,000 kiosks; MUSTER_BENCH_SCALE_KIOSKS=500,1000 for fewer), each beside a baseline
// measured in the same run:
// - signing-to-commit p50/p99 at HQ (an entry's ts to the return of the commit holding it), against a bare QoS 1
//   round trip through the same cluster;
// - HQ's busy time per 1,000 kiosks (its event loop's active time over the window: HQ verifies and commits on this
//   thread) against the window, and HQ's heap per 1,000 kiosks against HQ's heap before the fleet connected;
// - each broker node's resident memory (/varz) against the same node's before the first fleet;
// - PostgreSQL bytes per million entries (entries, tree nodes, logs) against the leaves' own bytes.
// Not measured here: the breach alert's time to the screen at scale, broker CPU, and a day-long outage's catch-up
// (net.bench's catch-up measures 50,000 entries from one kiosk).
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import mqtt from 'mqtt';
import pg from 'pg';
import { decodeLeaf } from '../core/entry.ts';
import { Signer } from '../ledger/keys.ts';
import { HqService } from '../net/hq/hq-service.ts';
import type { HqStore } from '../net/hq/hq-store.ts';
import { PostgresHqStore } from '../net/hq/postgres-hq-store.ts';
import { topicId } from '../net/topics.ts';
import { createLogger } from '../runtime/logger.ts';
import { startWorker } from '../runtime/worker.ts';
import { type NatsCluster, startNatsCluster } from '../test/helpers/nats-cluster.ts';
import { type PostgresServer, startPostgres } from '../test/helpers/postgres.ts';
import { type BenchReport, percentile } from './report.ts';
import type { Suite } from './suites.ts';

const FLEETS = (process.env.MUSTER_BENCH_SCALE_KIOSKS ?? '500,1000,2000')
  .split(',')
  .map(Number)
  .filter((n) => n > 0);
/** Seconds of peak load per fleet. */
const SECONDS = Number(process.env.MUSTER_BENCH_SCALE_SECONDS ?? 40);
/** Entries a second per 1,000 kiosks at the peak: 25,000 people x 3 entries / 7,200 s x 2. */
const PEAK_PER_1000 = 21;

function origins(fleet: number): string[] {
  return Array.from({ length: fleet }, (_, i) => `s${fleet}-c${Math.floor(i / 4)}/k${i % 4}`);
}

export const scaleSuite: Suite = {
  name: 'scale',
  async run(report) {
    report.add('scale load average (1 min) at start', loadavg()[0] ?? 0, 'load');
    const all = FLEETS.flatMap(origins);
    let cluster: NatsCluster | undefined;
    let postgres: PostgresServer | undefined;
    try {
      cluster = await startNatsCluster(['hq', ...all].map(topicId));
      postgres = await startPostgres();
      const idleMem = await brokerMemory(cluster);
      const rtt = await roundTrips(cluster, 200);
      report.add('scale NATS QoS 1 round trip p50 (baseline)', percentile(rtt, 50), 'ms');
      report.add('scale NATS QoS 1 round trip p99 (baseline)', percentile(rtt, 99), 'ms');
      for (const fleet of FLEETS) await runFleet(report, cluster, postgres.url, fleet, idleMem);
      await storageFigures(report, postgres.url);
    } finally {
      await cluster?.stop();
      await postgres?.stop();
    }
  },
};

async function runFleet(
  report: BenchReport,
  cluster: NatsCluster,
  url: string,
  fleet: number,
  idleMem: readonly number[],
): Promise<void> {
  const store = await PostgresHqStore.open(url);
  const latencies: number[] = [];
  const timed: HqStore = Object.create(store) as HqStore;
  timed.ingestMany = async (batches) => {
    const results = await store.ingestMany(batches);
    const now = Date.now();
    for (const batch of batches)
      for (const leaf of batch.leaves) {
        const { body } = decodeLeaf(leaf);
        if (body.seq > 0) latencies.push(now - body.ts);
      }
    return results;
  };
  const logger = createLogger({ level: 'error' });
  const hq = await HqService.start({
    store: timed,
    broker: { url: cluster.urls, username: 'hq', password: cluster.passwords.get('hq') ?? '' },
    witnessSigner: Signer.generate('hq'),
    checkEveryMs: 3_600_000,
    logger,
  });
  const heapBefore = process.memoryUsage().heapUsed;
  const list = origins(fleet);
  const perKioskPerS = PEAK_PER_1000 / 1000;
  // One worker per broker node, each with its share of the fleet.
  const workers = cluster.urls.map((nodeUrl, n) => {
    const share = list.filter((_, i) => i % cluster.urls.length === n);
    const job = {
      url: nodeUrl,
      users: [...cluster.passwords].filter(([user]) => user === 'hq' || share.some((o) => topicId(o) === user)),
      origins: share,
      perKioskPerS,
      seconds: SECONDS,
    };
    return startWorker(new URL('./net.bench.ts', import.meta.url), { workerData: { role: 'net-bench-kiosks', job } });
  });
  const next = (): Promise<{ sent?: number }[]> =>
    Promise.all(
      workers.map(
        (w) =>
          new Promise<{ sent?: number }>((resolve, reject) => {
            w.once('message', resolve);
            w.once('error', reject);
          }),
      ),
    );
  try {
    // Every kiosk's genesis is at HQ before the clock starts (HQ knows the fleet).
    await next();
    const deadline = Date.now() + 600_000;
    while ((await store.origins()).filter((o) => o.startsWith(`s${fleet}-`)).length < fleet && Date.now() < deadline)
      await delay(500);
    latencies.length = 0;
    const elu = performance.eventLoopUtilization();
    const started = performance.now();
    for (const w of workers) w.postMessage('go');
    const sent = (await next()).reduce((sum, r) => sum + (r.sent ?? 0), 0);
    const settle = Date.now() + 60_000;
    while (latencies.length < sent && Date.now() < settle) await delay(100);
    const window = performance.now() - started;
    const busy = performance.eventLoopUtilization(elu).active;
    const sorted = [...latencies].sort((a, b) => a - b);
    const label = `scale ${fleet} kiosks`;
    report.add(
      `${label} sign-to-commit p50`,
      percentile(sorted, 50),
      'ms',
      'scale NATS QoS 1 round trip p50 (baseline)',
    );
    report.add(
      `${label} sign-to-commit p99`,
      percentile(sorted, 99),
      'ms',
      'scale NATS QoS 1 round trip p99 (baseline)',
    );
    report.add(`${label} entries committed / sent`, sorted.length / Math.max(1, sent), 'ratio');
    report.add(`${label} window`, window / 1000, 's');
    report.add(`${label} HQ busy s per 1,000 kiosks`, busy / 1000 / (fleet / 1000), 's', `${label} window`);
    report.add(`${label} HQ heap before`, heapBefore / 2 ** 20, 'MiB');
    report.add(
      `${label} HQ heap per 1,000 kiosks`,
      (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20 / (fleet / 1000),
      'MiB',
      `${label} HQ heap before`,
    );
    const mem = await brokerMemory(cluster);
    for (const [i, bytes] of mem.entries()) {
      report.add(`scale broker node ${i + 1} RSS idle`, (idleMem[i] ?? 0) / 2 ** 20, 'MiB');
      report.add(`${label} broker node ${i + 1} RSS`, bytes / 2 ** 20, 'MiB', `scale broker node ${i + 1} RSS idle`);
    }
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
    await hq.close();
    await store.close();
  }
}

/** Each node's resident memory from its monitoring endpoint. */
async function brokerMemory(cluster: NatsCluster): Promise<number[]> {
  return Promise.all(
    cluster.nodes.map(async (node) => ((await (await fetch(`${node.monitor}/varz`)).json()) as { mem: number }).mem),
  );
}

/** Sequential QoS 1 publish-to-delivery round trips through the cluster (one node in, another out), sorted. */
async function roundTrips(cluster: NatsCluster, count: number): Promise<number[]> {
  const password = cluster.passwords.get('hq') ?? '';
  const [a = '', b = a] = cluster.urls;
  const sub = await mqtt.connectAsync(b, { username: 'hq', password, clientId: 'hq-rtt-sub', protocolVersion: 4 });
  const pub = await mqtt.connectAsync(a, { username: 'hq', password, clientId: 'hq-rtt-pub', protocolVersion: 4 });
  try {
    await sub.subscribeAsync('muster/v1/alerts/rtt', { qos: 1 });
    const times: number[] = [];
    for (let i = 0; i < count; i++) {
      const start = performance.now();
      const got = new Promise<void>((resolve) =>
        sub.once('message', () => {
          resolve();
        }),
      );
      await pub.publishAsync('muster/v1/alerts/rtt', String(i), { qos: 1 });
      await got;
      times.push(performance.now() - start);
    }
    return times.sort((x, y) => x - y);
  } finally {
    await pub.endAsync(true);
    await sub.endAsync(true);
  }
}

/** PostgreSQL bytes per million entries, all fleets together, against the leaves' own bytes. */
async function storageFigures(report: BenchReport, url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const row = (
      await client.query<{ n: string; leaves: string; total: string }>(
        "SELECT (SELECT count(*) FROM entries) AS n, (SELECT sum(octet_length(leaf)) FROM entries) AS leaves, pg_total_relation_size('entries') + pg_total_relation_size('nodes') + pg_total_relation_size('logs') AS total",
      )
    ).rows[0];
    const n = Number(row?.n ?? 0);
    report.add('scale entries stored (all fleets)', n, 'entries');
    report.add('scale leaf bytes per million entries', ((Number(row?.leaves ?? 0) / n) * 1e6) / 2 ** 20, 'MiB');
    report.add(
      'scale PostgreSQL bytes per million entries',
      ((Number(row?.total ?? 0) / n) * 1e6) / 2 ** 20,
      'MiB',
      'scale leaf bytes per million entries',
    );
  } finally {
    await client.end();
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
