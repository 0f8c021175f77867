// A follower's acknowledgements do not wait for checkpoint witnessing (issue 20, the 60 s stall). PUBACKs go in
// arrival order, so a checkpoint whose witnessing was slow held back the PUBACK of every message after it: HQ's
// link filled its window, and a NATS node whose session holds max_ack_pending unacknowledged messages (all its
// subscriptions together) drops further deliveries until ack_wait, 60 s later, redelivers them. Entries are
// acknowledged at their commit and a checkpoint once queued; one acknowledged before it was judged is judged after a
// crash all the same, from the broker's retained copy that a restarted node's subscriptions bring back.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
import { type NatsCluster, connectClient, startHqReplicator, startNatsCluster } from '../helpers/nats-cluster.ts';
import { waitFor } from '../helpers/wait-for.ts';

const HQ = 'hq/acks';
const KIOSK = 'ak/k1';
/** More than a link's window (256) and NATS's max_ack_pending (256): all of them wait behind a held checkpoint. */
const ENTRIES = 600;

/** A witness whose judging waits until the test lets it go (a slow witness-state transaction at the peak). */
class HeldWitness extends Witness {
  asked = 0;
  constructor(
    store: SqliteReplicaStore,
    signer: Signer,
    private readonly gate: Promise<void>,
  ) {
    super(store, signer);
  }

  override async observeMany(
    items: readonly { readonly origin: string; readonly note: string }[],
  ): ReturnType<Witness['observeMany']> {
    this.asked++;
    await this.gate;
    return super.observeMany(items);
  }
}

describe('acknowledgements behind checkpoint witnessing, on a 3-node NATS cluster', () => {
  let cluster: NatsCluster;
  const dir = mkdtempSync(join(tmpdir(), 'muster-acks-'));
  const closers: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    cluster = await startNatsCluster([HQ, KIOSK].map(topicId));
  }, 120_000);
  afterAll(async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    await cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** HQ's replicator on `store`, its witness held at `gate`; the events it reports go to `events`. */
  async function startHq(
    store: SqliteReplicaStore,
    gate: Promise<void>,
    events: ReplicationEvent[],
  ): Promise<{ link: MqttLink; replicator: Replicator; witness: HeldWitness }> {
    const witness = new HeldWitness(store, Signer.generate(HQ), gate);
    const hq = await startHqReplicator(cluster, HQ, {
      store,
      witness,
      retryMs: 600_000,
      onEvent: (event) => events.push(event),
    });
    return { ...hq, witness };
  }

  it('stores and acknowledges every entry behind a checkpoint whose witnessing is held, and judges it once let go; a restarted node judges a checkpoint acknowledged before the crash', async () => {
    const kioskStore = LedgerStore.open(join(dir, 'kiosk.db'), { create: true });
    closers.push(() => {
      kioskStore.close();
      return Promise.resolve();
    });
    const writer = LogWriter.init(kioskStore, KIOSK, Signer.generate(KIOSK));
    const checkpoint = writer.checkpoint(); // size 1: the genesis entry
    for (let i = 0; i < ENTRIES; i++) await writer.append('checkin', { subject: `p-${i}` });
    const leaves = [...kioskStore.range(KIOSK, 0, ENTRIES + 1)].map((row) => row.leaf);

    const store = new SqliteReplicaStore(LedgerStore.open(join(dir, 'hq.db'), { create: true }));
    closers.push(() => store.close());
    let letGo: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      letGo = resolve;
    });
    const events: ReplicationEvent[] = [];
    const first = await startHq(store, held, events);

    const kiosk = await connectClient(cluster, KIOSK);
    closers.push(() => kiosk.endAsync());
    const publishEntry = (seq: number): Promise<unknown> =>
      kiosk.publishAsync(
        topics.entries(KIOSK),
        Buffer.from(encodeBatch({ origin: KIOSK, leaves: leaves.slice(seq, seq + 1) })),
        { qos: 1 },
      );
    await publishEntry(0);
    await waitFor(async () => (await store.size(KIOSK)) === 1, 'the genesis entry at HQ', 60_000);
    await kiosk.publishAsync(topics.checkpoint(KIOSK), checkpoint.note, { qos: 1, retain: true });
    await waitFor(() => first.witness.asked === 1, "the checkpoint's witnessing under way", 60_000);

    // Before the change the checkpoint's PUBACK waited for its witnessing and every later one for it: the link held
    // 256 messages, and the broker's further deliveries waited for ack_wait.
    for (let seq = 1; seq <= ENTRIES; seq++) await publishEntry(seq);
    await waitFor(
      async () => (await store.size(KIOSK)) === ENTRIES + 1 && first.link.unacknowledged === 0,
      `all ${ENTRIES} entries stored and acknowledged while the checkpoint's witnessing is held`,
      120_000,
    );
    expect(events.filter((e) => e.kind === 'cosigned')).toEqual([]);
    letGo();
    await waitFor(
      () => events.some((e) => e.kind === 'cosigned' && e.origin === KIOSK && e.size === 1),
      'the held checkpoint cosigned once let go',
      60_000,
    );

    // A crash after a checkpoint was acknowledged and before it was judged: the broker will not deliver it again,
    // but the restarted node subscribes anew and the broker sends the log's retained checkpoint with the SUBACK.
    await first.link.close();
    await first.replicator.close();
    const crashing = await startHq(store, new Promise<void>(() => undefined), events);
    // The retained checkpoint of size 1 (already witnessed) comes with the subscription and is held.
    await waitFor(() => crashing.witness.asked === 1, 'the retained checkpoint in witnessing', 60_000);
    const later = writer.checkpoint();
    expect(later.size).toBe(ENTRIES + 1);
    const arrived = new Promise<void>((resolve) => {
      crashing.link.client.on('message', (_topic: string, payload: Buffer) => {
        if (payload.toString() === later.note) resolve();
      });
    });
    await kiosk.publishAsync(topics.checkpoint(KIOSK), later.note, { qos: 1, retain: true });
    await arrived;
    await waitFor(() => crashing.link.unacknowledged === 0, 'the later checkpoint acknowledged, unjudged', 60_000);
    // A round trip on the same connection: the broker has read that PUBACK once this SUBACK is back.
    await crashing.link.subscribe([topics.alerts('ak')]);
    crashing.replicator.stop();
    await crashing.link.close(true);

    const afterCrash: ReplicationEvent[] = [];
    const restarted = await startHq(store, Promise.resolve(), afterCrash);
    closers.push(async () => {
      await restarted.link.close();
      await restarted.replicator.close();
    });
    await waitFor(
      () => afterCrash.some((e) => e.kind === 'cosigned' && e.origin === KIOSK && e.size === ENTRIES + 1),
      'the checkpoint acknowledged before the crash cosigned by the restarted node',
      60_000,
    );
    expect(events.filter((e) => e.kind === 'cosigned' && e.size === ENTRIES + 1)).toEqual([]);
  }, 300_000);
});
