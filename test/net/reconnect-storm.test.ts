// A reconnect storm: many links lose their broker at once (it restarts) and come back with jittered backoff,
// spread over seconds instead of all in the same one. 200 links here (the scale run with 2,000 belongs to the bench).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MqttLink } from '../../net/mqtt-link.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { type BrokerFixture, startBroker } from './support/brokers.ts';

const CLIENTS = 200;
const ids = Array.from({ length: CLIENTS }, (_, i) => `storm/k${i}`);

describe('a reconnect storm', () => {
  let broker: BrokerFixture;
  const links: MqttLink[] = [];
  beforeAll(async () => {
    broker = await startBroker('aedes', ids);
  });
  afterAll(async () => {
    await Promise.all(links.map((link) => link.close(true)));
    await broker.stop();
  });

  it('brings every client back, spread over the backoff window rather than in one second', async () => {
    const connects = new Map<string, number[]>();
    for (const id of ids) {
      const link = new MqttLink({ ...broker.link(id), nodeId: id, reconnect: { initialMs: 4000, maxMs: 30_000 } });
      link.onConnect(() => {
        connects.set(id, [...(connects.get(id) ?? []), Date.now()]);
      });
      links.push(link);
    }
    await waitFor(() => links.every((link) => link.connected), 'every client connected', 30_000);

    const dropped = Date.now();
    await broker.restart();
    await waitFor(() => ids.every((id) => (connects.get(id)?.length ?? 0) >= 2), 'every client back', 60_000);

    const back = ids.map((id) => (connects.get(id)?.[1] ?? 0) - dropped);
    const perSecond = new Map<number, number>();
    for (const ms of back) perSecond.set(Math.floor(ms / 1000), (perSecond.get(Math.floor(ms / 1000)) ?? 0) + 1);
    // Uniform over ~4 s, about 50 a second; without jitter (tried) well over half come back in the same second.
    expect(perSecond.size).toBeGreaterThanOrEqual(3);
    expect(Math.max(...perSecond.values())).toBeLessThan(CLIENTS / 2);
  }, 120_000);
});
