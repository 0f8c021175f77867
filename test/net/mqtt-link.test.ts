// MqttLink's acknowledgements against real brokers: handlers run as messages arrive, but a PUBACK goes out only
// once the message's handler resolved and every message before it was acknowledged. A node that crashes loses
// nothing it had not committed: the broker delivers it again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MqttLink } from '../../net/mqtt-link.ts';
import { type ParsedTopic, topics } from '../../net/topics.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { BROKERS, type BrokerFixture, startBroker } from './support/brokers.ts';
import { rawClient } from './support/nodes.ts';

const SUBSCRIBER = 'lk/sub';
const PUBLISHER = 'lk/pub';

interface Arrival {
  readonly payload: string;
  readonly release: () => void;
}

/** A link whose handler records each message and holds it until the test releases it (as a slow commit would). */
async function holdingLink(broker: BrokerFixture): Promise<{ link: MqttLink; arrivals: Arrival[] }> {
  const link = new MqttLink({ ...broker.link(SUBSCRIBER), nodeId: SUBSCRIBER });
  const arrivals: Arrival[] = [];
  link.setHandler(
    (_topic: ParsedTopic, payload: Buffer) =>
      new Promise<void>((release) => arrivals.push({ payload: payload.toString(), release })),
  );
  await link.connection();
  await link.subscribe([topics.everyHeartbeat]);
  return { link, arrivals };
}

describe.each(BROKERS)('MqttLink acknowledgements over %s', (kind) => {
  let broker: BrokerFixture;
  beforeAll(async () => {
    broker = await startBroker(kind, [SUBSCRIBER, PUBLISHER]);
  });
  afterAll(async () => {
    await broker.stop();
  });

  it('hands messages over without waiting, acknowledges in arrival order only after each handler resolved, and a crash loses nothing unacknowledged', async () => {
    const first = await holdingLink(broker);
    const publisher = await rawClient(broker, PUBLISHER);
    for (const payload of ['a', 'b', 'c']) await publisher.publishAsync(topics.health(PUBLISHER), payload, { qos: 1 });
    // All three are in hand at once: none waited for the one before it.
    await waitFor(() => first.arrivals.length === 3, 'three messages in hand');
    expect(first.arrivals.map((a) => a.payload)).toEqual(['a', 'b', 'c']);
    // 'a' is committed; 'c' is too, but its PUBACK must wait for 'b', which never commits before the crash.
    first.arrivals[0]?.release();
    first.arrivals[2]?.release();
    await waitFor(() => first.link.unacknowledged === 2, "the PUBACK of 'a' only");
    // A round trip on the same connection: the broker has read that PUBACK once this SUBACK is back.
    await first.link.subscribe([topics.alerts('lk')]);
    await first.link.close(true);
    const second = await holdingLink(broker);
    await publisher.publishAsync(topics.health(PUBLISHER), 'marker', { qos: 1 });
    await waitFor(() => second.arrivals.some((a) => a.payload === 'marker'), 'the marker after the reconnect');
    expect(second.arrivals.map((a) => a.payload).filter((p) => p !== 'marker')).toEqual(['b', 'c']);
    for (const arrival of second.arrivals) arrival.release();
    await second.link.close();
    await publisher.endAsync();
  });
});

// A close ends in bounded time whatever the broker does: mqtt.js keeps a QoS 1 publish the connection lost for the
// next connection, and its graceful end waited for its PUBACK for ever (an HQ node's close hung in CI that way).
describe.each(BROKERS)('MqttLink close over %s', (kind) => {
  it('fails a publish in flight when the link is cut, and a close after that still ends', async () => {
    const broker = await startBroker(kind, [SUBSCRIBER]);
    try {
      const link = new MqttLink({ ...broker.link(SUBSCRIBER), nodeId: SUBSCRIBER });
      await link.connection();
      const inFlight = link.publish(topics.health(SUBSCRIBER), 'cut before its PUBACK');
      await link.close(true);
      await expect(inFlight).rejects.toMatchObject({ code: 'link-closed' });
      await link.close();
      await expect(link.publish(topics.health(SUBSCRIBER), 'after the close')).rejects.toMatchObject({
        code: 'link-closed',
      });
    } finally {
      await broker.stop();
    }
  });

  it('ends with the broker gone, failing what the broker never acknowledged', async () => {
    const broker = await startBroker(kind, [SUBSCRIBER]);
    const link = new MqttLink({ ...broker.link(SUBSCRIBER), nodeId: SUBSCRIBER });
    try {
      await link.connection();
      await broker.stop();
      await waitFor(() => !link.connected, 'the link to see the broker gone');
      // Kept by mqtt.js for the next connection, which will never come.
      const queued = link.publish(topics.health(SUBSCRIBER), 'while the broker is away');
      await link.close();
      await expect(queued).rejects.toMatchObject({ code: 'link-closed' });
    } finally {
      await link.close(true);
    }
  });
});

// A persistent session the broker kept holds the filters of the run that made it: a run that asks for more (a peer
// added to a kiosk, --cosigner given to HQ) must subscribe to them, or it never hears of them.
describe.each(BROKERS)('MqttLink on a session the broker kept, over %s', (kind) => {
  it('subscribes to the filters this run asks for that the run before did not', async () => {
    const broker = await startBroker(kind, [SUBSCRIBER, PUBLISHER]);
    const links: MqttLink[] = [];
    try {
      const before = new MqttLink({ ...broker.link(SUBSCRIBER), nodeId: SUBSCRIBER });
      links.push(before);
      await before.connection();
      await before.subscribe([topics.everyHeartbeat]);
      await before.close();
      // Retained, so the subscription gets it whenever it is made.
      const publisher = await rawClient(broker, PUBLISHER);
      await publisher.publishAsync(topics.checkpoint(PUBLISHER), 'the checkpoint', { qos: 1, retain: true });
      await publisher.endAsync();

      const again = new MqttLink({ ...broker.link(SUBSCRIBER), nodeId: SUBSCRIBER });
      links.push(again);
      const heard = new Promise<string>((resolve) => {
        again.setHandler((topic, payload) => {
          if (topic.kind === 'checkpoint') resolve(payload.toString());
          return Promise.resolve();
        });
      });
      // Asked for before the connection, as HqService and KioskNode do at start.
      await again.subscribe([topics.everyHeartbeat, topics.checkpoint(PUBLISHER)]);
      const sessionKept = new Promise<boolean>((resolve) => {
        again.onConnect(resolve);
      });
      if (kind === 'mosquitto') expect(await sessionKept).toBe(true);
      await expect(
        Promise.race([
          heard,
          new Promise((_, reject) => {
            setTimeout(() => {
              reject(new Error('the checkpoint never came'));
            }, 30_000).unref();
          }),
        ]),
      ).resolves.toBe('the checkpoint');
    } finally {
      for (const link of links) await link.close(true);
      await broker.stop();
    }
  }, 60_000);
});

// A QoS 0 filter (retained latest state: checkpoints, cosignatures, heartbeats) is no queue in the session: the link
// subscribes to it again at every connack, so the broker sends its retained message anew (net/topics.ts).
describe.each(BROKERS)('MqttLink QoS 0 filters after a reconnect, over %s', (kind) => {
  it('subscribes to them again on a session the broker kept, and gets their retained message again', async () => {
    const broker = await startBroker(kind, [SUBSCRIBER, PUBLISHER]);
    const link = new MqttLink({
      ...broker.link(SUBSCRIBER),
      nodeId: SUBSCRIBER,
      reconnect: { initialMs: 50, maxMs: 200 },
    });
    try {
      const publisher = await rawClient(broker, PUBLISHER);
      await publisher.publishAsync(topics.checkpoint(PUBLISHER), 'the checkpoint', { qos: 1, retain: true });
      await publisher.endAsync();
      let heard = 0;
      link.setHandler((topic, payload) => {
        if (topic.kind === 'checkpoint' && payload.toString() === 'the checkpoint') heard++;
        return Promise.resolve();
      });
      await link.connection();
      const sessions: boolean[] = [];
      link.onConnect((sessionPresent) => sessions.push(sessionPresent));
      await link.subscribe([topics.everyHeartbeat]);
      await link.subscribe([topics.checkpoint(PUBLISHER)], 0);
      await waitFor(() => heard === 1, 'the retained checkpoint with the subscription');
      const streamBefore = link.client.stream;
      streamBefore.destroy();
      await waitFor(() => sessions.length === 1 && link.connected, 'the link back on the broker');
      if (kind === 'mosquitto') expect(sessions).toEqual([true]);
      await waitFor(() => heard === 2, 'the retained checkpoint again after the reconnect');
    } finally {
      await link.close(true);
      await broker.stop();
    }
  }, 60_000);
});

/**
 * SUBSCRIBER's session kept at the broker with a heartbeat subscription, then `payloads` published to it (QoS 1)
 * while it is away: its next connect gets them at the connack. The link it used goes into `links` to be closed.
 */
async function keepSessionWithBacklog(broker: BrokerFixture, links: MqttLink[], payloads: string[]): Promise<void> {
  const before = new MqttLink({ ...broker.link(SUBSCRIBER), nodeId: SUBSCRIBER });
  links.push(before);
  before.setHandler(() => Promise.resolve());
  await before.connection();
  await before.subscribe([topics.everyHeartbeat]);
  await before.close();
  const publisher = await rawClient(broker, PUBLISHER);
  for (const payload of payloads) await publisher.publishAsync(topics.health(PUBLISHER), payload, { qos: 1 });
  await publisher.endAsync();
}

// A broker resumes a kept session at the connack, before any SUBSCRIBE: what it queued meanwhile comes at once. A
// node that awaits anything between making its link and setting the handler (HqService subscribes to heartbeats
// first) had those messages acknowledged by no handler and lost: HQ back to a backlog lost whole logs that way
// (test/net/one-burst-subscription.test.ts, 4 of 10 loaded runs).
describe.each(BROKERS)('MqttLink messages before its handler is set, over %s', (kind) => {
  it('hands what a kept session delivers at the connack to the handler set later, in order', async () => {
    const broker = await startBroker(kind, [SUBSCRIBER, PUBLISHER]);
    const links: MqttLink[] = [];
    try {
      await keepSessionWithBacklog(broker, links, ['a', 'b', 'c']);

      const again = new MqttLink({ ...broker.link(SUBSCRIBER), nodeId: SUBSCRIBER });
      links.push(again);
      let delivered = 0;
      again.client.on('packetreceive', (packet) => {
        if (packet.cmd === 'publish') delivered++;
      });
      await again.connection();
      await waitFor(() => delivered === 3, 'the queued messages delivered with the session, before any handler');
      const heard: string[] = [];
      again.setHandler((_topic, payload) => {
        heard.push(payload.toString());
        return Promise.resolve();
      });
      await waitFor(() => heard.length === 3, 'the queued messages handed to the handler once set');
      expect(heard).toEqual(['a', 'b', 'c']);
      await waitFor(() => again.unacknowledged === 0, 'each acknowledged once handled');
    } finally {
      for (const link of links) await link.close(true);
      await broker.stop();
    }
  }, 60_000);
});

// A kept session's backlog of a window or more, delivered at the connack while the node still awaits a SUBACK before
// it sets the handler (HqService following the registry reads it from the store, then subscribes to heartbeats): the
// link withheld the window's last PUBACK slot, so mqtt.js read no further packet, the SUBACK never came, the handler
// was never set and the node hung at start. Aedes only: Mosquitto sends at most max_inflight_messages (20 by default,
// 64 as deployed) unacknowledged, never a window (NATS sends max_ack_pending, 256 as deployed: a window).
describe('MqttLink, a window of messages before its handler is set, over aedes', () => {
  it('still reads the SUBACK a start awaits before setting its handler, then hands every message over', async () => {
    const broker = await startBroker('aedes', [SUBSCRIBER, PUBLISHER]);
    const links: MqttLink[] = [];
    try {
      const queued = 300;
      await keepSessionWithBacklog(
        broker,
        links,
        Array.from({ length: queued }, (_, i) => `m${i}`),
      );

      const again = new MqttLink({ ...broker.link(SUBSCRIBER), nodeId: SUBSCRIBER });
      links.push(again);
      await again.connection();
      await waitFor(() => again.unacknowledged >= 256, 'a window of the backlog in hand, no handler yet');
      await again.subscribe([topics.alerts('lk')]);
      const heard: string[] = [];
      again.setHandler((_topic, payload) => {
        heard.push(payload.toString());
        return Promise.resolve();
      });
      await waitFor(() => heard.length === queued, 'the whole backlog handed to the handler once set');
      expect(heard).toEqual(Array.from({ length: queued }, (_, i) => `m${i}`));
      await waitFor(() => again.unacknowledged === 0, 'each acknowledged once handled');
    } finally {
      for (const link of links) await link.close(true);
      await broker.stop();
    }
  }, 60_000);
});
