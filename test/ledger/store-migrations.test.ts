// Schema migrations of the log store: a store written by the previous schema (version 1, its version in the meta
// table) is upgraded in place on open and still verifies; a fresh store starts at the latest version; a store
// from a newer Muster, or an old one opened read-only, is refused with a clear error; a failing migration leaves
// the file as it was.
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fsck } from '../../ledger/fsck.ts';
import { LogWriter } from '../../ledger/log-writer.ts';
import { LEDGER_MIGRATIONS } from '../../ledger/store-schema.ts';
import { LedgerStore } from '../../ledger/store.ts';
import { type SqliteMigration, USER_VERSION, migrate } from '../../runtime/sqlite-migrations.ts';
import { appendCheckins, newLog, steppingClock, tempDir } from './fixtures.ts';

const LATEST = LEDGER_MIGRATIONS.length;

/** A log store as the previous schema wrote it: migration 1's tables, the version in meta, user_version 0. */
function previousSchemaStore(path: string): void {
  const db = new Database(path);
  db.exec(String(LEDGER_MIGRATIONS[0]?.up));
  db.prepare("INSERT INTO meta (k, v) VALUES ('schema_version', '1')").run();
  db.close();
}

function versionOf(path: string): { user: number; meta: string | undefined } {
  const db = new Database(path, { readonly: true });
  try {
    const meta = db.prepare<[], { v: string }>("SELECT v FROM meta WHERE k = 'schema_version'").get();
    return { user: Number(db.pragma('user_version', { simple: true })), meta: meta?.v };
  } finally {
    db.close();
  }
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('log store migrations', () => {
  it('upgrade a store written by the previous schema in place: every entry kept, the log still verifies and grows', async () => {
    const { path, store, writer, signer } = newLog('center-01/kiosk-1');
    await appendCheckins(writer, 40);
    store.close();
    // The previous schema's file: the same tables as migration 1, its version in the meta table, user_version 0.
    const written = new Database(path);
    written.exec("INSERT OR REPLACE INTO meta (k, v) VALUES ('schema_version', '1'); PRAGMA user_version = 0;");
    written.close();
    expect(versionOf(path)).toEqual({ user: 0, meta: '1' });

    const upgraded = LedgerStore.open(path);
    expect(versionOf(path)).toEqual({ user: LATEST, meta: undefined });
    expect(upgraded.head('center-01/kiosk-1').size).toBe(41);
    await LogWriter.open(upgraded, signer, steppingClock(Date.UTC(2026, 11, 1))).append('checkin', {
      subject: 'p-0001',
      center: 'center-01',
    });
    upgraded.close();
    expect(await fsck(path, { workers: 0 })).toMatchObject({ ok: true, size: 42 });
  });

  it('start a new store at the latest version and open it again without change', () => {
    const path = join(tempDir(), 'new.db');
    LedgerStore.open(path, { create: true }).close();
    expect(versionOf(path)).toEqual({ user: LATEST, meta: undefined });
    LedgerStore.open(path).close();
    expect(versionOf(path).user).toBe(LATEST);
  });

  it('refuse a store from a newer Muster, and an old store opened read-only, naming the versions', () => {
    const dir = tempDir();
    const newer = join(dir, 'newer.db');
    LedgerStore.open(newer, { create: true }).close();
    const db = new Database(newer);
    db.pragma(`user_version = ${LATEST + 1}`);
    db.close();
    expect(thrown(() => LedgerStore.open(newer))).toMatchObject({
      code: 'store-version',
      message: expect.stringContaining(
        `schema version ${LATEST + 1}, newer than this Muster knows (${LATEST})`,
      ) as string,
    });
    const old = join(dir, 'old.db');
    previousSchemaStore(old);
    const readOnly = thrown(() => LedgerStore.open(old, { readonly: true }));
    expect(readOnly).toMatchObject({ code: 'store-version' });
    expect(String(readOnly)).toMatch(/schema version 1; .*open it once read-write/);
    expect(versionOf(old)).toEqual({ user: 0, meta: '1' });
  });

  it('refuse an SQLite file that is no log store, without creating tables in it', () => {
    const path = join(tempDir(), 'other.db');
    const db = new Database(path);
    db.exec('CREATE TABLE notes (x TEXT)');
    db.close();
    expect(() => LedgerStore.open(path)).toThrow(expect.objectContaining({ code: 'store-corrupt' }));
    const check = new Database(path, { readonly: true });
    expect(check.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all()).toEqual(['notes']);
    check.close();
  });
});

describe('the migration runner', () => {
  const steps: SqliteMigration[] = [
    { version: 1, name: 'a table', up: 'CREATE TABLE IF NOT EXISTS t (x INTEGER)' },
    { version: 2, name: 'a row', up: 'INSERT INTO t (x) VALUES (2)' },
    { version: 3, name: 'a failing step', up: 'INSERT INTO missing (x) VALUES (3)' },
  ];

  it('runs the pending steps in order, and rolls every one back when one fails', () => {
    const db = new Database(join(tempDir(), 'm.db'));
    expect(migrate(db, steps.slice(0, 1), USER_VERSION, 'test store')).toEqual({ from: 0, to: 1 });
    const failed = thrown(() => migrate(db, steps, USER_VERSION, 'test store'));
    expect(failed).toMatchObject({ code: 'store-migration' });
    expect(String(failed)).toMatch(/test store: migration 3 \(a failing step\) failed/);
    expect(USER_VERSION.read(db)).toBe(1);
    expect(db.prepare('SELECT count(*) FROM t').pluck().get()).toBe(0);
    expect(migrate(db, steps.slice(0, 2), USER_VERSION, 'test store')).toEqual({ from: 1, to: 2 });
    expect(db.prepare('SELECT x FROM t').pluck().all()).toEqual([2]);
    db.close();
  });

  it('refuses a list numbered out of order', () => {
    const db = new Database(':memory:');
    expect(() => migrate(db, [steps[1] as SqliteMigration], USER_VERSION, 'test store')).toThrow(
      /expected version 1 at position 0, got 2/,
    );
    db.close();
  });
});
