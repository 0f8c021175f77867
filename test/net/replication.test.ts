import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyCosignature } from '../../net/cosignature.ts';
import { topics } from '../../net/topics.ts';
import { decodeNoteText } from '../../net/wire.ts';
import { BROKERS, type BrokerFixture, startBroker } from './support/brokers.ts';
import { TestWorld, allWorldIds, rawClient, rootOf } from './support/nodes.ts';
import { waitFor } from '../helpers/wait-for.ts';

describe.each(BROKERS)('replication over %s', (kind) => {
  let broker: BrokerFixture;
  beforeAll(async () => {
    broker = await startBroker(kind, allWorldIds(2));
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
      await waitFor(
        async () => (await hq.store.size(K1)) === 21 && (await hq.store.size(K2)) === 6,
        'HQ to hold both logs',
      );
      await waitFor(
        async () => (await k2.node.store.size(K1)) === 21 && (await k1.node.store.size(K2)) === 6,
        'peers to hold each other',
      );
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

  it('a centre without HQ: peers verify, store, witness and cosign each other, and a peer answers the backfill of a kiosk that is offline', async () => {
    const world = new TestWorld(broker, 1);
    const [K1, K2, K3, outsider] = world.ids;
    try {
      const k1 = await world.kiosk(K1, [K2, K3]);
      const k2 = await world.kiosk(K2, [K1, K3]);
      for (let i = 0; i < 30; i++) await k1.node.append('checkin', { subject: `s-${i}` });
      await waitFor(async () => (await k2.node.store.size(K1)) === 31, 'k2 to hold k1');
      const root = await rootOf(k1.node.store, K1);
      await k1.node.close();
      // k3 joins while k1 is offline and there is no HQ: only k2 holds k1's log.
      const k3 = await world.kiosk(K3, [K1, K2]);
      await waitFor(async () => (await k3.node.store.size(K1)) === 31, 'k3 to fetch k1 from k2');
      expect(await rootOf(k3.node.store, K1)).toBe(root);
      expect(
        k3.recorder
          .of('ingested')
          .filter((e) => e.origin === K1)
          .every((e) => e.source === 'backfill'),
      ).toBe(true);
      await waitFor(async () => (await k3.node.store.witnessed(K1))?.size === 31, 'k3 to witness k1 at 31');
      // k3's cosignature is published under its own witness topic, and verifies with its witness key.
      const reader = await rawClient(broker, outsider);
      const cosigned = new Promise<string>((resolve) => {
        reader.on('message', (topic, payload) => {
          if (topic === topics.cosign(K1, K3)) resolve(decodeNoteText(payload, 'cosignature'));
        });
      });
      await reader.subscribeAsync(topics.cosign(K1, K3), { qos: 1 });
      const note = await cosigned;
      expect(note).toContain(`${K1}\n31\n`);
      expect(verifyCosignature(note, world.keysOf(K3).witness.verifier)).toBeGreaterThan(0);
      await reader.endAsync();
      // And the other way: k3's own entries reach k2, which witnesses them.
      await k3.node.append('checkin', { subject: 'k3' });
      await waitFor(async () => (await k2.node.store.witnessed(K3))?.size === 2, 'k2 to witness k3');
      expect(k2.recorder.of('rejected')).toEqual([]);
      expect(k3.recorder.of('rejected')).toEqual([]);
    } finally {
      await world.close();
    }
  });
});
