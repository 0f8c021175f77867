// Kiosk and HQ replication nodes on temp SQLite files, wired to a test broker, with their events recorded.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toBase64 } from '../../../core/bytes.ts';
import { Signer } from '../../../ledger/keys.ts';
import { LedgerStore } from '../../../ledger/store.ts';
import { KioskNode } from '../../../net/kiosk-node.ts';
import { MqttLink } from '../../../net/mqtt-link.ts';
import { type ReplicationEvent, Replicator } from '../../../net/replicator.ts';
import { SqliteReplicaStore } from '../../../net/sqlite-replica-store.ts';
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

export class TestWorld {
  readonly dir = mkdtempSync(join(tmpdir(), 'muster-net-'));
  readonly keys = new Map<string, { log: Signer; witness: Signer }>();
  private readonly closers: (() => Promise<void>)[] = [];

  constructor(readonly broker: BrokerFixture) {}

  keysOf(origin: string): { log: Signer; witness: Signer } {
    let keys = this.keys.get(origin);
    if (!keys) {
      keys = { log: Signer.generate(origin), witness: Signer.generate(origin) };
      this.keys.set(origin, keys);
    }
    return keys;
  }

  async kiosk(origin: string, peers: readonly string[], extra: { clock?: () => number; retryMs?: number } = {}): Promise<{ node: KioskNode; recorder: Recorder }> {
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
    });
    this.closers.push(() => node.close(true).catch(() => undefined));
    return { node, recorder };
  }

  async hq(id = 'hq'): Promise<{ replicator: Replicator; store: SqliteReplicaStore; link: MqttLink; recorder: Recorder; witness: Signer }> {
    const recorder = new Recorder();
    const store = new SqliteReplicaStore(LedgerStore.open(join(this.dir, `${id}.db`), { create: true, synchronous: 'NORMAL' }));
    const link = new MqttLink({ ...this.broker.link(id), nodeId: id });
    const witness = Signer.generate(id);
    const replicator = new Replicator({ link, store, witness: new Witness(store, witness), follow: 'all', retryMs: 1000, onEvent: recorder.listener });
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
