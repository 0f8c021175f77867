// HQ back to a backlog larger than NATS's max_ack_pending gets all of it with no redelivery (issue 20, the 60 s
// stall's residual). The cap counts a session's unacknowledged QoS 1 deliveries over all its subscriptions together;
// with entries and checkpoints both at QoS 1, each subscription's consumer delivered up to 256 at once, the node
// dropped what went past 256 in all, and JetStream sent it again (DUP) only after ack_wait, 60 s later. Checkpoints
// are now subscribed at QoS 0, re-sent retained at the connack: the entries are the session's one QoS 1 burst.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Packet } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Signer } from '../../ledger/keys.ts';
import { LogWriter } from '../../ledger/log-writer.ts';
import { LedgerStore } from '../../ledger/store.ts';
import type { MqttLink } from '../../net/mqtt-link.ts';
import type { ReplicationEvent, Replicator } from '../../net/replicator.ts';
import { SqliteReplicaStore } from '../../net/sqlite-replica-store.ts';
import { topicId, topics } from '../../net/topics.ts';
import { encodeBatch } from '../../net/wire.ts';
import { Witness } from '../../net/witness.ts';
import {
  type NatsCluster,
  connectClient,
  mqttConsumersDrained,
  startHqReplicator,
  startNatsCluster,
} from '../helpers/nats-cluster.ts';
import { waitFor } from '../helpers/wait-for.ts';

const HQ = 'hq/burst';
const KIOSKS = ['bk/k1', 'bk/k2', 'bk/k3'];
/** Publishes while HQ is first up: once HQ stored it, HQ's entries subscription holds at the broker. */
const EARLY = 'bk/k0';
/** Per kiosk, each entry followed by its checkpoint: 3 x 150 entries and as many checkpoints, far past 256. */
const ENTRIES = 150;

describe('HQ back to a backlog past max_ack_pending, on a 3-node NATS cluster', () => {
  let cluster: NatsCluster;
  const dir = mkdtempSync(join(tmpdir(), 'muster-burst-'));
  const closers: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    cluster = await startNatsCluster([HQ, EARLY, ...KIOSKS].map(topicId));
  }, 120_000);
  afterAll(async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    await cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** HQ's link and replicator on `store`; the broker's redeliveries (PUBLISH with DUP) are counted in `dups`. */
  function startHq(
    store: SqliteReplicaStore,
    events: ReplicationEvent[],
    dups: { count: number },
  ): Promise<{ link: MqttLink; replicator: Replicator }> {
    const witness = new Witness(store, Signer.generate(HQ));
    return startHqReplicator(cluster, HQ, { store, witness, onEvent: (event) => events.push(event) }, (link) => {
      link.client.on('packetreceive', (packet: Packet) => {
        if (packet.cmd === 'publish' && packet.dup) dups.count++;
      });
    });
  }

  /** A kiosk's log of `entries` after its genesis, each entry published then its checkpoint (retained). */
  async function publishLog(origin: string, entries: number): Promise<void> {
    const kioskStore = LedgerStore.open(join(dir, `${topicId(origin)}.db`), { create: true });
    closers.push(() => {
      kioskStore.close();
      return Promise.resolve();
    });
    const writer = LogWriter.init(kioskStore, origin, Signer.generate(origin));
    const kiosk = await connectClient(cluster, origin);
    closers.push(() => kiosk.endAsync());
    let note = writer.checkpoint().note;
    for (let seq = 0; seq <= entries; seq++) {
      if (seq > 0) {
        await writer.append('checkin', { subject: `${origin}-${seq}` });
        note = writer.checkpoint().note;
      }
      const leaves = [...kioskStore.range(origin, seq, seq + 1)].map((row) => row.leaf);
      await kiosk.publishAsync(topics.entries(origin), Buffer.from(encodeBatch({ origin, leaves })), { qos: 1 });
      await kiosk.publishAsync(topics.checkpoint(origin), note, { qos: 1, retain: true });
    }
  }

  it('stores every entry with no redelivery', async () => {
    const store = new SqliteReplicaStore(LedgerStore.open(join(dir, 'hq.db'), { create: true }));
    closers.push(() => store.close());
    const since = new Date(Date.now() - 1000);
    // HQ's session and its subscriptions exist on the broker (a starved node may refuse a subscription at first, and
    // MqttLink retries it: an entry stored says the entries one holds); then HQ is away while the kiosks publish.
    const first = await startHq(store, [], { count: 0 });
    await publishLog(EARLY, 0);
    await waitFor(async () => (await store.size(EARLY)) === 1, "HQ's entries subscription in place", 120_000);
    first.replicator.stop();
    await first.link.close();
    await first.replicator.close();

    for (const origin of KIOSKS) await publishLog(origin, ENTRIES);

    const events: ReplicationEvent[] = [];
    const dups = { count: 0 };
    const back = await startHq(store, events, dups);
    closers.push(async () => {
      await back.link.close();
      await back.replicator.close();
    });
    // With checkpoints at QoS 1 the node dropped what went past 256 and it came back as DUP after ack_wait (60 s):
    // the first DUP ends the wait. The entries after a dropped one were refused (a gap) and acknowledged, and the
    // silent kiosks never answer HQ's backfill, so the entries alone would only time out, like a lost entry would.
    // Entries stored and not witnessing: these kiosks never publish again, so a checkpoint is not sent again either.
    await waitFor(
      async () => {
        if (dups.count > 0) return true;
        for (const origin of KIOSKS) if ((await store.size(origin)) !== ENTRIES + 1) return false;
        return true;
      },
      'every entry stored (or a redelivery)',
      120_000,
    );
    expect(dups.count).toBe(0);
    // Caught up only once the broker holds nothing for HQ: a dropped delivery stays unacknowledged until ack_wait.
    await waitFor(() => mqttConsumersDrained(cluster, since), "nothing left in HQ's consumers at the broker", 120_000);
    expect(dups.count).toBe(0);
  }, 300_000);
});
