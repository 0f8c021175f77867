// The staff and HQ screens' backends over a store whose check-in was edited at rest: the findings it could have
// changed show the problem (status `unverified`, the failing log and seq) instead of a verdict.
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FindingView, Roster } from '../../core/api/staff-api.ts';
import type { HqStore } from '../../net/hq/hq-store.ts';
import type { HqEvents } from '../../net/hq/hq-service.ts';
import { PostgresHqStore } from '../../net/hq/postgres-hq-store.ts';
import { SqliteHqStore } from '../../net/hq/sqlite-hq-store.ts';
import { HqBackend } from '../../main/web/hq-backend.ts';
import { StaffBackend } from '../../main/web/staff-backend.ts';
import { kioskLog, tempDir } from '../checkin/support/kiosk-log.ts';
import { at, checkinPayload, planPayload } from '../checkin/support/log-builder.ts';
import { type PostgresServer, startPostgres } from '../helpers/postgres.ts';
import { editRow, editedLeaf } from '../helpers/tamper-store.ts';

const NY = 'America/New_York';
const KIOSK = 'centre-a/k1';
const officer = { principal: { user: 'olga', role: 'officer' as const, centres: ['centre-a'] }, kioskScreen: false };
const sam = { principal: { user: 'sam', role: 'staff' as const, centres: ['centre-a'] }, kioskScreen: false };

type Call = (params: unknown, caller: unknown) => Promise<unknown>;

/** A kiosk log: plans for s-1 and s-2 from 2 March, s-1 checks in on the 2nd (entry 3). */
async function centre(): Promise<ReturnType<typeof kioskLog>> {
  const log = kioskLog(tempDir(), KIOSK, at('2026-03-01 12:00', NY));
  await log.writer.append('plan', planPayload({ subject: 's-1', start: '2026-03-02' }));
  await log.writer.append('plan', planPayload({ subject: 's-2', start: '2026-03-02' }));
  log.now = at('2026-03-02 09:30', NY);
  expect((await log.writer.append('checkin', checkinPayload('s-1'))).seq).toBe(3);
  log.now = at('2026-03-02 23:00', NY);
  return log;
}

let postgres: PostgresServer;
beforeAll(async () => {
  postgres = await startPostgres();
}, 60_000);
afterAll(async () => {
  await postgres.stop();
});

/** HQ's stores, each with the edit an administrator could make to its check-in row. */
const HQ_STORES: { name: string; open: () => Promise<{ store: HqStore; swap: () => Promise<void> }> }[] = [
  {
    name: 'SQLite',
    open: () => {
      const store = SqliteHqStore.open(join(tempDir(), 'hq.db'));
      return Promise.resolve({
        store,
        swap: () => {
          swapSubject(store.ledger.path);
          return Promise.resolve();
        },
      });
    },
  },
  {
    name: 'PostgreSQL',
    open: async () => {
      const name = `hq_unverified_${Date.now()}`;
      const admin = new pg.Client(postgres.url);
      await admin.connect();
      await admin.query(`CREATE DATABASE ${name}`);
      await admin.end();
      const url = postgres.url.replace(/\/postgres$/, `/${name}`);
      const store = await PostgresHqStore.open(url);
      return {
        store,
        swap: async () => {
          const db = new pg.Client(url);
          await db.connect();
          try {
            const row = await db.query<{ leaf: Buffer }>('SELECT leaf FROM entries WHERE origin = $1 AND seq = 3', [
              KIOSK,
            ]);
            const { leaf, hash } = editedLeaf(row.rows[0]?.leaf as Buffer, 's-1', 's-2');
            await db.query('UPDATE entries SET leaf = $1, hash = $2 WHERE origin = $3 AND seq = 3', [
              leaf,
              Buffer.from(hash),
              KIOSK,
            ]);
          } finally {
            await db.end();
          }
        },
      };
    },
  },
];

/** s-1's check-in now says s-2, the hash column kept in step: only the signature shows it. */
function swapSubject(file: string): void {
  editRow(file, KIOSK, 3, 's-1', 's-2');
}

describe('screens over a tampered store', () => {
  it('staff roster: untampered, s-1 checked in and s-2 breached; tampered, both rows ask staff to look and name the entry', async () => {
    const log = await centre();
    const roster = async (): Promise<Roster> => {
      const staff = new StaffBackend({
        centre: 'centre-a',
        kiosk: KIOSK,
        store: log.store,
        append: (t, p) => log.writer.append(t, p),
        clock: () => log.now,
      });
      return (await (staff.handlers['staff.roster'] as Call)({}, sam)) as Roster;
    };
    const before = await roster();
    expect(before.people.map((p) => [p.subject, p.state])).toEqual([
      ['s-1', 'checked-in'],
      ['s-2', 'breached'],
    ]);
    swapSubject(log.path);
    const after = await roster();
    // Without verification s-1 would be breached and s-2 checked in; neither verdict is shown.
    for (const row of after.people.filter((p) => p.state !== 'expected')) {
      expect(row.state).toBe('review');
      for (const f of row.breaches) {
        expect(f.status).toBe('unverified');
        expect(f.detail).toMatch(/^not judged: entry centre-a\/k1#3 failed verification \(signature does not verify\)/);
      }
    }
    expect(after.people.find((p) => p.subject === 's-2')?.state).not.toBe('checked-in');
    expect(after.people.flatMap((p) => p.breaches).length).toBeGreaterThan(0);
  });

  it.each(HQ_STORES)(
    'HQ breach feed and timeline on $name: the findings in doubt carry the problem, not a verdict',
    async ({ open }) => {
      const log = await centre();
      const { store: hqStore, swap } = await open();
      try {
        await hqStore.ingest(
          KIOSK,
          log.store.rangeAll(KIOSK, 0, 4).map((r) => r.leaf),
          'test',
        );
        const hq = new HqBackend({
          hq: { store: hqStore, events: new EventEmitter<HqEvents>(), fleetView: () => [] },
          clock: () => log.now,
        });
        const feed = async (): Promise<FindingView[]> =>
          ((await (hq.handlers['hq.breaches'] as Call)({}, officer)) as { breaches: FindingView[] }).breaches;
        expect((await feed()).map((b) => [b.subject, b.status])).toEqual([['s-2', 'open']]);
        await swap();
        // A fresh dashboard (HQ restarted) reads the edited row.
        const fresh = new HqBackend({
          hq: { store: hqStore, events: new EventEmitter<HqEvents>(), fleetView: () => [] },
          clock: () => log.now,
        });
        const breaches = ((await (fresh.handlers['hq.breaches'] as Call)({}, officer)) as { breaches: FindingView[] })
          .breaches;
        expect(breaches.map((b) => [b.subject, b.status])).toEqual(
          [
            ['s-1', 'unverified'],
            ['s-2', 'unverified'],
          ].sort(),
        );
        for (const b of breaches) expect(b.detail).toContain('centre-a/k1#3');
        const timeline = (await (fresh.handlers['hq.timeline'] as Call)({ subject: 's-1' }, officer)) as {
          breaches: FindingView[];
        };
        expect(timeline.breaches.map((b) => b.status)).toEqual(['unverified']);
      } finally {
        await hqStore.close();
      }
    },
  );
});
