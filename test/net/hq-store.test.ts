// One conformance suite for HQ storage, run against both backends: SQLite (embedded; also with signature checks
// in worker threads) and PostgreSQL (a real server started for this file by test/helpers/postgres.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toBase64 } from '../../core/bytes.ts';
import { decodeLeaf } from '../../core/entry.ts';
import { signEntry } from '../../ledger/entry-signing.ts';
import { REGISTRY_ORIGIN } from '../../ledger/key-schedule.ts';
import { Signer } from '../../ledger/keys.ts';
import { LogWriter } from '../../ledger/log-writer.ts';
import { rootHash, verifyConsistency } from '../../ledger/merkle.ts';
import { LedgerStore } from '../../ledger/store.ts';
import type { BreachAlert } from '../../net/hq/breach-alert.ts';
import type { HqStore } from '../../net/hq/hq-store.ts';
import { PostgresHqStore } from '../../net/hq/postgres-hq-store.ts';
import { SqliteHqStore } from '../../net/hq/sqlite-hq-store.ts';
import { VerifyPool } from '../../ledger/verify-pool.ts';
import { type PostgresServer, startPostgres } from '../helpers/postgres.ts';

let dir: string;
let postgres: PostgresServer;
let databases = 0;
let pool: VerifyPool;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'muster-hq-store-'));
  postgres = await startPostgres();
  pool = new VerifyPool(2);
}, 60_000);
afterAll(async () => {
  await pool.close();
  await postgres.stop();
  rmSync(dir, { recursive: true, force: true });
});

type Backend = {
  name: string;
  open: (options?: { trustedKeys?: ReadonlyMap<string, Uint8Array> }) => Promise<HqStore>;
};

const BACKENDS: Backend[] = [
  {
    name: 'sqlite',
    open: (options = {}) => Promise.resolve(SqliteHqStore.open(join(dir, `hq-${databases++}.db`), options)),
  },
  {
    name: 'sqlite with worker-thread verification',
    open: (options = {}) =>
      Promise.resolve(SqliteHqStore.open(join(dir, `hq-${databases++}.db`), { ...options, pool })),
  },
  {
    name: 'postgres',
    open: async (options = {}) => {
      const name = `hq_${databases++}`;
      const admin = new pg.Client(postgres.url);
      await admin.connect();
      await admin.query(`CREATE DATABASE ${name}`);
      await admin.end();
      return PostgresHqStore.open(postgres.url.replace(/\/postgres$/, `/${name}`), options);
    },
  },
];

function breachAlertFixture(id: string, centres: readonly string[], raisedAt: number): BreachAlert {
  return {
    v: 1,
    type: 'breach-alert',
    id,
    kind: 'breach',
    rule: 'missed-checkin',
    subject: id.split('/')[1] ?? 'p',
    day: '2026-12-03',
    centres,
    firedAt: raisedAt - 1,
    raisedAt,
    summary: 'no check-in in the window',
    evidence: [{ origin: 'c1/staff', seq: 1, hash: 'ab'.repeat(32) }],
    finding: 'open',
    status: 'open',
    assignee: null,
    version: 1,
    history: [{ at: raisedAt, event: 'raised', by: 'hq', note: 'no check-in in the window' }],
  };
}

/** A kiosk log on a scratch SQLite file: its writer and a way to read its leaves. */
async function kioskLog(
  origin: string,
  count: number,
  signer = Signer.generate(origin),
): Promise<{ writer: LogWriter; store: LedgerStore; leaves: (from: number, to: number) => Uint8Array[] }> {
  const store = LedgerStore.open(join(dir, `k-${databases++}.db`), { create: true });
  const writer = LogWriter.init(store, origin, signer);
  for (let i = 0; i < count; i++) await writer.append('checkin', { subject: `s${i}` });
  return { writer, store, leaves: (from, to) => [...store.range(origin, from, to)].map((r) => r.leaf) };
}

describe.each(BACKENDS)('HqStore conformance: $name', (backend) => {
  it('verifies, stores idempotently, and agrees with the kiosk on roots and consistency', async () => {
    const store = await backend.open();
    const kiosk = await kioskLog('c1/k1', 20);
    try {
      expect(await store.verifiers('c1/k1')).toEqual([]);
      const first = await store.ingest('c1/k1', kiosk.leaves(0, 12), 'test');
      expect(first).toMatchObject({ inserted: 12, duplicates: 0, size: 12, rejected: [], equivocations: [] });
      const again = await store.ingest('c1/k1', kiosk.leaves(5, 21), 'test');
      expect(again).toMatchObject({ inserted: 9, duplicates: 7, size: 21 });
      expect(await store.size('c1/k1')).toBe(21);
      expect(await store.origins()).toEqual(['c1/k1']);
      expect((await store.verifiers('c1/k1')).map((v) => v.encode())).toEqual([kiosk.writer.verifier.encode()]);
      for (const size of [0, 1, 7, 8, 13, 21]) {
        expect(toBase64(await store.root('c1/k1', size))).toBe(
          toBase64(rootHash(kiosk.store.treeSource('c1/k1'), size)),
        );
      }
      const proof = await store.consistencyProof('c1/k1', 7, 21);
      expect(verifyConsistency(7, 21, await store.root('c1/k1', 7), await store.root('c1/k1', 21), proof)).toBe(true);
      expect(await store.leaves('c1/k1', 19, 30)).toEqual(kiosk.leaves(19, 21).map((l) => Buffer.from(l)));
      await expect(store.root('c1/k1', 22)).rejects.toThrow(/21 entries/);
    } finally {
      kiosk.store.close();
      await store.close();
    }
  });

  it('stores nothing forged or misplaced and reports gaps', async () => {
    const store = await backend.open();
    const kiosk = await kioskLog('c1/k1', 6);
    const forger = await kioskLog('c1/k1', 6);
    const other = await kioskLog('c1/k2', 2);
    try {
      await store.ingest('c1/k1', kiosk.leaves(0, 3), 'test');
      const forged = await store.ingest('c1/k1', forger.leaves(3, 7), 'mallory');
      expect(forged.inserted).toBe(0);
      expect(forged.rejected.length).toBeGreaterThan(0);
      const misplaced = await store.ingest('c1/k1', other.leaves(0, 3), 'mallory');
      expect(misplaced).toMatchObject({ inserted: 0, size: 3 });
      expect(misplaced.rejected).toHaveLength(3);
      const gap = await store.ingest('c1/k1', kiosk.leaves(5, 7), 'test');
      expect(gap).toMatchObject({ inserted: 0, missingFrom: 3, size: 3 });
      expect(await store.size('c1/k2')).toBe(0);
    } finally {
      for (const k of [kiosk, forger, other]) k.store.close();
      await store.close();
    }
  });

  it('takes several batches of several logs together, judging each on its own, in order', async () => {
    const store = await backend.open();
    const signer = Signer.generate('c1/k1');
    const k1 = await kioskLog('c1/k1', 80, signer);
    const k2 = await kioskLog('c1/k2', 4);
    const forger = await kioskLog('c1/k1', 50);
    try {
      const twin = signEntry(
        { ...decodeLeaf(k1.leaves(5, 6)[0] ?? new Uint8Array()).body, payload: { subject: 'twin' } },
        signer,
      ).leaf;
      const results = await store.ingestMany([
        { origin: 'c1/k1', leaves: k1.leaves(0, 40), source: 'a' },
        { origin: 'c1/k2', leaves: k2.leaves(0, 3), source: 'b' },
        { origin: 'c1/k1', leaves: forger.leaves(40, 51), source: 'mallory' },
        { origin: 'c1/k1', leaves: [twin], source: 'twin' },
        { origin: 'c1/k1', leaves: k1.leaves(40, 81), source: 'a' },
        { origin: 'c1/k2', leaves: k2.leaves(4, 5), source: 'b' },
        { origin: 'c1/k1', leaves: k1.leaves(30, 50), source: 'a' },
      ]);
      const values = results.map((r): unknown => (r.status === 'fulfilled' ? r.value : r.reason));
      expect(values[0]).toMatchObject({ inserted: 40, size: 40, rejected: [] });
      expect(values[1]).toMatchObject({ inserted: 3, size: 3 });
      expect(values[2]).toMatchObject({ inserted: 0, size: 40, rejected: [{ seq: 40 }] });
      // A second, validly signed entry at a stored seq: kept as evidence, never stored over the first.
      expect(values[3]).toMatchObject({ inserted: 0, equivocations: [5] });
      expect(values[4]).toMatchObject({ inserted: 41, size: 81, rejected: [] });
      expect(values[5]).toMatchObject({ inserted: 0, missingFrom: 3, size: 3 });
      expect(values[6]).toMatchObject({ inserted: 0, duplicates: 20, size: 81 });
      expect(toBase64(await store.root('c1/k1', 81))).toBe(toBase64(rootHash(k1.store.treeSource('c1/k1'), 81)));
      expect((await store.conflicts('c1/k1')).map((c) => [c.seq, c.source])).toEqual([[5, 'twin']]);
    } finally {
      for (const k of [k1, k2, forger]) k.store.close();
      await store.close();
    }
  });

  it('checks every signature and link of a large batch (the size that goes to worker threads)', async () => {
    const store = await backend.open();
    const kiosk = await kioskLog('c1/k1', 150);
    const mallory = Signer.generate('c1/k1');
    try {
      const leaves = kiosk.leaves(0, 151);
      const at100 = decodeLeaf(leaves[100] ?? new Uint8Array()).body;
      const wrongKey = signEntry({ ...at100, kid: mallory.id }, mallory).leaf;
      const badSignature = Uint8Array.from(leaves[100] ?? []);
      badSignature[badSignature.length - 1] = (badSignature[badSignature.length - 1] ?? 0) ^ 1;
      for (const forged of [wrongKey, badSignature]) {
        const result = await store.ingest('c1/k1', [...leaves.slice(0, 100), forged, ...leaves.slice(101)], 'mallory');
        expect(result.rejected.map((r) => r.seq)).toContain(100);
        expect(await store.size('c1/k1')).toBe(100);
      }
      expect(await store.ingest('c1/k1', leaves, 'kiosk')).toMatchObject({
        inserted: 51,
        duplicates: 100,
        rejected: [],
      });
    } finally {
      kiosk.store.close();
      await store.close();
    }
  });

  it('commits overlapping calls in call order, each resolving once its commit is done, a forged batch poisoning none', async () => {
    const store = await backend.open();
    const kiosk = await kioskLog('c1/k1', 399);
    const mallory = Signer.generate('c1/k1');
    try {
      const leaves = kiosk.leaves(0, 400);
      const forged = signEntry({ ...decodeLeaf(leaves[250] ?? new Uint8Array()).body, kid: mallory.id }, mallory).leaf;
      const arrivals = [
        leaves.slice(100, 200), // before what it continues: waits for a backfill
        leaves.slice(0, 100),
        leaves.slice(50, 200), // half of it in flight in the call before
        [...leaves.slice(200, 250), forged, ...leaves.slice(251, 300)],
        leaves.slice(250, 400),
        leaves.slice(0, 400),
      ];
      // Every call starts before any has committed; on its resolution the store already holds what it reports.
      const calls = arrivals.map((batch) =>
        store.ingest('c1/k1', batch, 'overlap').then(async (result) => ({ result, held: await store.size('c1/k1') })),
      );
      const outcomes = await Promise.all(calls);
      expect(outcomes.map((o) => o.result)).toMatchObject([
        { inserted: 0, missingFrom: 0, size: 0 },
        { inserted: 100, size: 100, rejected: [] },
        { inserted: 100, duplicates: 50, size: 200, rejected: [] },
        { inserted: 50, size: 250, missingFrom: 250, rejected: [{ seq: 250 }] },
        { inserted: 150, size: 400, rejected: [] },
        { inserted: 0, duplicates: 400, size: 400 },
      ]);
      for (const { result, held } of outcomes) expect(held).toBeGreaterThanOrEqual(result.size);
      expect(toBase64(await store.root('c1/k1', 400))).toBe(toBase64(rootHash(kiosk.store.treeSource('c1/k1'), 400)));
      expect(await store.conflicts('c1/k1')).toEqual([]);
    } finally {
      kiosk.store.close();
      await store.close();
    }
  });

  it('is not poisoned by a forged genesis for a log it has not seen yet', async () => {
    const store = await backend.open();
    const kiosk = await kioskLog('c1/k9', 2);
    const mallory = await kioskLog('c1/k9', 0);
    try {
      // Mallory's genesis names her key; its signature is then broken so that it fails only at the last check.
      const [genesis] = mallory.leaves(0, 1);
      const forged = Uint8Array.from(genesis ?? []);
      forged[forged.length - 1] = (forged[forged.length - 1] ?? 0) ^ 1;
      expect((await store.ingest('c1/k9', [forged], 'mallory')).inserted).toBe(0);
      expect(await store.ingest('c1/k9', kiosk.leaves(0, 3), 'kiosk')).toMatchObject({ inserted: 3, rejected: [] });
    } finally {
      mallory.store.close();
      kiosk.store.close();
      await store.close();
    }
  });

  it('keeps a second validly signed entry at a stored seq as equivocation evidence', async () => {
    const signer = Signer.generate('c1/k1');
    const store = await backend.open();
    const a = await kioskLog('c1/k1', 4, signer);
    const b = await kioskLog('c1/k1', 4, signer);
    try {
      await store.ingest('c1/k1', a.leaves(0, 5), 'a');
      const result = await store.ingest('c1/k1', b.leaves(1, 5), 'b');
      expect(result.equivocations).toEqual([1, 2, 3, 4]);
      const conflicts = await store.conflicts('c1/k1');
      expect(conflicts.map((c) => [c.seq, c.source])).toEqual([
        [1, 'b'],
        [2, 'b'],
        [3, 'b'],
        [4, 'b'],
      ]);
      expect(Buffer.from(conflicts[0]?.leaf ?? [])).toEqual(Buffer.from(b.leaves(1, 2)[0] ?? []));
    } finally {
      a.store.close();
      b.store.close();
      await store.close();
    }
  });

  it('follows key rotations and honours a pinned genesis key', async () => {
    const kiosk = await kioskLog('c1/k1', 2);
    kiosk.writer.rotateKey(Signer.generate('c1/k1'));
    await kiosk.writer.append('checkin', { subject: 'after rotation' });
    const store = await backend.open();
    const pinned = await backend.open({
      trustedKeys: new Map([['c1/k1', Signer.generate('c1/k1').verifier.publicKey]]),
    });
    try {
      expect(await store.ingest('c1/k1', kiosk.leaves(0, 5), 'test')).toMatchObject({ inserted: 5, rejected: [] });
      expect(await store.verifiers('c1/k1')).toHaveLength(2);
      const refused = await pinned.ingest('c1/k1', kiosk.leaves(0, 5), 'test');
      expect(refused.inserted).toBe(0);
      expect(refused.rejected[0]?.reason).toMatch(/not the trusted key/);
    } finally {
      kiosk.store.close();
      await store.close();
      await pinned.close();
    }
  });

  it("applies HQ's registry: an unregistered kiosk is refused, and a revoked key from the revocation point on", async () => {
    const kiosk = await kioskLog('c1/k1', 4);
    const registry = await kioskLog(REGISTRY_ORIGIN, 0);
    await registry.writer.append('kiosk-registration', {
      origin: 'c1/k1',
      centre: 'c1',
      key: kiosk.writer.verifier.publicKey,
    });
    const store = await backend.open();
    try {
      expect(await store.ingest(REGISTRY_ORIGIN, registry.leaves(0, 2), 'test')).toMatchObject({
        inserted: 2,
        rejected: [],
      });
      expect(
        (await store.ingest('c1/k2', (await kioskLog('c1/k2', 1)).leaves(0, 1), 'test')).rejected[0]?.reason,
      ).toMatch(/not a registered kiosk/);
      expect(await store.ingest('c1/k1', kiosk.leaves(0, 3), 'test')).toMatchObject({ inserted: 3, rejected: [] });
      await registry.writer.append('key-revocation', {
        origin: 'c1/k1',
        key: kiosk.writer.verifier.publicKey,
        fromSeq: 3,
        reason: 'kiosk stolen',
      });
      expect(await store.ingest(REGISTRY_ORIGIN, registry.leaves(2, 3), 'test')).toMatchObject({
        inserted: 1,
        rejected: [],
      });
      const refused = await store.ingest('c1/k1', kiosk.leaves(3, 5), 'test');
      expect(refused).toMatchObject({ inserted: 0, size: 3 });
      expect(refused.rejected[0]?.reason).toMatch(/revoked from entry 3/);
    } finally {
      kiosk.store.close();
      registry.store.close();
      await store.close();
    }
  });

  it('advances the witnessed checkpoint only by compare-and-set', async () => {
    const store = await backend.open();
    try {
      const cp = (size: number) => ({
        size,
        root: new Uint8Array(32).fill(size),
        note: `note ${size}\n`,
        at: 1000 + size,
      });
      expect(await store.witnessed('c1/k1')).toBeUndefined();
      expect(await store.setWitnessed('c1/k1', cp(3), undefined)).toBe(true);
      expect(await store.setWitnessed('c1/k1', cp(4), undefined)).toBe(false);
      expect(await store.setWitnessed('c1/k1', cp(5), 2)).toBe(false);
      expect(await store.setWitnessed('c1/k1', cp(5), 3)).toBe(true);
      const latest = await store.witnessed('c1/k1');
      expect(latest && { ...latest, root: Buffer.from(latest.root) }).toEqual({
        ...cp(5),
        root: Buffer.from(cp(5).root),
      });
      // Several at once, each judged against what the ones before it stored.
      const many = await store.setWitnessedMany([
        { origin: 'c1/k1', next: cp(6), previousSize: 5 },
        { origin: 'c1/k2', next: cp(2), previousSize: undefined },
        { origin: 'c1/k1', next: cp(7), previousSize: 5 },
        { origin: 'c1/k1', next: cp(8), previousSize: 6 },
      ]);
      expect(many).toEqual([true, true, false, true]);
      expect((await store.witnessed('c1/k1'))?.size).toBe(8);
      expect((await store.witnessed('c1/k2'))?.size).toBe(2);
    } finally {
      await store.close();
    }
  });

  it('stores an alert given with a key once: the same key again, from any node on the store, stores nothing', async () => {
    const store = await backend.open();
    try {
      const alert = { kind: 'security' as const, kiosk: 'c1/k1', center: 'c1', at: 5, summary: 's', evidence: {} };
      const first = await store.recordAlertOnce(alert, 'event-1');
      expect(first).toMatchObject({ ...alert, id: expect.any(Number) as unknown });
      expect(await store.recordAlertOnce({ ...alert, at: 6 }, 'event-1')).toBeUndefined();
      await store.recordAlert(alert);
      await store.recordAlert(alert);
      expect(await store.recordAlertOnce(alert, 'event-2')).toBeDefined();
      const all = await store.alerts(0, 10);
      expect(all.map((a) => a.at)).toEqual([5, 5, 5, 5]);
      // The key stays in the store: what a page of alerts shows is the alert.
      expect(Object.keys(all[0] ?? {}).sort()).toEqual(['at', 'center', 'evidence', 'id', 'kind', 'kiosk', 'summary']);
    } finally {
      await store.close();
    }
  });

  it('keeps alerts in order and the newest heartbeat per kiosk by its signed time', async () => {
    const store = await backend.open();
    try {
      for (const kind of ['offline', 'rollback', 'breach'] as const) {
        await store.recordAlert({
          kind,
          kiosk: 'c1/k1',
          center: 'c1',
          at: 5,
          summary: kind,
          evidence: { n: 1, nested: { ok: true } },
        });
      }
      const all = await store.alerts(0, 10);
      expect(all.map((a) => a.kind)).toEqual(['offline', 'rollback', 'breach']);
      expect(all[0]?.evidence).toEqual({ n: 1, nested: { ok: true } });
      expect((await store.alerts(all[0]?.id ?? 0, 1)).map((a) => a.kind)).toEqual(['rollback']);
      const beat = {
        kiosk: 'c1/k1',
        at: 1,
        version: '1',
        logSize: 3,
        backlog: 0,
        devices: [{ id: 'f', state: 'ok' as const }],
      };
      await store.recordHeartbeat(beat, 10);
      await store.recordHeartbeat({ ...beat, at: 3, logSize: 4 }, 20);
      expect(await store.heartbeats()).toEqual(
        new Map([['c1/k1', { heartbeat: { ...beat, at: 3, logSize: 4 }, receivedAt: 20 }]]),
      );
      // Another HQ node on the store, late: an older heartbeat, or the same one again, changes nothing.
      await store.recordHeartbeat({ ...beat, at: 2, logSize: 9 }, 30);
      await store.recordHeartbeat({ ...beat, at: 3, logSize: 4 }, 40);
      expect(await store.heartbeats()).toEqual(
        new Map([['c1/k1', { heartbeat: { ...beat, at: 3, logSize: 4 }, receivedAt: 20 }]]),
      );
    } finally {
      await store.close();
    }
  });

  it('stores a breach alert once by its id and changes it only by compare-and-set on its version', async () => {
    const store = await backend.open();
    try {
      const alert = breachAlertFixture('breach:missed-checkin/p-1/2026-12-03', ['c1', 'c2'], 100);
      const other = breachAlertFixture('breach:missed-checkin/p-2/2026-12-03', ['c2'], 200);
      expect(
        await store.applyAlertChanges([
          { alert, expectedVersion: null },
          { alert: other, expectedVersion: null },
        ]),
      ).toEqual([true, true]);
      // A second node (or a restart) raising the same finding stores nothing.
      expect(await store.applyAlertChanges([{ alert: { ...alert, raisedAt: 999 }, expectedVersion: null }])).toEqual([
        false,
      ]);
      const acked = { ...alert, status: 'acknowledged' as const, version: 2 };
      const stale = { ...alert, status: 'superseded' as const, version: 2 };
      expect(
        await store.applyAlertChanges([
          { alert: acked, expectedVersion: 1 },
          { alert: stale, expectedVersion: 1 },
        ]),
      ).toEqual([true, false]);
      expect(await store.breachAlert(alert.id)).toEqual(acked);
      expect(await store.breachAlert('breach:nothing')).toBeUndefined();
      expect((await store.breachAlerts({ limit: 10 })).map((a) => a.id)).toEqual([other.id, alert.id]);
      expect((await store.breachAlerts({ centre: 'c1', limit: 10 })).map((a) => a.id)).toEqual([alert.id]);
      expect((await store.breachAlerts({ centre: 'c2', limit: 1 })).map((a) => a.id)).toEqual([other.id]);
    } finally {
      await store.close();
    }
  });

  it('keeps every stored alert version in the outbox until it is marked published, never lowering the mark', async () => {
    const store = await backend.open();
    try {
      const alert = breachAlertFixture('breach:missed-checkin/p-1/2026-12-03', ['c1'], 100);
      const other = breachAlertFixture('breach:missed-checkin/p-2/2026-12-03', ['c1'], 200);
      await store.applyAlertChanges([
        { alert, expectedVersion: null },
        { alert: other, expectedVersion: null },
      ]);
      expect((await store.unpublishedAlerts(10)).map((a) => [a.id, a.version])).toEqual([
        [alert.id, 1],
        [other.id, 1],
      ]);
      await store.markAlertPublished(alert.id, 1);
      expect((await store.unpublishedAlerts(10)).map((a) => a.id)).toEqual([other.id]);
      // A change puts it back, as its new version.
      await store.applyAlertChanges([{ alert: { ...alert, status: 'superseded', version: 2 }, expectedVersion: 1 }]);
      expect((await store.unpublishedAlerts(1)).map((a) => [a.id, a.version])).toEqual([[alert.id, 2]]);
      await store.markAlertPublished(alert.id, 2);
      // A late acknowledgement of an older version does not put the newer one back in the outbox.
      await store.markAlertPublished(alert.id, 1);
      await store.markAlertPublished(other.id, 1);
      expect(await store.unpublishedAlerts(10)).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('keeps kiosk downtime spans by kiosk and start, an open one until its end is recorded', async () => {
    const store = await backend.open();
    try {
      await store.recordDowntime({ kiosk: 'c1/k1', from: 100, to: null, note: 'c1/k1 offline (no heartbeat)' });
      await store.recordDowntime({ kiosk: 'c1/k2', from: 50, to: 70, note: 'c1/k2 degraded (camera failing)' });
      expect(await store.downtime()).toEqual([
        { kiosk: 'c1/k1', from: 100, to: null, note: 'c1/k1 offline (no heartbeat)' },
        { kiosk: 'c1/k2', from: 50, to: 70, note: 'c1/k2 degraded (camera failing)' },
      ]);
      await store.recordDowntime({ kiosk: 'c1/k1', from: 100, to: 400, note: 'c1/k1 offline (no heartbeat)' });
      expect((await store.downtime())[0]).toEqual({
        kiosk: 'c1/k1',
        from: 100,
        to: 400,
        note: 'c1/k1 offline (no heartbeat)',
      });
    } finally {
      await store.close();
    }
  });

  it("names a kiosk's episode by its first noted heartbeat, whoever notes it, and never lets a node behind undo it", async () => {
    const store = await backend.open();
    try {
      expect(await store.noteFleetState('c1/k1', 'degraded', 100)).toEqual({ state: 'degraded', since: 100 });
      // A node that comes to the episode later (at a later heartbeat) gets its start.
      expect(await store.noteFleetState('c1/k1', 'degraded', 300)).toEqual({ state: 'degraded', since: 100 });
      expect(await store.noteFleetState('c1/k1', 'online', 400)).toEqual({ state: 'online', since: 400 });
      // A node still at an earlier heartbeat does not reopen it; a later heartbeat's turn is a new episode.
      expect(await store.noteFleetState('c1/k1', 'degraded', 350)).toEqual({ state: 'online', since: 400 });
      expect(await store.noteFleetState('c1/k1', 'degraded', 500)).toEqual({ state: 'degraded', since: 500 });
      // Offline is judged at the last heartbeat, the one that showed it degraded.
      expect(await store.noteFleetState('c1/k1', 'offline', 500)).toEqual({ state: 'offline', since: 500 });
      expect(await store.noteFleetState('c1/k2', 'online', 50)).toEqual({ state: 'online', since: 50 });
    } finally {
      await store.close();
    }
  });
});
