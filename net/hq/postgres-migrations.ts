// The PostgreSQL HQ store's schema, as ordered migrations run by Kysely's Migrator (its own kysely_migration
// tables, one advisory lock so HQ processes starting together migrate once, each migration in a transaction).
// A schema change (a table, a column, an index) is one more entry at the end of POSTGRES_MIGRATIONS, named by
// the next number: never an edit of a released one, since deployed databases ran it. 0001 uses IF NOT EXISTS, so
// a database created before migrations is adopted as it is. Migrations live in code, not in a folder: the build
// and the sources run the same list, and nothing loads files at run time.
import { Kysely, type Migration, Migrator, PostgresDialect, sql } from 'kysely';
import type pg from 'pg';
import { MusterError, errorMessage } from '../../core/errors.ts';

function statements(text: string): Migration {
  return {
    up: async (db: Kysely<unknown>) => {
      await sql.raw(text).execute(db);
    },
  };
}

export const POSTGRES_MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001-logs-entries-nodes-conflicts-witnessed-alerts-heartbeats': statements(`
CREATE TABLE IF NOT EXISTS logs (origin TEXT PRIMARY KEY, genesis_key BYTEA NOT NULL);
CREATE TABLE IF NOT EXISTS entries (
  origin TEXT NOT NULL, seq BIGINT NOT NULL, ts BIGINT NOT NULL, type TEXT NOT NULL, leaf BYTEA NOT NULL, hash BYTEA NOT NULL,
  PRIMARY KEY (origin, seq));
CREATE INDEX IF NOT EXISTS entries_keys ON entries (origin, seq) WHERE type IN ('genesis', 'key-rotation');
CREATE TABLE IF NOT EXISTS nodes (origin TEXT NOT NULL, level INT NOT NULL, idx BIGINT NOT NULL, hash BYTEA NOT NULL, PRIMARY KEY (origin, level, idx));
CREATE TABLE IF NOT EXISTS conflicts (
  origin TEXT NOT NULL, seq BIGINT NOT NULL, leaf BYTEA NOT NULL, hash BYTEA NOT NULL, seen_at BIGINT NOT NULL, source TEXT NOT NULL,
  PRIMARY KEY (origin, seq, hash));
CREATE TABLE IF NOT EXISTS witnessed (origin TEXT PRIMARY KEY, size BIGINT NOT NULL, root BYTEA NOT NULL, note TEXT NOT NULL, at BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS alerts (
  id BIGSERIAL PRIMARY KEY, kind TEXT NOT NULL, kiosk TEXT NOT NULL, center TEXT NOT NULL, at BIGINT NOT NULL, summary TEXT NOT NULL, evidence JSONB NOT NULL);
CREATE TABLE IF NOT EXISTS breach_alerts (
  id TEXT PRIMARY KEY, subject TEXT NOT NULL, centres TEXT[] NOT NULL, raised_at BIGINT NOT NULL, version INT NOT NULL, body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS breach_alerts_raised ON breach_alerts (raised_at DESC, id);
CREATE TABLE IF NOT EXISTS heartbeats (kiosk TEXT PRIMARY KEY, heartbeat TEXT NOT NULL, received_at BIGINT NOT NULL);
`),
  // Key lookups name every key entry type (the registry's registrations and revocations too), not only the first two.
  '0002-key-entries-index-covers-every-key-type': statements(`
DROP INDEX IF EXISTS entries_keys;
CREATE INDEX entries_keys ON entries (origin, seq) WHERE type IN ('genesis', 'key-rotation', 'key-revocation', 'kiosk-registration');
`),
  // The breach alerts' outbox (the version last published; alerts from before count as published) and the kiosk
  // downtime HQ saw from heartbeats, kept across restarts.
  '0003-breach-alert-outbox-and-downtime': statements(`
ALTER TABLE breach_alerts ADD COLUMN published INT NOT NULL DEFAULT 0;
UPDATE breach_alerts SET published = version;
CREATE INDEX breach_alerts_unpublished ON breach_alerts (raised_at) WHERE published < version;
CREATE TABLE downtime (kiosk TEXT NOT NULL, since BIGINT NOT NULL, until BIGINT, note TEXT NOT NULL, PRIMARY KEY (kiosk, since));
`),
  // Fleet and security alerts raised once by a key naming the event, whichever HQ node (or run) comes to it; NULL
  // for the others and those from before (a unique index lets any number of NULLs through).
  '0004-alerts-raised-once-by-key': statements(`
ALTER TABLE alerts ADD COLUMN once_key TEXT;
CREATE UNIQUE INDEX alerts_once ON alerts (once_key);
`),
  // Each kiosk's fleet state as the nodes last turned to it, from the heartbeat it began at: what names an offline or
  // degraded episode alike on every node, one started in the middle of it too.
  '0005-fleet-states': statements(`
CREATE TABLE fleet_states (kiosk TEXT PRIMARY KEY, state TEXT NOT NULL, since BIGINT NOT NULL, seen BIGINT NOT NULL);
`),
};

/** Brings the database to the latest migration; a database migrated by a newer Muster is refused. */
export async function migratePostgres(
  pool: pg.Pool,
  migrations: Readonly<Record<string, Migration>> = POSTGRES_MIGRATIONS,
): Promise<void> {
  // Not destroyed afterwards: that would end the store's pool. Kysely holds nothing else.
  const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
  const { error, results } = await new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve(migrations) },
  }).migrateToLatest();
  if (error === undefined) return;
  const failed = results?.find((r) => r.status === 'Error')?.migrationName;
  throw new MusterError(
    'store-migration',
    `HQ database: ${failed ? `migration ${failed} failed` : 'cannot migrate'}: ${errorMessage(error)}`,
    { cause: error },
  );
}
