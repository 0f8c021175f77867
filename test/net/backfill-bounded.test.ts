// HQ's catch-up is bounded: however many entry batches are in hand (a centre back after a long outage answers with
// hundreds), at most four groups are in the store at once (verifying or committing); the rest wait their turn in
// arrival order, and every batch is still handed over. A store that holds its first calls lets the backlog pile up.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Signer } from '../../ledger/keys.ts';
import { LedgerStore } from '../../ledger/store.ts';
import { MqttLink } from '../../net/mqtt-link.ts';
import type { IngestBatch, ReplicaStore } from '../../net/replica-store.ts';
import { Replicator } from '../../net/replicator.ts';
import { SqliteReplicaStore } from '../../net/sqlite-replica-store.ts';
import { topics } from '../../net/topics.ts';
import { MAX_BATCH, encodeBatch } from '../../net/wire.ts';
import { Witness } from '../../net/witness.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { type BrokerFixture, startBroker } from './support/brokers.ts';
import { rawClient } from './support/nodes.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const HQ = 'hq/bounded';
const KIOSK = 'bf/k1';
/** 48 batches of 500 leaves: 24,000 leaves, six groups of 4,000. */
const BATCHES = 48;

describe('HQ catch-up', () => {
  let broker: BrokerFixture;
  const dir = mkdtempSync(join(tmpdir(), 'muster-backfill-'));
  beforeAll(async () => {
    broker = await startBroker('aedes', [HQ, KIOSK]);
  });
  afterAll(async () => {
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps at most four groups in the store however long the backlog in hand, and hands every batch over in order', async () => {
    const inner = new SqliteReplicaStore(LedgerStore.open(join(dir, 'hq.db'), { create: true }));
    let inStore = 0;
    let most = 0;
    const handed: IngestBatch[] = [];
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    // The first calls wait at the gate (a slow disc): the backlog piles up in the replicator meanwhile.
    const store = new Proxy(inner, {
      get(target, key, receiver): unknown {
        if (key !== 'ingestMany') return Reflect.get(target, key, receiver) as unknown;
        return async (batches: readonly IngestBatch[]) => {
          inStore++;
          most = Math.max(most, inStore);
          handed.push(...batches);
          try {
            await gate;
            return await target.ingestMany(batches);
          } finally {
            inStore--;
          }
        };
      },
    }) satisfies ReplicaStore;
    const link = new MqttLink({ ...broker.link(HQ), nodeId: HQ });
    const replicator = new Replicator({
      link,
      store,
      witness: new Witness(store, Signer.generate(HQ)),
      follow: 'all',
      retryMs: 60_000,
    });
    await replicator.start();
    await link.connection();

    // Unsigned leaves: refused by the store's checks, but each batch still goes through ingestMany.
    const publisher = await rawClient(broker, KIOSK);
    for (let b = 0; b < BATCHES; b++) {
      const leaves = Array.from({ length: MAX_BATCH }, (_, i) => Uint8Array.of(b, i & 0xff, i >> 8));
      await publisher.publishAsync(topics.entries(KIOSK), Buffer.from(encodeBatch({ origin: KIOSK, leaves })), {
        qos: 1,
      });
    }
    await waitFor(() => link.unacknowledged >= BATCHES - 4, 'the backlog in hand');
    open();
    await waitFor(() => handed.length === BATCHES && inStore === 0, 'every batch handed to the store');
    expect(most).toBeLessThanOrEqual(4);
    expect(handed.map((batch) => batch.leaves[0]?.[0])).toEqual(Array.from({ length: BATCHES }, (_, b) => b));

    await publisher.endAsync();
    await replicator.close();
    await link.close();
    await inner.close();
  });
});
