// Kiosk and HQ replication nodes on temp SQLite files, wired to a test broker, with their events recorded.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toBase64 } from '../../../core/bytes.ts';
import mqtt from 'mqtt';
import { Signer } from '../../../ledger/keys.ts';
import { LogWriter } from '../../../ledger/log-writer.ts';
import { LedgerStore } from '../../../ledger/store.ts';
import { type HeartbeatOptions, KioskNode } from '../../../net/kiosk-node.ts';
import { MqttLink } from '../../../net/mqtt-link.ts';
import type { ReplicaStore } from '../../../net/replica-store.ts';
import { type ReplicationEvent, Replicator } from '../../../net/replicator.ts';
import { SqliteReplicaStore } from '../../../net/sqlite-replica-store.ts';
import { topicId } from '../../../net/topics.ts';
import { Witness } from '../../../net/witness.ts';
import type { BrokerFixture } from './brokers.ts';

export class Recorder {
  readonly events: ReplicationEvent[] = [];
  readonly listener = (event: ReplicationEvent): void => {
    this.events.push(event);
  };

  of<K extends ReplicationEvent['kind']>(kind: K): Extract<ReplicationEvent, { kind: K }>[] {
    return this.events.filter((e): e is Extract<ReplicationEvent, { kind: K }> => e.kind === kind);
  }
}

export function worldIds(index: number): [string, string, string, string] {
  return [`w${index}/k1`, `w${index}/k2`, `w${index}/k3`, `hq/w${index}`];
}

/** Every node id of the first `count` worlds, to register with a broker. */
export function allWorldIds(count: number): string[] {
  return Array.from({ length: count }, (_, i) => worldIds(i)).flat();
}

export class TestWorld {
  readonly dir = mkdtempSync(join(tmpdir(), 'muster-net-'));
  readonly keys = new Map<string, { log: Signer; witness: Signer }>();
  private readonly closers: (() => Promise<void>)[] = [];

  /** Node ids of this world: three kiosks of one center and an HQ, unique per world so that no broker session
   * or retained message of an earlier test reaches this one. */
  readonly ids: readonly [string, string, string, string];

  constructor(
    readonly broker: BrokerFixture,
    index: number,
  ) {
    this.ids = worldIds(index);
  }

  keysOf(origin: string): { log: Signer; witness: Signer } {
    let keys = this.keys.get(origin);
    if (!keys) {
      keys = { log: Signer.generate(origin), witness: Signer.generate(origin) };
      this.keys.set(origin, keys);
    }
    return keys;
  }

  async kiosk(
    origin: string,
    peers: readonly string[],
    extra: { clock?: () => number; retryMs?: number; heartbeat?: HeartbeatOptions } = {},
  ): Promise<{ node: KioskNode; recorder: Recorder }> {
    const recorder = new Recorder();
    const keys = this.keysOf(origin);
    const node = await KioskNode.start({
      storePath: join(this.dir, `${origin.replaceAll('/', '_')}.db`),
      signer: keys.log,
      witnessSigner: keys.witness,
      broker: this.broker.link(origin),
      peers,
      retryMs: extra.retryMs ?? 1000,
      onEvent: recorder.listener,
      ...(extra.clock ? { clock: extra.clock } : {}),
      ...(extra.heartbeat ? { heartbeat: extra.heartbeat } : {}),
    });
    this.closers.push(() => node.close(true).catch(() => undefined));
    return { node, recorder };
  }

  /** `witnessView`: the store as HQ's witness sees it (a test holding the witnessing back wraps it). */
  async hq(
    id = this.ids[3],
    witnessView: (store: SqliteReplicaStore) => ReplicaStore = (store) => store,
  ): Promise<{
    replicator: Replicator;
    store: SqliteReplicaStore;
    link: MqttLink;
    recorder: Recorder;
    witness: Signer;
  }> {
    const recorder = new Recorder();
    const store = new SqliteReplicaStore(
      LedgerStore.open(join(this.dir, `${id.replaceAll('/', '_')}.db`), { create: true, synchronous: 'NORMAL' }),
    );
    const link = new MqttLink({ ...this.broker.link(id), nodeId: id });
    const witness = Signer.generate(id);
    const replicator = new Replicator({
      link,
      store,
      witness: new Witness(witnessView(store), witness),
      follow: 'all',
      retryMs: 1000,
      onEvent: recorder.listener,
    });
    await replicator.start();
    this.closers.push(async () => {
      await replicator.close();
      await link.close(true);
      await store.close();
    });
    return { replicator, store, link, recorder, witness };
  }

  async close(): Promise<void> {
    for (const close of this.closers.reverse()) await close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Base64 root of a store's replica of `origin` at its full size. */
export async function rootOf(store: SqliteReplicaStore, origin: string): Promise<string> {
  return toBase64(await store.root(origin, await store.size(origin)));
}

/** A bare MQTT client with a node's credentials, for publishing crafted messages. */
export async function rawClient(broker: BrokerFixture, nodeId: string): Promise<mqtt.MqttClient> {
  const link = broker.link(nodeId);
  return mqtt.connectAsync(link.url, {
    clientId: topicId(nodeId),
    protocolVersion: 4,
    reconnectPeriod: 0,
    ...(link.username === undefined ? {} : { username: link.username }),
    ...(link.password === undefined ? {} : { password: link.password }),
  });
}

/** Signed leaves of a log made on a scratch store: genuine entries, or forgeries when `signer` is not the log's key. */
export async function scratchLog(dir: string, signer: Signer, count: number): Promise<Uint8Array[]> {
  const store = LedgerStore.open(join(dir, `scratch-${Math.random().toString(36).slice(2)}.db`), { create: true });
  try {
    const writer = LogWriter.init(store, signer.name, signer);
    for (let i = 0; i < count; i++) await writer.append('checkin', { subject: `forged-${i}` });
    return [...store.range(signer.name, 0, count + 1)].map((row) => row.leaf);
  } finally {
    store.close();
  }
}
