// Bad input and faults against real brokers: nothing forged is stored, nothing committed is lost, and every
// replica converges to the same root.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Signer } from '../../ledger/keys.ts';
import { signCheckpoint } from '../../ledger/note.ts';
import { topics } from '../../net/topics.ts';
import { MAX_MESSAGE_BYTES, encodeBatch, encodeRequest } from '../../net/wire.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { BROKERS, type BrokerFixture, startBroker } from './support/brokers.ts';
import { TestWorld, allWorldIds, rawClient, rootOf, scratchLog } from './support/nodes.ts';

const WORLDS = 8;

describe.each(BROKERS)('faults over %s', (kind) => {
  let broker: BrokerFixture;
  let worlds = 0;
  beforeAll(async () => {
    broker = await startBroker(kind, allWorldIds(WORLDS));
  });
  afterAll(async () => {
    await broker.stop();
  });

  function fresh(): TestWorld {
    return new TestWorld(broker, worlds++);
  }

  it('stores nothing forged: entries signed by another key, a flipped signature bit, a checkpoint by a stranger', async () => {
    const w = fresh();
    const [, , K3] = w.ids;
    try {
      const hq = await w.hq();
      const k3 = await w.kiosk(K3, []);
      await k3.node.append('checkin', { subject: 'real' });
      await waitFor(async () => (await hq.store.size(K3)) === 2, 'HQ to hold the real log');
      await k3.node.close();

      const mallory = await rawClient(broker, K3);
      const forged = await scratchLog(w.dir, Signer.generate(K3), 3);
      await mallory.publishAsync(topics.entries(K3), Buffer.from(encodeBatch({ origin: K3, leaves: forged })), {
        qos: 1,
      });
      const [genuine] = await hq.store.leaves(K3, 1, 2);
      const flipped = Uint8Array.from(genuine ?? []);
      flipped[flipped.length - 1] = (flipped[flipped.length - 1] ?? 0) ^ 1;
      await mallory.publishAsync(topics.entries(K3), Buffer.from(encodeBatch({ origin: K3, leaves: [flipped] })), {
        qos: 1,
      });
      const stranger = signCheckpoint(
        { origin: K3, size: 9, root: new Uint8Array(32), extensions: [] },
        Signer.generate(K3),
      );
      await mallory.publishAsync(topics.checkpoint(K3), stranger, { qos: 1 });
      await waitFor(
        () => hq.recorder.of('bad-message').some((e) => e.reason.includes('not signed by any trusted key')),
        'the stranger checkpoint to be refused',
      );
      await waitFor(() => hq.recorder.of('rejected').length >= 1, 'forged entries to be rejected');
      await mallory.endAsync();
      expect(await hq.store.size(K3)).toBe(2);
      expect(hq.recorder.of('equivocation')).toEqual([]);
      expect(await hq.store.conflicts(K3)).toEqual([]);
    } finally {
      await w.close();
    }
  });

  it("refuses entries of another kiosk's log: by the broker ACL on its topic, and by origin on the sender's own topic", async () => {
    const w = fresh();
    const [K1, K2] = w.ids;
    try {
      const hq = await w.hq();
      const k1 = await w.kiosk(K1, []);
      await k1.node.append('checkin', { subject: 'a' });
      await waitFor(async () => (await hq.store.size(K1)) === 2, 'HQ to hold k1');
      const k1Leaves = await k1.node.store.leaves(K1, 0, 2);
      const extra = await scratchLog(w.dir, Signer.generate(K1), 1);
      const mallory = await rawClient(broker, K2);
      // Aedes disconnects a client that publishes where it may not; Mosquitto drops the message.
      mallory.publish(topics.entries(K1), Buffer.from(encodeBatch({ origin: K1, leaves: extra })), { qos: 1 });
      const mallory2 = await rawClient(broker, K2);
      await mallory2.publishAsync(topics.entries(K2), Buffer.from(encodeBatch({ origin: K1, leaves: k1Leaves })), {
        qos: 1,
      });
      await waitFor(
        () => hq.recorder.of('bad-message').some((e) => e.reason.includes(`published on the topic of ${K2}`)),
        'the misplaced batch to be refused',
      );
      await k1.node.append('checkin', { subject: 'b' });
      await waitFor(async () => (await hq.store.size(K1)) === 3, 'HQ to keep following k1');
      expect(await rootOf(hq.store, K1)).toBe(await rootOf(k1.node.store, K1));
      expect(await hq.store.size(K2)).toBe(0);
      mallory.end(true);
      await mallory2.endAsync();
    } finally {
      await w.close();
    }
  });

  it('converges despite replayed, duplicated and reordered batches', async () => {
    const w = fresh();
    const [K1] = w.ids;
    try {
      const hq = await w.hq();
      const k1 = await w.kiosk(K1, []);
      for (let i = 0; i < 30; i++) await k1.node.append('checkin', { subject: `s${i}` });
      await waitFor(async () => (await hq.store.size(K1)) === 31, 'HQ to hold k1');
      const replay = await k1.node.store.leaves(K1, 0, 31);
      await k1.node.close();
      // Replay the whole log in reverse, one entry per message, twice, as k1 (its own credentials).
      const raw = await rawClient(broker, K1);
      for (let round = 0; round < 2; round++) {
        for (const leaf of [...replay].reverse())
          await raw.publishAsync(topics.entries(K1), Buffer.from(encodeBatch({ origin: K1, leaves: [leaf] })), {
            qos: 1,
          });
      }
      await raw.endAsync();
      const k1again = await w.kiosk(K1, []);
      for (let i = 0; i < 5; i++) await k1again.node.append('checkin', { subject: `later${i}` });
      await waitFor(async () => (await hq.store.size(K1)) === 36, 'HQ to hold k1 after the replay');
      expect(await rootOf(hq.store, K1)).toBe(await rootOf(k1again.node.store, K1));
      expect(hq.recorder.of('equivocation')).toEqual([]);
      expect(hq.recorder.of('rejected')).toEqual([]);
    } finally {
      await w.close();
    }
  });

  it('survives garbage and oversized payloads on every topic it reads', async () => {
    const w = fresh();
    const [K1] = w.ids;
    try {
      const hq = await w.hq();
      const k1 = await w.kiosk(K1, []);
      await k1.node.append('checkin', { subject: 'x' });
      await waitFor(async () => (await hq.store.size(K1)) === 2, 'HQ to hold k1');
      await k1.node.close();
      const raw = await rawClient(broker, K1);
      const garbage = [
        randomBytes(64),
        Buffer.from('{"v":1,"from":-1}'),
        Buffer.from([0xa1, 0x61, 0x6f]),
        Buffer.alloc(0),
      ];
      for (const payload of garbage) {
        await raw.publishAsync(topics.entries(K1), payload, { qos: 1 });
        await raw.publishAsync(topics.checkpoint(K1), payload, { qos: 1 });
        await raw.publishAsync(topics.request(K1), payload, { qos: 1 });
      }
      // One message over the limit: Mosquitto refuses it (message_size_limit); Aedes passes it to HQ, which refuses it.
      raw.publish(topics.entries(K1), Buffer.alloc(MAX_MESSAGE_BYTES + 1, 7), { qos: 1 });
      await raw.publishAsync(
        topics.request(K1),
        Buffer.from(encodeRequest({ from: 0, to: 2, replyTo: K1, id: 'ok-1' })),
        { qos: 1 },
      );
      raw.end(true);
      await waitFor(() => hq.recorder.of('bad-message').length >= 8, 'HQ to refuse the garbage');
      const k1again = await w.kiosk(K1, []);
      await k1again.node.append('checkin', { subject: 'y' });
      await waitFor(async () => (await hq.store.size(K1)) === 3, 'HQ to keep replicating after garbage');
      expect(await rootOf(hq.store, K1)).toBe(await rootOf(k1again.node.store, K1));
    } finally {
      await w.close();
    }
  });

  it('loses nothing when the broker restarts mid-stream', async () => {
    const w = fresh();
    const [K1, K2] = w.ids;
    try {
      const hq = await w.hq();
      const k1 = await w.kiosk(K1, [K2]);
      const k2 = await w.kiosk(K2, [K1]);
      const appends: Promise<unknown>[] = [];
      for (let i = 0; i < 40; i++) {
        appends.push(k1.node.append('checkin', { subject: `s${i}` }));
        if (i === 20) await broker.restart();
      }
      await Promise.all(appends);
      for (let i = 0; i < 10; i++) await k1.node.append('checkin', { subject: `after${i}` });
      await k2.node.append('checkin', { subject: 'k2' });
      await waitFor(
        async () => (await hq.store.size(K1)) === 51 && (await k2.node.store.size(K1)) === 51,
        'HQ and k2 to catch up with k1',
      );
      await waitFor(
        async () => (await hq.store.size(K2)) === 2 && (await k1.node.store.size(K2)) === 2,
        'HQ and k1 to hold k2',
      );
      const root = await rootOf(k1.node.store, K1);
      expect(await rootOf(hq.store, K1)).toBe(root);
      expect(await rootOf(k2.node.store, K1)).toBe(root);
    } finally {
      await w.close();
    }
  });

  it('loses nothing committed when a kiosk is killed mid-publish, and the restarted kiosk catches HQ up from SQLite', async () => {
    const w = fresh();
    const [K1] = w.ids;
    try {
      const hq = await w.hq();
      const k1 = await w.kiosk(K1, []);
      const committed = await Promise.all(
        Array.from({ length: 200 }, (_, i) => k1.node.append('checkin', { subject: `s${i}` })),
      );
      // Killed while its publishes are in flight: the connection drops without a goodbye, the memory queue is gone.
      await k1.node.close(true);
      const k1again = await w.kiosk(K1, []);
      expect(await k1again.node.store.size(K1)).toBe(committed.length + 1);
      await waitFor(async () => (await hq.store.size(K1)) === 201, 'HQ to receive every committed entry');
      expect(await rootOf(hq.store, K1)).toBe(await rootOf(k1again.node.store, K1));
    } finally {
      await w.close();
    }
  });

  it('a kiosk partitioned for hours catches up by itself, both ways, on a fake clock', async () => {
    const w = fresh();
    const [K1, K2] = w.ids;
    try {
      let now = Date.UTC(2026, 0, 1);
      const clock = (): number => now;
      // Time passes while the test waits, a second a poll: a request lost on the way (QoS 0, or into a link's
      // resubscription) is asked again only once its backoff has run on this clock, which a frozen clock never lets.
      const meanwhile = (done: () => Promise<boolean>, what: string): Promise<boolean> =>
        waitFor(async () => {
          now += 1000;
          return done();
        }, what);
      const hq = await w.hq();
      const k2 = await w.kiosk(K2, [K1], { clock });
      const k1 = await w.kiosk(K1, [K2], { clock });
      await k1.node.append('checkin', { subject: 'before' });
      await meanwhile(async () => (await k2.node.store.size(K1)) === 2, 'k2 to hold k1');
      await k1.node.close(true);
      // Six hours offline: k1 keeps working from its own store; k2 keeps appending too.
      const offline = await w.kiosk(K1, [K2], { clock });
      await offline.node.close(true);
      for (let h = 0; h < 6; h++) {
        now += 3_600_000;
        await k2.node.append('checkin', { subject: `k2-${h}` });
      }
      const { LedgerStore } = await import('../../ledger/store.ts');
      const { LogWriter } = await import('../../ledger/log-writer.ts');
      const store = LedgerStore.open(`${w.dir}/${K1.replace('/', '_')}.db`);
      const writer = LogWriter.open(store, w.keysOf(K1).log, clock);
      for (let i = 0; i < 600; i++) void writer.append('checkin', { subject: `offline-${i}` });
      await writer.append('checkin', { subject: 'last-offline' });
      store.close();
      const back = await w.kiosk(K1, [K2], { clock });
      await meanwhile(
        async () => (await hq.store.size(K1)) === 603 && (await k2.node.store.size(K1)) === 603,
        'HQ and k2 to catch up with k1',
      );
      await meanwhile(async () => (await back.node.store.size(K2)) === 7, 'k1 to catch up with k2');
      const root = await rootOf(back.node.store, K1);
      expect(await rootOf(hq.store, K1)).toBe(root);
      expect(await rootOf(k2.node.store, K1)).toBe(root);
      await meanwhile(async () => (await k2.node.store.witnessed(K1))?.size === 603, 'k2 to witness the caught-up log');
    } finally {
      await w.close();
    }
  });
});
