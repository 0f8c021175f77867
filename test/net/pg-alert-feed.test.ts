// The live alert feed between HQ nodes sharing one PostgreSQL (net/hq/pg-alert-feed.ts), on a real server: each
// fleet alert stored and each breach alert stored or changed by any node reaches a listening node's screens; a
// notice it cannot use (malformed, naming no stored alert) is skipped, and a lost connection is opened again.
import { Writable } from 'node:stream';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredAlert } from '../../net/alerts.ts';
import type { BreachAlert } from '../../net/hq/breach-alert.ts';
import { type PgAlertFeed, startPgAlertFeed } from '../../net/hq/pg-alert-feed.ts';
import { ALERTS_CHANNEL, PostgresHqStore, alertNotice } from '../../net/hq/postgres-hq-store.ts';
import { createLogger } from '../../runtime/logger.ts';
import { type PostgresServer, startPostgres } from '../helpers/postgres.ts';
import { waitFor } from '../helpers/wait-for.ts';

let postgres: PostgresServer;
let store: PostgresHqStore;
let admin: pg.Client;
let feed: PgAlertFeed;
const shown: (BreachAlert | StoredAlert)[] = [];
const logged: string[] = [];

function breach(subject: string, version = 1): BreachAlert {
  const raisedAt = Date.UTC(2026, 11, 3, 12);
  return {
    v: 1,
    type: 'breach-alert',
    id: `breach:missed-checkin/${subject}/2026-12-03`,
    kind: 'breach',
    rule: 'missed-checkin',
    subject,
    day: '2026-12-03',
    centres: ['centre-a'],
    firedAt: raisedAt - 1,
    raisedAt,
    summary: 'no check-in in the window',
    evidence: [{ origin: 'centre-a/staff', seq: 1, hash: 'ab'.repeat(32) }],
    finding: 'open',
    status: version === 1 ? 'open' : 'acknowledged',
    assignee: null,
    version,
    history: [{ at: raisedAt, event: 'raised', by: 'hq', note: 'no check-in in the window' }],
  };
}

const breachShown = (id: string, version: number): boolean =>
  shown.some((a) => 'version' in a && a.id === id && a.version === version);

beforeAll(async () => {
  postgres = await startPostgres();
  store = await PostgresHqStore.open(postgres.url);
  admin = new pg.Client({ connectionString: postgres.url });
  await admin.connect();
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logged.push(chunk.toString());
      done();
    },
  });
  feed = startPgAlertFeed(
    { store, showBreachAlert: (a) => shown.push(a), showAlert: (a) => shown.push(a) },
    postgres.url,
    createLogger({ level: 'warn', format: 'json', destination }),
  );
  await waitFor(listening, 'the feed to listen', 30_000);
}, 120_000);

/** Whether the feed's connection has run its LISTEN (its last statement, as the server shows it). */
async function listening(): Promise<boolean> {
  const rows = await admin.query("SELECT 1 FROM pg_stat_activity WHERE query LIKE 'LISTEN%' AND state = 'idle'");
  return rows.rowCount === 1;
}

afterAll(async () => {
  await feed.close();
  await admin.end();
  await store.close();
  await postgres.stop();
}, 60_000);

describe('alert feed between HQ nodes on one PostgreSQL', () => {
  it('reads only its own notices', () => {
    expect(alertNotice('fleet 42')).toEqual({ kind: 'fleet', id: 42 });
    expect(alertNotice('breach 3 breach:x/p 1/2026-12-03')).toEqual({
      kind: 'breach',
      id: 'breach:x/p 1/2026-12-03',
      version: 3,
    });
    for (const bad of ['', 'fleet', 'fleet -1', 'fleet 1 2', 'breach x id', 'breach 1', 'hello 1'])
      expect(alertNotice(bad)).toBeUndefined();
  });

  it('shows every fleet alert stored and every breach alert stored or changed, by whichever node', async () => {
    const fleet = await store.recordAlert({
      kind: 'offline',
      kiosk: 'centre-a/k1',
      center: 'centre-a',
      at: Date.now(),
      summary: 'kiosk offline',
      evidence: {},
    });
    await waitFor(() => shown.some((a) => !('version' in a) && a.id === fleet.id), 'the fleet alert shown', 30_000);
    const alert = breach('p-1');
    expect(await store.applyAlertChanges([{ alert, expectedVersion: null }])).toEqual([true]);
    await waitFor(() => breachShown(alert.id, 1), 'the breach alert shown', 30_000);
    await store.applyAlertChanges([{ alert: breach('p-1', 2), expectedVersion: 1 }]);
    await waitFor(() => breachShown(alert.id, 2), 'its change shown', 30_000);
  });

  it('skips a notice it cannot use and carries on; listens again after losing its connection', async () => {
    await admin.query('SELECT pg_notify($1, $2), pg_notify($1, $3)', [
      ALERTS_CHANNEL,
      'nonsense',
      'breach 1 breach:missed-checkin/nobody/2026-12-03',
    ]);
    await waitFor(() => logged.some((l) => l.includes('alert notice not understood')), 'the bad notice logged', 30_000);
    await admin.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN%' AND pid <> pg_backend_pid()",
    );
    await waitFor(() => logged.some((l) => l.includes('listening again')), 'the lost connection logged', 30_000);
    await waitFor(listening, 'the feed to listen again', 60_000);
    const alert = breach('p-2');
    await store.applyAlertChanges([{ alert, expectedVersion: null }]);
    await waitFor(() => breachShown(alert.id, 1), 'an alert shown after the feed listens again', 30_000);
    expect(shown.filter((a) => 'version' in a && a.id === 'breach:missed-checkin/nobody/2026-12-03')).toEqual([]);
  });
});
