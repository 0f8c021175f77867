// Replication benchmarks, on Aedes (in its own process) and Mosquitto side by side:
// - kiosk-to-HQ latency p50/p99 with N simulated kiosks (10, 100, 500) appending at a steady rate: from the
//   moment an entry is signed (its ts) to HQ's commit of it, verified. Kiosks run in a worker thread, HQ on the
//   main thread, the broker in another process. Goal: p99 < 100 ms at 100 kiosks.
//   Each simulated kiosk publishes what a kiosk publishes: each entry at once, and its signed checkpoint
//   (retained; HQ witnesses and cosigns it) at most once a second, as the Replicator does. The clock starts once HQ holds every kiosk's genesis entry
//   (steady state: HQ already knows the fleet), and runs for SECONDS.
// - HQ verified ingest, entries/s, against the Ed25519 verify ceiling measured in the same run: on one thread
//   against one core, and with VerifyPool (every core) against every core verifying at once, measured right
//   before and after each of three runs (the median run is reported). Goal: >= 70%.
// - catch-up: a kiosk (in its own thread) with a 50,000-entry backlog in SQLite connects; time until HQ holds
//   and verified it all, and that rate against the all-core ceiling. Goal: < 10 s.
// The load average at the start is reported too: these machines are shared, so read every figure against it.
import { type ChildProcess, spawn } from 'node:child_process';
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { copyFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import mqtt from 'mqtt';
import { concatBytes } from '../core/bytes.ts';
import { ENTRY_SIGNATURE_DOMAIN, ZERO_HASH, decodeLeaf } from '../core/entry.ts';
import { nodeHash } from '../ledger/hash.ts';
import { signCheckpoint } from '../ledger/note.ts';
import { type SignedEntry, signEntry } from '../ledger/entry-signing.ts';
import { Signer } from '../ledger/keys.ts';
import { LogWriter } from '../ledger/log-writer.ts';
import { LedgerStore } from '../ledger/store.ts';
import { KioskNode } from '../net/kiosk-node.ts';
import { SqliteHqStore } from '../net/hq/sqlite-hq-store.ts';
import { MqttLink } from '../net/mqtt-link.ts';
import type { ReplicaStore } from '../net/replica-store.ts';
import { Replicator } from '../net/replicator.ts';
import { topicId, topics } from '../net/topics.ts';
import { Witness } from '../net/witness.ts';
import { encodeBatch } from '../net/wire.ts';
import { VerifyPool } from '../ledger/verify-pool.ts';
import { startWorker } from '../runtime/worker.ts';
import { startMosquitto } from '../test/helpers/mosquitto.ts';
import { allCoresVerifyRate } from './ed25519-ceiling.ts';
import { morningStep } from './scale-people.ts';
import { type BenchReport, percentile } from './report.ts';
import type { Suite } from './suites.ts';

const FLEETS = [
  { kiosks: 10, perKioskPerS: 10 },
  { kiosks: 100, perKioskPerS: 2 },
  { kiosks: 500, perKioskPerS: 1 },
] as const;
const SECONDS = 3;
/** Ingest calls the ingest benchmark keeps in flight. */
const INGEST_IN_FLIGHT = 4;
const BACKLOG = 50_000;
const BACKLOG_ORIGIN = 'b0/kiosk';
/** The Replicator's default checkpointEveryMs. */
const CHECKPOINT_EVERY_MS = 1000;
// Parts of the suite, for short runs while working: MUSTER_BENCH_NET=ingest,latency,catchup (default all),
// MUSTER_BENCH_NET_KIOSKS=10,100 (fleet sizes), MUSTER_BENCH_NET_BROKERS=aedes,mosquitto.
const PARTS = listEnv('MUSTER_BENCH_NET', ['ingest', 'latency', 'catchup']);
const SIZES = listEnv(
  'MUSTER_BENCH_NET_KIOSKS',
  FLEETS.map((f) => String(f.kiosks)),
);
const BROKERS = listEnv('MUSTER_BENCH_NET_BROKERS', ['aedes', 'mosquitto']);

function listEnv(name: string, all: readonly string[]): string[] {
  const value = process.env[name];
  return value ? value.split(',').filter((v) => all.includes(v)) : [...all];
}

interface KioskJob {
  readonly url: string;
  readonly users: readonly [string, string][];
  readonly origins: readonly string[];
  readonly perKioskPerS: number;
  readonly seconds: number;
  /**
   * People per kiosk (bench/scale): each tick is the next step of the next person's morning, as a kiosk logs it
   * (bench/scale-people.ts); absent: one synthetic check-in per tick.
   */
  readonly people?: number;
}

interface BacklogJob {
  readonly path: string;
  /** The kiosk's signer key string (a throwaway bench key). */
  readonly key: string;
  readonly url: string;
  readonly password: string;
}

interface Broker {
  readonly name: string;
  readonly url: string;
  readonly users: Map<string, string>;
  stop(): Promise<void>;
}

const cpus = availableParallelism();
let pool: VerifyPool;

const ONE_CORE = 'net verify ceiling (Ed25519, 1 core)';
const ALL_CORES = `net verify ceiling (Ed25519, ${cpus} cores at once)`;

export const netSuite: Suite = {
  name: 'net',
  async run(report) {
    const dir = mkdtempSync(join(tmpdir(), 'muster-bench-net-'));
    pool = new VerifyPool();
    report.add('net load average (1 min) at start', loadavg()[0] ?? 0, 'load', 'net load average (1 min) at start');
    try {
      const logs = PARTS.includes('ingest') ? ingestLogs() : undefined;
      report.add(ONE_CORE, verifyCeiling(), 'verifies/s');
      if (logs)
        report.add(
          'net HQ verified ingest, 1 thread (batches of 500)',
          await ingestRate(join(dir, 'ingest-inline.db'), logs, undefined),
          'entries/s',
          ONE_CORE,
        );
      report.add(ALL_CORES, await allCoresVerifyRate(1.5), 'verifies/s');
      if (logs) await pooledIngest(report, dir, logs);
      const fleets = FLEETS.filter((f) => SIZES.includes(String(f.kiosks)));
      const origins = fleets.flatMap((f) => fleetOrigins(f.kiosks)).concat(['hq', BACKLOG_ORIGIN]);
      const backlog = PARTS.includes('catchup') ? await backlogFile(dir) : undefined;
      const starters = { aedes: startAedesProcess, mosquitto: startMosquittoBroker };
      for (const name of BROKERS) {
        if (!PARTS.includes('latency') && !backlog) break;
        const broker = await starters[name as keyof typeof starters](origins);
        try {
          if (PARTS.includes('latency'))
            for (const fleet of fleets) await latency(report, broker, dir, fleet.kiosks, fleet.perKioskPerS);
          if (backlog) await catchUp(report, broker, dir, backlog);
        } finally {
          await broker.stop();
        }
      }
    } finally {
      await pool.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

function fleetOrigins(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `f${count}/k${i}`);
}

/** Single-core Ed25519 verifies/s over the same kind of message HQ checks (domain || entry body). */
function verifyCeiling(): number {
  const signer = Signer.generate('bench/verify');
  const entries = chain(signer, 2000);
  const messages = entries.map((e) => {
    const decoded = decodeLeaf(e.leaf);
    return { message: concatBytes(ENTRY_SIGNATURE_DOMAIN, decoded.bodyBytes), signature: decoded.signature };
  });
  const start = performance.now();
  let count = 0;
  while (performance.now() - start < 1500) {
    for (const m of messages) signer.verifier.verify(m.message, m.signature);
    count += messages.length;
  }
  return count / ((performance.now() - start) / 1000);
}

function chain(signer: Signer, count: number): SignedEntry[] {
  const out: SignedEntry[] = [];
  let prev: Uint8Array = ZERO_HASH;
  for (let seq = 0; seq < count; seq++) {
    const entry = signEntry(
      {
        v: 1,
        origin: signer.name,
        seq,
        ts: Date.now(),
        type: seq === 0 ? 'genesis' : 'checkin',
        prev,
        kid: signer.id,
        payload: seq === 0 ? { key: signer.verifier.publicKey } : { subject: `s-${seq}`, center: 'bench', score: 0.93 },
      },
      signer,
    );
    out.push(entry);
    prev = entry.hash;
  }
  return out;
}

/**
 * HQ's ingest with VerifyPool against the all-core ceiling, as bench/ledger.bench.ts measures fsck: the machine's
 * speed drifts within a run (it is shared), so the ceiling is measured right before and right after each ingest
 * and their mean is that run's baseline; of three runs (each into a fresh store), the median ratio is reported.
 */
async function pooledIngest(report: BenchReport, dir: string, logs: readonly SignedEntry[][]): Promise<void> {
  const runs: { rate: number; ceiling: number }[] = [];
  let before = await allCoresVerifyRate(1.5);
  for (let run = 0; run < 3; run++) {
    const rate = await ingestRate(join(dir, `ingest-pool-${run}.db`), logs, pool);
    const after = await allCoresVerifyRate(1.5);
    runs.push({ rate, ceiling: (before + after) / 2 });
    before = after;
  }
  const median = runs.sort((a, b) => a.rate / a.ceiling - b.rate / b.ceiling)[1] as { rate: number; ceiling: number };
  const ceiling = `net verify ceiling (Ed25519, ${cpus} cores, around the median ingest)`;
  report.add(ceiling, median.ceiling, 'verifies/s');
  report.add(
    `net HQ verified ingest, VerifyPool on ${cpus} cores (batches of 500, median of 3)`,
    median.rate,
    'entries/s',
    ceiling,
  );
}

/** The ingest benchmark's logs: 4 kiosks' 5,000 entries each, signed once for both stores. */
function ingestLogs(): SignedEntry[][] {
  return Array.from({ length: 4 }, (_, i) => chain(Signer.generate(`bench/ingest${i}`), 5000));
}

/**
 * Entries/s that HQ's store verifies and commits, fed batches of 500 (the backfill reply size), INGEST_IN_FLIGHT
 * calls at a time: HQ's Replicator has many MQTT messages in hand (the link's window) and keeps one group commit
 * in flight per group while the next is verified (net/replicator.ts), so the store sees overlapping calls. Every
 * guarantee holds as with one call at a time: calls commit in call order and each resolves only after its commit.
 */
async function ingestRate(
  file: string,
  logs: readonly SignedEntry[][],
  workers: VerifyPool | undefined,
): Promise<number> {
  const store = SqliteHqStore.open(file, workers ? { pool: workers } : {});
  const batches = logs.flatMap((log) =>
    Array.from({ length: log.length / 500 }, (_, k) => log.slice(k * 500, k * 500 + 500)),
  );
  const start = performance.now();
  let total = 0;
  let next = 0;
  const feed = async (): Promise<void> => {
    for (let batch = batches[next++]; batch; batch = batches[next++]) {
      const result = await store.ingest(
        batch[0]?.body.origin ?? '',
        batch.map((e) => e.leaf),
        'bench',
      );
      if (result.inserted !== batch.length)
        throw new Error(
          `ingest bench: ${result.inserted} of ${batch.length} stored (${JSON.stringify(result.rejected[0])})`,
        );
      total += result.inserted;
    }
  };
  await Promise.all(Array.from({ length: INGEST_IN_FLIGHT }, feed));
  const rate = total / ((performance.now() - start) / 1000);
  await store.close();
  return rate;
}

/** HQ (Replicator following every log); with `timing`, its store records each entry's age when its commit returns. */
async function startHq(
  broker: Broker,
  dir: string,
  name: string,
  timing: boolean,
): Promise<{ store: SqliteHqStore; latencies: number[]; stop: () => Promise<void> }> {
  const store = SqliteHqStore.open(join(dir, `${name}.db`), { pool });
  const latencies: number[] = [];
  const timed: ReplicaStore = Object.create(store) as ReplicaStore;
  if (timing)
    timed.ingestMany = async (batches) => {
      const results = await store.ingestMany(batches);
      const now = Date.now();
      for (const batch of batches) {
        for (const leaf of batch.leaves) {
          const { body } = decodeLeaf(leaf);
          if (body.seq > 0) latencies.push(now - body.ts);
        }
      }
      return results;
    };
  const link = new MqttLink({ url: broker.url, nodeId: 'hq', username: 'hq', password: broker.users.get('hq') ?? '' });
  const replicator = new Replicator({
    link,
    store: timed,
    witness: new Witness(timed, Signer.generate('hq')),
    follow: 'all',
  });
  await replicator.start();
  await link.connection();
  return {
    store,
    latencies,
    stop: async () => {
      await replicator.close();
      await link.close(true);
      await store.close();
    },
  };
}

async function latency(
  report: BenchReport,
  broker: Broker,
  dir: string,
  kiosks: number,
  perKioskPerS: number,
): Promise<void> {
  const hq = await startHq(broker, dir, `latency-${broker.name}-${kiosks}`, true);
  const origins = fleetOrigins(kiosks);
  const job: KioskJob = { url: broker.url, users: [...broker.users], origins, perKioskPerS, seconds: SECONDS };
  const worker = startWorker(new URL(import.meta.url), { workerData: { role: 'net-bench-kiosks', job } });
  const failed = new Promise<never>((_, reject) => worker.once('error', reject));
  const next = (): Promise<{ sent?: number }> =>
    Promise.race([new Promise<{ sent?: number }>((resolve) => worker.once('message', resolve)), failed]);
  // Warm-up: every kiosk's genesis is at HQ before the clock starts.
  await next();
  await until(async () => (await hq.store.origins()).length >= kiosks, 60_000);
  hq.latencies.length = 0;
  worker.postMessage('go');
  const { sent = 0 } = await next();
  const deadline = Date.now() + 30_000;
  while (hq.latencies.length < sent && Date.now() < deadline) await delay(50);
  await worker.terminate();
  const sorted = [...hq.latencies].sort((a, b) => a - b);
  const label = `net ${broker.name} ${kiosks} kiosks x ${perKioskPerS}/s`;
  report.add(`${label} p50`, percentile(sorted, 50), 'ms');
  report.add(`${label} p99`, percentile(sorted, 99), 'ms');
  report.add(`${label} delivered`, sorted.length / Math.max(1, sent), 'ratio');
  await hq.stop();
}

/** A kiosk log of BACKLOG entries (after its genesis), written once and copied for each broker. */
async function backlogFile(dir: string): Promise<{ path: string; signer: Signer }> {
  const path = join(dir, 'backlog.db');
  const signer = Signer.generate(BACKLOG_ORIGIN);
  const ledger = LedgerStore.open(path, { create: true, synchronous: 'NORMAL' });
  const writer = LogWriter.init(ledger, BACKLOG_ORIGIN, signer);
  for (let done = 0; done < BACKLOG; done += 1000) {
    await Promise.all(
      Array.from({ length: 1000 }, (_, i) => writer.append('checkin', { subject: `s-${done + i}`, center: 'b0' })),
    );
  }
  ledger.close();
  return { path, signer };
}

async function catchUp(
  report: BenchReport,
  broker: Broker,
  dir: string,
  backlog: { path: string; signer: Signer },
): Promise<void> {
  const path = join(dir, `backlog-${broker.name}.db`);
  copyFileSync(backlog.path, path);
  const hq = await startHq(broker, dir, `catchup-${broker.name}`, false);
  const job: BacklogJob = {
    path,
    key: backlog.signer.encodeSecret(),
    url: broker.url,
    password: broker.users.get(topicId(BACKLOG_ORIGIN)) ?? '',
  };
  const start = performance.now();
  const kiosk = startWorker(new URL(import.meta.url), { workerData: { role: 'net-bench-backlog-kiosk', job } });
  await until(async () => (await hq.store.size(BACKLOG_ORIGIN)) >= BACKLOG + 1, 120_000);
  const seconds = (performance.now() - start) / 1000;
  const complete = (await hq.store.size(BACKLOG_ORIGIN)) === BACKLOG + 1;
  const label = `net ${broker.name} catch-up ${BACKLOG} entries`;
  report.add(label, complete ? seconds : Number.NaN, 's');
  report.add(`${label}, rate`, complete ? BACKLOG / seconds : Number.NaN, 'entries/s', ALL_CORES);
  kiosk.postMessage('close');
  await new Promise((resolve) => kiosk.once('exit', resolve));
  await hq.stop();
}

async function until(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition()) && Date.now() < deadline) await delay(20);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function startAedesProcess(origins: readonly string[]): Promise<Broker> {
  const users = credentials(origins);
  const code = `const { startEmbeddedBroker } = await import(${JSON.stringify(new URL('../net/embedded-broker.ts', import.meta.url).href)});
const users = new Map(JSON.parse(process.env.MUSTER_USERS));
const broker = await startEmbeddedBroker({ port: 0, users, alertPublishers: new Set(['hq']) });
process.stdout.write(broker.url + '\\n');`;
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, MUSTER_USERS: JSON.stringify([...users]) },
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.once('data', (chunk: Buffer) => {
      resolve(chunk.toString().trim());
    });
    child.once('exit', (code) => {
      reject(new Error(`aedes process exited with ${code}`));
    });
  });
  return {
    name: 'aedes',
    url,
    users,
    stop: async () => {
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await gone;
    },
  };
}

async function startMosquittoBroker(origins: readonly string[]): Promise<Broker> {
  const users = credentials(origins);
  // One password file line per user, written here: mosquitto_passwd once per user costs seconds for 600 users.
  const server = await startMosquitto({
    passwordFile: [...users].map(([user, password]) => passwordLine(user, password)).join('\n'),
  });
  return { name: 'mosquitto', url: server.url, users, stop: () => server.stop() };
}

/** A Mosquitto 2 password line (PBKDF2-SHA512, as net/acl.ts writes them) with few iterations: bench-only passwords. */
function passwordLine(user: string, password: string): string {
  const salt = randomBytes(12);
  const hash = pbkdf2Sync(password, salt, 1000, 64, 'sha512');
  return `${user}:$7$1000$${salt.toString('base64')}$${hash.toString('base64')}`;
}

function credentials(origins: readonly string[]): Map<string, string> {
  return new Map(origins.map((o) => [topicId(o), `pw-${topicId(o)}`]));
}

/** The right edge of a kiosk's Merkle tree (perfect subtrees by level), enough for its root after each append. */
class Frontier {
  private readonly levels = new Map<number, Uint8Array>();
  size = 0;

  add(hash: Uint8Array): void {
    let level = 0;
    let h = hash;
    for (let index = this.size; index % 2 === 1; index = (index - 1) / 2) {
      h = nodeHash(this.levels.get(level) as Uint8Array, h);
      this.levels.delete(level++);
    }
    this.levels.set(level, h);
    this.size++;
  }

  root(): Uint8Array {
    let root: Uint8Array | undefined;
    for (const level of [...this.levels.keys()].sort((a, b) => a - b)) {
      const left = this.levels.get(level) as Uint8Array;
      root = root ? nodeHash(left, root) : left;
    }
    return root ?? new Uint8Array(32);
  }
}

/**
 * Worker side: every simulated kiosk does per tick what a kiosk does per append: sign an entry, publish it, then
 * publish its signed checkpoint (retained), QoS 1. Genesis first, then 'go' from the main thread starts the clock.
 */
async function runKiosks(job: KioskJob): Promise<void> {
  const users = new Map(job.users);
  const kiosks = await Promise.all(
    job.origins.map(async (origin) => {
      const id = topicId(origin);
      const client = await connectKiosk(job.url, {
        clientId: id,
        username: id,
        password: users.get(id) ?? '',
        protocolVersion: 4,
        clean: true,
      });
      const prev: Uint8Array = ZERO_HASH;
      return {
        origin,
        client,
        signer: Signer.generate(origin),
        seq: 0,
        prev,
        tree: new Frontier(),
        checkpointAt: -Infinity,
        checkpointDue: false,
      };
    }),
  );
  let sent = 0;
  /** Per entry sent after 'go': its signing to the broker's PUBACK of it (bench/scale's 'published' step). */
  const acked: number[] = [];
  const publish = async (k: (typeof kiosks)[number]): Promise<void> => {
    const step =
      k.seq === 0
        ? { type: 'genesis' as const, payload: { key: k.signer.verifier.publicKey } }
        : job.people === undefined
          ? { type: 'checkin' as const, payload: { subject: `s-${k.seq}`, center: 'bench', score: 0.93 } }
          : morningStep(k.origin, job.people, k.seq - 1);
    const entry = signEntry(
      {
        v: 1,
        origin: k.origin,
        seq: k.seq,
        ts: Date.now(),
        type: step.type,
        prev: k.prev,
        kid: k.signer.id,
        payload: step.payload,
      },
      k.signer,
    );
    k.seq++;
    k.prev = entry.hash;
    k.tree.add(entry.hash);
    await Promise.all([
      k.client
        .publishAsync(topics.entries(k.origin), Buffer.from(encodeBatch({ origin: k.origin, leaves: [entry.leaf] })), {
          qos: 1,
        })
        .then(() => {
          if (entry.body.seq > 0) acked.push(Date.now() - entry.body.ts);
        }),
      checkpointSoon(k),
    ]);
  };
  // As the Replicator does: the checkpoint at most once a second, the latest always within a second (in the
  // background, so a kiosk's ticks never wait for it).
  const checkpointSoon = async (k: (typeof kiosks)[number]): Promise<void> => {
    const wait = k.checkpointAt + CHECKPOINT_EVERY_MS - performance.now();
    if (wait <= 0) {
      await checkpoint(k);
    } else if (!k.checkpointDue) {
      k.checkpointDue = true;
      void delay(wait)
        .then(() => {
          k.checkpointDue = false;
          return checkpoint(k);
        })
        .catch(() => undefined); // the client ended with the run
    }
  };
  const checkpoint = async (k: (typeof kiosks)[number]): Promise<void> => {
    k.checkpointAt = performance.now();
    const note = signCheckpoint({ origin: k.origin, size: k.tree.size, root: k.tree.root(), extensions: [] }, k.signer);
    await k.client.publishAsync(topics.checkpoint(k.origin), note, { qos: 1, retain: true });
  };
  await Promise.all(kiosks.map((k) => publish(k)));
  const go = new Promise((resolve) => parentPort?.once('message', resolve));
  parentPort?.postMessage({});
  await go;
  // Spread the kiosks' ticks over the period so the load is steady, not a burst per period.
  const period = 1000 / job.perKioskPerS;
  const end = Date.now() + job.seconds * 1000;
  await Promise.all(
    kiosks.map(async (k, i) => {
      await delay((period * i) / kiosks.length);
      while (Date.now() < end) {
        const next = Date.now() + period;
        sent++;
        await publish(k);
        // Not past the end: a kiosk's period (45 s at a province's rate) would otherwise stretch the run by as much.
        await delay(Math.max(0, Math.min(next, end) - Date.now()));
      }
    }),
  );
  parentPort?.postMessage({ sent, acked });
  await Promise.all(kiosks.map((k) => k.client.endAsync()));
}

/**
 * Connects one simulated kiosk, again after a refused or reset connection (hundreds connecting at once to a loaded
 * broker node may see one), and keeps a later connection error from ending the worker (mqtt.js reconnects).
 */
async function connectKiosk(url: string, options: mqtt.IClientOptions): Promise<mqtt.MqttClient> {
  for (let attempt = 1; ; attempt++) {
    try {
      const client = await mqtt.connectAsync(url, options);
      client.on('error', () => undefined);
      return client;
    } catch (error) {
      if (attempt >= 5) throw error;
      await delay(500 * attempt);
    }
  }
}

/** Worker side of catch-up: the kiosk with the backlog connects and serves HQ's backfill from its SQLite log. */
async function runBacklogKiosk(job: BacklogJob): Promise<void> {
  const signer = Signer.parse(job.key);
  const close = new Promise((resolve) => parentPort?.once('message', resolve));
  const kiosk = await KioskNode.start({
    storePath: job.path,
    signer,
    witnessSigner: Signer.generate(signer.name),
    broker: { url: job.url, username: topicId(signer.name), password: job.password },
    peers: [],
  });
  await close;
  await kiosk.close();
}

const data = workerData as { role?: string; job?: KioskJob | BacklogJob } | null;
if (!isMainThread && data?.role === 'net-bench-kiosks' && data.job) void runKiosks(data.job as KioskJob);
if (!isMainThread && data?.role === 'net-bench-backlog-kiosk' && data.job) void runBacklogKiosk(data.job as BacklogJob);
