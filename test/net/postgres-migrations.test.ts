// The PostgreSQL HQ store migrates with Kysely's Migrator: a database written by the previous schema (the tables
// made with IF NOT EXISTS, no migration history) is adopted with its rows and brought to the latest schema;
// HQ processes opening a new database together migrate it once; a database migrated by a newer Muster is refused.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresHqStore } from '../../net/hq/postgres-hq-store.ts';
import { POSTGRES_MIGRATIONS, migratePostgres } from '../../net/hq/postgres-migrations.ts';
import { type PostgresServer, startPostgres } from '../helpers/postgres.ts';

let postgres: PostgresServer;
let admin: pg.Client;

async function database(name: string): Promise<string> {
  await admin.query(`CREATE DATABASE ${name}`);
  return postgres.url.replace(/\/postgres$/, `/${name}`);
}

async function withPool<T>(url: string, work: (pool: pg.Pool) => Promise<T>): Promise<T> {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  try {
    return await work(pool);
  } finally {
    await pool.end();
  }
}

beforeAll(async () => {
  postgres = await startPostgres();
  admin = new pg.Client({ connectionString: postgres.url });
  await admin.connect();
}, 60_000);

afterAll(async () => {
  await admin.end();
  await postgres.stop();
});

describe('HQ store migrations (PostgreSQL)', () => {
  it('adopt a database written by the previous schema, keep its rows and apply what came after', async () => {
    const url = await database('hq_previous');
    const [first] = Object.entries(POSTGRES_MIGRATIONS);
    if (!first) throw new Error('no migrations');
    await withPool(url, async (pool) => {
      // The previous code's database: migration 0001's tables, no migration history.
      await migratePostgres(pool, Object.fromEntries([first]));
      await pool.query('DROP TABLE kysely_migration, kysely_migration_lock');
      await pool.query(
        "INSERT INTO alerts (kind, kiosk, center, at, summary, evidence) VALUES ('offline', 'center-01/kiosk-1', 'center-01', 1, 'no heartbeat', '{}')",
      );
    });
    const store = await PostgresHqStore.open(url);
    try {
      expect((await store.alerts(0, 10)).map((a) => a.summary)).toEqual(['no heartbeat']);
    } finally {
      await store.close();
    }
    await withPool(url, async (pool) => {
      const applied = await pool.query<{ name: string }>('SELECT name FROM kysely_migration ORDER BY name');
      expect(applied.rows.map((r) => r.name)).toEqual(Object.keys(POSTGRES_MIGRATIONS));
      const index = await pool.query<{ indexdef: string }>(
        "SELECT indexdef FROM pg_indexes WHERE indexname = 'entries_keys'",
      );
      expect(index.rows[0]?.indexdef).toMatch(/kiosk-registration/);
    });
  });

  it('migrate a new database once when HQ processes open it together', async () => {
    const url = await database('hq_together');
    const stores = await Promise.all([PostgresHqStore.open(url), PostgresHqStore.open(url), PostgresHqStore.open(url)]);
    await Promise.all(stores.map((s) => s.close()));
    await withPool(url, async (pool) => {
      const applied = await pool.query<{ name: string }>('SELECT name FROM kysely_migration ORDER BY name');
      expect(applied.rows.map((r) => r.name)).toEqual(Object.keys(POSTGRES_MIGRATIONS));
    });
  });

  it('refuse a database migrated by a newer Muster', async () => {
    const url = await database('hq_newer');
    await (await PostgresHqStore.open(url)).close();
    await withPool(url, async (pool) => {
      await pool.query("INSERT INTO kysely_migration (name, timestamp) VALUES ('9999-from-the-future', now()::text)");
    });
    await expect(PostgresHqStore.open(url)).rejects.toMatchObject({ code: 'store-migration' });
  });
});
