// A centre's breach alerts on its kiosks, as HQ publishes them on muster/v1/alerts/<centre>: what the centre's
// staff screen shows live. The kiosk's replication link subscribes to the topic (net/kiosk-node.ts `onAlert`);
// each message is checked against the alert's shape (core/api/alerts-api.ts) and must name this centre, and the
// newest version of each alert is kept in a SQLite file of its own, so the screen has them after a restart. Only
// HQ may publish on the topic (broker ACL); a malformed or stale message is logged and dropped, never stored.
import { EventEmitter } from 'node:events';
import Database from 'better-sqlite3';
import { type BreachAlertView, breachAlertView } from '../core/api/alerts-api.ts';
import { check } from '../core/api/check.ts';
import { errorMessage } from '../core/errors.ts';
import type { Logger } from '../runtime/logger.ts';

/** The most a staff screen lists (the API's limit). */
const LIST_LIMIT = 500;

export class CentreAlerts {
  private readonly events = new EventEmitter<{ changed: [] }>();

  private constructor(
    private readonly db: Database.Database,
    readonly centre: string,
    private readonly log: Logger,
  ) {}

  /** Opens (creating) the file that keeps the centre's alerts. */
  static open(path: string, centre: string, log: Logger): CentreAlerts {
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.exec(
      'CREATE TABLE IF NOT EXISTS centre_alerts (id TEXT PRIMARY KEY, version INTEGER NOT NULL, raised_at INTEGER NOT NULL, body TEXT NOT NULL) STRICT',
    );
    return new CentreAlerts(db, centre, log);
  }

  /** One message of the alerts topic. Returns whether it changed what the screen shows. */
  receive(payload: Buffer): boolean {
    // The link may still deliver while the process closes.
    if (!this.db.open) return false;
    let alert: BreachAlertView;
    try {
      const value: unknown = JSON.parse(payload.toString('utf8'));
      // Fleet alerts (offline, rollback, ...) share the topic and carry no type: they are HQ's, not the staff's.
      if (typeof value === 'object' && value !== null && !Array.isArray(value) && !('type' in value)) return false;
      alert = check(breachAlertView, value, 'alert');
    } catch (error) {
      this.log.warn(
        { err: { message: errorMessage(error) }, bytes: payload.length },
        'alert message dropped: not a breach alert',
      );
      return false;
    }
    if (!alert.centres.includes(this.centre)) {
      this.log.warn({ alert: alert.id, centres: alert.centres }, `alert message dropped: not for ${this.centre}`);
      return false;
    }
    // An older or repeated version (QoS 1 redelivery, out of order) changes nothing.
    const stored =
      this.db
        .prepare(
          'INSERT INTO centre_alerts (id, version, raised_at, body) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET version = excluded.version, body = excluded.body WHERE excluded.version > centre_alerts.version',
        )
        .run(alert.id, alert.version, alert.raisedAt, JSON.stringify(alert)).changes === 1;
    if (stored) this.events.emit('changed');
    return stored;
  }

  /** The centre's alerts, most recently raised first. */
  list(): BreachAlertView[] {
    const rows = this.db
      .prepare<[number], { body: string }>('SELECT body FROM centre_alerts ORDER BY raised_at DESC, id LIMIT ?')
      .all(LIST_LIMIT);
    // Rows were checked when stored; a row damaged since is left out rather than breaking the screen.
    return rows.flatMap((r) => {
      try {
        return [check(breachAlertView, JSON.parse(r.body), 'stored alert')];
      } catch (error) {
        this.log.warn({ err: { message: errorMessage(error) } }, 'stored centre alert left out of the list');
        return [];
      }
    });
  }

  /** Tells `listener` whenever a message changed the list; returns the unsubscribe function. */
  onChange(listener: () => void): () => void {
    this.events.on('changed', listener);
    return () => this.events.off('changed', listener);
  }

  close(): void {
    this.db.close();
  }
}
