import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROKERS, type BrokerFixture, startBroker } from './support/brokers.ts';
import { TestWorld, allWorldIds, rootOf } from './support/nodes.ts';
import { waitFor } from '../helpers/wait-for.ts';

describe.each(BROKERS)('replication over %s', (kind) => {
  let broker: BrokerFixture;
  beforeAll(async () => {
    broker = await startBroker(kind, allWorldIds(1));
  });
  afterAll(async () => {
    await broker.stop();
  });

  it('replicates every entry to peers and HQ, which converge on the same root and cosign it', async () => {
    const world = new TestWorld(broker, 0);
    const [K1, K2] = world.ids;
    try {
      const hq = await world.hq();
      const k1 = await world.kiosk(K1, [K2]);
      const k2 = await world.kiosk(K2, [K1]);
      for (let i = 0; i < 20; i++) await k1.node.append('checkin', { subject: `s-${i}` });
      for (let i = 0; i < 5; i++) await k2.node.append('checkin', { subject: `t-${i}` });
      await waitFor(async () => (await hq.store.size(K1)) === 21 && (await hq.store.size(K2)) === 6, 'HQ to hold both logs');
      await waitFor(async () => (await k2.node.store.size(K1)) === 21 && (await k1.node.store.size(K2)) === 6, 'peers to hold each other');
      const root = await rootOf(k1.node.store, K1);
      expect(await rootOf(hq.store, K1)).toBe(root);
      expect(await rootOf(k2.node.store, K1)).toBe(root);
      await waitFor(async () => (await hq.store.witnessed(K1))?.size === 21, 'HQ to witness k1 at 21');
      await waitFor(async () => (await k2.node.store.witnessed(K1))?.size === 21, 'k2 to witness k1 at 21');
      expect(hq.recorder.of('rejected')).toEqual([]);
    } finally {
      await world.close();
    }
  });
});
