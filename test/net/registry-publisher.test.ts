// What HQ publishes of its registry log: new entries once, the checkpoint (retained) when it changes, once more at
// each connect, so a broker that lost its retained copy has it back, and every 30 s unchanged, so a kiosk that lost a
// revocation at QoS 0 hears of it. Before, every connect sent the whole registry again, and every refresh (every 5 s)
// the unchanged checkpoint, to every kiosk following the registry.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Packet } from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { REGISTRY_ORIGIN } from '../../ledger/key-schedule.ts';
import { Signer } from '../../ledger/keys.ts';
import { LogWriter } from '../../ledger/log-writer.ts';
import { LedgerStore } from '../../ledger/store.ts';
import { MqttLink } from '../../net/mqtt-link.ts';
import { REGISTRY_REANNOUNCE_MS, RegistryPublisher } from '../../net/registry-publisher.ts';
import { SqliteReplicaStore } from '../../net/sqlite-replica-store.ts';
import { topics } from '../../net/topics.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { BROKERS, startBroker } from './support/brokers.ts';
import { rawClient } from './support/nodes.ts';

const READER = 'rp/k1';

describe.each(BROKERS)("HQ's registry over a reconnect (%s)", (kind) => {
  const dir = mkdtempSync(join(tmpdir(), `muster-registry-publisher-${kind}-`));
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends its entries once and its checkpoint once per change, per connect and per re-announce period', async () => {
    const broker = await startBroker(kind, ['hq', READER]);
    const registry = LedgerStore.open(join(dir, 'registry.db'), { create: true });
    const writer = LogWriter.init(registry, REGISTRY_ORIGIN, Signer.generate(REGISTRY_ORIGIN));
    const register = async (origin: string): Promise<void> => {
      await writer.append('kiosk-registration', {
        origin,
        centre: 'rp',
        key: Signer.generate(origin).verifier.publicKey,
      });
      writer.checkpoint();
    };
    await register('rp/k2');
    const store = new SqliteReplicaStore(LedgerStore.open(join(dir, 'hq.db'), { create: true }));
    const link = new MqttLink({ ...broker.link('hq'), nodeId: 'hq' });
    const sent = { entries: 0, checkpoints: 0 };
    link.client.on('packetsend', (packet: Packet) => {
      if (packet.cmd !== 'publish') return;
      if (packet.topic === topics.entries(REGISTRY_ORIGIN)) sent.entries++;
      if (packet.topic === topics.checkpoint(REGISTRY_ORIGIN)) sent.checkpoints++;
    });
    let now = Date.now();
    const publisher = new RegistryPublisher({ link, registry, store, everyMs: 0, now: () => now });
    try {
      await waitFor(() => sent.checkpoints === 1, 'the registry published at the connect');
      // What the periodic check does: nothing new, nothing sent.
      for (let i = 0; i < 3; i++) await publisher.refresh();
      expect(sent).toEqual({ entries: 1, checkpoints: 1 });

      // Aedes forgets its retained messages when it restarts, Mosquitto keeps them: HQ's connect puts it back.
      await broker.restart();
      await waitFor(() => sent.checkpoints === 2, 'the checkpoint again after the reconnect', 30_000);
      await publisher.refresh();
      expect(sent).toEqual({ entries: 1, checkpoints: 2 });
      const reader = await rawClient(broker, READER);
      try {
        const retained = new Promise<string>((resolve) => {
          reader.on('message', (_topic, payload) => {
            resolve(payload.toString());
          });
        });
        await reader.subscribeAsync(topics.checkpoint(REGISTRY_ORIGIN), { qos: 0 });
        expect(await retained).toBe(registry.latestCheckpoint(REGISTRY_ORIGIN)?.note);
      } finally {
        await reader.endAsync();
      }

      // A registration: its entry and the new checkpoint, once.
      await register('rp/k3');
      await publisher.refresh();
      expect(sent).toEqual({ entries: 2, checkpoints: 3 });

      // Unchanged, the checkpoint goes out again once the period is over, and not before.
      now += REGISTRY_REANNOUNCE_MS - 1;
      await publisher.refresh();
      expect(sent).toEqual({ entries: 2, checkpoints: 3 });
      now += 1;
      await publisher.refresh();
      await publisher.refresh();
      expect(sent).toEqual({ entries: 2, checkpoints: 4 });
    } finally {
      await publisher.close();
      await link.close();
      await store.close();
      registry.close();
      await broker.stop();
    }
  }, 60_000);
});
