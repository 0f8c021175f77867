// HQ's breach watcher re-verifies a window of stored rows below its marks (the sweep that finds an edit at rest) at
// most once every SWEEP_EVERY_MS on its clock, however many passes run: at a province's peak the passes run back
// to back, a few new entries each, and a sweep in every one kept HQ's thread busy re-verifying signatures. An edit
// at rest is still found, once the time has passed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Signer } from '../../ledger/keys.ts';
import { LogWriter } from '../../ledger/log-writer.ts';
import { LedgerStore } from '../../ledger/store.ts';
import { VerifiedReader, ledgerEntrySource } from '../../ledger/verified-reader.ts';
import { SWEEP_EVERY_MS, startHqBreachAlerts } from '../../net/hq/hq-breach-alerts.ts';
import { HqService } from '../../net/hq/hq-service.ts';
import { SqliteHqStore } from '../../net/hq/sqlite-hq-store.ts';
import { topics } from '../../net/topics.ts';
import { encodeBatch } from '../../net/wire.ts';
import { createLogger } from '../../runtime/logger.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { type BrokerFixture, startBroker } from './support/brokers.ts';
import { rawClient } from './support/nodes.ts';

const K1 = 'c1/k1';
const ENTRIES = 40;

describe("HQ breach watcher's sweep rate", () => {
  const dir = mkdtempSync(join(tmpdir(), 'muster-hq-sweep-'));
  const key = Signer.generate(K1);
  let broker: BrokerFixture;
  let hq: HqService;
  let store: SqliteHqStore;

  beforeAll(async () => {
    broker = await startBroker('aedes', [K1, 'hq']);
    store = SqliteHqStore.open(join(dir, 'hq.db'), { trustedKeys: new Map([[K1, key.verifier.publicKey]]) });
    hq = await HqService.start({
      store,
      broker: broker.link('hq'),
      witnessSigner: Signer.generate('hq'),
      trusted: new Set([K1]),
      checkEveryMs: 3_600_000,
      logger: createLogger({ level: 'error' }),
    });
    const log = LedgerStore.open(join(dir, 'k1.db'), { create: true });
    const writer = LogWriter.init(log, K1, key);
    for (let i = 0; i < ENTRIES; i++) await writer.append('checkin', { subject: `s-${i}` });
    const leaves = [...log.range(K1, 0, ENTRIES + 1)].map((row) => row.leaf);
    log.close();
    const client = await rawClient(broker, K1);
    await client.publishAsync(topics.entries(K1), Buffer.from(encodeBatch({ origin: K1, leaves })), { qos: 1 });
    await client.endAsync();
    await waitFor(async () => (await store.size(K1)) === ENTRIES + 1, 'HQ to hold the log');
  });
  afterAll(async () => {
    await hq.close();
    await store.close();
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('passes at one instant re-read no stored rows; the next sweep comes once SWEEP_EVERY_MS has passed', async () => {
    let now = Date.UTC(2026, 11, 4, 12);
    const reads: string[] = [];
    const rows = store.rows.bind(store);
    store.rows = (origin, from, to) => {
      reads.push(`${origin} ${from}-${to}`);
      return rows(origin, from, to);
    };
    const alerts = await startHqBreachAlerts(hq, { clock: () => now, publish: false });
    try {
      // The first pass verifies the whole log (and sweeps once).
      expect(reads.length).toBeGreaterThan(0);
      reads.length = 0;
      for (let i = 0; i < 5; i++) await alerts.watcher.poke();
      expect(reads).toEqual([]);
      now += SWEEP_EVERY_MS;
      await alerts.watcher.poke();
      expect(reads).toEqual([`${K1} 0-${ENTRIES + 1}`]);
    } finally {
      await alerts.close();
    }
  });

  it('a reader with sweepEveryMs still finds an entry edited at rest, once the time has passed', async () => {
    const path = join(dir, 'k2.db');
    const log = LedgerStore.open(path, { create: true });
    const origin = 'c1/k2';
    const writer = LogWriter.init(log, origin, Signer.generate(origin));
    for (let i = 0; i < 8; i++) await writer.append('checkin', { subject: `s-${i}` });
    let now = 0;
    const reader = new VerifiedReader(ledgerEntrySource(log), { sweep: 16, sweepEveryMs: 1000, clock: () => now });
    try {
      expect((await reader.next()).entries).toHaveLength(9);
      log.db.prepare('UPDATE entries SET type = ? WHERE origin = ? AND seq = 3').run('checkin-attempt', origin);
      for (let i = 0; i < 3; i++) expect((await reader.next()).problems).toEqual([]);
      now += 1000;
      const found = await reader.next();
      expect(found.withdrawn).toEqual([{ origin, fromSeq: 3 }]);
      expect(found.problems).toEqual([expect.objectContaining({ origin, seq: 3, kind: 'changed' })]);
    } finally {
      log.close();
    }
  });
});
