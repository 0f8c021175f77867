// The log store's schema, as ordered migrations (runtime/sqlite-migrations.ts): a change to the tables is one more
// entry at the end of LEDGER_MIGRATIONS. The version is the file's PRAGMA user_version; stores written before it
// (schema version 1 in the meta table) are adopted as version 1.
import type Database from 'better-sqlite3';
import { MusterError } from '../core/errors.ts';
import {
  type SqliteMigration,
  USER_VERSION,
  type VersionSlot,
  migrate,
  requireVersion,
} from '../runtime/sqlite-migrations.ts';

export const LEDGER_MIGRATIONS: readonly SqliteMigration[] = [
  {
    version: 1,
    name: 'meta, logs, entries, nodes, checkpoints, conflicts',
    up: `
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL) STRICT;
CREATE TABLE IF NOT EXISTS logs (
  origin TEXT PRIMARY KEY,
  genesis_key BLOB NOT NULL,   -- the public key the log started with: the trust anchor for its history
  own INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE TABLE IF NOT EXISTS entries (
  origin TEXT NOT NULL,
  seq INTEGER NOT NULL,
  ts INTEGER NOT NULL,
  type TEXT NOT NULL,
  leaf BLOB NOT NULL,          -- the signed entry, exactly as hashed
  hash BLOB NOT NULL,          -- RFC 6962 leaf hash
  PRIMARY KEY (origin, seq)
) STRICT, WITHOUT ROWID;
-- Key entries only: a partial index costs appends nothing for ordinary entries.
CREATE INDEX IF NOT EXISTS key_entries ON entries (origin, seq) WHERE type IN ('genesis', 'key-rotation', 'key-revocation');
CREATE TABLE IF NOT EXISTS nodes (
  origin TEXT NOT NULL,
  level INTEGER NOT NULL,      -- perfect subtrees of 2^level leaves, level >= 1 (level 0 is entries.hash)
  idx INTEGER NOT NULL,
  hash BLOB NOT NULL,
  PRIMARY KEY (origin, level, idx)
) STRICT, WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS checkpoints (
  origin TEXT NOT NULL,
  size INTEGER NOT NULL,
  root BLOB NOT NULL,
  note TEXT NOT NULL,
  PRIMARY KEY (origin, size)
) STRICT, WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS conflicts (
  origin TEXT NOT NULL,
  seq INTEGER NOT NULL,
  leaf BLOB NOT NULL,
  hash BLOB NOT NULL,
  seen_at INTEGER NOT NULL,
  source TEXT NOT NULL,
  PRIMARY KEY (origin, seq, hash)
) STRICT;
`,
  },
  {
    version: 2,
    name: 'the schema version moves from the meta table to user_version',
    up: "DELETE FROM meta WHERE k = 'schema_version'",
  },
];

/** user_version, or for a store from before it, the version its meta table names. */
const LEDGER_VERSION: VersionSlot = {
  read: (db) => {
    const version = USER_VERSION.read(db);
    if (version > 0) return version;
    const hasMeta =
      db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").get() !== undefined;
    const legacy = hasMeta
      ? (db.prepare("SELECT v FROM meta WHERE k = 'schema_version'").get() as { v: string } | undefined)
      : undefined;
    return legacy === undefined ? 0 : Number(legacy.v);
  },
  write: (db, version) => {
    USER_VERSION.write(db, version);
  },
};

/** Brings an opened log store to the current schema (or, read-only, checks that it is there). */
export function openSchema(
  db: Database.Database,
  path: string,
  options: { readonly readonly?: boolean; readonly create?: boolean },
): void {
  const what = `log store ${path}`;
  if (!options.create && LEDGER_VERSION.read(db) === 0)
    throw new MusterError('store-corrupt', `${what} is not a readable Muster log: it has no schema`);
  if (options.readonly) requireVersion(db, LEDGER_MIGRATIONS, LEDGER_VERSION, what);
  else migrate(db, LEDGER_MIGRATIONS, LEDGER_VERSION, what);
}
