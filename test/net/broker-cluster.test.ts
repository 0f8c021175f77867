// A province on a 3-node NATS cluster (JetStream, MQTT sessions and retained messages on all three nodes): HQ and
// kiosks hold every node's URL. While the kiosks keep appending, each broker node in turn is killed (SIGKILL, as a
// crash) and started again; HQ must end with every entry whose append resolved, for every kiosk, its root equal to
// the kiosk's own, and the peers must hold each other's logs too.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toBase64 } from '../../core/bytes.ts';
import { MusterError } from '../../core/errors.ts';
import { Signer } from '../../ledger/keys.ts';
import { HqService } from '../../net/hq/hq-service.ts';
import { SqliteHqStore } from '../../net/hq/sqlite-hq-store.ts';
import { KioskNode } from '../../net/kiosk-node.ts';
import { type LinkOptions, MqttLink } from '../../net/mqtt-link.ts';
import type { ReplicaStore } from '../../net/replica-store.ts';
import { topicId } from '../../net/topics.ts';
import { type NatsCluster, mqttConsumerReport, startNatsCluster } from '../helpers/nats-cluster.ts';
import { waitFor } from '../helpers/wait-for.ts';

const KIOSKS = ['nc1/k1', 'nc1/k2', 'nc2/k1'];
const PEERS: Readonly<Record<string, readonly string[]>> = { 'nc1/k1': ['nc1/k2'], 'nc1/k2': ['nc1/k1'], 'nc2/k1': [] };
/** A kiosk of a centre with 15 others: 79 QoS 1 subscriptions, the centre's alerts the 64th (inbox, 3 per log followed...). */
const LARGE_CENTRE_KIOSK = 'nc3/k1';

async function rootOf(store: ReplicaStore, origin: string, size: number): Promise<string> {
  return toBase64(await store.root(origin, size));
}

describe('a province on a 3-node NATS cluster', () => {
  let cluster: NatsCluster | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'muster-cluster-'));
  const closers: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    cluster = await startNatsCluster(['hq', ...KIOSKS, LARGE_CENTRE_KIOSK].map(topicId));
  }, 120_000);
  afterAll(async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    (await import('node:fs')).writeFileSync('/tmp/nats-cluster.log', cluster?.log() ?? '');
    await cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const link = (id: string, nats: NatsCluster): Omit<LinkOptions, 'nodeId'> => ({
    url: nats.urls,
    ...nats.credentials(id),
    reconnect: { initialMs: 100, maxMs: 1000 },
  });

  it('loses no acknowledged entry while broker nodes die one at a time', async () => {
    const nats = cluster;
    if (!nats) throw new Error('the cluster did not start');
    const store = SqliteHqStore.open(join(dir, 'hq.db'));
    const hq = await HqService.start({
      store,
      broker: link('hq', nats),
      witnessSigner: Signer.generate('hq'),
      checkEveryMs: 3_600_000,
      retryMs: 500,
    });
    closers.push(async () => {
      await hq.close();
      await store.close();
    });
    const kiosks = await Promise.all(
      KIOSKS.map(async (origin) => {
        const node = await KioskNode.start({
          storePath: join(dir, `${topicId(origin)}.db`),
          signer: Signer.generate(origin),
          witnessSigner: Signer.generate(origin),
          broker: link(origin, nats),
          peers: PEERS[origin] ?? [],
          retryMs: 500,
        });
        closers.push(() => node.close(true));
        return node;
      }),
    );

    // Each kiosk appends about 20 entries a second (a busy morning is a few a minute; the shared test machine has
    // little CPU for three JetStream nodes); `acked` counts the appends that resolved (durable on the kiosk).
    // Counted from the log's size at start (its genesis entry).
    const acked = new Map(
      await Promise.all(kiosks.map(async (node) => [node.origin, await node.store.size(node.origin)] as const)),
    );
    let appending = true;
    const loops = kiosks.map(async (node) => {
      for (let i = 0; appending; i++) {
        await node.append('checkin', { subject: `s-${i % 40}` });
        acked.set(node.origin, (acked.get(node.origin) ?? 0) + 1);
        await new Promise<void>((resolve) => setTimeout(resolve, 50)); // pacing, not synchronisation
      }
    });

    // Every kiosk appends more and HQ takes more in: progress through the nodes that are up.
    const progress = async (what: string): Promise<void> => {
      const held = new Map(
        await Promise.all(KIOSKS.map(async (origin) => [origin, await store.size(origin)] as const)),
      );
      const appended = new Map(acked);
      await waitFor(
        async () => {
          for (const origin of KIOSKS) {
            if ((acked.get(origin) ?? 0) < (appended.get(origin) ?? 0) + 10) return false;
            if ((await store.size(origin)) < (held.get(origin) ?? 0) + 10) return false;
          }
          return true;
        },
        `HQ to take in entries from every kiosk ${what}`,
        90_000,
      );
    };
    await progress('with every node up');
    for (const node of nats.nodes) {
      await node.kill();
      await progress(`while ${node.name} is down`);
      await node.start();
      await progress(`once ${node.name} is back`);
    }
    appending = false;
    await Promise.all(loops);

    for (const node of kiosks) {
      const size = acked.get(node.origin) ?? 0;
      expect(await node.store.size(node.origin)).toBe(size);
      await waitFor(
        async () => (await store.size(node.origin)) === size,
        `HQ to hold all ${size} entries of ${node.origin}`,
        60_000,
      );
      expect(await rootOf(store, node.origin, size)).toBe(await rootOf(node.store, node.origin, size));
      for (const peer of PEERS[node.origin] ?? []) {
        const peerSize = acked.get(peer) ?? 0;
        await waitFor(
          async () => (await node.store.size(peer)) === peerSize,
          `${node.origin} to hold all of ${peer}`,
          60_000,
        );
        // Against the peer's own log: HQ may not hold all of the peer yet (it is waited for in the peer's turn).
        const own = kiosks.find((k) => k.origin === peer);
        if (!own) throw new Error(`${peer} is not one of the kiosks`);
        expect(await rootOf(node.store, peer, peerSize)).toBe(await rootOf(own.store, peer, peerSize));
      }
    }
  }, 300_000);

  it('lets a kiosk publish only under its own topics and read only its own inbox (per-user NATS permissions)', async () => {
    const nats = cluster;
    if (!nats) throw new Error('the cluster did not start');
    const connect = (user: string, clientId: string): Promise<mqtt.MqttClient> =>
      mqtt.connectAsync(nats.urls[0] ?? '', {
        username: user,
        password: nats.passwords.get(user) ?? '',
        clientId,
        protocolVersion: 4,
        reconnectPeriod: 0,
      });
    const forger = await connect(topicId('nc1/k1'), 'nc1~k1-forger');
    let watching: mqtt.MqttClient | undefined;
    try {
      const seen: string[] = [];
      // Each QoS 1 subscription is a JetStream push consumer. Right after the nodes' restarts above, NATS 2.9.10 can
      // leave one silent for good: a delivery that fails on a route closing as the routes settle marks the consumer
      // inactive while its subscriber is still there, and it then sends nothing, not even after ack_wait, until the
      // subscriber's interest changes (nats-io/nats-server#6807, fixed in 2.10.29; deploy/README.md). So the watcher
      // is ready once a probe through each subscription came back: probes go every 5 s, and a watcher that got none
      // in 30 s is replaced by a new connection, whose interest is new.
      const probed = (): boolean =>
        seen.includes('muster/v1/log/nc1~k1/entries probe') && seen.includes('muster/v1/alerts/nc1 probe');
      // A silent watcher's consumers as each node reports them (before its clean session's end deletes them): the
      // evidence of a failure (printed for one replaced too).
      const silent: string[] = [];
      let since = new Date();
      for (let attempt = 0; !probed(); attempt++) {
        if (watching) {
          silent.push(
            `watcher ${attempt - 1} got ${JSON.stringify(seen)}; its consumers:\n${await mqttConsumerReport(nats, since)}`,
          );
          console.warn(`broker-cluster: a silent watcher replaced\n${silent.at(-1) ?? ''}`);
        }
        if (attempt === 4)
          throw new Error(
            `no probe came back through the subscriptions of four watchers in turn:\n${silent.join('\n')}`,
          );
        await watching?.endAsync(true);
        seen.length = 0;
        since = new Date();
        watching = await connect('hq', `hq-permission-watch-${attempt}`);
        watching.on('message', (topic, payload) => seen.push(`${topic} ${payload.toString()}`));
        await watching.subscribeAsync(['muster/v1/log/+/entries', 'muster/v1/alerts/+'], { qos: 1 });
        for (let tries = 0; tries < 6 && !probed(); tries++) {
          await forger.publishAsync('muster/v1/log/nc1~k1/entries', 'probe', { qos: 1 });
          await watching.publishAsync('muster/v1/alerts/nc1', 'probe', { qos: 1 });
          await waitFor(probed, 'a probe through each subscription of the watcher', 5_000).catch(() => undefined);
        }
      }
      const watcher = watching;
      if (!watcher) throw new Error('no watcher');
      // Another kiosk's inbox is refused in the SUBACK (0x80); its own is granted.
      expect((await forger.subscribeAsync('muster/v1/inbox/nc1~k1', { qos: 1 })).map((g) => g.qos)).toEqual([1]);
      await expect(forger.subscribeAsync('muster/v1/inbox/nc2~k1', { qos: 1 })).rejects.toMatchObject({
        packet: { granted: [128] },
      });
      // Forged publishes are acknowledged and dropped; what the kiosk and HQ may publish goes through, in order after them.
      await forger.publishAsync('muster/v1/log/nc2~k1/entries', 'forged entries', { qos: 1 });
      await forger.publishAsync('muster/v1/alerts/nc1', 'forged alert', { qos: 1 });
      await forger.publishAsync('muster/v1/log/nc1~k1/entries', 'own entries', { qos: 1 });
      await watcher.publishAsync('muster/v1/alerts/nc1', 'hq alert', { qos: 1 });
      await waitFor(
        () =>
          seen.includes('muster/v1/log/nc1~k1/entries own entries') && seen.includes('muster/v1/alerts/nc1 hq alert'),
        'the allowed messages to arrive',
        90_000,
      );
      expect(seen.filter((m) => m.includes('forged'))).toEqual([]);
      expect(forger.connected).toBe(true);
    } finally {
      await forger.endAsync(true);
      await watching?.endAsync(true);
    }
  }, 300_000);

  it("grants every subscription of a kiosk in a centre of 16 (NATS caps a session's max_ack_pending at 65,535)", async () => {
    const nats = cluster;
    if (!nats) throw new Error('the cluster did not start');
    // Each QoS 1 subscription takes max_ack_pending of the session's 65,535: with 1024 a session's 64th was refused
    // (SUBACK 0x80, for good), so a kiosk with 12 peers or more lost its last ones: cosignatures, the centre's alerts,
    // its peers' heartbeats.
    const refused: unknown[] = [];
    const alerts: string[] = [];
    const node = await KioskNode.start({
      storePath: join(dir, 'large-centre.db'),
      signer: Signer.generate(LARGE_CENTRE_KIOSK),
      witnessSigner: Signer.generate(LARGE_CENTRE_KIOSK),
      broker: {
        ...link(LARGE_CENTRE_KIOSK, nats),
        onError: (error) => {
          if (error instanceof MusterError && error.code === 'subscription-refused') refused.push(error);
        },
      },
      peers: Array.from({ length: 15 }, (_, i) => `nc3/k${i + 2}`),
      onAlert: (payload) => alerts.push(payload.toString()),
      onPeerHeartbeat: () => undefined,
    });
    const hq = await mqtt.connectAsync(nats.urls[1] ?? '', {
      username: 'hq',
      password: nats.passwords.get('hq') ?? '',
      clientId: 'hq-large-centre',
      protocolVersion: 4,
      reconnectPeriod: 0,
    });
    try {
      // Each subscription is a JetStream consumer on three nodes: the 79 take a while. An alert is sent every 2 s
      // until one arrives (one sent before its subscription was granted reaches no one).
      for (let tries = 0; tries < 90 && alerts.length === 0 && refused.length === 0; tries++) {
        await hq.publishAsync('muster/v1/alerts/nc3', 'alert', { qos: 1 });
        await waitFor(() => alerts.length > 0 || refused.length > 0, 'an alert or a refusal', 2_000).catch(
          () => undefined,
        );
      }
      expect(refused).toEqual([]);
      expect(alerts[0]).toBe('alert');
    } finally {
      await hq.endAsync(true);
      await node.close(true);
    }
  }, 240_000);
});

describe('broker URLs', () => {
  it('refuses a list that is empty or holds anything but mqtt:// and mqtts:// URLs, naming it', () => {
    expect(() => new MqttLink({ url: [], nodeId: 'hq' })).toThrow(/at least one/);
    expect(() => new MqttLink({ url: ['mqtt://127.0.0.1:1', 'http://127.0.0.1:2'], nodeId: 'hq' })).toThrow(
      /http:\/\/127\.0\.0\.1:2/,
    );
    expect(() => new MqttLink({ url: 'not a url', nodeId: 'hq' })).toThrow(TypeError);
  });
});
