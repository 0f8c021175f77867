// HQ's PostgreSQL ingest writes a group of batches in one transaction (net/hq/postgres-ingest.ts): two HQ nodes
// taking overlapping groups of the same logs at once must neither deadlock nor store an entry twice, and a group
// the database refuses must commit nothing of itself and lose nothing committed before it. Real PostgreSQL.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { toBase64 } from '../../core/bytes.ts';
import type { IngestResult } from '../../ledger/ingest-plan.ts';
import { REGISTRY_ORIGIN } from '../../ledger/key-schedule.ts';
import { Signer } from '../../ledger/keys.ts';
import { LogWriter } from '../../ledger/log-writer.ts';
import { rootHash } from '../../ledger/merkle.ts';
import { LedgerStore } from '../../ledger/store.ts';
import { ENTRIES_CHANNEL, PostgresHqStore, entriesNotice } from '../../net/hq/postgres-hq-store.ts';
import { ReaderRecords } from '../../net/hq/verified-records.ts';
import type { IngestBatch } from '../../net/replica-store.ts';
import { type PostgresServer, startPostgres } from '../helpers/postgres.ts';
import { waitFor } from '../helpers/wait-for.ts';

let dir: string;
let postgres: PostgresServer;
let databases = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'muster-pg-group-'));
  postgres = await startPostgres();
}, 60_000);
afterAll(async () => {
  await postgres.stop();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

async function database(): Promise<string> {
  const name = `group_${databases++}`;
  const admin = new pg.Client(postgres.url);
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  return postgres.url.replace(/\/postgres$/, `/${name}`);
}

interface KioskLog {
  readonly origin: string;
  readonly store: LedgerStore;
  readonly writer: LogWriter;
  /** The genesis key. */
  readonly key: Uint8Array;
  leaves(from: number, to: number): Uint8Array[];
  root(size: number): string;
}

/** A kiosk's log of `count` check-ins after its genesis (a key rotation halfway when `rotate`). */
async function kioskLog(origin: string, count: number, rotate = false): Promise<KioskLog> {
  const store = LedgerStore.open(join(dir, `k-${databases++}-${origin.replace('/', '-')}.db`), { create: true });
  const signer = Signer.generate(origin);
  const writer = LogWriter.init(store, origin, signer);
  for (let i = 0; i < count; i++) {
    if (rotate && i === Math.floor(count / 2)) writer.rotateKey(Signer.generate(origin));
    else await writer.append('checkin', { subject: `s${i}` });
  }
  return {
    origin,
    store,
    writer,
    key: signer.verifier.publicKey,
    leaves: (from, to) => [...store.range(origin, from, to)].map((r) => r.leaf),
    root: (size) => toBase64(rootHash(store.treeSource(origin), size)),
  };
}

/**
 * Deadlocks PostgreSQL broke in this database. A group that fails is tried again batch by batch, so a deadlock
 * shows here, not in the results. Read once the nodes' sessions have ended (a session flushes its statistics then).
 */
async function deadlocks(admin: pg.Client): Promise<number> {
  await admin.query('SELECT pg_stat_clear_snapshot()');
  const stats = await admin.query<{ deadlocks: string }>(
    'SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()',
  );
  return Number(stats.rows[0]?.deadlocks);
}

/** A batch's result, or the error it was rejected with. */
function outcome(result: PromiseSettledResult<IngestResult>): unknown {
  return result.status === 'fulfilled' ? result.value : (result.reason as unknown);
}

describe('PostgreSQL group ingest', () => {
  it('two HQ nodes take overlapping groups of the same logs in opposite orders at once: no deadlock, each entry stored once', async () => {
    const url = await database();
    const [a, b] = await Promise.all([PostgresHqStore.open(url), PostgresHqStore.open(url)]);
    const logs = await Promise.all(Array.from({ length: 6 }, (_, i) => kioskLog(`c${i % 2}/k${i}`, 119, i === 3)));
    try {
      // Both nodes get every message (each subscribes to every log), in groups of every log, pipelined: node A
      // lists the logs one way, node B the other, and B's chunks straddle A's, so their transactions overlap.
      const calls: Promise<{ origin: string; value: unknown }[]>[] = [];
      const pipeline = (store: PostgresHqStore, order: readonly KioskLog[], offset: number, source: string): void => {
        for (let from = 0; from < 120; from += 10) {
          const start = Math.max(0, from - offset);
          const group: IngestBatch[] = order.map((log) => ({
            origin: log.origin,
            leaves: log.leaves(start, from + 10),
            source,
          }));
          calls.push(
            store.ingestMany(group).then((results) =>
              results.map((r, i) => ({
                origin: group[i]?.origin ?? '',
                value: outcome(r),
              })),
            ),
          );
        }
      };
      pipeline(a, logs, 0, 'a');
      pipeline(b, [...logs].reverse(), 5, 'b');
      const outcomes = (await Promise.all(calls)).flat();
      // Every batch landed, nothing refused (a deadlock would show only in PostgreSQL's count, checked below).
      for (const { value } of outcomes) expect(value).toMatchObject({ rejected: [], equivocations: [] });
      const inserted = new Map<string, number>();
      for (const { origin, value } of outcomes)
        inserted.set(origin, (inserted.get(origin) ?? 0) + (value as { inserted: number }).inserted);
      for (const log of logs) {
        expect(inserted.get(log.origin)).toBe(120);
        for (const store of [a, b]) {
          expect(await store.size(log.origin)).toBe(120);
          expect(toBase64(await store.root(log.origin, 120))).toBe(log.root(120));
          expect(toBase64(await store.root(log.origin, 77))).toBe(log.root(77));
          expect(await store.conflicts(log.origin)).toEqual([]);
        }
      }
      // Each node still knows every log's keys (one rotated) after the other wrote it.
      expect(await a.verifiers(logs[3]?.origin ?? '')).toHaveLength(2);
      expect(await b.verifiers(logs[3]?.origin ?? '')).toHaveLength(2);
    } finally {
      for (const log of logs) log.store.close();
      await a.close();
      await b.close();
    }
    const admin = new pg.Client(url);
    await admin.connect();
    try {
      expect(await deadlocks(admin)).toBe(0);
    } finally {
      await admin.end();
    }
  }, 120_000);

  it('two HQ nodes queued on the same logs, listing them in opposite orders, take their locks in one order', async () => {
    const url = await database();
    const [a, b] = await Promise.all([PostgresHqStore.open(url), PostgresHqStore.open(url)]);
    const logs = await Promise.all(Array.from({ length: 6 }, (_, i) => kioskLog(`c1/k${i}`, 20)));
    const admin = new pg.Client(url);
    await admin.connect();
    try {
      // A third session holds two of the logs' locks, so both nodes queue up behind it holding the locks they got
      // first; taken in the order each node lists its batches, they would then need each other's: a deadlock.
      await admin.query('BEGIN');
      await admin.query('SELECT pg_advisory_xact_lock(hashtext($1)), pg_advisory_xact_lock(hashtext($2))', [
        logs[2]?.origin,
        logs[3]?.origin,
      ]);
      const group = (order: readonly KioskLog[], source: string): IngestBatch[] =>
        order.map((log) => ({ origin: log.origin, leaves: log.leaves(0, 21), source }));
      const landed = Promise.all([a.ingestMany(group(logs, 'a')), b.ingestMany(group([...logs].reverse(), 'b'))]);
      await waitFor(async () => {
        const waiting = await admin.query<{ n: string }>(
          "SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted",
        );
        return Number(waiting.rows[0]?.n) >= 2;
      }, 'both nodes waiting for advisory locks');
      await admin.query('COMMIT');
      const [fromA, fromB] = await landed;
      const inserted = new Map<string, number>();
      for (const [results, order] of [
        [fromA, logs],
        [fromB, [...logs].reverse()],
      ] as const)
        for (const [i, result] of results.entries()) {
          const value = outcome(result);
          expect(value).toMatchObject({ rejected: [], size: 21 });
          const origin = order[i]?.origin ?? '';
          inserted.set(origin, (inserted.get(origin) ?? 0) + (value as IngestResult).inserted);
        }
      for (const log of logs) {
        expect(inserted.get(log.origin)).toBe(21);
        expect(toBase64(await b.root(log.origin, 21))).toBe(log.root(21));
      }
    } finally {
      for (const log of logs) log.store.close();
      await a.close();
      await b.close();
    }
    expect(await deadlocks(admin)).toBe(0);
    await admin.end();
  }, 120_000);

  it('a group the database refuses commits nothing of itself and loses nothing committed; its other batches then land alone', async () => {
    const url = await database();
    const store = await PostgresHqStore.open(url);
    const good = await kioskLog('c1/k1', 40);
    const bad = await kioskLog('c1/k2', 40);
    const admin = new pg.Client(url);
    await admin.connect();
    try {
      expect(await store.ingest('c1/k2', bad.leaves(0, 10), 'first')).toMatchObject({ inserted: 10 });
      // The tree nodes insert (the last table the group's one statement writes) fails for c1/k2 from now on.
      await admin.query(`CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN
        IF NEW.origin = 'c1/k2' THEN RAISE EXCEPTION 'disk full (test)'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`);
      await admin.query('CREATE TRIGGER refuse BEFORE INSERT ON nodes FOR EACH ROW EXECUTE FUNCTION refuse()');
      const results = await store.ingestMany([
        { origin: 'c1/k1', leaves: good.leaves(0, 20), source: 'live' },
        { origin: 'c1/k2', leaves: bad.leaves(10, 30), source: 'live' },
        { origin: 'c1/k1', leaves: good.leaves(20, 41), source: 'live' },
      ]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/disk full/);
      // Nothing of the refused batch: not its entries, though their insert ran before the nodes' in that statement.
      const held = await admin.query<{ n: string }>("SELECT count(*) AS n FROM entries WHERE origin = 'c1/k2'");
      expect(held.rows[0]?.n).toBe('10');
      expect(await store.size('c1/k2')).toBe(10);
      expect(toBase64(await store.root('c1/k2', 10))).toBe(bad.root(10));
      expect(await store.size('c1/k1')).toBe(41);
      expect(toBase64(await store.root('c1/k1', 41))).toBe(good.root(41));
      // A single batch that fails is an error of its own, and leaves the log as it was.
      await expect(store.ingest('c1/k2', bad.leaves(10, 41), 'live')).rejects.toThrow(/disk full/);
      await admin.query('DROP TRIGGER refuse ON nodes');
      expect(await store.ingest('c1/k2', bad.leaves(0, 41), 'again')).toMatchObject({
        inserted: 31,
        duplicates: 10,
        size: 41,
        rejected: [],
      });
      expect(toBase64(await store.root('c1/k2', 41))).toBe(bad.root(41));
      expect(toBase64(await store.root('c1/k2', 25))).toBe(bad.root(25));
    } finally {
      await admin.end();
      good.store.close();
      bad.store.close();
      await store.close();
    }
  }, 120_000);

  it("the breach watcher's reader takes every log's size from one query per pass, and misses no entry", async () => {
    const store = await PostgresHqStore.open(await database());
    const logs = await Promise.all(Array.from({ length: 3 }, (_, i) => kioskLog(`c1/k${i}`, 9)));
    const perLog = vi.spyOn(store, 'size');
    try {
      const reader = new ReaderRecords(store);
      await store.ingestMany(logs.map((log) => ({ origin: log.origin, leaves: log.leaves(0, 5), source: 'live' })));
      expect((await reader.next()).records).toHaveLength(15);
      await store.ingestMany(logs.map((log) => ({ origin: log.origin, leaves: log.leaves(5, 10), source: 'live' })));
      // Stored with no word of which logs grew (the watcher's poke): the call looks at every log.
      reader.unannounced();
      const next = (await reader.next()).records;
      expect(next.map((r) => `${r.ref.origin}@${r.ref.seq}`).sort()).toEqual(
        logs.flatMap((log) => [5, 6, 7, 8, 9].map((seq) => `${log.origin}@${seq}`)).sort(),
      );
      expect((await reader.next()).records).toEqual([]);
      expect(perLog).not.toHaveBeenCalled();
    } finally {
      for (const log of logs) log.store.close();
      await store.close();
    }
  });

  it("the reader's sweep over many small logs reads its windows in one query, and still finds an entry edited at rest", async () => {
    const url = await database();
    const store = await PostgresHqStore.open(url);
    const logs = await Promise.all(Array.from({ length: 40 }, (_, i) => kioskLog(`c2/k${i}`, 3)));
    const admin = new pg.Client(url);
    await admin.connect();
    try {
      await store.ingestMany(logs.map((log) => ({ origin: log.origin, leaves: log.leaves(0, 4), source: 'live' })));
      const perRange = vi.spyOn(store, 'rows');
      const inOne = vi.spyOn(store, 'rowsMany');
      // A sweep of 64 rows a call: 16 of these four-entry logs, one query.
      const reader = new ReaderRecords(store, { sweep: 64 });
      expect((await reader.next()).records).toHaveLength(160);
      perRange.mockClear();
      inOne.mockClear();
      const quiet = await reader.next();
      expect(quiet).toEqual({ records: [], problems: [], withdrawn: false });
      expect(inOne).toHaveBeenCalledTimes(1);
      expect(inOne.mock.calls[0]?.[0]).toHaveLength(16);
      expect(perRange).not.toHaveBeenCalled();
      // An entry already verified, edited at rest: a later call's sweep finds it and withdraws it.
      const edited = logs[30]?.origin ?? '';
      await admin.query(
        'UPDATE entries SET leaf = set_byte(leaf, 40, get_byte(leaf, 40) # 1) WHERE origin = $1 AND seq = 2',
        [edited],
      );
      let found: Awaited<ReturnType<ReaderRecords['next']>> | undefined;
      for (let call = 0; call < 4 && !found?.withdrawn; call++) found = await reader.next();
      expect(found?.withdrawn).toBe(true);
      expect(found?.problems).toEqual([expect.objectContaining({ origin: edited, seq: 2, kind: 'changed' })]);
      expect(perRange).not.toHaveBeenCalled();
    } finally {
      await admin.end();
      for (const log of logs) log.store.close();
      await store.close();
    }
  });

  it('a reader told which logs grew reads their new rows in one query, and takes the same entries', async () => {
    const store = await PostgresHqStore.open(await database());
    const logs = await Promise.all(Array.from({ length: 5 }, (_, i) => kioskLog(`c4/k${i}`, 6)));
    try {
      await store.ingestMany(logs.map((log) => ({ origin: log.origin, leaves: log.leaves(0, 3), source: 'live' })));
      const perRange = vi.spyOn(store, 'rows');
      const inOne = vi.spyOn(store, 'rowsMany');
      const reader = new ReaderRecords(store, { sweep: 1 });
      expect((await reader.next()).records).toHaveLength(15);
      const grown = logs.slice(1, 4);
      const results = await store.ingestMany(
        grown.map((log) => ({ origin: log.origin, leaves: log.leaves(3, 7), source: 'live' })),
      );
      for (const [i, log] of grown.entries()) {
        const result = results[i];
        if (result?.status === 'fulfilled') reader.grew(log.origin, result.value.size);
      }
      perRange.mockClear();
      inOne.mockClear();
      const next = await reader.next();
      expect(next.records.map((r) => `${r.ref.origin}@${r.ref.seq}`)).toEqual(
        grown.flatMap((log) => [3, 4, 5, 6].map((seq) => `${log.origin}@${seq}`)),
      );
      expect(next.problems).toEqual([]);
      // One query for the three logs' new rows, one for the sweep's window; none per log.
      expect(inOne.mock.calls.map(([ranges]) => ranges.map((r) => `${r.origin}:${r.start}-${r.end}`))).toEqual([
        grown.map((log) => `${log.origin}:3-7`),
      ]);
      expect(perRange.mock.calls.length).toBeLessThanOrEqual(1);
    } finally {
      for (const log of logs) log.store.close();
      await store.close();
    }
  });

  it('tells every log a commit grew, with its size in that commit, on the entries channel', async () => {
    const url = await database();
    const store = await PostgresHqStore.open(url);
    const [a, b] = await Promise.all([kioskLog('c3/k1', 4), kioskLog('c3/k2', 2)]);
    const listener = new pg.Client(url);
    await listener.connect();
    const notices: string[] = [];
    listener.on('notification', (message) => notices.push(message.payload ?? ''));
    await listener.query(`LISTEN ${ENTRIES_CHANNEL}`);
    try {
      await store.ingestMany([
        { origin: a.origin, leaves: a.leaves(0, 3), source: 'live' },
        { origin: b.origin, leaves: b.leaves(0, 3), source: 'live' },
      ]);
      await store.ingestMany([{ origin: a.origin, leaves: a.leaves(3, 5), source: 'live' }]);
      // Entries already held grow nothing: no notice.
      await store.ingestMany([{ origin: b.origin, leaves: b.leaves(0, 3), source: 'live' }]);
      await waitFor(() => notices.length >= 3, 'a notice per grown log and commit');
      expect(notices.sort().map(entriesNotice)).toEqual([
        { origin: 'c3/k1', size: 3 },
        { origin: 'c3/k1', size: 5 },
        { origin: 'c3/k2', size: 3 },
      ]);
      // A payload without a sound size (an older node's: the origin alone) names the log only.
      for (const payload of ['c3/k1', 'c3/k1 -4', 'c3/k1 4.5', 'c3/k1 4 5', 'c3/k1 '])
        expect(entriesNotice(payload)).toEqual({ origin: 'c3/k1' });
    } finally {
      await listener.end();
      a.store.close();
      b.store.close();
      await store.close();
    }
  });

  it("a witness group's checkpoints advance in one statement, each by compare-and-set; roots and proofs beyond what is held are refused", async () => {
    const store = await PostgresHqStore.open(await database());
    const log = await kioskLog('c1/k1', 9);
    try {
      const cp = (size: number) => ({ size, root: new Uint8Array(32).fill(size), note: `note ${size}\n`, at: size });
      expect(await store.setWitnessedMany([{ origin: 'c1/k1', next: cp(3), previousSize: undefined }])).toEqual([true]);
      expect(
        await store.setWitnessedMany([
          { origin: 'c1/k1', next: cp(5), previousSize: 2 },
          { origin: 'c1/k2', next: cp(2), previousSize: undefined },
          { origin: 'c1/k3', next: cp(4), previousSize: 1 },
        ]),
      ).toEqual([false, true, false]);
      expect(
        await store.setWitnessedMany([
          { origin: 'c1/k2', next: cp(6), previousSize: 2 },
          { origin: 'c1/k1', next: cp(5), previousSize: 3 },
          { origin: 'c1/k4', next: cp(1), previousSize: undefined },
        ]),
      ).toEqual([true, true, true]);
      expect((await store.witnessed('c1/k1'))?.note).toBe('note 5\n');
      expect((await store.witnessed('c1/k2'))?.size).toBe(6);
      expect(await store.witnessed('c1/k3')).toBeUndefined();
      await store.ingest('c1/k1', log.leaves(0, 8), 'live');
      expect(toBase64(await store.root('c1/k1', 8))).toBe(log.root(8));
      await expect(store.root('c1/k1', 9)).rejects.toMatchObject({ code: 'not-held' });
      await expect(store.consistencyProof('c1/k1', 4, 10)).rejects.toMatchObject({ code: 'not-held' });
      await expect(store.consistencyProof('c1/k1', 9, 9)).rejects.toMatchObject({ code: 'not-held' });
      expect(await store.consistencyProof('c1/k1', 8, 8)).toEqual([]);
    } finally {
      log.store.close();
      await store.close();
    }
  });

  it('a registry batch counts for the batches after it in the same group', async () => {
    const url = await database();
    const registry = await kioskLog(REGISTRY_ORIGIN, 0);
    const kiosk = await kioskLog('c1/k1', 5);
    const stranger = await kioskLog('c1/k2', 1);
    const store = await PostgresHqStore.open(url);
    try {
      await registry.writer.append('kiosk-registration', { origin: 'c1/k1', centre: 'c1', key: kiosk.key });
      const first = await store.ingestMany([
        { origin: REGISTRY_ORIGIN, leaves: registry.leaves(0, 2), source: 'hq' },
        { origin: 'c1/k1', leaves: kiosk.leaves(0, 3), source: 'live' },
        { origin: 'c1/k2', leaves: stranger.leaves(0, 2), source: 'live' },
      ]);
      expect(first.map(outcome)).toMatchObject([
        { inserted: 2 },
        { inserted: 3, rejected: [] },
        { inserted: 0, rejected: [{ reason: expect.stringMatching(/not a registered kiosk/) as unknown }] },
      ]);
      await registry.writer.append('key-revocation', {
        origin: 'c1/k1',
        key: kiosk.key,
        fromSeq: 3,
        reason: 'kiosk stolen',
      });
      const second = await store.ingestMany([
        { origin: REGISTRY_ORIGIN, leaves: registry.leaves(2, 3), source: 'hq' },
        { origin: 'c1/k1', leaves: kiosk.leaves(3, 6), source: 'live' },
      ]);
      expect(second.map(outcome)).toMatchObject([
        { inserted: 1 },
        { inserted: 0, size: 3, rejected: [{ reason: expect.stringMatching(/revoked from entry 3/) as unknown }] },
      ]);
    } finally {
      for (const log of [registry, kiosk, stranger]) log.store.close();
      await store.close();
    }
  });
});
