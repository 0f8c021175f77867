// HqStore on the SQLite log store (the embedded default): logs through the ledger, alerts and heartbeats in
// tables of their own in the same file.
import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Alert, StoredAlert } from '../alerts.ts';
import { type AlertChange, type BreachAlert, parseStoredAlert, parseStoredAlerts } from './breach-alert.ts';
import { type Heartbeat, type KioskState, decodeHeartbeat, encodeHeartbeat } from '../heartbeat.ts';
import { SqliteReplicaStore, type SqliteReplicaStoreOptions } from '../sqlite-replica-store.ts';
import { LedgerStore } from '../../ledger/store.ts';
import type { FleetEpisode, HqStore, LastHeartbeat, StoredDowntime } from './hq-store.ts';
import { type SqliteMigration, migrate, rowVersion } from '../../runtime/sqlite-migrations.ts';

const HQ_SCHEMA = `
CREATE TABLE IF NOT EXISTS hq_alerts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL,
  kiosk TEXT NOT NULL,
  center TEXT NOT NULL,
  at INTEGER NOT NULL,
  summary TEXT NOT NULL,
  evidence TEXT NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS hq_breach_alerts (
  id TEXT PRIMARY KEY,
  subject TEXT NOT NULL,
  centres TEXT NOT NULL,
  raised_at INTEGER NOT NULL,
  version INTEGER NOT NULL,
  body TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS hq_breach_alerts_raised ON hq_breach_alerts (raised_at DESC, id);
CREATE TABLE IF NOT EXISTS hq_heartbeats (
  kiosk TEXT PRIMARY KEY,
  heartbeat TEXT NOT NULL,
  received_at INTEGER NOT NULL
) STRICT;
`;

/**
 * HQ's tables in the log store's file, in order (runtime/sqlite-migrations.ts): a new table or column is one
 * more entry at the end (never an edit of a released one); the version is a row of the log store's meta table.
 */
const HQ_MIGRATIONS: readonly SqliteMigration[] = [
  { version: 1, name: 'hq_alerts, hq_breach_alerts, hq_heartbeats', up: HQ_SCHEMA },
  {
    version: 2,
    name: 'breach alert outbox, kiosk downtime',
    // Alerts stored before the outbox count as published: the version that stored them published them at once.
    // Written to run again on a file that has them (a file adopted without version rows, as in version 1).
    up: (db) => {
      if (
        db.prepare("SELECT 1 FROM pragma_table_info('hq_breach_alerts') WHERE name = 'published'").get() === undefined
      ) {
        db.exec(
          'ALTER TABLE hq_breach_alerts ADD COLUMN published INTEGER NOT NULL DEFAULT 0; UPDATE hq_breach_alerts SET published = version;',
        );
      }
      db.exec(`
CREATE INDEX IF NOT EXISTS hq_breach_alerts_unpublished ON hq_breach_alerts (raised_at) WHERE published < version;
CREATE TABLE IF NOT EXISTS hq_downtime (kiosk TEXT NOT NULL, since INTEGER NOT NULL, until INTEGER, note TEXT NOT NULL, PRIMARY KEY (kiosk, since)) STRICT;
`);
    },
  },
  {
    version: 3,
    name: 'alerts raised once by key',
    // NULL for alerts without one (and those from before): a unique index lets any number of NULLs through.
    up: (db) => {
      if (db.prepare("SELECT 1 FROM pragma_table_info('hq_alerts') WHERE name = 'once_key'").get() === undefined)
        db.exec('ALTER TABLE hq_alerts ADD COLUMN once_key TEXT');
      db.exec('CREATE UNIQUE INDEX IF NOT EXISTS hq_alerts_once ON hq_alerts (once_key)');
    },
  },
  {
    version: 4,
    name: 'fleet episodes',
    up: 'CREATE TABLE IF NOT EXISTS hq_fleet_states (kiosk TEXT PRIMARY KEY, state TEXT NOT NULL, since INTEGER NOT NULL, seen INTEGER NOT NULL) STRICT;',
  },
];
const HQ_VERSION = rowVersion('meta', 'k', 'v', 'schema:hq');

interface AlertRow {
  id: number;
  kind: string;
  kiosk: string;
  center: string;
  at: number;
  summary: string;
  evidence: string;
}

export class SqliteHqStore extends SqliteReplicaStore implements HqStore {
  constructor(ledger: LedgerStore, options: SqliteReplicaStoreOptions = {}) {
    super(ledger, options);
    migrate(ledger.db, HQ_MIGRATIONS, HQ_VERSION, `HQ tables of ${ledger.path}`);
  }

  /**
   * Opens (creating) an HQ store file; NORMAL sync: every entry can be fetched again from its kiosk. The file is
   * the owner's only (0600, and SQLite gives its -wal and -shm the same mode), in a 0700 directory when it makes one.
   */
  static open(path: string, options: SqliteReplicaStoreOptions = {}): SqliteHqStore {
    if (path !== ':memory:') {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      closeSync(openSync(path, 'a', 0o600));
      chmodSync(path, 0o600);
    }
    const ledger = LedgerStore.open(path, { create: true, synchronous: 'NORMAL' });
    try {
      return new SqliteHqStore(ledger, options);
    } catch (error) {
      // A refused migration leaves the file open otherwise.
      ledger.close();
      throw error;
    }
  }

  recordAlert(alert: Alert): Promise<StoredAlert> {
    const info = this.ledger.db
      .prepare('INSERT INTO hq_alerts (kind, kiosk, center, at, summary, evidence) VALUES (?, ?, ?, ?, ?, ?)')
      .run(alert.kind, alert.kiosk, alert.center, alert.at, alert.summary, JSON.stringify(alert.evidence));
    return Promise.resolve({ ...alert, id: Number(info.lastInsertRowid) });
  }

  recordAlertOnce(alert: Alert, key: string): Promise<StoredAlert | undefined> {
    const info = this.ledger.db
      .prepare(
        'INSERT INTO hq_alerts (kind, kiosk, center, at, summary, evidence, once_key) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (once_key) DO NOTHING',
      )
      .run(alert.kind, alert.kiosk, alert.center, alert.at, alert.summary, JSON.stringify(alert.evidence), key);
    return Promise.resolve(info.changes === 0 ? undefined : { ...alert, id: Number(info.lastInsertRowid) });
  }

  alerts(afterId: number, limit: number): Promise<StoredAlert[]> {
    const rows = this.ledger.db
      .prepare<[number, number], AlertRow>(
        'SELECT id, kind, kiosk, center, at, summary, evidence FROM hq_alerts WHERE id > ? ORDER BY id LIMIT ?',
      )
      .all(afterId, limit);
    return Promise.resolve(
      rows.map((r) => ({
        ...r,
        kind: r.kind as Alert['kind'],
        evidence: JSON.parse(r.evidence) as Record<string, unknown>,
      })),
    );
  }

  applyAlertChanges(changes: readonly AlertChange[]): Promise<boolean[]> {
    const db = this.ledger.db;
    const insert = db.prepare(
      'INSERT INTO hq_breach_alerts (id, subject, centres, raised_at, version, body) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING',
    );
    const update = db.prepare('UPDATE hq_breach_alerts SET version = ?, body = ? WHERE id = ? AND version = ?');
    const apply = db.transaction((list: readonly AlertChange[]) =>
      list.map(({ alert, expectedVersion }) =>
        expectedVersion === null
          ? insert.run(
              alert.id,
              alert.subject,
              JSON.stringify(alert.centres),
              alert.raisedAt,
              alert.version,
              JSON.stringify(alert),
            ).changes === 1
          : update.run(alert.version, JSON.stringify(alert), alert.id, expectedVersion).changes === 1,
      ),
    );
    return Promise.resolve(apply.immediate(changes));
  }

  breachAlert(id: string): Promise<BreachAlert | undefined> {
    try {
      const row = this.ledger.db
        .prepare<[string], { body: string }>('SELECT body FROM hq_breach_alerts WHERE id = ?')
        .get(id);
      return Promise.resolve(row ? parseStoredAlert(id, row.body) : undefined);
    } catch (error) {
      // A corrupt row rejects like the PostgreSQL store's does, rather than throwing at the call.
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  breachAlerts(query: { readonly centre?: string; readonly limit: number }): Promise<BreachAlert[]> {
    const limit = Math.min(query.limit, Number.MAX_SAFE_INTEGER);
    const rows =
      query.centre === undefined
        ? this.ledger.db
            .prepare<[number], { id: string; body: string }>(
              'SELECT id, body FROM hq_breach_alerts ORDER BY raised_at DESC, id LIMIT ?',
            )
            .all(limit)
        : this.ledger.db
            .prepare<[string, number], { id: string; body: string }>(
              'SELECT id, body FROM hq_breach_alerts WHERE EXISTS (SELECT 1 FROM json_each(centres) WHERE value = ?) ORDER BY raised_at DESC, id LIMIT ?',
            )
            .all(query.centre, limit);
    return Promise.resolve(parseStoredAlerts(rows));
  }

  unpublishedAlerts(limit: number): Promise<BreachAlert[]> {
    const rows = this.ledger.db
      .prepare<[number], { id: string; body: string }>(
        'SELECT id, body FROM hq_breach_alerts WHERE published < version ORDER BY raised_at, id LIMIT ?',
      )
      .all(limit);
    return Promise.resolve(parseStoredAlerts(rows));
  }

  markAlertPublished(id: string, version: number): Promise<void> {
    this.ledger.db
      .prepare('UPDATE hq_breach_alerts SET published = ? WHERE id = ? AND published < ?')
      .run(version, id, version);
    return Promise.resolve();
  }

  recordDowntime(span: StoredDowntime): Promise<void> {
    this.ledger.db
      .prepare(
        'INSERT INTO hq_downtime (kiosk, since, until, note) VALUES (?, ?, ?, ?) ON CONFLICT (kiosk, since) DO UPDATE SET until = excluded.until, note = excluded.note',
      )
      .run(span.kiosk, span.from, span.to, span.note);
    return Promise.resolve();
  }

  downtime(): Promise<StoredDowntime[]> {
    const rows = this.ledger.db
      .prepare<[], { kiosk: string; since: number; until: number | null; note: string }>(
        'SELECT * FROM hq_downtime ORDER BY kiosk, since',
      )
      .all();
    return Promise.resolve(rows.map((r) => ({ kiosk: r.kiosk, from: r.since, to: r.until, note: r.note })));
  }

  noteFleetState(kiosk: string, state: KioskState, at: number): Promise<FleetEpisode> {
    const db = this.ledger.db;
    db.prepare(
      `INSERT INTO hq_fleet_states (kiosk, state, since, seen) VALUES (?, ?, ?, ?) ON CONFLICT (kiosk) DO UPDATE
         SET since = CASE WHEN hq_fleet_states.state = excluded.state THEN hq_fleet_states.since ELSE excluded.since END,
             state = excluded.state, seen = max(hq_fleet_states.seen, excluded.seen)
         WHERE hq_fleet_states.state = excluded.state OR excluded.seen >= hq_fleet_states.seen`,
    ).run(kiosk, state, at, at);
    const row = db
      .prepare<[string], FleetEpisode>('SELECT state, since FROM hq_fleet_states WHERE kiosk = ?')
      .get(kiosk);
    if (!row) throw new Error(`fleet state of ${kiosk} not stored`);
    return Promise.resolve({ state: row.state, since: row.since });
  }

  recordHeartbeat(heartbeat: Heartbeat, receivedAt: number): Promise<void> {
    this.ledger.db
      .prepare(
        `INSERT INTO hq_heartbeats (kiosk, heartbeat, received_at) VALUES (?, ?, ?) ON CONFLICT (kiosk) DO UPDATE
           SET heartbeat = excluded.heartbeat, received_at = excluded.received_at
           WHERE json_extract(hq_heartbeats.heartbeat, '$.at') < ?`,
      )
      .run(heartbeat.kiosk, encodeHeartbeat(heartbeat).toString('utf8'), receivedAt, heartbeat.at);
    return Promise.resolve();
  }

  heartbeats(): Promise<Map<string, LastHeartbeat>> {
    const rows = this.ledger.db
      .prepare<[], { kiosk: string; heartbeat: string; received_at: number }>('SELECT * FROM hq_heartbeats')
      .all();
    return Promise.resolve(
      new Map(
        rows.map((r) => [r.kiosk, { heartbeat: decodeHeartbeat(Buffer.from(r.heartbeat)), receivedAt: r.received_at }]),
      ),
    );
  }
}
