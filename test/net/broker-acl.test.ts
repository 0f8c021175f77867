// The broker configuration shipped in deploy/mosquitto, run by Mosquitto: TLS with client certificates (the
// production setting), per-node passwords, and the ACL (a node publishes only under its own topics), which the
// embedded broker's rule (net/acl.ts) must match.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Signer } from '../../ledger/keys.ts';
import { LedgerStore } from '../../ledger/store.ts';
import { mayPublish } from '../../net/acl.ts';
import { KioskNode } from '../../net/kiosk-node.ts';
import { type LinkOptions, MqttLink } from '../../net/mqtt-link.ts';
import { Replicator } from '../../net/replicator.ts';
import { SqliteReplicaStore } from '../../net/sqlite-replica-store.ts';
import { Witness } from '../../net/witness.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { type MosquittoServer, startMosquitto } from '../helpers/mosquitto.ts';
import { type TestCertificates, makeCertificates } from '../helpers/tls.ts';

const K1 = 'c1~k1';
const K2 = 'c1~k2';

/** [publisher, topic, allowed] for both brokers. */
const CASES: readonly [string, string, boolean][] = [
  [K1, `muster/v1/log/${K1}/entries`, true],
  [K1, `muster/v1/log/${K1}/checkpoint`, true],
  [K1, `muster/v1/log/${K2}/cosign/${K1}`, true],
  [K1, `muster/v1/health/${K1}`, true],
  [K1, `muster/v1/req/${K2}`, true],
  [K1, `muster/v1/inbox/${K2}`, true],
  [K2, `muster/v1/log/${K1}/entries`, false],
  [K2, `muster/v1/log/${K1}/checkpoint`, false],
  [K2, `muster/v1/log/${K1}/cosign/${K1}`, false],
  [K2, `muster/v1/health/${K1}`, false],
  [K2, 'muster/v1/alerts/c1', false],
  ['hq', 'muster/v1/alerts/c1', true],
  [K1, 'muster/v2/anything', false],
];

describe('embedded broker ACL rule', () => {
  it.each(CASES)('%s publishing to %s: %s', (user, topic, allowed) => {
    expect(mayPublish(user, topic, { alertPublishers: new Set(['hq']) })).toBe(allowed);
  });
});

describe('Mosquitto with the production TLS setting (deploy/mosquitto/mosquitto.conf)', () => {
  let certs: TestCertificates;
  let broker: MosquittoServer;
  beforeAll(async () => {
    certs = makeCertificates([K1, K2, 'hq']);
    broker = await startMosquitto({ tls: certs });
  });
  afterAll(async () => {
    await broker.stop();
  });

  function connect(cn: string, overrides: mqtt.IClientOptions = {}): Promise<mqtt.MqttClient> {
    const client = certs.clients.get(cn);
    return mqtt.connectAsync(broker.url, {
      clientId: `${cn}-${Math.random().toString(36).slice(2, 8)}`,
      protocolVersion: 4,
      reconnectPeriod: 0,
      connectTimeout: 5000,
      ca: certs.ca,
      ...(client ? { cert: client.cert, key: client.key } : {}),
      ...overrides,
    });
  }

  it('replicates a kiosk log to HQ over TLS, each side authenticated by its certificate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'muster-tls-nodes-'));
    const tls = (cn: string): NonNullable<LinkOptions['tls']> => ({
      ca: certs.ca,
      cert: certs.clients.get(cn)?.cert ?? '',
      key: certs.clients.get(cn)?.key ?? '',
    });
    const store = new SqliteReplicaStore(LedgerStore.open(join(dir, 'hq.db'), { create: true }));
    const link = new MqttLink({ url: broker.url, nodeId: 'hq', tls: tls('hq') });
    const replicator = new Replicator({
      link,
      store,
      witness: new Witness(store, Signer.generate('hq')),
      follow: 'all',
      retryMs: 1000,
    });
    await replicator.start();
    const origin = K1.replace('~', '/');
    const kiosk = await KioskNode.start({
      storePath: join(dir, 'k1.db'),
      signer: Signer.generate(origin),
      witnessSigner: Signer.generate(origin),
      broker: { url: broker.url, tls: tls(K1) },
      peers: [],
    });
    try {
      for (let i = 0; i < 5; i++) await kiosk.append('checkin', { subject: `s${i}` });
      await waitFor(async () => (await store.witnessed(origin))?.size === 6, 'HQ to hold and witness the kiosk log');
    } finally {
      await kiosk.close();
      await replicator.close();
      await link.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a client without a certificate and one whose certificate another CA issued', async () => {
    await expect(connect('nobody')).rejects.toThrow();
    const stranger = makeCertificates([K1], 'another-ca').clients.get(K1);
    await expect(connect(K1, { cert: stranger?.cert ?? '', key: stranger?.key ?? '' })).rejects.toThrow();
  });

  it('enforces the ACL: what a node may not publish never reaches a subscriber', async () => {
    const hq = await connect('hq');
    const seen: string[] = [];
    // Retained messages are earlier tests' state, not publishes of this one.
    hq.on('message', (topic, _payload, packet) => {
      if (!packet.retain) seen.push(topic);
    });
    await hq.subscribeAsync(['muster/v1/log/#', 'muster/v1/health/+', 'muster/v1/alerts/#', 'muster/v1/req/+'], {
      qos: 1,
    });
    const publishers = new Map([
      [K1, await connect(K1)],
      [K2, await connect(K2)],
      ['hq', hq],
    ]);
    for (const [user, topic, allowed] of CASES) {
      if (topic.startsWith('muster/v1/inbox/') || topic.startsWith('muster/v2/')) continue;
      if (allowed) {
        await publishers.get(user)?.publishAsync(topic, 'x', { qos: 1 });
        continue;
      }
      // Mosquitto 2.0.11 answers a refused QoS 1 publish from an MQTT 3.1.1 client with a v5 reason code, and
      // mqtt.js drops the connection: either way the broker has handled the message once this settles.
      const intruder = await connect(user);
      const closed = new Promise<void>((resolve) =>
        intruder.once('close', () => {
          resolve();
        }),
      );
      await Promise.race([intruder.publishAsync(topic, 'x', { qos: 1 }).catch(() => undefined), closed]);
      intruder.end(true);
    }
    await publishers.get(K1)?.publishAsync(`muster/v1/health/${K1}`, 'end', { qos: 1 });
    await publishers.get(K2)?.publishAsync(`muster/v1/health/${K2}`, 'end', { qos: 1 });
    await waitFor(
      () =>
        seen.filter((t) => t === `muster/v1/health/${K2}`).length === 1 &&
        seen.filter((t) => t === `muster/v1/health/${K1}`).length === 2,
      'the end markers',
    );
    const expected = CASES.filter(([, topic, allowed]) => allowed && !topic.startsWith('muster/v1/inbox/')).map(
      ([, topic]) => topic,
    );
    expect([...new Set(seen)].sort()).toEqual([...new Set([...expected, `muster/v1/health/${K2}`])].sort());
    for (const client of publishers.values()) await client.endAsync();
  });
});

describe('Mosquitto with per-node passwords (deploy/mosquitto/mosquitto-passwords.conf)', () => {
  let broker: MosquittoServer;
  beforeAll(async () => {
    broker = await startMosquitto({ users: new Map([[K1, 'right-password']]) });
  });
  afterAll(async () => {
    await broker.stop();
  });

  it('admits the right password and refuses a wrong one or none', async () => {
    const ok = await mqtt.connectAsync(broker.url, {
      clientId: K1,
      username: K1,
      password: 'right-password',
      reconnectPeriod: 0,
    });
    await ok.endAsync();
    await expect(
      mqtt.connectAsync(broker.url, { clientId: K1, username: K1, password: 'wrong', reconnectPeriod: 0 }),
    ).rejects.toThrow(/Not authorized|Bad username/i);
    await expect(mqtt.connectAsync(broker.url, { clientId: 'anon', reconnectPeriod: 0 })).rejects.toThrow(
      /Not authorized|Bad username/i,
    );
  });
});
