// A kiosk re-announces its latest checkpoint with each heartbeat. Followers take checkpoints at QoS 0, at most once:
// one HQ missed on a quiet log told HQ nothing until the kiosk appended again or HQ reconnected, so HQ neither
// witnessed the log nor fetched what it lacked. Here HQ comes up after the kiosk went quiet, with no session to have
// queued its entries, and the first delivery of the kiosk's checkpoint is lost on the way to HQ's replicator: the next
// heartbeat's copy must bring it.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Signer } from '../../ledger/keys.ts';
import { LedgerStore } from '../../ledger/store.ts';
import { type MessageHandler, MqttLink } from '../../net/mqtt-link.ts';
import { Replicator } from '../../net/replicator.ts';
import { SqliteReplicaStore } from '../../net/sqlite-replica-store.ts';
import { Witness } from '../../net/witness.ts';
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
});
