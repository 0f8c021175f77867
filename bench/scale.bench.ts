// Province scale (issue 20), `npm run bench -- --only scale`: fleets of light simulated kiosks (net.bench's kiosk
// worker: each signs entries and publishes them and its checkpoint over MQTT, QoS 1, no process per kiosk), one
// child process per broker node (bench/scale-fleet.ts, so this process holds HQ alone), through a 3-node NATS cluster (deploy/nats, per-user permissions) into one HQ (HqService,
// breach watcher and dashboard API on this thread) on PostgreSQL. Each kiosk logs people's mornings
// (bench/scale-people.ts: identify and verify attempts, a check-in with a task; 3.2 entries a person) at a
// province's peak rate scaled to the fleet: 50,000 people per 2,000 kiosks in a two-hour window, the peak twice the
// mean (22 entries/s per 1,000 kiosks). Not time-compressed: each fleet runs MUSTER_BENCH_SCALE_SECONDS (default
// 40) of the peak at its real rate, the slice of the morning that is the worst for latency. Fleets of 500, 1,000,
// 2,000 kiosks one after another (MUSTER_BENCH_SCALE_KIOSKS=500,1000 for fewer), each beside a baseline measured in
// the same run:
// - signing-to-commit p50/p99 at HQ, against a bare QoS 1 round trip through the same cluster; split into the wait
//   before HQ's store call (broker, link, group forming) and the store call itself (verify, commit), the wait
//   step by step (signing to the broker's PUBACK at the kiosk, to the message's arrival at HQ's link, arrival to the
//   store call), with HQ's event loop delay, the most messages HQ's link held unacknowledged and its lost
//   connections;
// - signing-to-screen of a breach at the peak: a probe kiosk checks in people planned at another centre (a
//   wrong-centre breach each), timed to the breach alert's arrival on the dashboard's SSE stream, against the same
//   probe with the fleet idle; and from the alert's store to a second HQ node's screens (NOTIFY muster_alerts,
//   bench/scale-other-node.ts, a process of its own) with that node's CPU;
// - CPU seconds per 1,000 kiosks: HQ's thread (its event loop's active time: it verifies and commits there),
//   PostgreSQL's processes and each broker node (/proc), against the same processes' CPU over as long idle;
// - HQ's process CPU (every thread) and resident memory at the peak per 1,000 kiosks, HQ's heap, and each broker
//   node's resident memory, against their idle figures (this process also holds the probe kiosks, idle and at the
//   peak alike, and the centre back after a day);
// - a centre (4 kiosks) back after a day offline: seconds until HQ holds its day (4 x 80 entries), at the peak,
//   against the same catch-up with the fleet idle;
// - PostgreSQL bytes per million entries (entries, tree nodes, logs) against the leaves' own bytes.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import mqtt from 'mqtt';
import pg from 'pg';
import { decodeLeaf } from '../core/entry.ts';
import { Signer } from '../ledger/keys.ts';
import { startHqBreachAlerts } from '../net/hq/hq-breach-alerts.ts';
import { startHqHttp } from '../net/hq/hq-http.ts';
import { HqService } from '../net/hq/hq-service.ts';
import type { HqStore } from '../net/hq/hq-store.ts';
import { PostgresHqStore } from '../net/hq/postgres-hq-store.ts';
import { topicId } from '../net/topics.ts';
import { decodeBatch } from '../net/wire.ts';
import { createLogger } from '../runtime/logger.ts';
import { type NatsCluster, startNatsCluster } from '../test/helpers/nats-cluster.ts';
import { type PostgresServer, startPostgres } from '../test/helpers/postgres.ts';
import { type BenchReport, percentile } from './report.ts';
import {
  AlertScreen,
  BreachProbe,
  PROBE_KIOSK,
  PROBE_STAFF,
  catchUp,
  cpuSeconds,
  offlineCentre,
  writeOfflineDay,
} from './scale-probes.ts';
import { type FleetReply, startFleet } from './scale-fleet.ts';
import { type OtherNode, startOtherNode } from './scale-other-node.ts';
import { AlertTrace } from './scale-trace.ts';
import type { Suite } from './suites.ts';

const FLEETS = (process.env.MUSTER_BENCH_SCALE_KIOSKS ?? '500,1000,2000')
  .split(',')
  .map(Number)
  .filter((n) => n > 0);
/** Seconds of peak load per fleet. */
const SECONDS = Number(process.env.MUSTER_BENCH_SCALE_SECONDS ?? 40);
/** Entries a second per 1,000 kiosks at the peak: 25,000 people x 3.2 entries / 7,200 s x 2. */
const PEAK_PER_1000 = 22;
/** People per kiosk: 50,000 per 2,000 kiosks. */
const PEOPLE_PER_KIOSK = 25;
/**
 * MUSTER_BENCH_SCALE_SWEEP_EVERY_MS: the breach watcher's sweep interval (net/hq/hq-breach-alerts.ts), for a run
 * before and after the cut on one tree (0: a sweep every pass, as before 2026-12-04 16:00); unset: HQ's default.
 */
const SWEEP_EVERY_MS =
  process.env.MUSTER_BENCH_SCALE_SWEEP_EVERY_MS === undefined
    ? undefined
    : Number(process.env.MUSTER_BENCH_SCALE_SWEEP_EVERY_MS);
/**
 * MUSTER_BENCH_SCALE_COSIGN_EVERY_MS: how often HQ cosigns each log at most (net/checkpoint-witnessing.ts; 0: each
 * checkpoint), for a before/after run on one tree; unset, HqService's default.
 */
const COSIGN_EVERY_MS =
  process.env.MUSTER_BENCH_SCALE_COSIGN_EVERY_MS === undefined
    ? undefined
    : Number(process.env.MUSTER_BENCH_SCALE_COSIGN_EVERY_MS);

/**
 * MUSTER_BENCH_SCALE_START_WITNESSED=1: the clock starts only once HQ has also witnessed every kiosk's genesis
 * checkpoint, so the window holds the peak's witnessing and not the tail of the fleet's start-up burst.
 */
const START_WITNESSED = process.env.MUSTER_BENCH_SCALE_START_WITNESSED === '1';

/** Breach probes per measurement (idle, then each fleet's peak). */
const PROBES = 20;

function origins(fleet: number): string[] {
  return Array.from({ length: fleet }, (_, i) => `s${fleet}-c${Math.floor(i / 4)}/k${i % 4}`);
}

/** What every fleet's run shares: the cluster, HQ, its store, the probes and the idle figures. */
interface Rig {
  readonly cluster: NatsCluster;
  readonly dir: string;
  readonly hq: HqService;
  readonly store: HqStore;
  readonly timing: StoreTiming;
  readonly trace: AlertTrace;
  readonly probe: BreachProbe;
  readonly screen: AlertScreen;
  readonly pgPid: number | undefined;
  readonly idleMem: readonly number[];
  /** CPU seconds per second idle: each broker node, then PostgreSQL, then HQ's thread and HQ's whole process. */
  readonly idleCpu: { brokers: readonly number[]; pg: number; hq: number; hqProcess: number; other: number };
  /** A second HQ node's alert feed (bench/scale-other-node.ts): NOTIFY muster_alerts to its screens. */
  readonly other: OtherNode;
  /** HQ's process (HQ, the probe kiosks, the bench's own code; no fleet) resident memory idle, bytes. */
  readonly idleRss: number;
}

/**
 * Per entry committed at HQ (not genesis): signing to the commit (`total`), split into signing to its message's
 * arrival at HQ's link (`delivered`: the kiosk, the broker), arrival to the store call (`grouping`: group forming, the
 * store's slots), signing to the store call (`queued`: both) and the store call itself (`stored`).
 */
interface StoreTiming {
  readonly total: number[];
  readonly queued: number[];
  readonly stored: number[];
  readonly delivered: number[];
  readonly grouping: number[];
  /** When HQ's link handed each fleet entry's message to the replicator, by `origin#seq`, until it is stored. */
  readonly arrived: Map<string, number>;
  /**
   * The broker's redeliveries at HQ's link (PUBLISH with DUP set), and the fleet entries whose first arrival was
   * one: a NATS node drops a delivery beyond the session's max_ack_pending (all its subscriptions together) and
   * sends it again only after ack_wait, marked DUP (nats-server mqtt.go, trackPending).
   */
  readonly redelivered: { dup: number; firstAsDup: number };
  /** Fleet entries (`origin#seq`) that reached HQ's link at least once. */
  readonly seen: Set<string>;
  /** The fleet's checkpoints that reached HQ's link, and HQ's cosignatures of the fleet's logs (witness states advanced). */
  readonly checkpoints: { received: number; cosigned: number };
}

export const scaleSuite: Suite = {
  name: 'scale',
  async run(report) {
    report.add('scale load average (1 min) at start', loadavg()[0] ?? 0, 'load');
    const names = ['idle', ...FLEETS.map(String)];
    const all = [...FLEETS.flatMap(origins), PROBE_STAFF, PROBE_KIOSK, ...names.flatMap(offlineCentre)];
    const dir = mkdtempSync(join(tmpdir(), 'muster-bench-scale-'));
    let cluster: NatsCluster | undefined;
    let postgres: PostgresServer | undefined;
    const stops: (() => Promise<unknown> | undefined)[] = [];
    try {
      cluster = await startNatsCluster(['hq', ...all].map(topicId));
      postgres = await startPostgres();
      const c = cluster;
      const broker = (origin: string): { url: readonly string[]; username: string; password: string } => ({
        url: c.urls,
        username: topicId(origin),
        password: c.passwords.get(topicId(origin)) ?? '',
      });
      const days = new Map<string, Awaited<ReturnType<typeof writeOfflineDay>>>();
      for (const name of names) days.set(name, await writeOfflineDay(dir, offlineCentre(name)));
      const rtt = await roundTrips(cluster, 200);
      report.add('scale NATS QoS 1 round trip p50 (baseline)', percentile(rtt, 50), 'ms');
      report.add('scale NATS QoS 1 round trip p99 (baseline)', percentile(rtt, 99), 'ms');

      const store = await PostgresHqStore.open(postgres.url);
      stops.push(() => store.close());
      const timing: StoreTiming = {
        total: [],
        queued: [],
        stored: [],
        delivered: [],
        grouping: [],
        arrived: new Map(),
        redelivered: { dup: 0, firstAsDup: 0 },
        seen: new Set(),
        checkpoints: { received: 0, cosigned: 0 },
      };
      const trace = new AlertTrace(PROBE_KIOSK);
      const hq = await HqService.start({
        store: timedStore(store, timing, trace),
        broker: broker('hq'),
        witnessSigner: Signer.generate('hq'),
        checkEveryMs: 3_600_000,
        logger: createLogger({ level: 'error' }),
        ...(COSIGN_EVERY_MS === undefined ? {} : { cosignEveryMs: COSIGN_EVERY_MS }),
      });
      stops.push(() => hq.close());
      trace.watch(hq);
      watchArrivals(hq, timing, trace);
      const alerts = await startHqBreachAlerts(hq, {
        engine: { staffOrigin: (origin) => origin === PROBE_STAFF },
        logger: createLogger({ level: 'error' }),
        ...(SWEEP_EVERY_MS === undefined ? {} : { sweepEveryMs: SWEEP_EVERY_MS }),
      });
      stops.push(() => alerts.close());
      const http = await startHqHttp(hq, 0);
      stops.push(() => http.close());
      const screen = await AlertScreen.open(http.url);
      stops.push(() => {
        screen.close();
        return undefined;
      });
      const { probe, staff } = await BreachProbe.start(dir, broker, PROBES * names.length);
      stops.push(
        () => probe.close(),
        () => staff.close(),
      );
      await until(async () => (await store.size(PROBE_STAFF)) > PROBES * names.length, 120_000);
      const pgPid = await postmasterPid(postgres.url);

      // Idle: the broker nodes', PostgreSQL's and HQ's CPU over 10 s, then the probe and the catch-up.
      const other = await startOtherNode(postgres.url);
      stops.push(() => other.stop());
      const idleMem = await brokerMemory(cluster);
      const cpu0 = cpuNow(cluster, pgPid);
      const other0 = cpuSeconds(other.pid);
      const elu0 = performance.eventLoopUtilization();
      const process0 = process.cpuUsage();
      await delay(10_000);
      const cpu1 = cpuNow(cluster, pgPid);
      const processIdle = process.cpuUsage(process0);
      const idleCpu = {
        brokers: cpu1.brokers.map((v, i) => (v - (cpu0.brokers[i] ?? 0)) / 10),
        pg: (cpu1.pg - cpu0.pg) / 10,
        hq: performance.eventLoopUtilization(elu0).active / 1000 / 10,
        hqProcess: (processIdle.user + processIdle.system) / 1e6 / 10,
        other: (cpuSeconds(other.pid) - other0) / 10,
      };
      const idleProbes = await probeSeries(probe, PROBES, 10_000);
      await until(() => probe.latencies(idleProbes, screen).length === PROBES, 30_000);
      const idleScreen = probe.latencies(idleProbes, screen);
      report.add('scale breach signing-to-screen p50, fleet idle (baseline)', percentile(idleScreen, 50), 'ms');
      report.add('scale breach signing-to-screen p99, fleet idle (baseline)', percentile(idleScreen, 99), 'ms');
      alertSplit(report, 'scale idle', { trace, probe, screen }, idleProbes);
      await otherNodeFigures(report, 'scale idle', other, trace, idleProbes);
      report.add(
        'scale catch-up of a centre offline a day, fleet idle (baseline)',
        await catchUp(dir, broker, days.get('idle') ?? new Map<string, Signer>(), store),
        's',
      );
      const idleRss = process.memoryUsage().rss;
      const rig: Rig = {
        cluster,
        dir,
        hq,
        store,
        timing,
        trace,
        probe,
        screen,
        pgPid,
        idleMem,
        idleCpu,
        idleRss,
        other,
      };
      for (const fleet of FLEETS) {
        await runFleet(report, rig, fleet, broker, days.get(String(fleet)) ?? new Map<string, Signer>());
        // A run cut short (the bench lock's time) still shows the fleets it finished.
        process.stderr.write(`scale: after ${fleet} kiosks (load ${loadavg()[0] ?? 0})\n${report.table()}\n`);
      }
      await storageFigures(report, postgres.url);
    } finally {
      for (const stop of stops.reverse()) await stop();
      await cluster?.stop();
      await postgres?.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

/**
 * HQ's store, timing each entry's wait before the store call and the call itself, and telling `trace` of the probe
 * kiosk's commits and of the reader's queries (rows are read by the breach watcher's reader alone).
 */
function timedStore(store: PostgresHqStore, timing: StoreTiming, trace: AlertTrace): PostgresHqStore {
  const timed: PostgresHqStore = Object.create(store) as PostgresHqStore;
  timed.rows = async (origin, from, to) => {
    const rows = await store.rows(origin, from, to);
    trace.read([{ origin, rows }]);
    return rows;
  };
  timed.rowsMany = async (ranges) => {
    const rows = await store.rowsMany(ranges);
    trace.read(ranges.map((range, i) => ({ origin: range.origin, rows: rows[i] ?? [] })));
    return rows;
  };
  timed.sizes = () => {
    trace.queries.sizes++;
    return store.sizes();
  };
  timed.setWitnessedMany = async (updates) => {
    const stored = await store.setWitnessedMany(updates);
    timing.checkpoints.cosigned += updates.filter((u, i) => stored[i] === true && /^s\d+-/.test(u.origin)).length;
    return stored;
  };
  timed.ingestMany = async (batches) => {
    const called = Date.now();
    for (const batch of batches) trace.leaves(batch.origin, batch.leaves, 'store call', called);
    const results = await store.ingestMany(batches);
    const now = Date.now();
    for (const batch of batches) trace.leaves(batch.origin, batch.leaves, 'commit', now);
    for (const batch of batches)
      for (const leaf of batch.leaves) {
        const { body } = decodeLeaf(leaf);
        // The fleet's entries only: genesis precedes the clock, a day's offline log is timed by its catch-up, the
        // breach probes by their own figures.
        if (body.seq === 0 || !/^s\d+-/.test(body.origin)) continue;
        timing.total.push(now - body.ts);
        timing.queued.push(called - body.ts);
        timing.stored.push(now - called);
        const key = `${body.origin}#${body.seq}`;
        const arrived = timing.arrived.get(key);
        timing.arrived.delete(key);
        if (arrived === undefined) continue;
        timing.delivered.push(arrived - body.ts);
        timing.grouping.push(called - arrived);
      }
    return results;
  };
  return timed;
}

/**
 * Notes when HQ's link hands each entries message to the replicator (mqtt.js calls handleMessage as it parses the
 * packet, unless the link's window holds the socket): the broker's delivery, as HQ's thread sees it.
 */
function watchArrivals(hq: HqService, timing: StoreTiming, trace: AlertTrace): void {
  const client = hq.link.client;
  const handle = client.handleMessage.bind(client);
  client.handleMessage = (packet, done) => {
    const at = Date.now();
    if (packet.dup) timing.redelivered.dup++;
    if (/^muster\/v1\/log\/s\d+-[^/]*\/checkpoint$/.test(packet.topic)) timing.checkpoints.received++;
    if (packet.topic.endsWith('/entries')) {
      const { origin, leaves } = decodeBatch(
        Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload),
      );
      trace.leaves(origin, leaves, 'arrived', at);
      if (/^s\d+-/.test(origin))
        for (const leaf of leaves) {
          const { seq } = decodeLeaf(leaf).body;
          if (seq > 0) timing.arrived.set(`${origin}#${seq}`, at);
          if (!timing.seen.has(`${origin}#${seq}`) && packet.dup) timing.redelivered.firstAsDup++;
          timing.seen.add(`${origin}#${seq}`);
        }
    }
    handle(packet, done);
  };
}

/** The probes' alert path step by step (bench/scale-trace.ts): p50 / p99 of each step's time after the one before. */
function alertSplit(
  report: BenchReport,
  label: string,
  { trace, probe, screen }: Pick<Rig, 'trace' | 'probe' | 'screen'>,
  subjects: readonly string[],
): void {
  for (const s of subjects) {
    const at = screen.arrived.get(s);
    if (at !== undefined) trace.screen(s, at);
  }
  for (const { step, p50, p99 } of trace.split(subjects, probe.signed)) {
    report.add(`${label} breach path to ${step} p50`, p50, 'ms');
    report.add(`${label} breach path to ${step} p99`, p99, 'ms');
  }
}

/**
 * The second HQ node's share of the probes' alerts: from the alert's store on the raising node (its `breach-alert`
 * event follows the commit that sends the NOTIFY) to the other node's screens, p50 / p99, and how many arrived.
 */
async function otherNodeFigures(
  report: BenchReport,
  label: string,
  other: OtherNode,
  trace: AlertTrace,
  subjects: readonly string[],
): Promise<number> {
  let arrivals = await other.arrivals();
  const deadline = Date.now() + 10_000;
  while (subjects.some((s) => !arrivals.has(s)) && Date.now() < deadline) {
    await delay(100);
    arrivals = await other.arrivals();
  }
  const spans = subjects
    .flatMap((s) => {
      const at = arrivals.get(s);
      const from = trace.when(s, 'delivered');
      return at === undefined || from === undefined ? [] : [at - from];
    })
    .sort((a, b) => a - b);
  report.add(`${label} alert stored to the other HQ node's screens (NOTIFY) p50`, percentile(spans, 50), 'ms');
  report.add(`${label} alert stored to the other HQ node's screens (NOTIFY) p99`, percentile(spans, 99), 'ms');
  report.add(`${label} alerts on the other HQ node / probes`, spans.length / subjects.length, 'ratio');
  return spans.length;
}

/** `count` probe check-ins spread over `ms`; their subjects. */
async function probeSeries(probe: BreachProbe, count: number, ms: number): Promise<string[]> {
  const subjects: string[] = [];
  for (let i = 0; i < count; i++) {
    subjects.push(await probe.checkIn());
    await delay(ms / count);
  }
  return subjects;
}

function cpuNow(cluster: NatsCluster, pgPid: number | undefined): { brokers: number[]; pg: number } {
  return { brokers: cluster.nodes.map((n) => cpuSeconds(n.pid)), pg: cpuSeconds(pgPid) };
}

async function postmasterPid(url: string): Promise<number | undefined> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const row = (await client.query<{ dir: string }>("SELECT current_setting('data_directory') AS dir")).rows[0];
    return row ? Number(readFileSync(join(row.dir, 'postmaster.pid'), 'utf8').split('\n')[0]) : undefined;
  } finally {
    await client.end();
  }
}

async function runFleet(
  report: BenchReport,
  rig: Rig,
  fleet: number,
  broker: (origin: string) => { url: readonly string[]; username: string; password: string },
  day: Awaited<ReturnType<typeof writeOfflineDay>>,
): Promise<void> {
  const { cluster, store, timing, trace, probe, screen } = rig;
  const heapBefore = process.memoryUsage().heapUsed;
  const list = origins(fleet);
  const perKioskPerS = PEAK_PER_1000 / 1000;
  // One process per broker node, each with its share of the fleet (out of HQ's process: its memory is HQ's).
  const fleets = cluster.urls.map((nodeUrl, n) => {
    const share = list.filter((_, i) => i % cluster.urls.length === n);
    const ids = new Set(share.map(topicId));
    return startFleet({
      url: nodeUrl,
      users: [...cluster.passwords].filter(([user]) => ids.has(user)),
      origins: share,
      perKioskPerS,
      seconds: SECONDS,
      people: PEOPLE_PER_KIOSK,
    });
  });
  const next = (): Promise<FleetReply[]> => Promise.all(fleets.map((f) => f.next()));
  try {
    // Every kiosk's genesis is at HQ before the clock starts (HQ knows the fleet).
    await next();
    await until(async () => (await store.origins()).filter((o) => o.startsWith(`s${fleet}-`)).length >= fleet, 600_000);
    if (START_WITNESSED)
      await until(
        async () => (await store.witnessedOrigins()).filter((o) => o.startsWith(`s${fleet}-`)).length >= fleet,
        600_000,
      );
    timing.total.length = 0;
    timing.queued.length = 0;
    timing.stored.length = 0;
    timing.delivered.length = 0;
    timing.grouping.length = 0;
    timing.arrived.clear();
    timing.redelivered.dup = 0;
    timing.redelivered.firstAsDup = 0;
    timing.checkpoints.received = 0;
    timing.checkpoints.cosigned = 0;
    trace.take();
    const elu = performance.eventLoopUtilization();
    const cpu0 = cpuNow(cluster, rig.pgPid);
    const hqCpu0 = process.cpuUsage();
    const other0 = cpuSeconds(rig.other.pid);
    const started = performance.now();
    const done = next();
    for (const f of fleets) f.go();
    // HQ's resident memory at its highest in the window (sampled; RSS is the process's, the fleet is elsewhere).
    let rssPeak = process.memoryUsage().rss;
    // And the most messages HQ's link held unacknowledged (its window, and NATS's max_ack_pending, are 256).
    let unackedPeak = 0;
    // Over time: the most held in each second, and how many 0.1 s samples found the link's window full.
    const unackedBySecond: number[] = [];
    let fullSamples = 0;
    const sampler = setInterval(() => {
      rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
      const held = rig.hq.link.unacknowledged;
      unackedPeak = Math.max(unackedPeak, held);
      const second = Math.floor((performance.now() - started) / 1000);
      unackedBySecond[second] = Math.max(unackedBySecond[second] ?? 0, held);
      if (held >= 256) fullSamples++;
    }, 100);
    // HQ's broker connection lost in the window (its unacknowledged messages then come again only after the
    // broker's ack_wait).
    let drops = 0;
    const dropped = (): void => {
      drops++;
    };
    rig.hq.link.client.on('close', dropped);
    // How late HQ's thread ran its callbacks (a busy thread delays every step: the socket's reads too).
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    // At the peak: the breach probes over the window, and a centre back after a day offline halfway through.
    const probes = probeSeries(probe, PROBES, SECONDS * 1000);
    const catchUpSeconds = delay((SECONDS * 1000) / 2).then(() => catchUp(rig.dir, broker, day, store));
    const replies = await done;
    const sent = replies.reduce((sum, r) => sum + (r.sent ?? 0), 0);
    const acked = replies.flatMap((r) => r.acked ?? []).sort((a, b) => a - b);
    const subjects = await probes;
    const settle = Date.now() + 60_000;
    while (timing.total.length < sent && Date.now() < settle) await delay(100);
    clearInterval(sampler);
    loopDelay.disable();
    rig.hq.link.client.off('close', dropped);
    const window = (performance.now() - started) / 1000;
    const busy = performance.eventLoopUtilization(elu).active / 1000;
    const hqCpu = process.cpuUsage(hqCpu0);
    const cpu1 = cpuNow(cluster, rig.pgPid);
    const otherCpu = cpuSeconds(rig.other.pid) - other0;
    await until(() => probe.latencies(subjects, screen).length === PROBES, 30_000);
    const perK = fleet / 1000;
    const label = `scale ${fleet} kiosks`;
    const sorted = (xs: readonly number[]): number[] => [...xs].sort((a, b) => a - b);
    const total = sorted(timing.total);
    report.add(`${label} people reporting in the window`, sent / 3.2, 'people');
    report.add(
      `${label} sign-to-commit p50`,
      percentile(total, 50),
      'ms',
      'scale NATS QoS 1 round trip p50 (baseline)',
    );
    report.add(
      `${label} sign-to-commit p99`,
      percentile(total, 99),
      'ms',
      'scale NATS QoS 1 round trip p99 (baseline)',
    );
    report.add(`${label} sign-to-store-call p99 (broker, link, grouping)`, percentile(sorted(timing.queued), 99), 'ms');
    report.add(`${label} store call p99 (verify, commit)`, percentile(sorted(timing.stored), 99), 'ms');
    // The wait before the store call, step by step (each entry's own times; p99s of steps do not add up).
    for (const [step, xs] of [
      ['sign-to-PUBACK at the kiosk', acked],
      ['sign-to-arrival at HQ (kiosk, broker)', sorted(timing.delivered)],
      ['arrival-to-store-call (grouping, slots)', sorted(timing.grouping)],
    ] as const) {
      report.add(`${label} ${step} p50`, percentile(xs, 50), 'ms');
      report.add(`${label} ${step} p99`, percentile(xs, 99), 'ms');
    }
    report.add(`${label} HQ event loop delay p99`, loopDelay.percentile(99) / 1e6, 'ms');
    report.add(`${label} HQ event loop delay max`, loopDelay.max / 1e6, 'ms');
    report.add(`${label} HQ link unacknowledged messages, most`, unackedPeak, 'messages');
    report.add(`${label} HQ link at its full window (256)`, fullSamples / 10, 's');
    report.add(`${label} HQ link redeliveries (DUP) received`, timing.redelivered.dup, 'messages');
    report.add(`${label} fleet entries first received as a redelivery`, timing.redelivered.firstAsDup, 'entries');
    process.stderr.write(
      `scale: ${label}: HQ link unacknowledged, most in each second: ${Array.from(unackedBySecond, (n: number | undefined) => n ?? 0).join(' ')}\n`,
    );
    report.add(`${label} HQ broker connection lost`, drops, 'times');
    // What HQ's witnessing had to do in the window: the fleet's checkpoints in, HQ's cosignatures of them out.
    report.add(`${label} fleet checkpoints received at HQ`, timing.checkpoints.received, 'checkpoints');
    report.add(`${label} fleet checkpoints cosigned by HQ`, timing.checkpoints.cosigned, 'cosignatures');
    // Why a broker node closed a client (NATS logs a slow consumer or a stale connection), for the run's notes.
    for (const line of cluster.log().split('\n'))
      if (/slow consumer|stale connection|write deadline/i.test(line)) process.stderr.write(`scale: ${line}\n`);
    report.add(`${label} entries committed / sent`, total.length / Math.max(1, sent), 'ratio');
    const screenTimes = probe.latencies(subjects, screen);
    report.add(
      `${label} breach signing-to-screen p50`,
      percentile(screenTimes, 50),
      'ms',
      'scale breach signing-to-screen p50, fleet idle (baseline)',
    );
    report.add(
      `${label} breach signing-to-screen p99`,
      percentile(screenTimes, 99),
      'ms',
      'scale breach signing-to-screen p99, fleet idle (baseline)',
    );
    report.add(`${label} breach alerts on screen / probes`, screenTimes.length / PROBES, 'ratio');
    alertSplit(report, label, rig, subjects);
    const shown = await otherNodeFigures(report, label, rig.other, trace, subjects);
    report.add(`${label} other HQ node CPU s idle over the window (baseline)`, rig.idleCpu.other * window, 's');
    report.add(
      `${label} other HQ node CPU s over the window (alert feed)`,
      otherCpu,
      's',
      `${label} other HQ node CPU s idle over the window (baseline)`,
    );
    report.add(
      `${label} other HQ node CPU ms per alert shown (less idle)`,
      ((otherCpu - rig.idleCpu.other * window) * 1000) / Math.max(1, shown),
      'ms',
    );
    const queries = trace.take();
    report.add(`${label} reader size lists per s`, queries.sizes / window, '/s');
    report.add(`${label} reader row reads per s`, queries.rows / window, '/s');
    report.add(
      `${label} catch-up of a centre offline a day, at the peak`,
      await catchUpSeconds,
      's',
      'scale catch-up of a centre offline a day, fleet idle (baseline)',
    );
    report.add(`${label} window`, window, 's');
    report.add(`${label} HQ thread CPU s idle over the window (baseline)`, rig.idleCpu.hq * window, 's');
    report.add(
      `${label} HQ thread CPU s per 1,000 kiosks`,
      busy / perK,
      's',
      `${label} HQ thread CPU s idle over the window (baseline)`,
    );
    report.add(`${label} PostgreSQL CPU s idle over the window (baseline)`, rig.idleCpu.pg * window, 's');
    report.add(
      `${label} PostgreSQL CPU s per 1,000 kiosks`,
      (cpu1.pg - cpu0.pg) / perK,
      's',
      `${label} PostgreSQL CPU s idle over the window (baseline)`,
    );
    report.add(`${label} HQ process CPU s idle over the window (baseline)`, rig.idleCpu.hqProcess * window, 's');
    report.add(
      `${label} HQ process CPU s per 1,000 kiosks (every thread)`,
      (hqCpu.user + hqCpu.system) / 1e6 / perK,
      's',
      `${label} HQ process CPU s idle over the window (baseline)`,
    );
    report.add(`scale HQ process RSS idle`, rig.idleRss / 2 ** 20, 'MiB');
    report.add(`${label} HQ process RSS at the peak`, rssPeak / 2 ** 20, 'MiB', 'scale HQ process RSS idle');
    report.add(
      `${label} HQ process RSS per 1,000 kiosks (peak less idle)`,
      (rssPeak - rig.idleRss) / 2 ** 20 / perK,
      'MiB',
      'scale HQ process RSS idle',
    );
    report.add(`${label} HQ heap before`, heapBefore / 2 ** 20, 'MiB');
    report.add(
      `${label} HQ heap per 1,000 kiosks`,
      (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20 / perK,
      'MiB',
      `${label} HQ heap before`,
    );
    const mem = await brokerMemory(cluster);
    for (const [i, bytes] of mem.entries()) {
      const node = `broker node ${i + 1}`;
      report.add(`${label} ${node} CPU s idle over the window (baseline)`, (rig.idleCpu.brokers[i] ?? 0) * window, 's');
      report.add(
        `${label} ${node} CPU s per 1,000 kiosks`,
        ((cpu1.brokers[i] ?? 0) - (cpu0.brokers[i] ?? 0)) / perK,
        's',
        `${label} ${node} CPU s idle over the window (baseline)`,
      );
      report.add(`scale ${node} RSS idle`, (rig.idleMem[i] ?? 0) / 2 ** 20, 'MiB');
      report.add(`${label} ${node} RSS`, bytes / 2 ** 20, 'MiB', `scale ${node} RSS idle`);
    }
  } finally {
    await Promise.all(fleets.map((f) => f.stop()));
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

async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition()) && Date.now() < deadline) await delay(100);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
