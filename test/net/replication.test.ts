import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROKERS, type BrokerFixture, startBroker } from './support/brokers.ts';
import { TestWorld, rootOf } from './support/nodes.ts';
import { waitFor } from '../helpers/wait-for.ts';

describe.each(BROKERS)('replication over %s', (kind) => {
  let broker: BrokerFixture;
  beforeAll(async () => {
    broker = await startBroker(kind, ['c1/k1', 'c1/k2', 'hq']);
  });
  afterAll(async () => {
    await broker.stop();
  });

  it('replicates every entry to peers and HQ, which converge on the same root and cosign it', async () => {
    const world = new TestWorld(broker);
    try {
      const hq = await world.hq();
      const k1 = await world.kiosk('c1/k1', ['c1/k2']);
      const k2 = await world.kiosk('c1/k2', ['c1/k1']);
      for (let i = 0; i < 20; i++) await k1.node.append('checkin', { subject: `s-${i}` });
      for (let i = 0; i < 5; i++) await k2.node.append('checkin', { subject: `t-${i}` });
      await waitFor(async () => (await hq.store.size('c1/k1')) === 21 && (await hq.store.size('c1/k2')) === 6, 'HQ to hold both logs');
      await waitFor(async () => (await k2.node.store.size('c1/k1')) === 21 && (await k1.node.store.size('c1/k2')) === 6, 'peers to hold each other');
      const root = await rootOf(k1.node.store, 'c1/k1');
      expect(await rootOf(hq.store, 'c1/k1')).toBe(root);
      expect(await rootOf(k2.node.store, 'c1/k1')).toBe(root);
      await waitFor(async () => (await hq.store.witnessed('c1/k1'))?.size === 21, 'HQ to witness k1 at 21');
      await waitFor(async () => (await k2.node.store.witnessed('c1/k1'))?.size === 21, 'k2 to witness k1 at 21');
      expect(hq.recorder.of('rejected')).toEqual([]);
    } finally {
      await world.close();
    }
  });
});
