// HQ's heartbeat subscription is QoS 0, made again at every connack, so the broker sends every kiosk's retained
// heartbeat again each time HQ reconnects (that is how one published while HQ was away arrives). HQ takes the same
// bytes only once: before, each came back to a key read, a verify and a store write that changed nothing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Packet } from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { Signer } from '../../ledger/keys.ts';
import { type Heartbeat, signHeartbeat } from '../../net/heartbeat.ts';
import { HqService } from '../../net/hq/hq-service.ts';
import { SqliteHqStore } from '../../net/hq/sqlite-hq-store.ts';
import { topics } from '../../net/topics.ts';
import { encodeBatch } from '../../net/wire.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { BROKERS, startBroker } from './support/brokers.ts';
import { rawClient, scratchLog } from './support/nodes.ts';

const K1 = 'rh/k1';

describe.each(BROKERS)('a retained heartbeat at HQ’s reconnect (%s)', (kind) => {
  const dir = mkdtempSync(join(tmpdir(), `muster-retained-beat-${kind}-`));
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('is delivered again but written once', async () => {
    const broker = await startBroker(kind, [K1, 'hq']);
    const key = Signer.generate(K1);
    const store = SqliteHqStore.open(join(dir, 'hq.db'), { trustedKeys: new Map([[K1, key.verifier.publicKey]]) });
    let writes = 0;
    const record = store.recordHeartbeat.bind(store);
    store.recordHeartbeat = (heartbeat, receivedAt) => {
      writes++;
      return record(heartbeat, receivedAt);
    };
    const hq = await HqService.start({
      store,
      broker: broker.link('hq'),
      witnessSigner: Signer.generate('hq'),
      trusted: new Set([K1]),
      checkEveryMs: 3_600_000,
    });
    let delivered = 0;
    hq.link.client.on('packetreceive', (packet: Packet) => {
      if (packet.cmd === 'publish' && packet.topic === topics.health(K1)) delivered++;
    });
    try {
      const client = await rawClient(broker, K1);
      await client.publishAsync(
        topics.entries(K1),
        Buffer.from(encodeBatch({ origin: K1, leaves: await scratchLog(dir, key, 1) })),
        { qos: 1 },
      );
      const beat: Heartbeat = { kiosk: K1, at: Date.now(), version: 'test', logSize: 2, backlog: 0, devices: [] };
      await waitFor(async () => (await hq.store.size(K1)) === 2, "HQ to hold k1's log (its key)");
      await client.publishAsync(
        topics.health(K1),
        signHeartbeat(beat, (m) => key.sign(m)),
        { qos: 1, retain: true },
      );
      await client.endAsync();
      await waitFor(() => writes === 1, 'HQ to take the heartbeat');

      // The connection cut: HQ comes back on its session, and the broker sends the retained heartbeat again.
      hq.link.client.stream.destroy();
      await waitFor(() => delivered === 2 && hq.link.connected, 'the retained heartbeat again after the reconnect');
      await waitFor(() => hq.link.unacknowledged === 0, 'HQ done with it');
      expect(writes).toBe(1);
      expect(hq.fleetView().find((k) => k.kiosk === K1)?.state).toBe('online');
    } finally {
      await hq.close();
      await hq.store.close();
      await broker.stop();
    }
  }, 60_000);
});
