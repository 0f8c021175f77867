// The broker is not trusted. Mosquitto runs the ACL and password file generated from HQ's kiosk registry (only
// registered kiosks get in, each publishes only its own topics); and a compromised broker that forwards forged
// entries and checkpoints to HQ changes nothing there: HQ verifies every signature and the registry.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Aedes } from 'aedes';
import { createServer } from 'node:net';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toBase64 } from '../../core/bytes.ts';
import { REGISTRY_ORIGIN, readRegistry } from '../../ledger/registry.ts';
import { Signer } from '../../ledger/keys.ts';
import { signCheckpoint } from '../../ledger/note.ts';
import { mosquittoAcl, mosquittoPasswordLine, registryNodes } from '../../net/acl.ts';
import { HqService } from '../../net/hq/hq-service.ts';
import { SqliteHqStore } from '../../net/hq/sqlite-hq-store.ts';
import { KioskNode } from '../../net/kiosk-node.ts';
import { topics } from '../../net/topics.ts';
import { encodeBatch } from '../../net/wire.ts';
import { type MosquittoServer, startMosquitto } from '../helpers/mosquitto.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { newLog } from '../ledger/fixtures.ts';
import { scratchLog } from '../net/support/nodes.ts';

const K1 = 'c1/k1';
const K2 = 'c1/k2';

async function registryWith(origins: readonly string[]) {
  const registry = newLog(REGISTRY_ORIGIN);
  const kiosks = new Map(origins.map((o) => [o, Signer.generate(o)]));
  for (const [origin, signer] of kiosks)
    await registry.writer.append('kiosk-registration', {
      origin,
      centre: origin.split('/')[0] ?? '',
      key: signer.verifier.publicKey,
    });
  const leaves = [...registry.store.range(REGISTRY_ORIGIN, 0, registry.store.head(REGISTRY_ORIGIN).size)].map(
    (r) => r.leaf,
  );
  return { registry, kiosks, leaves };
}

describe('Mosquitto with the ACL and passwords generated from the registry', () => {
  let broker: MosquittoServer;
  const passwords = new Map([
    ['hq', 'hq-password-1'],
    [K1, 'k1-password-1'],
    [K2, 'k2-password-1'],
  ]);

  beforeAll(async () => {
    const { registry } = await registryWith([K1, K2]);
    const nodes = registryNodes(readRegistry(registry.store) ?? { registered: new Map(), revocations: [] });
    expect(nodes).toEqual(['hq', K1, K2]);
    const passwordFile = nodes.map((n) => mosquittoPasswordLine(n, passwords.get(n) ?? '')).join('\n');
    broker = await startMosquitto({
      acl: mosquittoAcl(nodes, { alertPublishers: new Set(['hq']) }),
      passwordFile: `${passwordFile}\n`,
    });
  });
  afterAll(async () => {
    await broker.stop();
  });

  const connect = (user: string, password: string) =>
    mqtt.connectAsync(broker.url, {
      clientId: `${user}-${Math.random().toString(36).slice(2, 8)}`,
      username: user,
      password,
      protocolVersion: 4,
      reconnectPeriod: 0,
    });

  it('admits registered nodes with their password only, and each publishes only its own topics', async () => {
    await expect(connect('c1~k9', 'k1-password-1')).rejects.toThrow();
    await expect(connect('c1~k1', 'wrong-password')).rejects.toThrow();
    const hq = await connect('hq', 'hq-password-1');
    const k1 = await connect('c1~k1', 'k1-password-1');
    const seen: string[] = [];
    hq.on('message', (topic) => seen.push(topic));
    await hq.subscribeAsync('muster/v1/#', { qos: 1 });
    const refused = new Promise<void>((resolve) =>
      k1.once('close', () => {
        resolve();
      }),
    );
    await k1.publishAsync('muster/v1/health/c1~k1', 'ok', { qos: 1 });
    await hq.publishAsync(`muster/v1/log/hq~registry/checkpoint`, 'registry', { qos: 1 });
    await waitFor(() => seen.length === 2, 'the allowed publishes');
    await Promise.race([
      k1.publishAsync('muster/v1/log/c1~k2/entries', 'forged', { qos: 1 }).catch(() => undefined),
      refused,
    ]);
    const k2 = await connect('c1~k2', 'k2-password-1');
    await k2.publishAsync('muster/v1/health/c1~k2', 'end', { qos: 1 });
    await waitFor(() => seen.includes('muster/v1/health/c1~k2'), 'the end marker');
    expect(seen).toEqual(['muster/v1/health/c1~k1', 'muster/v1/log/hq~registry/checkpoint', 'muster/v1/health/c1~k2']);
    for (const client of [hq, k1, k2]) client.end(true);
  });
});

describe('a compromised broker', () => {
  it('forwarding forged entries, a forged checkpoint and an unregistered log changes nothing at HQ', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'muster-evil-broker-'));
    // An Aedes with no authentication and no ACL: anything anyone publishes is forwarded.
    const aedes = await Aedes.createBroker();
    const server = createServer(aedes.handle);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `mqtt://127.0.0.1:${(server.address() as { port: number }).port}`;
    const { kiosks, leaves } = await registryWith([K1]);
    const store = SqliteHqStore.open(join(dir, 'hq.db'));
    await store.ingest(REGISTRY_ORIGIN, leaves, 'provisioning');
    const hq = await HqService.start({
      store,
      broker: { url, reconnect: { initialMs: 100, maxMs: 1000 } },
      witnessSigner: Signer.generate('hq'),
      checkEveryMs: 3_600_000,
      retryMs: 500,
    });
    const kiosk = await KioskNode.start({
      storePath: join(dir, 'k1.db'),
      signer: kiosks.get(K1) ?? Signer.generate(K1),
      witnessSigner: Signer.generate(K1),
      broker: { url },
      peers: [],
    });
    const attacker = await mqtt.connectAsync(url, { clientId: 'attacker', protocolVersion: 4, reconnectPeriod: 0 });
    try {
      for (let i = 0; i < 3; i++) await kiosk.append('checkin', { subject: `p-${i}` });
      await waitFor(async () => (await store.witnessed(K1))?.size === 4, 'HQ to witness the genuine log');
      const before = {
        size: await store.size(K1),
        root: toBase64(await store.root(K1, 4)),
        origins: await store.origins(),
      };

      const thief = Signer.generate(K1);
      const forged = await scratchLog(dir, thief, 6);
      await attacker.publishAsync(topics.entries(K1), Buffer.from(encodeBatch({ origin: K1, leaves: forged })), {
        qos: 1,
      });
      await attacker.publishAsync(
        topics.checkpoint(K1),
        signCheckpoint({ origin: K1, size: 7, root: new Uint8Array(32), extensions: [] }, thief),
        { qos: 1, retain: true },
      );
      const stranger = Signer.generate('c1/k9');
      await attacker.publishAsync(
        topics.entries('c1/k9'),
        Buffer.from(encodeBatch({ origin: 'c1/k9', leaves: await scratchLog(dir, stranger, 2) })),
        { qos: 1 },
      );
      await waitFor(
        async () => (await store.alerts(0, 100)).filter((a) => a.kind === 'forgery').length >= 2,
        'HQ to reject both forged batches',
      );

      expect(await store.size(K1)).toBe(before.size);
      expect(toBase64(await store.root(K1, 4))).toBe(before.root);
      expect(await store.origins()).toEqual(before.origins);
      expect((await store.witnessed(K1))?.size).toBe(4);
      expect(await store.conflicts(K1)).toEqual([]);
      // The genuine kiosk carries on.
      await kiosk.append('checkin', { subject: 'p-3' });
      await waitFor(async () => (await store.witnessed(K1))?.size === 5, 'HQ to witness the next genuine entry');
      expect(await store.origins()).toEqual(before.origins);
    } finally {
      await attacker.endAsync();
      await kiosk.close();
      await hq.close();
      await store.close();
      await new Promise<void>((resolve) => {
        aedes.close(() => {
          resolve();
        });
      });
      server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
