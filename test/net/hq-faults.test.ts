// Faults HQ must survive without hiding them: PostgreSQL restarting under it, a failing store read in the periodic
// fleet check, a registry that could not be published.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REGISTRY_ORIGIN } from '../../ledger/key-schedule.ts';
import { LogWriter } from '../../ledger/log-writer.ts';
import { LedgerStore } from '../../ledger/store.ts';
import { MqttLink } from '../../net/mqtt-link.ts';
import { RegistryPublisher } from '../../net/registry-publisher.ts';
import { topics } from '../../net/topics.ts';
import { encodeBatch } from '../../net/wire.ts';
import { freePort } from '../helpers/free-port.ts';
import { HqService } from '../../net/hq/hq-service.ts';
import { PostgresHqStore } from '../../net/hq/postgres-hq-store.ts';
import { SqliteHqStore } from '../../net/hq/sqlite-hq-store.ts';
import { type PostgresServer, startPostgres } from '../helpers/postgres.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { startBroker } from './support/brokers.ts';
import { Signer } from '../../ledger/keys.ts';
import { signEntry } from '../../ledger/entry-signing.ts';
import { ZERO_HASH } from '../../core/entry.ts';

let postgres: PostgresServer;

beforeAll(async () => {
  postgres = await startPostgres();
}, 60_000);
afterAll(async () => {
  await postgres.stop();
});

/** A kiosk log's first `n` leaves, signed in memory. */
function leaves(origin: string, n: number): Uint8Array[] {
  const signer = Signer.generate(origin);
  const out: Uint8Array[] = [];
  let prev: Uint8Array = ZERO_HASH;
  for (let seq = 0; seq < n; seq++) {
    const payload = seq === 0 ? { key: signer.verifier.publicKey } : { subject: `s-${seq}`, centre: 'c1' };
    const entry = signEntry(
      {
        v: 1,
        origin,
        seq,
        ts: 1_000 + seq,
        type: seq === 0 ? 'genesis' : 'checkin',
        prev,
        kid: signer.verifier.id,
        payload,
      },
      signer,
    );
    out.push(entry.leaf);
    prev = entry.hash;
  }
  return out;
}

describe('HQ on PostgreSQL', () => {
  it('survives a server restart: the dropped idle connection is reported, the next query reconnects, nothing is lost', async () => {
    const admin = new pg.Client(postgres.url);
    await admin.connect();
    await admin.query('CREATE DATABASE hq_restart');
    await admin.end();
    const lost: Error[] = [];
    const store = await PostgresHqStore.open(postgres.url.replace(/\/postgres$/, '/hq_restart'), {
      onConnectionError: (error) => lost.push(error),
    });
    try {
      expect(await store.ingest('c1/k1', leaves('c1/k1', 5), 'test')).toMatchObject({ inserted: 5, rejected: [] });
      // The pool now holds idle connections; a fast restart cuts them.
      postgres.restart();
      await waitFor(() => lost.length > 0, 'the pool to report its dropped connection');
      expect((lost[0] as Error & { code?: string }).code).toBe('57P01');
      expect(await store.size('c1/k1')).toBe(5);
    } finally {
      await store.close();
    }
  });
});

describe('the registry publisher', () => {
  it("retries a publication that failed (HQ's database down) until it lands, and shows the failure in its health meanwhile", async () => {
    const admin = new pg.Client(postgres.url);
    await admin.connect();
    await admin.query('CREATE DATABASE hq_registry');
    await admin.end();
    const dir = mkdtempSync(join(tmpdir(), 'muster-registry-'));
    const registry = LedgerStore.open(join(dir, 'registry.db'), { create: true });
    const writer = LogWriter.init(registry, REGISTRY_ORIGIN, Signer.generate(REGISTRY_ORIGIN));
    const kiosk = Signer.generate('c1/k1');
    await writer.append('kiosk-registration', { origin: 'c1/k1', centre: 'c1', key: kiosk.verifier.publicKey });
    await writer.append('key-revocation', {
      origin: 'c1/k1',
      key: kiosk.verifier.publicKey,
      fromSeq: 3,
      reason: 'kiosk stolen',
    });
    const store = await PostgresHqStore.open(postgres.url.replace(/\/postgres$/, '/hq_registry'), {
      onConnectionError: () => undefined,
    });
    // No broker listens here: the publisher takes the registry into HQ's store and waits for a connection to publish.
    const link = new MqttLink({ url: `mqtt://127.0.0.1:${await freePort()}`, nodeId: 'hq' });
    const errors: unknown[] = [];
    const publisher = new RegistryPublisher({
      link,
      registry,
      store,
      everyMs: 0,
      retry: { initialMs: 50, maxMs: 200 },
      onError: (error) => errors.push(error),
    });
    try {
      postgres.down();
      await expect(publisher.refresh()).rejects.toThrow();
      expect(errors).toHaveLength(1);
      expect(publisher.health()).toMatchObject({ size: 3, failures: 1, lastError: expect.any(String) as unknown });
      await waitFor(() => publisher.health().failures >= 2, 'a second try while the database is down');
      postgres.up();
      // Nobody calls refresh again: the retry loop lands the revocation in HQ's store.
      await waitFor(async () => (await store.size(REGISTRY_ORIGIN)) === 3, "the registry in HQ's store");
      await waitFor(() => publisher.health().failures === 0, 'the health to clear');
      expect(publisher.health().lastError).toBeUndefined();
    } finally {
      await publisher.close();
      await link.close();
      await store.close();
      registry.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("HQ's periodic fleet check", () => {
  it('a failed store read is reported as a fault and in health, HQ keeps running, the next check succeeds', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'muster-hq-fault-'));
    const broker = await startBroker('mosquitto', ['hq']);
    const file = join(dir, 'hq.db');
    const hq = await HqService.start({
      store: SqliteHqStore.open(file),
      broker: broker.link('hq'),
      witnessSigner: Signer.generate('hq'),
      checkEveryMs: 30,
    });
    const faults: { component: string; message: string }[] = [];
    hq.events.on('fault', (fault) => faults.push(fault));
    const admin = new Database(file);
    try {
      // An administrator's mistake: the table the check reads is gone, so every read of it fails.
      admin.exec('ALTER TABLE hq_heartbeats RENAME TO heartbeats_away');
      await waitFor(() => faults.length > 0, 'the failed fleet check to be reported');
      expect(faults[0]).toMatchObject({
        component: 'fleet-check',
        message: expect.stringMatching(/heartbeats/) as unknown,
      });
      expect(hq.health().fleetCheck).toMatchObject({
        failures: expect.any(Number) as unknown,
        lastError: expect.stringMatching(/heartbeats/) as unknown,
      });
      admin.exec('ALTER TABLE heartbeats_away RENAME TO hq_heartbeats');
      await waitFor(() => hq.health().fleetCheck.failures === 0, 'a fleet check that succeeds again');
    } finally {
      admin.close();
      await hq.close();
      await broker.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("HQ's replicator", () => {
  it('an error in its ordered work (a listener that throws on new entries) reaches HQ as a fault instead of vanishing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'muster-hq-queue-'));
    const broker = await startBroker('mosquitto', ['hq', 'c1/k1']);
    const hq = await HqService.start({
      store: SqliteHqStore.open(join(dir, 'hq.db')),
      broker: broker.link('hq'),
      witnessSigner: Signer.generate('hq'),
      checkEveryMs: 3_600_000,
    });
    const faults: { component: string; message: string }[] = [];
    hq.events.on('fault', (fault) => faults.push(fault));
    hq.events.once('entries', () => {
      throw new TypeError('dashboard listener bug');
    });
    const kiosk = new MqttLink({ ...broker.link('c1/k1'), nodeId: 'c1/k1' });
    try {
      await waitFor(() => kiosk.connected, 'the kiosk to connect');
      await kiosk.publish(topics.entries('c1/k1'), encodeBatch({ origin: 'c1/k1', leaves: leaves('c1/k1', 3) }));
      await waitFor(() => faults.find((f) => f.component === 'replicator'), 'the replicator fault');
      expect(faults.find((f) => f.component === 'replicator')?.message).toContain('dashboard listener bug');
      await waitFor(async () => (await hq.store.size('c1/k1')) === 3, 'the entries stored all the same');
    } finally {
      await kiosk.close();
      await hq.close();
      await broker.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
