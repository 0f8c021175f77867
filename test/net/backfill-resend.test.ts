// An unanswered backfill request is sent again after the shared jittered backoff (runtime/retry.ts), each resend
// waiting longer, and the wait starts over once replies arrive: a fleet whose broker came back does not resend
// every request in the same instant, and a log nobody holds is not asked for at a fixed rate forever.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LedgerStore } from '../../ledger/store.ts';
import { Backfill } from '../../net/backfill.ts';
import { MqttLink } from '../../net/mqtt-link.ts';
import { ReplicationContext } from '../../net/replication-context.ts';
import { SqliteReplicaStore } from '../../net/sqlite-replica-store.ts';
import { topics } from '../../net/topics.ts';
import { type BackfillRequest, decodeRequest } from '../../net/wire.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { type BrokerFixture, startBroker } from './support/brokers.ts';
import { rawClient } from './support/nodes.ts';

const HQ = 'hq/resend';
const KIOSK = 'rs/k1';

describe('backfill resends', () => {
  let broker: BrokerFixture;
  let kiosk: mqtt.MqttClient;
  const dir = mkdtempSync(join(tmpdir(), 'muster-resend-'));
  beforeAll(async () => {
    broker = await startBroker('aedes', [HQ, KIOSK]);
    kiosk = await rawClient(broker, KIOSK);
  });
  afterAll(async () => {
    await kiosk.endAsync();
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('waits the jittered, growing backoff between unanswered requests, and starts over once replies arrive', async () => {
    const requests: (BackfillRequest & { readonly at: number })[] = [];
    let marked = -1;
    const now = { t: 0 };
    kiosk.on('message', (_topic, payload) => {
      const text = payload.toString();
      if (text.startsWith('mark ')) marked = Number(text.slice(5));
      else requests.push({ ...decodeRequest(payload), at: now.t });
    });
    await kiosk.subscribeAsync(topics.request(KIOSK), { qos: 1 });
    const store = new SqliteReplicaStore(LedgerStore.open(join(dir, 'hq.db'), { create: true }));
    const link = new MqttLink({ ...broker.link(HQ), nodeId: HQ });
    await link.connection();
    const ctx = new ReplicationContext(link, store, () => now.t, undefined);
    // random 0.5 with jitter 0.5: each wait is 3/4 of its ceiling (1000, 2000, 4000 ... up to 8000 ms).
    const backfill = new Backfill(ctx, 1000, () => 0.5);
    backfill.behind(KIOSK, 5, 'a checkpoint of size 5');
    const pumpAt = async (t: number): Promise<void> => {
      now.t = t;
      await backfill.pump(KIOSK);
      await ctx.drained();
      // A marker on the same topic from the same connection arrives after any request this step sent.
      await link.publish(topics.request(KIOSK), `mark ${t}`);
      await waitFor(() => marked === t, `the marker of ${t}`);
    };
    await pumpAt(0);
    await pumpAt(749);
    await pumpAt(750);
    await pumpAt(2249);
    await pumpAt(2250);
    await pumpAt(5249);
    await pumpAt(5250);
    // A reply stored two entries: the request is being answered, so the next resend is the first wait again.
    backfill.stored(KIOSK, [], { inserted: 2, duplicates: 0, equivocations: [], rejected: [], size: 2 });
    await pumpAt(5999);
    await pumpAt(6000);

    expect(requests.map((r) => r.at)).toEqual([0, 750, 2250, 5250, 6000]);
    expect(requests.map((r) => [r.from, r.to, r.replyTo])).toEqual([...Array.from({ length: 5 }, () => [0, 5, HQ])]);
    expect(new Set(requests.map((r) => r.id)).size).toBe(5);
    await link.close();
    await store.close();
  });
});
