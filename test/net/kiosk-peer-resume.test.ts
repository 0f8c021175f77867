// A kiosk follows its peers' entries at QoS 0, so what they write while it is away is not queued for it at the
// broker: at each connack it asks their holders for it (Backfill.probe). It must not depend on the peer's retained
// checkpoint alone: a NATS node whose retained copy lags, or a broker that lost it, leaves the kiosk nothing to
// compare until the peer writes again, which a quiet (or dead) peer may never do.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, it } from 'vitest';
import { Signer } from '../../ledger/keys.ts';
import { KioskNode } from '../../net/kiosk-node.ts';
import { topicId, topics } from '../../net/topics.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { BROKERS, type BrokerFixture, startBroker } from './support/brokers.ts';
import { rawClient } from './support/nodes.ts';

const KIOSK = 'kr/k1';
/** Writes while the kiosk is away, then stops for good. */
const GONE = 'kr/k2';
/** Stays: holds the gone peer's log. */
const HOLDER = 'kr/k3';
const CENTRE = [KIOSK, GONE, HOLDER];
const AWAY = 20;

describe.each(BROKERS)('a kiosk back with no retained checkpoint of its peer (%s)', (kind) => {
  const dir = mkdtempSync(join(tmpdir(), `muster-peer-resume-${kind}-`));
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const keys = new Map(CENTRE.map((origin) => [origin, [Signer.generate(origin), Signer.generate(origin)]]));
  const signer = (origin: string, which: 0 | 1): Signer => keys.get(origin)?.[which] ?? Signer.generate(origin);

  const start = (broker: BrokerFixture, origin: string): Promise<KioskNode> =>
    KioskNode.start({
      storePath: join(dir, `${topicId(origin)}.db`),
      signer: signer(origin, 0),
      witnessSigner: signer(origin, 1),
      broker: broker.link(origin),
      peers: CENTRE.filter((o) => o !== origin),
      retryMs: 500,
    });

  it("gets what a peer wrote while it was away from the peer's other holder, asked at the connack", async () => {
    const broker = await startBroker(kind, CENTRE);
    const gone = await start(broker, GONE);
    const holder = await start(broker, HOLDER);
    let kiosk = await start(broker, KIOSK);
    try {
      await gone.append('checkin', { subject: 'before' });
      await waitFor(
        async () => (await kiosk.store.size(GONE)) === 2 && (await holder.store.size(GONE)) === 2,
        "the kiosk and the holder holding the peer's log",
      );
      await kiosk.close();

      for (let i = 0; i < AWAY; i++) await gone.append('checkin', { subject: `away-${i}` });
      await waitFor(async () => (await holder.store.size(GONE)) === AWAY + 2, 'the holder holding every entry');
      await gone.close();
      // The broker's retained checkpoint gone too (a zero-length retained message deletes it).
      const client = await rawClient(broker, GONE);
      await client.publishAsync(topics.checkpoint(GONE), '', { qos: 1, retain: true });
      await client.endAsync();

      kiosk = await start(broker, KIOSK);
      await waitFor(
        async () => (await kiosk.store.size(GONE)) === AWAY + 2,
        'every entry the peer wrote while the kiosk was away',
      );
    } finally {
      await kiosk.close();
      await holder.close();
      await gone.close();
      await broker.stop();
    }
  }, 60_000);
});
