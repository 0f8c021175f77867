// What a node owes the broker while it is down goes out once it is back (issue 20): a witness's cosignature made
// while the link is down (a witness cosigns a checkpoint once: without a retry, lost until the log grows, for good
// on a quiet log), and a kiosk's checkpoint still due when the broker went down (announced at the reconnect).
import type mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyCosignature } from '../../net/cosignature.ts';
import { join } from 'node:path';
import { LogWriter } from '../../ledger/log-writer.ts';
import { LedgerStore } from '../../ledger/store.ts';
import { MqttLink } from '../../net/mqtt-link.ts';
import { Replicator } from '../../net/replicator.ts';
import { SqliteReplicaStore } from '../../net/sqlite-replica-store.ts';
import { Witness } from '../../net/witness.ts';
import { topics } from '../../net/topics.ts';
import { decodeNoteText } from '../../net/wire.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { BROKERS, type BrokerFixture, startBroker } from './support/brokers.ts';
import { TestWorld, allWorldIds, rawClient } from './support/nodes.ts';

/** Resolves with the first note on `topic` (retained or live) that `match`es. */
async function noteOn(client: mqtt.MqttClient, topic: string, match: (note: string) => boolean): Promise<string> {
  const seen: string[] = [];
  client.on('message', (t, payload) => {
    if (t === topic) seen.push(decodeNoteText(payload, 'note'));
  });
  await client.subscribeAsync(topic, { qos: 1 });
  return waitFor(() => seen.find(match), `a note on ${topic}`, 30_000);
}

describe.each(BROKERS)('publishes owed while %s is down', (kind) => {
  let broker: BrokerFixture;
  let worlds = 0;
  beforeAll(async () => {
    broker = await startBroker(kind, allWorldIds(2));
  });
  afterAll(async () => {
    await broker.stop();
  });

  it("a witness's cosignature made while the broker is down is published once it is back", async () => {
    const world = new TestWorld(broker, worlds++);
    const [K1, , , HQ] = world.ids;
    let hold = false;
    let holding = false;
    let release = (): void => undefined;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    try {
      const hq = await world.hq(undefined, (store) => {
        // The witness state advances just before the cosignature is made: held there once `hold` is set.
        const view = Object.create(store) as SqliteReplicaStore;
        view.setWitnessedMany = async (updates) => {
          if (hold && updates.some((u) => u.origin === K1)) {
            holding = true;
            await released;
          }
          return store.setWitnessedMany(updates);
        };
        return view;
      });
      const k1 = await world.kiosk(K1, []);
      await k1.node.append('checkin', { subject: 's-1' });
      await waitFor(async () => (await hq.store.witnessed(K1))?.size === 2, 'HQ to witness k1 at 2', 30_000);

      hold = true;
      await k1.node.append('checkin', { subject: 's-2' });
      await waitFor(() => holding, "HQ's witnessing of k1 at 3 to be under way", 30_000);
      await broker.down();
      await waitFor(() => !hq.link.connected, "HQ's link to see the broker gone", 30_000);
      release();
      // Told just before the cosignature is handed to the link: it was made while the link was down.
      await waitFor(
        () => hq.recorder.of('cosigned').some((e) => e.origin === K1 && e.size === 3),
        'HQ to cosign k1 at 3',
        30_000,
      );
      expect(hq.link.connected).toBe(false);

      await broker.up();
      const reader = await rawClient(broker, world.ids[1]);
      try {
        const note = await noteOn(reader, topics.cosign(K1, HQ), (n) => n.includes(`${K1}\n3\n`));
        expect(verifyCosignature(note, hq.witness.verifier)).toBeGreaterThan(0);
      } finally {
        await reader.endAsync();
      }
    } finally {
      release();
      await world.close();
    }
  }, 120_000);

  it("a kiosk's checkpoint still due when the broker went down reaches the others once it is back", async () => {
    const world = new TestWorld(broker, worlds++);
    const [K1, K2] = world.ids;
    // A kiosk's replicator whose checkpoint, throttled to one an hour, is still due after its first append.
    const keys = world.keysOf(K1);
    const store = new SqliteReplicaStore(LedgerStore.open(join(world.dir, 'k1.db'), { create: true }));
    const writer = LogWriter.init(store.ledger, K1, keys.log);
    const link = new MqttLink({ ...broker.link(K1), nodeId: K1 });
    const replicator = new Replicator({
      link,
      store,
      own: writer,
      witness: new Witness(store, keys.witness),
      follow: [],
      checkpointEveryMs: 3_600_000,
    });
    try {
      await link.connection();
      await replicator.start();
      // Its first append's entries go out at once; its checkpoint waits for the throttle.
      const watcher = await rawClient(broker, K2);
      const entries = new Promise<void>((resolve) => {
        watcher.on('message', (topic) => {
          if (topic === topics.entries(K1)) resolve();
        });
      });
      await watcher.subscribeAsync(topics.entries(K1), { qos: 1 });
      await writer.append('checkin', { subject: 's-1' });
      replicator.appended();
      await entries;
      await watcher.endAsync();
      await broker.down();
      await waitFor(() => !link.connected, "the kiosk's link to see the broker gone", 30_000);
      await writer.append('checkin', { subject: 's-2' });
      replicator.appended();

      await broker.up();
      const reader = await rawClient(broker, K2);
      try {
        await noteOn(reader, topics.checkpoint(K1), (n) => n.includes(`${K1}\n3\n`));
      } finally {
        await reader.endAsync();
      }
    } finally {
      await link.close(true);
      await replicator.close();
      await store.close();
      await world.close();
    }
  }, 120_000);
});
