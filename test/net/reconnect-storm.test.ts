// A reconnect storm at a province's size: 2,000 links (a kiosk each) on one Mosquitto lose it at once (it
// restarts) and come back with jittered backoff, spread over seconds instead of all in the same one.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mosquittoPasswordLine } from '../../net/acl.ts';
import { MqttLink } from '../../net/mqtt-link.ts';
import { topicId } from '../../net/topics.ts';
import { createLogger } from '../../runtime/logger.ts';
import { type MosquittoServer, startMosquitto } from '../helpers/mosquitto.ts';
import { waitFor } from '../helpers/wait-for.ts';

const CLIENTS = 2000;
const ids = Array.from({ length: CLIENTS }, (_, i) => `storm/k${i}`);
const passwords = new Map(ids.map((id) => [id, randomBytes(9).toString('hex')]));

describe('a reconnect storm of 2,000 clients', () => {
  let broker: MosquittoServer;
  const links: MqttLink[] = [];
  beforeAll(async () => {
    // mosquitto_passwd's iteration count: 2,000 connects at the default would cost the broker most of a minute.
    broker = await startMosquitto({
      passwordFile: `${ids.map((id) => mosquittoPasswordLine(id, passwords.get(id) ?? '', 101)).join('\n')}\n`,
    });
  });
  afterAll(async () => {
    await Promise.all(links.map((link) => link.close(true)));
    await broker.stop();
  });

  it('brings every client back, spread over the backoff window rather than in one second', async () => {
    const connects = new Map<string, number[]>();
    // 2,000 "broker down" warnings say nothing here.
    const logger = createLogger({ level: 'silent' });
    for (const id of ids) {
      const link = new MqttLink({
        url: broker.url,
        username: topicId(id),
        password: passwords.get(id) ?? '',
        nodeId: id,
        reconnect: { initialMs: 4000, maxMs: 30_000 },
        logger,
      });
      link.onConnect(() => {
        connects.set(id, [...(connects.get(id) ?? []), Date.now()]);
      });
      links.push(link);
    }
    await waitFor(() => links.every((link) => link.connected), 'every client connected', 120_000);

    const dropped = Date.now();
    await broker.restart();
    await waitFor(() => ids.every((id) => (connects.get(id)?.length ?? 0) >= 2), 'every client back', 120_000);

    const back = ids.map((id) => (connects.get(id)?.[1] ?? 0) - dropped);
    const perSecond = new Map<number, number>();
    for (const ms of back) perSecond.set(Math.floor(ms / 1000), (perSecond.get(Math.floor(ms / 1000)) ?? 0) + 1);
    // Uniform over ~4 s, about 500 a second; without jitter (tried with 200) well over half come back in the same second.
    expect(perSecond.size).toBeGreaterThanOrEqual(3);
    expect(Math.max(...perSecond.values())).toBeLessThan(CLIENTS / 2);
  }, 300_000);
});
