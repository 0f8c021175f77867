// A kiosk re-announces its latest checkpoint with each heartbeat. Followers take checkpoints at QoS 0, at most once:
// one HQ missed on a quiet log told HQ nothing until the kiosk appended again or HQ reconnected, so HQ neither
// witnessed the log nor fetched what it lacked. Here HQ comes up after the kiosk went quiet, with no session to have
// queued its entries, and the first delivery of the kiosk's checkpoint is lost on the way to HQ's replicator: the next
// heartbeat's copy must bring it.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Signer } from '../../ledger/keys.ts';
import { claimedSize } from '../../ledger/note.ts';
import { LedgerStore } from '../../ledger/store.ts';
import { type MessageHandler, MqttLink } from '../../net/mqtt-link.ts';
import { Replicator } from '../../net/replicator.ts';
import { SqliteReplicaStore } from '../../net/sqlite-replica-store.ts';
import { Witness, type WitnessVerdict } from '../../net/witness.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { BROKERS, type BrokerFixture, startBroker } from './support/brokers.ts';
import { Recorder, TestWorld, allWorldIds } from './support/nodes.ts';

/** Real time between a kiosk's heartbeats here (30 s in a kiosk). */
const HEARTBEAT_MS = 200;

/** HQ's link, losing the first delivery of one log's checkpoint before the replicator sees it. */
class LosingFirstCheckpoint extends MqttLink {
  lost = 0;

  constructor(
    options: ConstructorParameters<typeof MqttLink>[0],
    private readonly origin: string,
  ) {
    super(options);
  }

  override setHandler(handler: MessageHandler): void {
    super.setHandler((topic, payload) => {
      if (topic.kind === 'checkpoint' && topic.origin === this.origin && this.lost === 0) {
        this.lost++;
        return Promise.resolve();
      }
      return handler(topic, payload);
    });
  }
}

/** HQ's witness, counting the checkpoints it is asked to judge again, by log and size, after it cosigned them. */
class CountingWitness extends Witness {
  private readonly cosigned = new Set<string>();
  again = 0;

  constructor(store: SqliteReplicaStore, name: string) {
    super(store, Signer.generate(name));
  }

  override async observeMany(
    items: readonly { readonly origin: string; readonly note: string }[],
  ): Promise<WitnessVerdict[]> {
    const keys = items.map((item) => `${item.origin} ${claimedSize(item.note)}`);
    this.again += keys.filter((key) => this.cosigned.has(key)).length;
    const verdicts = await super.observeMany(items);
    verdicts.forEach((verdict, i) => {
      if (verdict.kind === 'cosigned') this.cosigned.add(keys[i] ?? '');
    });
    return verdicts;
  }
}

describe.each(BROKERS)('a quiet kiosk whose checkpoint HQ missed, over %s', (kind) => {
  let broker: BrokerFixture | undefined;
  let world: TestWorld | undefined;
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    closers.length = 0;
    await world?.close();
    await broker?.stop();
  });

  it('reaches HQ with the next heartbeat: HQ backfills the log and cosigns its checkpoint', async () => {
    broker = await startBroker(kind, allWorldIds(1));
    world = new TestWorld(broker, 0);
    const [origin, , , hqId] = world.ids;
    const { node: kiosk, recorder: kioskEvents } = await world.kiosk(origin, [], {
      heartbeat: { everyMs: HEARTBEAT_MS, version: 'test' },
    });
    await kiosk.link.connection();
    for (let i = 0; i < 3; i++) await kiosk.append('checkin', { subject: `s${i}` });
    const size = await kiosk.store.size(origin);
    // Quiet from here on: its last checkpoint went out (retained) before HQ's session existed.
    await waitFor(
      () => kioskEvents.of('published').some((e) => e.size === size),
      "the kiosk's checkpoint of its last append",
    );

    const store = new SqliteReplicaStore(LedgerStore.open(join(world.dir, 'hq.db'), { create: true }));
    const link = new LosingFirstCheckpoint({ ...broker.link(hqId), nodeId: hqId }, origin);
    const hq = new Recorder();
    const replicator = new Replicator({
      link,
      store,
      witness: new Witness(store, Signer.generate(hqId)),
      follow: 'all',
      retryMs: 1000,
      onEvent: hq.listener,
    });
    closers.push(async () => {
      replicator.stop();
      await link.close(true);
      await replicator.close();
      await store.close();
    });
    await replicator.start();

    await waitFor(
      () => hq.of('cosigned').some((e) => e.origin === origin && e.size === size),
      "HQ's cosignature of the kiosk's latest checkpoint",
    );
    expect(link.lost).toBe(1);
    expect(await store.size(origin)).toBe(size);
    // Nothing was queued for HQ: every entry came by backfill, asked for once the checkpoint showed them missing.
    expect(hq.of('ingested').filter((e) => e.origin === origin && !e.source.startsWith('backfill'))).toEqual([]);
  }, 60_000);

  it('costs HQ no second judging of a checkpoint it cosigned', async () => {
    broker = await startBroker(kind, allWorldIds(1));
    world = new TestWorld(broker, 0);
    const [origin, , , hqId] = world.ids;
    const store = new SqliteReplicaStore(LedgerStore.open(join(world.dir, 'hq.db'), { create: true }));
    const link = new MqttLink({ ...broker.link(hqId), nodeId: hqId });
    const witness = new CountingWitness(store, hqId);
    const hq = new Recorder();
    const replicator = new Replicator({ link, store, witness, follow: 'all', retryMs: 1000, onEvent: hq.listener });
    closers.push(async () => {
      await link.close(true);
      await store.close();
    });
    await link.connection();
    await replicator.start();
    let delivered = 0;
    link.client.on('packetreceive', (packet) => {
      if (packet.cmd === 'publish' && packet.topic.endsWith('/checkpoint')) delivered++;
    });

    const { node: kiosk } = await world.kiosk(origin, [], { heartbeat: { everyMs: HEARTBEAT_MS, version: 'test' } });
    await kiosk.link.connection();
    for (let i = 0; i < 3; i++) await kiosk.append('checkin', { subject: `s${i}` });
    const size = await kiosk.store.size(origin);
    await waitFor(
      () => hq.of('cosigned').some((e) => e.origin === origin && e.size === size),
      "HQ's cosignature of the kiosk's latest checkpoint",
    );
    const after = delivered;
    await waitFor(() => delivered >= after + 3, 'three more heartbeats re-announcing the same checkpoint');
    // The replicator's ordered work done: every checkpoint delivered so far was judged or set aside.
    replicator.stop();
    await replicator.close();
    expect(witness.again).toBe(0);
  }, 60_000);
});
