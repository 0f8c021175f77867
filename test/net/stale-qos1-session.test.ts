// An HQ session made by an older Muster holds its checkpoint filter at QoS 1: a JetStream consumer, with deliveries
// the old process never acknowledged and a backlog queued since. The new link subscribes that filter at QoS 0. On
// NATS 2.9.10 that SUBSCRIBE deletes the consumer but leaves its unacknowledged deliveries counted in the session's
// max_ack_pending (mqtt.go processJSConsumer; only an UNSUBSCRIBE frees them), so for as long as the node kept the
// session every reconnect had that much less room: here 200 of 256 were gone, and the next backlog of 100 entries
// went 56 through and 44 dropped, sent again (DUP) 60 s later. The link now unsubscribes a QoS 0 filter first on a
// session it did not make, so nothing is left counted. Both connections are to one node, where the session lives.
import mqtt, { type Packet } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MqttLink } from '../../net/mqtt-link.ts';
import { ROOT, topicId, topics } from '../../net/topics.ts';
import { type NatsCluster, connectClient, startNatsCluster } from '../helpers/nats-cluster.ts';
import { waitFor } from '../helpers/wait-for.ts';

const HQ = 'hq/stale';
const KIOSK = 'sq/k1';
const ENTRIES = `${ROOT}/log/+/entries`;
const CHECKPOINTS = `${ROOT}/log/+/checkpoint`;
/** Checkpoint deliveries the older HQ never acknowledged, and the checkpoints queued for it after it went. */
const HELD = 200;
const QUEUED = 200;
/** Entries queued while the new HQ is away: more than the 56 left of 256 before the change. */
const BACKLOG = 100;

describe('an HQ session from before the QoS 0 subscriptions, on a 3-node NATS cluster', () => {
  let cluster: NatsCluster;
  beforeAll(async () => {
    cluster = await startNatsCluster([HQ, KIOSK].map(topicId));
  }, 120_000);
  afterAll(async () => {
    await cluster.stop();
  });

  it('leaves no redelivery behind its checkpoint filter once the new link has been on it', async () => {
    const url = cluster.urls[0] ?? '';
    const kiosk = await connectClient(cluster, KIOSK);
    try {
      // The older HQ: entries and checkpoints at QoS 1; it takes every checkpoint but acknowledges none, then dies.
      const old = await mqtt.connectAsync(url, {
        clientId: topicId(HQ),
        clean: false,
        protocolVersion: 4,
        reconnectPeriod: 0,
        ...cluster.credentials(HQ),
      });
      let held = 0;
      old.handleMessage = (packet, done) => {
        if (packet.topic.endsWith('/checkpoint')) {
          held++;
          done(new Error('held: no PUBACK'));
        } else done();
      };
      old.on('error', () => undefined);
      await old.subscribeAsync([ENTRIES, CHECKPOINTS], { qos: 1 });
      for (let i = 0; i < HELD; i++)
        await kiosk.publishAsync(topics.checkpoint(KIOSK), `held ${i}`, { qos: 1, retain: true });
      await waitFor(() => held === HELD, 'the older HQ to hold every checkpoint unacknowledged', 60_000);
      old.stream.destroy();
      await waitFor(() => !old.connected, 'the older HQ gone');
      for (let i = 0; i < QUEUED; i++)
        await kiosk.publishAsync(topics.checkpoint(KIOSK), `queued ${i}`, { qos: 1, retain: true });

      const entries = new Set<string>();
      const dups: string[] = [];
      /** The new HQ's link on the session: entries at QoS 1, checkpoints at QoS 0 (net/topics.ts). */
      const connect = async (): Promise<MqttLink> => {
        const link = new MqttLink({ url: [url], nodeId: HQ, ...cluster.credentials(HQ) });
        link.client.on('packetreceive', (packet: Packet) => {
          if (packet.cmd === 'publish' && packet.dup) dups.push(packet.topic);
        });
        link.setHandler((topic, payload) => {
          if (topic.kind === 'entries') entries.add(payload.toString());
          return Promise.resolve();
        });
        await link.subscribe([ENTRIES]);
        await link.subscribe([CHECKPOINTS], 0);
        await link.connection();
        return link;
      };
      // Upgraded: the session's QoS 1 checkpoint consumer delivers some of its queue at the connect, before the
      // link's first packet; the link makes the filter QoS 0. The broker answers a connection's packets in order, so
      // once it granted one more subscription it has taken the link's connack work before it.
      const upgraded = await connect();
      await upgraded.subscribe([CHECKPOINTS], 0);
      await upgraded.close();

      // Away again while the kiosk writes, then back: the whole backlog in one burst at the connect.
      for (let i = 0; i < BACKLOG; i++) await kiosk.publishAsync(topics.entries(KIOSK), `entry ${i}`, { qos: 1 });
      const back = await connect();
      try {
        await waitFor(() => entries.size === BACKLOG, 'every queued entry', 120_000);
        expect(dups).toEqual([]);
      } finally {
        await back.close();
      }
    } finally {
      await kiosk.endAsync();
    }
  }, 300_000);
});
