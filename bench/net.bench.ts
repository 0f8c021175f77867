// Replication benchmarks, on Aedes (in its own process) and Mosquitto side by side:
// - kiosk-to-HQ latency p50/p99 with N simulated kiosks (10, 100, 500) appending at a steady rate: from the
//   moment an entry is signed (its ts) to HQ's commit of it, verified. Kiosks run in a worker thread, HQ on the
//   main thread, the broker in another process. Goal: p99 < 100 ms at 100 kiosks.
// - HQ verified ingest, entries/s, against the Ed25519 verify ceiling measured in the same run: inline (one
//   thread) against one core, and with signature checks in worker threads against every core. Goal: >= 70%.
// - catch-up: a kiosk with a 50,000-entry backlog in SQLite connects; time until HQ holds and verified it all.
//   Goal: < 10 s.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import mqtt from 'mqtt';
import { concatBytes } from '../core/bytes.ts';
import { ENTRY_SIGNATURE_DOMAIN, ZERO_HASH, decodeLeaf } from '../core/entry.ts';
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
import { VerifyPool } from '../net/verify-pool.ts';
import { startWorker } from '../runtime/worker.ts';
import { startMosquitto } from '../test/helpers/mosquitto.ts';
import { type BenchReport, percentile } from './report.ts';
import type { Suite } from './suites.ts';

const FLEETS = [
  { kiosks: 10, perKioskPerS: 10 },
  { kiosks: 100, perKioskPerS: 2 },
  { kiosks: 500, perKioskPerS: 1 },
] as const;
const SECONDS = 3;
const BACKLOG = 50_000;
// Parts of the suite, for short runs while working: MUSTER_BENCH_NET=ingest,latency,catchup (default all),
// MUSTER_BENCH_NET_KIOSKS=10,100 (fleet sizes), MUSTER_BENCH_NET_BROKERS=aedes,mosquitto.
const PARTS = listEnv('MUSTER_BENCH_NET', ['ingest', 'latency', 'catchup']);
const SIZES = listEnv('MUSTER_BENCH_NET_KIOSKS', FLEETS.map((f) => String(f.kiosks)));
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
}

interface Broker {
  readonly name: string;
  readonly url: string;
  readonly users: Map<string, string>;
  stop(): Promise<void>;
}

const cpus = availableParallelism();
let pool: VerifyPool;

export const netSuite: Suite = {
  name: 'net',
  async run(report) {
    const dir = mkdtempSync(join(tmpdir(), 'muster-bench-net-'));
    pool = new VerifyPool();
    try {
      if (PARTS.includes('ingest')) {
        const ceiling = verifyCeiling();
        report.add('net verify ceiling (Ed25519, 1 core)', ceiling, 'verifies/s');
        report.add(`net verify ceiling (Ed25519, ${cpus} cores)`, await poolCeiling(), 'verifies/s', 'net verify ceiling (Ed25519, 1 core)');
        report.add('net HQ verified ingest, inline (batches of 500)', await ingestRate(dir, undefined), 'entries/s', 'net verify ceiling (Ed25519, 1 core)');
        report.add('net HQ verified ingest, worker threads (batches of 500)', await ingestRate(dir, pool), 'entries/s', `net verify ceiling (Ed25519, ${cpus} cores)`);
      }
      const fleets = FLEETS.filter((f) => SIZES.includes(String(f.kiosks)));
      const origins = fleets.flatMap((f) => fleetOrigins(f.kiosks)).concat(['hq', 'b0/kiosk']);
      const starters = { aedes: startAedesProcess, mosquitto: startMosquittoBroker };
      for (const name of BROKERS) {
        if (!PARTS.includes('latency') && !PARTS.includes('catchup')) break;
        const broker = await starters[name as keyof typeof starters](origins);
        try {
          if (PARTS.includes('latency')) for (const fleet of fleets) await latency(report, broker, dir, fleet.kiosks, fleet.perKioskPerS);
          if (PARTS.includes('catchup')) await catchUp(report, broker, dir);
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
      { v: 1, origin: signer.name, seq, ts: Date.now(), type: seq === 0 ? 'genesis' : 'checkin', prev, kid: signer.id, payload: seq === 0 ? { key: signer.verifier.publicKey } : { subject: `s-${seq}`, center: 'bench', score: 0.93 } },
      signer,
    );
    out.push(entry);
    prev = entry.hash;
  }
  return out;
}

/** Ed25519 verifies/s on every core: HQ's worker threads checking batches of 500 entries of one log. */
async function poolCeiling(): Promise<number> {
  const signer = Signer.generate('bench/pool');
  const leaves = chain(signer, 4000).map((e) => e.leaf);
  const keys = [{ fromSeq: 0, publicKey: signer.verifier.publicKey }];
  // Every core busy at once: one batch per worker (the main thread idles, as HQ's does while it waits).
  const start = performance.now();
  let count = 0;
  while (performance.now() - start < 1500) {
    await Promise.all(Array.from({ length: 4 }, (_, i) => pool.verify('bench/pool', keys, leaves.slice(i * 1000, (i + 1) * 1000))));
    count += leaves.length;
  }
  return count / ((performance.now() - start) / 1000);
}

/** Entries/s that HQ's store verifies and commits, fed batches of 500 (the backfill reply size). */
async function ingestRate(dir: string, workers: VerifyPool | undefined): Promise<number> {
  const store = SqliteHqStore.open(join(dir, `ingest-${workers ? 'pool' : 'inline'}.db`), workers ? { pool: workers } : {});
  const logs = Array.from({ length: 4 }, (_, i) => chain(Signer.generate(`bench/ingest${i}`), 5000));
  const start = performance.now();
  let total = 0;
  for (const log of logs) {
    for (let from = 0; from < log.length; from += 500) {
      const result = await store.ingest(log[0]?.body.origin ?? '', log.slice(from, from + 500).map((e) => e.leaf), 'bench');
      total += result.inserted;
    }
  }
  const rate = total / ((performance.now() - start) / 1000);
  await store.close();
  return rate;
}

/** HQ (Replicator following every log); with `timing`, its store records each entry's age when its commit returns. */
async function startHq(broker: Broker, dir: string, name: string, timing: boolean): Promise<{ store: SqliteHqStore; latencies: number[]; stop: () => Promise<void> }> {
  const store = SqliteHqStore.open(join(dir, `${name}.db`), cpus > 2 ? { pool } : {});
  const latencies: number[] = [];
  const timed: ReplicaStore = Object.create(store) as ReplicaStore;
  if (timing) timed.ingest = async (origin, leaves, source) => {
    const result = await store.ingest(origin, leaves, source);
    const now = Date.now();
    for (const leaf of leaves) {
      const { body } = decodeLeaf(leaf);
      if (body.seq > 0) latencies.push(now - body.ts);
    }
    return result;
  };
  const link = new MqttLink({ url: broker.url, nodeId: 'hq', username: 'hq', password: broker.users.get('hq') ?? '' });
  const replicator = new Replicator({ link, store: timed, witness: new Witness(timed, Signer.generate('hq')), follow: 'all' });
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

async function latency(report: BenchReport, broker: Broker, dir: string, kiosks: number, perKioskPerS: number): Promise<void> {
  const hq = await startHq(broker, dir, `latency-${broker.name}-${kiosks}`, true);
  const origins = fleetOrigins(kiosks);
  const job: KioskJob = { url: broker.url, users: [...broker.users], origins, perKioskPerS, seconds: SECONDS };
  const worker = startWorker(new URL(import.meta.url), { workerData: { role: 'net-bench-kiosks', job } });
  const sent = await new Promise<number>((resolve, reject) => {
    worker.once('message', (m: { sent: number }) => {
      resolve(m.sent);
    });
    worker.once('error', reject);
  });
  const deadline = Date.now() + 30_000;
  while (hq.latencies.length < sent && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  await worker.terminate();
  const sorted = [...hq.latencies].sort((a, b) => a - b);
  const label = `net ${broker.name} ${kiosks} kiosks x ${perKioskPerS}/s`;
  report.add(`${label} p50`, percentile(sorted, 50), 'ms');
  report.add(`${label} p99`, percentile(sorted, 99), 'ms');
  report.add(`${label} delivered`, sorted.length / Math.max(1, sent), 'ratio');
  await hq.stop();
}

async function catchUp(report: BenchReport, broker: Broker, dir: string): Promise<void> {
  const origin = 'b0/kiosk';
  const path = join(dir, `backlog-${broker.name}.db`);
  const signer = Signer.generate(origin);
  const witness = Signer.generate(origin);
  const ledger = LedgerStore.open(path, { create: true, synchronous: 'NORMAL' });
  const writer = LogWriter.init(ledger, origin, signer);
  for (let done = 0; done < BACKLOG; done += 1000) {
    await Promise.all(Array.from({ length: 1000 }, (_, i) => writer.append('checkin', { subject: `s-${done + i}`, center: 'b0' })));
  }
  ledger.close();
  const hq = await startHq(broker, dir, `catchup-${broker.name}`, false);
  const start = performance.now();
  const kiosk = await KioskNode.start({ storePath: path, signer, witnessSigner: witness, broker: { url: broker.url, username: topicId(origin), password: broker.users.get(topicId(origin)) ?? '' }, peers: [] });
  const deadline = Date.now() + 120_000;
  while ((await hq.store.size(origin)) < BACKLOG + 1 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  const seconds = (performance.now() - start) / 1000;
  report.add(`net ${broker.name} catch-up ${BACKLOG} entries`, (await hq.store.size(origin)) === BACKLOG + 1 ? seconds : Number.NaN, 's');
  await kiosk.close();
  await hq.stop();
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
  const server = await startMosquitto({ users });
  return { name: 'mosquitto', url: server.url, users, stop: () => server.stop() };
}

function credentials(origins: readonly string[]): Map<string, string> {
  return new Map(origins.map((o) => [topicId(o), `pw-${topicId(o)}`]));
}

/** Worker side: every simulated kiosk signs and publishes one entry per tick, live, QoS 1, as a kiosk does. */
async function runKiosks(job: KioskJob): Promise<void> {
  const users = new Map(job.users);
  const kiosks = await Promise.all(
    job.origins.map(async (origin) => {
      const id = topicId(origin);
      const client = await mqtt.connectAsync(job.url, { clientId: id, username: id, password: users.get(id) ?? '', protocolVersion: 4, clean: true });
      const prev: Uint8Array = ZERO_HASH;
      return { origin, client, signer: Signer.generate(origin), seq: 0, prev };
    }),
  );
  let sent = 0;
  const publish = (k: (typeof kiosks)[number]): Promise<unknown> => {
    const payload = k.seq === 0 ? { key: k.signer.verifier.publicKey } : { subject: `s-${k.seq}`, center: 'bench', score: 0.93 };
    const entry = signEntry({ v: 1, origin: k.origin, seq: k.seq, ts: Date.now(), type: k.seq === 0 ? 'genesis' : 'checkin', prev: k.prev, kid: k.signer.id, payload }, k.signer);
    k.seq++;
    k.prev = entry.hash;
    return k.client.publishAsync(topics.entries(k.origin), Buffer.from(encodeBatch({ origin: k.origin, leaves: [entry.leaf] })), { qos: 1 });
  };
  await Promise.all(kiosks.map((k) => publish(k)));
  // Spread the kiosks' ticks over the period so the load is steady, not a burst per period.
  const period = 1000 / job.perKioskPerS;
  const end = Date.now() + job.seconds * 1000;
  await Promise.all(
    kiosks.map(async (k, i) => {
      await new Promise((resolve) => setTimeout(resolve, (period * i) / kiosks.length));
      while (Date.now() < end) {
        const next = Date.now() + period;
        await publish(k);
        sent++;
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - Date.now())));
      }
    }),
  );
  parentPort?.postMessage({ sent });
  await Promise.all(kiosks.map((k) => k.client.endAsync()));
}

const data = workerData as { role?: string; job?: KioskJob } | null;
if (!isMainThread && data?.role === 'net-bench-kiosks' && data.job) void runKiosks(data.job);
