// Ordered schema migrations for the SQLite stores. Each store lists its migrations in one array, numbered from 1
// in order; a schema change (a table, a column, an index) is one more entry at the end, never an edit of one
// already released, since deployed files ran it. Migration 1 of each store uses IF NOT EXISTS, so a file written
// before migrations existed is adopted as it is. A file's version lives in PRAGMA user_version when the store owns
// the file (the log store, users, personal data), or in a row of the owner's meta table for a store layered on
// the same file (the replica and HQ tables), so each part of a file migrates on its own. Pending migrations run in
// one BEGIN IMMEDIATE transaction with the version bump: a crash or a failing step leaves the file as it was.
import { MusterError, errorMessage } from '../core/errors.ts';

/** What the migrations use of a better-sqlite3 Database (runtime/ does not import the driver). */
export interface SqliteDatabase {
  exec(sql: string): unknown;
  pragma(source: string, options: { simple: true }): unknown;
  prepare(sql: string): { get(...params: unknown[]): unknown; run(...params: unknown[]): unknown };
}

export interface SqliteMigration {
  readonly version: number;
  /** What the step does, for errors and history. */
  readonly name: string;
  readonly up: string | ((db: SqliteDatabase) => void);
}

/** Where a part of a file keeps its schema version. */
export interface VersionSlot {
  read(db: SqliteDatabase): number;
  write(db: SqliteDatabase, version: number): void;
}

export const USER_VERSION: VersionSlot = {
  read: (db) => Number(db.pragma('user_version', { simple: true })),
  write: (db, version) => {
    db.pragma(`user_version = ${version}`, { simple: true });
  },
};

/** A version kept as a row of a key/value table the file's owner created (`table(keyColumn, valueColumn)`). */
export function rowVersion(table: string, keyColumn: string, valueColumn: string, key: string): VersionSlot {
  return {
    read: (db) => {
      const row = db.prepare(`SELECT ${valueColumn} AS v FROM ${table} WHERE ${keyColumn} = ?`).get(key) as
        { v: string } | undefined;
      return row === undefined ? 0 : Number(row.v);
    },
    write: (db, version) => {
      db.prepare(`INSERT OR REPLACE INTO ${table} (${keyColumn}, ${valueColumn}) VALUES (?, ?)`).run(
        key,
        String(version),
      );
    },
  };
}

export function latestVersion(migrations: readonly SqliteMigration[]): number {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1)
      throw new TypeError(`migrations: expected version ${i + 1} at position ${i}, got ${m.version} (${m.name})`);
  });
  return migrations.length;
}

/**
 * Brings `what` (a store, named for errors) to the latest version. Refuses a file from a newer Muster: its
 * schema may mean something this code does not know.
 */
export function migrate(
  db: SqliteDatabase,
  migrations: readonly SqliteMigration[],
  slot: VersionSlot,
  what: string,
): { from: number; to: number } {
  const latest = latestVersion(migrations);
  const before = slot.read(db);
  refuseNewer(before, latest, what);
  if (before === latest) return { from: before, to: latest };
  db.exec('BEGIN IMMEDIATE');
  try {
    // Another process may have migrated between the read above and the write lock.
    const from = slot.read(db);
    refuseNewer(from, latest, what);
    for (const migration of migrations.slice(from)) {
      try {
        if (typeof migration.up === 'string') db.exec(migration.up);
        else migration.up(db);
      } catch (error) {
        throw new MusterError(
          'store-migration',
          `${what}: migration ${migration.version} (${migration.name}) failed: ${errorMessage(error)}`,
          { cause: error },
        );
      }
    }
    slot.write(db, latest);
    db.exec('COMMIT');
    return { from, to: latest };
  } catch (error) {
    db.exec('ROLLBACK');
    throw error;
  }
}

/** For a read-only open: the file must already be at the latest version. */
export function requireVersion(
  db: SqliteDatabase,
  migrations: readonly SqliteMigration[],
  slot: VersionSlot,
  what: string,
): void {
  const latest = latestVersion(migrations);
  const version = slot.read(db);
  refuseNewer(version, latest, what);
  if (version < latest) {
    throw new MusterError(
      'store-version',
      `${what} has schema version ${version}; this Muster reads version ${latest}: open it once read-write (any command that writes to it, or the kiosk) to upgrade it`,
    );
  }
}

function refuseNewer(version: number, latest: number, what: string): void {
  if (version > latest)
    throw new MusterError(
      'store-version',
      `${what} has schema version ${version}, newer than this Muster knows (${latest}): upgrade Muster`,
    );
}
