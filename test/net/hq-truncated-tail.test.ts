// Rows deleted from the end of a log in HQ's stores leave every remaining row consistent: only the checkpoint HQ
// witnessed, which counts more entries than the log now holds, shows them gone. HQ's verified read path (after a
// restart on SQLite, `muster breaches --db` on its file offline, and `muster breaches --postgres`) must report the
// first missing entry, not judge the shortened log (a deleted check-in would become a breach). A log deleted whole
// (its row in the logs table too) is listed from the witness state: a problem at its entry 0.
import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EntryType, Payload } from '../../core/entry.ts';
import { Signer } from '../../ledger/keys.ts';
import { LogWriter } from '../../ledger/log-writer.ts';
import { LedgerStore } from '../../ledger/store.ts';
import { VerifiedReader } from '../../ledger/verified-reader.ts';
import { checkinCommands } from '../../main/cli/checkin-commands.ts';
import type { HqStore } from '../../net/hq/hq-store.ts';
import { PostgresHqStore } from '../../net/hq/postgres-hq-store.ts';
import { SqliteHqStore } from '../../net/hq/sqlite-hq-store.ts';
import { verifiedPage } from '../../net/hq/verified-page.ts';
import { ReaderRecords, witnessedEntrySource } from '../../net/hq/verified-records.ts';
import { Witness } from '../../net/witness.ts';
import { at, checkinPayload, planPayload } from '../checkin/support/log-builder.ts';
import { type PostgresServer, startPostgres } from '../helpers/postgres.ts';
import { runMuster } from '../helpers/run-muster.ts';

const NY = 'America/New_York';
const KIOSK = 'centre-a/k1';
const STAFF = 'centre-a/staff';
const JUDGED_AT = '2026-03-03T23:00:00-05:00';
/** The kiosk's last entry: s-1's check-in on the 3rd, deleted at rest. */
const LAST = 2;

let dir: string;
let postgres: PostgresServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'muster-hq-tail-'));
  postgres = await startPostgres();
}, 60_000);
afterAll(async () => {
  await postgres.stop();
  rmSync(dir, { recursive: true, force: true });
}, 120_000);

/** A log written in its own file; returns its leaves and its signed checkpoint note. */
async function writtenLog(
  origin: string,
  entries: readonly (readonly [string, EntryType, Payload])[],
): Promise<{ leaves: Uint8Array[]; note: string }> {
  const store = LedgerStore.open(join(mkdtempSync(join(dir, 'log-')), 'log.db'), { create: true });
  let now = at('2026-03-01 12:00', NY);
  const writer = LogWriter.init(store, origin, Signer.generate(origin), () => now);
  for (const [local, type, payload] of entries) {
    now = at(local, NY);
    await writer.append(type, payload);
  }
  const { note } = writer.checkpoint();
  const leaves = store.rangeAll(origin, 0, store.head(origin).size).map((r) => r.leaf);
  store.close();
  return { leaves, note };
}

/** s-1 on a daily plan from the 2nd, checked in on the 2nd and the 3rd; HQ holds both logs and witnessed the kiosk's. */
async function fill(store: HqStore): Promise<void> {
  const staff = await writtenLog(STAFF, [
    ['2026-03-01 12:00', 'plan', planPayload({ subject: 's-1', start: '2026-03-02' })],
  ]);
  const kiosk = await writtenLog(KIOSK, [
    ['2026-03-02 09:30', 'checkin', checkinPayload('s-1')],
    ['2026-03-03 09:30', 'checkin', checkinPayload('s-1')],
  ]);
  expect(await store.ingest(STAFF, staff.leaves, 'test')).toMatchObject({ rejected: [] });
  expect(await store.ingest(KIOSK, kiosk.leaves, 'test')).toMatchObject({ inserted: LAST + 1, rejected: [] });
  expect(await new Witness(store, Signer.generate('hq.example/witness')).observe(KIOSK, kiosk.note)).toMatchObject({
    kind: 'cosigned',
  });
  expect((await new VerifiedReader(witnessedEntrySource(store)).next()).problems).toEqual([]);
}

const missingLast = [expect.objectContaining({ origin: KIOSK, seq: LAST, kind: 'tampered' })];

describe("a log whose last rows were deleted from HQ's store after HQ witnessed its checkpoint", () => {
  it('SQLite: HQ started again reports the first missing entry, to its reader and its breach watcher', async () => {
    const file = join(dir, 'hq.db');
    const first = SqliteHqStore.open(file);
    await fill(first);
    await first.close();
    const db = new Database(file);
    db.prepare('DELETE FROM entries WHERE origin = ? AND seq = ?').run(KIOSK, LAST);
    db.close();

    const store = SqliteHqStore.open(file);
    try {
      expect(await store.size(KIOSK)).toBe(LAST);
      expect((await new VerifiedReader(witnessedEntrySource(store)).next()).problems).toEqual(missingLast);
      const watched = await new ReaderRecords(witnessedEntrySource(store)).next();
      expect(watched.problems).toEqual(missingLast);
      expect(watched.records.filter((r) => r.ref.origin === KIOSK).map((r) => r.ref.seq)).toEqual([0, 1]);
    } finally {
      await store.close();
    }
  });

  // The second file predates the replica tables' version row: a reader that migrated it would write one.
  it.each([
    { file: 'hq-current.db', older: [] },
    { file: 'hq-unversioned.db', older: ["DELETE FROM meta WHERE k = 'schema:replica'"] },
  ])(
    "SQLite, offline: muster breaches --db on HQ's file ($file) exits 1 naming the entry, the file left as it was",
    async ({ file: name, older }) => {
      const file = join(dir, name);
      const hq = SqliteHqStore.open(file);
      await fill(hq);
      await hq.close();
      const db = new Database(file);
      db.prepare('DELETE FROM entries WHERE origin = ? AND seq = ?').run(KIOSK, LAST);
      // HQ keeps in its log tables only the checkpoints it could check and keep (rows as easy to delete as entries):
      // none reaches the deleted entry here, only the size HQ witnessed does.
      db.prepare('DELETE FROM checkpoints WHERE origin = ? AND size > ?').run(KIOSK, LAST);
      for (const sql of older) db.exec(sql);
      db.close();
      const before = readFileSync(file);

      const run = await runMuster(
        ['breaches', '--db', file, '--at', JUDGED_AT, '--staff-origin', STAFF],
        '',
        checkinCommands,
      );
      expect(run.code, run.stdout).toBe(1);
      expect(run.stderr).toContain(`${KIOSK}#${LAST}`);
      expect(run.stdout).not.toContain('missed-checkin/s-1/2026-03-03');
      // An offline command reads the evidence as it is: no migration, no write.
      expect(readFileSync(file).equals(before)).toBe(true);
    },
  );

  it('PostgreSQL: muster breaches --postgres exits 1 naming the entry; the reader and the listing pass report it', async () => {
    const admin = new pg.Client(postgres.url);
    await admin.connect();
    await admin.query('CREATE DATABASE hq_tail');
    await admin.end();
    const url = postgres.url.replace(/\/postgres$/, '/hq_tail');
    const store = await PostgresHqStore.open(url);
    try {
      await fill(store);
      const db = new pg.Client(url);
      await db.connect();
      await db.query('DELETE FROM entries WHERE origin = $1 AND seq = $2', [KIOSK, LAST]);
      await db.end();

      expect(await store.size(KIOSK)).toBe(LAST);
      expect((await new VerifiedReader(witnessedEntrySource(store)).next()).problems).toEqual(missingLast);
      // The breach watcher's pass lists every log's size in one query (PostgresHqStore.sizes).
      expect((await new ReaderRecords(witnessedEntrySource(store)).next()).problems).toEqual(missingLast);

      const run = await runMuster(
        ['breaches', '--postgres', url, '--at', JUDGED_AT, '--staff-origin', STAFF],
        '',
        checkinCommands,
      );
      expect(run.code, run.stdout).toBe(1);
      expect(run.stderr).toContain(`${KIOSK}#${LAST}`);
      expect(run.stdout).not.toContain('missed-checkin/s-1/2026-03-03');
    } finally {
      await store.close();
    }
  }, 60_000);
});

const missingWhole = [expect.objectContaining({ origin: KIOSK, seq: 0, kind: 'tampered' })];

/** Every table of a store's logs that names the kiosk's (the witness state aside), per backend. */
const LOG_TABLES = { sqlite: ['entries', 'nodes', 'checkpoints', 'logs'], postgres: ['entries', 'nodes', 'logs'] };

/** Runs `muster breaches` on a store and expects it to refuse naming the kiosk's entry 0, with no missed check-in. */
async function expectBreachesRefuse(store: readonly string[]): Promise<void> {
  const run = await runMuster(['breaches', ...store, '--at', JUDGED_AT, '--staff-origin', STAFF], '', checkinCommands);
  expect(run.code, run.stdout).toBe(1);
  expect(run.stderr).toContain(`${KIOSK}#0`);
  expect(run.stdout).not.toContain('missed-checkin/s-1');
}

describe("a kiosk's log deleted whole from HQ's store after HQ witnessed its checkpoint", () => {
  it('SQLite: HQ started again lists it from the witness state, a problem at entry 0, to its reader and its breach watcher', async () => {
    const file = join(dir, 'hq-whole.db');
    const first = SqliteHqStore.open(file);
    await fill(first);
    await first.close();
    const db = new Database(file);
    for (const table of LOG_TABLES.sqlite) db.prepare(`DELETE FROM ${table} WHERE origin = ?`).run(KIOSK);
    db.close();

    const store = SqliteHqStore.open(file);
    try {
      expect(await store.origins()).not.toContain(KIOSK);
      expect((await new VerifiedReader(witnessedEntrySource(store)).next()).problems).toEqual(missingWhole);
      const watched = await new ReaderRecords(witnessedEntrySource(store)).next();
      expect(watched.problems).toEqual(missingWhole);
      expect(watched.records.filter((r) => r.ref.origin === KIOSK)).toEqual([]);
      // HQ's API pages the log: the problem, not an empty page.
      const page = await verifiedPage(store, KIOSK, 0, 10);
      expect(page.entries).toEqual([]);
      expect([page.problem]).toEqual(missingWhole);
    } finally {
      await store.close();
    }
    const before = readFileSync(file);
    await expectBreachesRefuse(['--db', file]);
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it('PostgreSQL: the reader and the listing pass report entry 0; muster breaches --postgres exits 1 naming it', async () => {
    const admin = new pg.Client(postgres.url);
    await admin.connect();
    await admin.query('CREATE DATABASE hq_whole');
    await admin.end();
    const url = postgres.url.replace(/\/postgres$/, '/hq_whole');
    const store = await PostgresHqStore.open(url);
    try {
      await fill(store);
      const db = new pg.Client(url);
      await db.connect();
      try {
        for (const table of LOG_TABLES.postgres) await db.query(`DELETE FROM ${table} WHERE origin = $1`, [KIOSK]);
      } finally {
        await db.end();
      }

      expect(await store.origins()).not.toContain(KIOSK);
      expect((await new VerifiedReader(witnessedEntrySource(store)).next()).problems).toEqual(missingWhole);
      // The breach watcher's pass lists every log in one query (PostgresHqStore.sizes), the witnessed ones included.
      expect((await store.sizes()).get(KIOSK)).toBe(LAST + 1);
      expect((await new ReaderRecords(witnessedEntrySource(store)).next()).problems).toEqual(missingWhole);
      await expectBreachesRefuse(['--postgres', url]);
    } finally {
      await store.close();
    }
  }, 60_000);
});
