// The replica and HQ tables migrate inside the log store's file, each with its own version row: an HQ file
// written before migrations (its tables made with IF NOT EXISTS, no version rows) is adopted with its rows, and a
// later open changes nothing.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteHqStore } from '../../net/hq/sqlite-hq-store.ts';

const dir = mkdtempSync(join(tmpdir(), 'muster-hq-migrations-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function versionRows(path: string): Record<string, string> {
  const db = new Database(path, { readonly: true });
  try {
    return Object.fromEntries(
      db
        .prepare<[], { k: string; v: string }>("SELECT k, v FROM meta WHERE k LIKE 'schema:%' ORDER BY k")
        .all()
        .map((r) => [r.k, r.v]),
    );
  } finally {
    db.close();
  }
}

describe('HQ store migrations (SQLite)', () => {
  it('adopt an HQ file from before migrations with its alerts, and record each part’s version', async () => {
    const path = join(dir, 'hq.db');
    const first = SqliteHqStore.open(path);
    await first.recordAlert({
      kind: 'offline',
      kiosk: 'center-01/kiosk-1',
      center: 'center-01',
      at: 1,
      summary: 'no heartbeat',
      evidence: {},
    });
    await first.close();
    // Before migrations: no version rows beside the tables.
    const db = new Database(path);
    db.exec("DELETE FROM meta WHERE k LIKE 'schema:%'");
    db.close();
    expect(versionRows(path)).toEqual({});

    const reopened = SqliteHqStore.open(path);
    expect((await reopened.alerts(0, 10)).map((a) => a.summary)).toEqual(['no heartbeat']);
    // Version 3's key: an alert from before has none, and one raised once by key is refused the second time.
    const once = {
      kind: 'security' as const,
      kiosk: 'center-01/kiosk-1',
      center: 'center-01',
      at: 2,
      summary: 's',
      evidence: {},
    };
    expect(await reopened.recordAlertOnce(once, 'k')).toBeDefined();
    expect(await reopened.recordAlertOnce(once, 'k')).toBeUndefined();
    await reopened.close();
    expect(versionRows(path)).toEqual({ 'schema:hq': '4', 'schema:replica': '1' });
  });

  it('bring a version 1 HQ file to the latest with its breach alerts counted as published (none is sent again)', async () => {
    const path = join(dir, 'v1.db');
    const first = SqliteHqStore.open(path);
    const alert = {
      v: 1,
      type: 'breach-alert',
      id: 'breach:missed-checkin/p-1/2026-12-03',
      kind: 'breach',
      rule: 'missed-checkin',
      subject: 'p-1',
      day: '2026-12-03',
      centres: ['c1'],
      firedAt: 1,
      raisedAt: 2,
      summary: 'no check-in',
      evidence: [],
      finding: 'open',
      status: 'open',
      assignee: null,
      version: 1,
      history: [],
    } as const;
    await first.applyAlertChanges([{ alert, expectedVersion: null }]);
    await first.close();
    // What version 1 left: no outbox column, no downtime table, no alert keys, no fleet states.
    const db = new Database(path);
    db.exec(
      "DROP INDEX hq_breach_alerts_unpublished; ALTER TABLE hq_breach_alerts DROP COLUMN published; DROP TABLE hq_downtime; DROP TABLE hq_fleet_states; DROP INDEX hq_alerts_once; ALTER TABLE hq_alerts DROP COLUMN once_key; UPDATE meta SET v = '1' WHERE k = 'schema:hq'",
    );
    db.close();
    const reopened = SqliteHqStore.open(path);
    try {
      expect(versionRows(path)['schema:hq']).toBe('4');
      expect(await reopened.breachAlert(alert.id)).toEqual(alert);
      expect(await reopened.unpublishedAlerts(10)).toEqual([]);
      expect(await reopened.downtime()).toEqual([]);
    } finally {
      await reopened.close();
    }
  });

  it('refuse an HQ file whose HQ tables come from a newer Muster', async () => {
    const path = join(dir, 'newer.db');
    await SqliteHqStore.open(path).close();
    const db = new Database(path);
    db.prepare("UPDATE meta SET v = '99' WHERE k = 'schema:hq'").run();
    db.close();
    expect(() => SqliteHqStore.open(path)).toThrow(/HQ tables of .* schema version 99, newer than this Muster knows/);
  });
});
