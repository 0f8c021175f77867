// A group's new entries are told (`ingested`, which pokes HQ's breach watcher) as soon as its commit lands, not
// behind the witnessing of checkpoints that arrived before them: a witness group held back (its store read waits)
// must not hold back what the breach engine hears of other logs' entries.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqliteReplicaStore } from '../../net/sqlite-replica-store.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { type BrokerFixture, startBroker } from './support/brokers.ts';
import { TestWorld, allWorldIds } from './support/nodes.ts';

describe('ingest announced on commit', () => {
  let broker: BrokerFixture;
  beforeAll(async () => {
    broker = await startBroker('aedes', allWorldIds(1));
  });
  afterAll(async () => {
    await broker.stop();
  });

  it("tells another log's committed entries while a checkpoint that arrived before them is still being witnessed", async () => {
    const world = new TestWorld(broker, 0);
    const [K1, K2] = world.ids;
    let hold = false;
    let holding = false;
    let release = (): void => undefined;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    try {
      const hq = await world.hq(undefined, (store) => {
        // HQ's witness reads a log's witness state first: held here for k1 once `hold` is set.
        const view = Object.create(store) as SqliteReplicaStore;
        view.witnessed = async (origin) => {
          if (hold && origin === K1) {
            holding = true;
            await released;
          }
          return store.witnessed(origin);
        };
        return view;
      });
      const k1 = await world.kiosk(K1, []);
      const k2 = await world.kiosk(K2, []);
      await k1.node.append('checkin', { subject: 's-1' });
      await k2.node.append('checkin', { subject: 't-1' });
      await waitFor(
        async () => (await hq.store.witnessed(K1))?.size === 2 && (await hq.store.witnessed(K2))?.size === 2,
        'HQ to hold and witness both logs',
        30_000,
      );

      hold = true;
      await k1.node.append('checkin', { subject: 's-2' });
      await waitFor(() => holding, "HQ's witnessing of k1's new checkpoint to be under way", 30_000);
      await k2.node.append('checkin', { subject: 't-2' });
      const told = await waitFor(
        () => hq.recorder.of('ingested').find((e) => e.origin === K2 && e.size === 3),
        "k2's new entry told while k1's checkpoint is still being witnessed",
        30_000,
      );
      expect(told).toMatchObject({ origin: K2, inserted: 1, size: 3, source: 'live' });
      expect(hq.recorder.of('cosigned').filter((e) => e.origin === K1 && e.size === 3)).toEqual([]);

      release();
      await waitFor(
        () => hq.recorder.of('cosigned').some((e) => e.origin === K1 && e.size === 3),
        'k1 witnessed at 3 once released',
        30_000,
      );
      expect(await hq.store.size(K2)).toBe(3);
    } finally {
      release();
      await world.close();
    }
  }, 120_000);
});
