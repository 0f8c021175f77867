// A kiosk back to its peers' backlog larger than NATS's max_ack_pending gets all of it with no redelivery (the 60 s
// stall, on the kiosk's side). The cap counts a session's unacknowledged QoS 1 deliveries over all its subscriptions
// together; with one QoS 1 entries subscription per peer, each peer's consumer delivered up to 256 at once, the node
// dropped what went past 256 in all, and JetStream sent it again (DUP) only after ack_wait, 60 s later. A kiosk now
// follows its peers' entries at QoS 0 and pulls what they wrote while it was away by backfill at the connack.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type Packet } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Signer } from '../../ledger/keys.ts';
import { LogWriter } from '../../ledger/log-writer.ts';
import { LedgerStore } from '../../ledger/store.ts';
import { KioskNode } from '../../net/kiosk-node.ts';
import type { LinkOptions } from '../../net/mqtt-link.ts';
import { topicId, topics } from '../../net/topics.ts';
import { encodeBatch } from '../../net/wire.ts';
import { type NatsCluster, mqttConsumersDrained, startNatsCluster } from '../helpers/nats-cluster.ts';
import { waitFor } from '../helpers/wait-for.ts';

const KIOSK = 'pb/k1';
const PEERS = ['pb/k2', 'pb/k3'];
/** Per peer, each entry its own message: 2 x 150 queued for the kiosk, past 256. */
const ENTRIES = 150;

describe('a kiosk back to its peers’ backlog past max_ack_pending, on a 3-node NATS cluster', () => {
  let cluster: NatsCluster;
  const dir = mkdtempSync(join(tmpdir(), 'muster-peer-burst-'));
  const closers: (() => Promise<void>)[] = [];
  const keys = new Map([KIOSK, ...PEERS].map((origin) => [origin, [Signer.generate(origin), Signer.generate(origin)]]));
  const signer = (origin: string, which: 0 | 1 = 0): Signer => keys.get(origin)?.[which] ?? Signer.generate(origin);

  beforeAll(async () => {
    cluster = await startNatsCluster([KIOSK, ...PEERS].map(topicId));
  }, 120_000);
  afterAll(async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    await cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const broker = (id: string): Omit<LinkOptions, 'nodeId'> => ({
    url: cluster.urls,
    username: topicId(id),
    password: cluster.passwords.get(topicId(id)) ?? '',
    reconnect: { initialMs: 100, maxMs: 1000 },
  });

  const startKiosk = (origin: string, peers: readonly string[]): Promise<KioskNode> =>
    KioskNode.start({
      storePath: join(dir, `${topicId(origin)}.db`),
      signer: signer(origin),
      witnessSigner: signer(origin, 1),
      broker: broker(origin),
      peers,
      retryMs: 500,
      // The centre's alerts: the kiosk's one QoS 1 subscription, so the broker holds a consumer for it.
      onAlert: () => undefined,
    });

  /** Appends `entries` to a peer's log (a new one: its genesis first), as the peer would while the kiosk is away. */
  async function appendPeer(origin: string, entries: number): Promise<void> {
    const store = LedgerStore.open(join(dir, `${topicId(origin)}.db`), { create: true });
    try {
      const writer =
        store.ownOrigin() === undefined
          ? LogWriter.init(store, origin, signer(origin))
          : LogWriter.open(store, signer(origin));
      for (let i = 0; i < entries; i++) await writer.append('checkin', { subject: `${origin}-${i}` });
    } finally {
      store.close();
    }
  }

  /** Publishes a peer's entries from `from` on, each as its own message, then its checkpoint (retained). */
  async function publishPeer(origin: string, from: number): Promise<void> {
    const store = LedgerStore.open(join(dir, `${topicId(origin)}.db`));
    const client = await mqtt.connectAsync(cluster.urls[0] ?? '', {
      clientId: `${topicId(origin)}-raw`,
      protocolVersion: 4,
      reconnectPeriod: 0,
      username: topicId(origin),
      password: cluster.passwords.get(topicId(origin)) ?? '',
    });
    try {
      const writer = LogWriter.open(store, signer(origin));
      const { size, note } = writer.checkpoint();
      for (let seq = from; seq < size; seq++) {
        const leaves = [...store.range(origin, seq, seq + 1)].map((row) => row.leaf);
        await client.publishAsync(topics.entries(origin), Buffer.from(encodeBatch({ origin, leaves })), { qos: 1 });
      }
      await client.publishAsync(topics.checkpoint(origin), note, { qos: 1, retain: true });
    } finally {
      await client.endAsync();
      store.close();
    }
  }

  it('stores every entry its peers wrote while it was away, with no redelivery', async () => {
    const since = new Date(Date.now() - 1000);
    // The kiosk's session and its subscriptions exist on the broker (an entry of each peer stored through them: no
    // peer answers backfill yet); then the kiosk is away while its peers write.
    const first = await startKiosk(KIOSK, PEERS);
    for (const peer of PEERS) await appendPeer(peer, 0);
    const subscribed = async (): Promise<boolean> =>
      (await Promise.all(PEERS.map((p) => first.store.size(p)))).every((size) => size === 1);
    // One published before the kiosk's subscription reached the broker reaches no one: sent again until stored.
    for (let tries = 0; tries < 40 && !(await subscribed()); tries++) {
      for (const peer of PEERS) await publishPeer(peer, 0);
      await waitFor(subscribed, "the kiosk's subscriptions in place", 3_000).catch(() => undefined);
    }
    expect(await subscribed()).toBe(true);
    await first.close();

    for (const peer of PEERS) {
      await appendPeer(peer, ENTRIES);
      await publishPeer(peer, 1);
    }
    // The peers, online again, hold their logs and answer backfill requests.
    for (const peer of PEERS) {
      const node = await startKiosk(
        peer,
        [KIOSK, ...PEERS].filter((o) => o !== peer),
      );
      closers.push(() => node.close());
    }

    const dups = { count: 0 };
    const back = await startKiosk(KIOSK, PEERS);
    closers.push(() => back.close());
    back.link.client.on('packetreceive', (packet: Packet) => {
      if (packet.cmd === 'publish' && packet.dup) dups.count++;
    });
    await waitFor(
      async () => (await Promise.all(PEERS.map((p) => back.store.size(p)))).every((size) => size === ENTRIES + 1),
      'every peer entry stored at the kiosk',
      120_000,
    );
    // Caught up only once the broker holds nothing for the kiosk: a dropped delivery stays unacknowledged until
    // ack_wait, and comes back then with DUP set.
    await waitFor(() => mqttConsumersDrained(cluster, since), 'nothing left in the consumers at the broker', 120_000);
    expect(dups.count).toBe(0);
  }, 300_000);
});
