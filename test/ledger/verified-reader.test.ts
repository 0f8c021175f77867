// The verified read path against a store tampered with at rest, after ingest: HQ's own SQLite file and its
// PostgreSQL database, edited the way an administrator could. A tampered entry is never judged: `muster breaches`
// exits 1 naming it, or with --keep-going lists it and the verdicts it could have changed; the reader withholds it
// and every later entry of its log.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type EntryBody, decodeLeaf, type EntryType, type Payload, ZERO_HASH } from '../../core/entry.ts';
import { signEntry } from '../../ledger/entry-signing.ts';
import { leafHash } from '../../ledger/hash.ts';
import { REGISTRY_ORIGIN } from '../../ledger/key-schedule.ts';
import { Signer } from '../../ledger/keys.ts';
import { LogWriter } from '../../ledger/log-writer.ts';
import { LedgerStore } from '../../ledger/store.ts';
import type { ProblemKind } from '../../ledger/problem-kind.ts';
import { VerifiedReader, ledgerEntrySource } from '../../ledger/verified-reader.ts';
import { VerifyPool } from '../../ledger/verify-pool.ts';
import { checkinCommands } from '../../main/cli/checkin-commands.ts';
import type { HqStore } from '../../net/hq/hq-store.ts';
import { PostgresHqStore } from '../../net/hq/postgres-hq-store.ts';
import { SqliteHqStore } from '../../net/hq/sqlite-hq-store.ts';
import { at, checkinPayload, planPayload } from '../checkin/support/log-builder.ts';
import { type PostgresServer, startPostgres } from '../helpers/postgres.ts';
import { runMuster } from '../helpers/run-muster.ts';
import { kioskLog } from '../checkin/support/kiosk-log.ts';

const NY = 'America/New_York';
const KIOSK = 'centre-a/k1';
const STAFF = 'centre-a/staff';
const JUDGED_AT = '2026-03-04T23:00:00-05:00';

let dir: string;
let postgres: PostgresServer;
let databases = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'muster-verified-'));
  postgres = await startPostgres();
}, 60_000);
// Stopping PostgreSQL checkpoints every database the tests made: on a loaded machine that outlasts the default.
afterAll(async () => {
  await postgres.stop();
  rmSync(dir, { recursive: true, force: true });
}, 120_000);

interface Row {
  leaf: Uint8Array;
  hash: Uint8Array;
  ts: number;
  type: string;
}

/** An HQ store and raw access to its rows, as an administrator has it. */
interface Tamperable {
  readonly store: HqStore;
  row(origin: string, seq: number): Promise<Row>;
  write(origin: string, seq: number, row: Row): Promise<void>;
  remove(origin: string, seq: number): Promise<void>;
  /** How `muster breaches` names the store: --db FILE or --postgres URL. */
  readonly args: readonly string[];
  close(): Promise<void>;
}

const BACKENDS: { name: string; open: () => Promise<Tamperable> }[] = [
  {
    name: 'sqlite',
    open: () => {
      const file = join(dir, `hq-${databases++}.db`);
      const store = SqliteHqStore.open(file);
      const db = new Database(file);
      return Promise.resolve({
        store,
        args: ['--db', file],
        row: (origin, seq) =>
          Promise.resolve(
            db
              .prepare<[string, number], Row>('SELECT leaf, hash, ts, type FROM entries WHERE origin = ? AND seq = ?')
              .get(origin, seq) as Row,
          ),
        write: (origin, seq, r) => {
          db.prepare('UPDATE entries SET leaf = ?, hash = ?, ts = ?, type = ? WHERE origin = ? AND seq = ?').run(
            r.leaf,
            r.hash,
            r.ts,
            r.type,
            origin,
            seq,
          );
          return Promise.resolve();
        },
        remove: (origin, seq) => {
          db.prepare('DELETE FROM entries WHERE origin = ? AND seq = ?').run(origin, seq);
          return Promise.resolve();
        },
        close: async () => {
          db.close();
          await store.close();
        },
      });
    },
  },
  {
    name: 'postgres',
    open: async () => {
      const name = `hq_${databases++}`;
      const admin = new pg.Client(postgres.url);
      await admin.connect();
      await admin.query(`CREATE DATABASE ${name}`);
      await admin.end();
      const url = postgres.url.replace(/\/postgres$/, `/${name}`);
      const store = await PostgresHqStore.open(url);
      const db = new pg.Client(url);
      await db.connect();
      return {
        store,
        args: ['--postgres', url],
        row: async (origin, seq) => {
          const r = (
            await db.query<{ leaf: Buffer; hash: Buffer; ts: string; type: string }>(
              'SELECT leaf, hash, ts, type FROM entries WHERE origin = $1 AND seq = $2',
              [origin, seq],
            )
          ).rows[0];
          if (!r) throw new Error(`no row ${origin}#${seq}`);
          return { leaf: r.leaf, hash: r.hash, ts: Number(r.ts), type: r.type };
        },
        write: async (origin, seq, r) => {
          await db.query('UPDATE entries SET leaf = $1, hash = $2, ts = $3, type = $4 WHERE origin = $5 AND seq = $6', [
            Buffer.from(r.leaf),
            Buffer.from(r.hash),
            r.ts,
            r.type,
            origin,
            seq,
          ]);
        },
        remove: async (origin, seq) => {
          await db.query('DELETE FROM entries WHERE origin = $1 AND seq = $2', [origin, seq]);
        },
        close: async () => {
          await db.end();
          await store.close();
        },
      };
    },
  },
];

/** A log written in its own file, so its leaves can be handed to HQ's store. */
function writerLog(
  origin: string,
  signer = Signer.generate(origin),
): { writer: LogWriter; store: LedgerStore; signer: Signer; clock: { now: number }; leaves: () => Uint8Array[] } {
  const store = LedgerStore.open(join(dir, `${origin.replace(/\//g, '_')}-${databases++}.db`), { create: true });
  const clock = { now: at('2026-03-01 12:00', NY) };
  const writer = LogWriter.init(store, origin, signer, () => clock.now);
  return {
    writer,
    store,
    signer,
    clock,
    leaves: () => store.rangeAll(origin, 0, store.head(origin).size).map((r) => r.leaf),
  };
}

async function append(
  log: ReturnType<typeof writerLog>,
  local: string,
  type: EntryType,
  payload: Payload,
): Promise<number> {
  log.clock.now = at(local, NY);
  return (await log.writer.append(type, payload)).seq;
}

/**
 * Two people on daily plans from 2 March. s-1 checks in on the 2nd (entry 1) and 3rd; s-2 on the 3rd and 4th.
 * Untampered, as of the 4th at 23:00: s-2 missed the 2nd, s-1 missed the 4th.
 */
async function city(hq: Tamperable): Promise<ReturnType<typeof writerLog>> {
  const staff = writerLog(STAFF);
  await append(staff, '2026-03-01 12:00', 'plan', planPayload({ subject: 's-1', start: '2026-03-02' }));
  await append(staff, '2026-03-01 12:01', 'plan', planPayload({ subject: 's-2', start: '2026-03-02' }));
  const kiosk = writerLog(KIOSK);
  await append(kiosk, '2026-03-02 09:30', 'checkin', checkinPayload('s-1'));
  await append(kiosk, '2026-03-03 09:30', 'checkin', checkinPayload('s-2'));
  await append(kiosk, '2026-03-03 09:31', 'checkin', checkinPayload('s-1'));
  await append(kiosk, '2026-03-04 09:30', 'checkin', checkinPayload('s-2'));
  expect(await hq.store.ingest(STAFF, staff.leaves(), 'test')).toMatchObject({ rejected: [] });
  expect(await hq.store.ingest(KIOSK, kiosk.leaves(), 'test')).toMatchObject({ inserted: 5, rejected: [] });
  staff.store.close();
  return kiosk;
}

/** The leaf with the first occurrence of `from` replaced by `to` (same length), its hash column kept in step. */
function edited(row: Row, from: string, to: string): Row {
  const leaf = Buffer.from(row.leaf);
  const at = leaf.indexOf(from);
  expect(at).toBeGreaterThan(0);
  leaf.write(to, at);
  return { ...row, leaf, hash: leafHash(leaf) };
}

const TAMPERS: {
  name: string;
  seq: number;
  /** The kind a screen explains (ledger/problem-kind.ts). */
  kind: ProblemKind;
  reason: RegExp;
  apply: (hq: Tamperable, kiosk: ReturnType<typeof writerLog>) => Promise<void>;
}[] = [
  {
    name: 'a payload byte',
    seq: 1,
    kind: 'forged',
    reason: /signature does not verify/,
    apply: async (hq) => hq.write(KIOSK, 1, edited(await hq.row(KIOSK, 1), 'att-s-1', 'att-s-9')),
  },
  {
    name: "a check-in's subject",
    seq: 1,
    kind: 'forged',
    reason: /signature does not verify/,
    apply: async (hq) => hq.write(KIOSK, 1, edited(await hq.row(KIOSK, 1), 's-1', 's-2')),
  },
  { name: 'a deleted row', seq: 2, kind: 'tampered', reason: /entry 2 is missing/, apply: (hq) => hq.remove(KIOSK, 2) },
  {
    name: 'swapped rows',
    seq: 2,
    kind: 'tampered',
    reason: /rows moved or swapped|prev hash/,
    apply: async (hq) => {
      const [two, three] = [await hq.row(KIOSK, 2), await hq.row(KIOSK, 3)];
      await hq.write(KIOSK, 2, three);
      await hq.write(KIOSK, 3, two);
    },
  },
  {
    name: 're-signed with a foreign key',
    seq: 1,
    kind: 'forged',
    reason: /signed by key [0-9a-f]+, but key [0-9a-f]+ is in force/,
    apply: async (hq) => {
      const row = await hq.row(KIOSK, 1);
      const { body } = decodeLeaf(row.leaf);
      const forger = Signer.generate(KIOSK);
      const { leaf, hash } = signEntry(
        { ...body, kid: forger.verifier.id, payload: { ...body.payload, subject: 's-2' } },
        forger,
      );
      await hq.write(KIOSK, 1, { ...row, leaf, hash });
    },
  },
];

describe.each(BACKENDS)('verified read path on $name', ({ open }) => {
  it('an untouched store: every entry, no problem', async () => {
    const hq = await open();
    try {
      await city(hq);
      const batch = await new VerifiedReader(hq.store).next();
      expect(batch.problems).toEqual([]);
      expect(batch.entries.filter((e) => e.origin === KIOSK).map((e) => e.seq)).toEqual([0, 1, 2, 3, 4]);
    } finally {
      await hq.close();
    }
  });

  it.each(TAMPERS)(
    '$name is withheld with every later entry of its log, and named',
    async ({ seq, kind, reason, apply }) => {
      const hq = await open();
      try {
        const kiosk = await city(hq);
        await apply(hq, kiosk);
        const batch = await new VerifiedReader(hq.store).next();
        expect(batch.problems).toEqual([
          {
            origin: KIOSK,
            seq,
            kind,
            reason: expect.stringMatching(reason) as unknown,
            after: expect.any(Number) as unknown,
          },
        ]);
        expect(batch.entries.filter((e) => e.origin === KIOSK).map((e) => e.seq)).toEqual([...Array(seq).keys()]);
        expect(batch.entries.filter((e) => e.origin === STAFF)).toHaveLength(3);
        // Read two rows at a time, each range checked ahead of the last one's signatures: the same result.
        expect(await new VerifiedReader(hq.store, { chunk: 2 }).next()).toEqual(batch);
      } finally {
        await hq.close();
      }
    },
  );

  it.each(TAMPERS)(
    "$name below a live reader's mark is found by its sweep, and what was handed out from it on is withdrawn",
    async ({ seq, reason, apply }) => {
      const hq = await open();
      try {
        const kiosk = await city(hq);
        // Windows of two rows: the sweep needs several calls to come round to the tampered row.
        const live = new VerifiedReader(hq.store, { sweep: 2 });
        expect((await live.next()).entries).toHaveLength(8);
        await apply(hq, kiosk);
        const calls: Awaited<ReturnType<VerifiedReader['next']>>[] = [];
        for (let i = 0; i < 6 && !calls.some((c) => c.problems.length > 0); i++) calls.push(await live.next());
        const found = calls.at(-1);
        expect(found?.withdrawn).toEqual([{ origin: KIOSK, fromSeq: seq }]);
        expect(found?.problems).toEqual([
          expect.objectContaining({
            origin: KIOSK,
            seq,
            kind: 'changed',
            reason: expect.stringMatching(
              new RegExp(`^changed after it was verified: .*(${reason.source})`),
            ) as unknown,
          }),
        ]);
        // Nothing new comes from that log until it is whole again; the problem stands.
        const after = await live.next();
        expect(after.entries).toEqual([]);
        expect(after.problems).toHaveLength(1);
      } finally {
        await hq.close();
      }
    },
  );

  it('an entry signed after its key was revoked is withheld; one read before the revocation arrived is withdrawn', async () => {
    const hq = await open();
    try {
      const registry = writerLog(REGISTRY_ORIGIN);
      const kiosk = writerLog(KIOSK);
      await append(registry, '2026-03-01 12:00', 'kiosk-registration', {
        origin: KIOSK,
        centre: 'centre-a',
        key: kiosk.signer.verifier.publicKey,
      });
      for (const subject of ['s-1', 's-2', 's-3', 's-4', 's-5'])
        await append(kiosk, '2026-03-02 09:30', 'checkin', checkinPayload(subject));
      await hq.store.ingest(REGISTRY_ORIGIN, registry.leaves(), 'test');
      expect(await hq.store.ingest(KIOSK, kiosk.leaves(), 'test')).toMatchObject({ inserted: 6, rejected: [] });
      const live = new VerifiedReader(hq.store, {
        trustedKeys: new Map([[REGISTRY_ORIGIN, registry.signer.verifier.publicKey]]),
      });
      expect((await live.next()).entries.filter((e) => e.origin === KIOSK)).toHaveLength(6);
      // The kiosk was stolen: its key is revoked from entry 4 on, but entries 4 and 5 are already in HQ's store.
      await append(registry, '2026-03-02 10:00', 'key-revocation', {
        origin: KIOSK,
        key: kiosk.signer.verifier.publicKey,
        fromSeq: 4,
        reason: 'kiosk stolen',
      });
      await hq.store.ingest(REGISTRY_ORIGIN, registry.leaves(), 'test');
      const later = await live.next();
      expect(later.withdrawn).toEqual([{ origin: KIOSK, fromSeq: 4 }]);
      expect(later.problems).toEqual([
        expect.objectContaining({
          origin: KIOSK,
          seq: 4,
          kind: 'revoked-key',
          reason: expect.stringMatching(/revoked from entry 4/) as unknown,
        }),
      ]);
      const fresh = await new VerifiedReader(hq.store).next();
      expect(fresh.entries.filter((e) => e.origin === KIOSK).map((e) => e.seq)).toEqual([0, 1, 2, 3]);
      expect(fresh.problems).toEqual([
        expect.objectContaining({
          origin: KIOSK,
          seq: 4,
          kind: 'revoked-key',
          reason: expect.stringMatching(/revoked from entry 4/) as unknown,
        }),
      ]);
    } finally {
      await hq.close();
    }
  });

  it('a registry log replaced by one under another key is refused against the trusted registry key', async () => {
    const hq = await open();
    try {
      const registry = writerLog(REGISTRY_ORIGIN);
      await append(registry, '2026-03-01 12:00', 'kiosk-registration', {
        origin: KIOSK,
        centre: 'centre-a',
        key: Signer.generate(KIOSK).verifier.publicKey,
      });
      await hq.store.ingest(REGISTRY_ORIGIN, registry.leaves(), 'test');
      const batch = await new VerifiedReader(hq.store, {
        trustedKeys: new Map([[REGISTRY_ORIGIN, Signer.generate(REGISTRY_ORIGIN).verifier.publicKey]]),
      }).next();
      expect(batch.problems).toEqual([
        expect.objectContaining({
          origin: REGISTRY_ORIGIN,
          seq: 0,
          kind: 'registry-refused',
          reason: expect.stringMatching(/trusted key/) as unknown,
        }),
      ]);
      expect(batch.entries).toEqual([]);
    } finally {
      await hq.close();
    }
  });

  it('a live reader verifies only what was appended since, and notices rows deleted below its mark', async () => {
    const hq = await open();
    try {
      await city(hq);
      const reader = new VerifiedReader(hq.store);
      expect((await reader.next()).entries).toHaveLength(8);
      expect(await reader.next()).toEqual({ entries: [], problems: [], withdrawn: [] });
      await hq.remove(KIOSK, 4);
      expect((await reader.next()).problems).toEqual([
        expect.objectContaining({
          origin: KIOSK,
          seq: 4,
          kind: 'rolled-back',
          reason: expect.stringMatching(/deleted or the log rolled back/) as unknown,
        }),
      ]);
    } finally {
      await hq.close();
    }
  });
});

/** A kiosk log of LONG entries; each LATE tamper hits entry LATE, so the range's first LATE signatures go to the pool. */
const LONG = 60;
const LATE = 40;

const LATE_TAMPERS: { name: string; reason: RegExp; apply: (hq: Tamperable) => Promise<void> }[] = [
  {
    name: 'a payload byte',
    reason: /signature does not verify/,
    apply: async (hq) => hq.write(KIOSK, LATE, edited(await hq.row(KIOSK, LATE), `s-${LATE}`, `s-${LATE + 1}`)),
  },
  { name: 'a deleted row', reason: new RegExp(`entry ${LATE} is missing`), apply: (hq) => hq.remove(KIOSK, LATE) },
  {
    name: 'swapped rows',
    reason: /rows moved or swapped|prev hash/,
    apply: async (hq) => {
      const [a, b] = [await hq.row(KIOSK, LATE), await hq.row(KIOSK, LATE + 1)];
      await hq.write(KIOSK, LATE, b);
      await hq.write(KIOSK, LATE + 1, a);
    },
  },
  {
    name: 're-signed with a foreign key',
    reason: /signed by key [0-9a-f]+, but key [0-9a-f]+ is in force/,
    apply: async (hq) => {
      const row = await hq.row(KIOSK, LATE);
      const forger = Signer.generate(KIOSK);
      const { leaf, hash } = signEntry({ ...decodeLeaf(row.leaf).body, kid: forger.verifier.id }, forger);
      await hq.write(KIOSK, LATE, { ...row, leaf, hash });
    },
  },
];

describe.each(BACKENDS)('verified read path on $name, signatures checked on a verify pool', ({ open }) => {
  let pool: VerifyPool;
  beforeAll(() => {
    pool = new VerifyPool(1);
  });
  afterAll(async () => {
    await pool.close();
  });

  it.each(LATE_TAMPERS)(
    '$name: the same entries and problem as on this thread alone',
    { timeout: 120_000 },
    async ({ reason, apply }) => {
      const hq = await open();
      try {
        const kiosk = writerLog(KIOSK);
        for (let i = 1; i < LONG; i++) await append(kiosk, '2026-03-02 09:30', 'checkin', checkinPayload(`s-${i}`));
        expect(await hq.store.ingest(KIOSK, kiosk.leaves(), 'test')).toMatchObject({ inserted: LONG, rejected: [] });
        const verify = vi.spyOn(pool, 'verify');
        expect((await new VerifiedReader(hq.store, { pool }).next()).problems).toEqual([]);
        expect(verify).toHaveBeenCalled();
        await apply(hq);
        const pooled = await new VerifiedReader(hq.store, { pool }).next();
        const alone = await new VerifiedReader(hq.store, { workers: 0 }).next();
        expect(pooled.problems).toEqual([
          {
            origin: KIOSK,
            seq: LATE,
            kind: expect.any(String) as unknown,
            reason: expect.stringMatching(reason) as unknown,
            after: expect.any(Number) as unknown,
          },
        ]);
        expect(pooled.entries.map((e) => e.seq)).toEqual([...Array(LATE).keys()]);
        expect(pooled).toEqual(alone);
        // In ranges of 16 rows, each next range checked while the pool verifies the last: the one read ahead of
        // the tampered range is dropped, and nothing changes.
        expect(await new VerifiedReader(hq.store, { pool, chunk: 16 }).next()).toEqual(alone);
        const [flag, file] = hq.args;
        if (flag === '--db' && file) {
          const ledger = LedgerStore.open(file, { readonly: true });
          try {
            expect(new VerifiedReader(ledgerEntrySource(ledger), { pool, chunk: 16 }).nextSync()).toEqual(alone);
          } finally {
            ledger.close();
          }
        }
        verify.mockRestore();
      } finally {
        await hq.close();
      }
    },
  );
});

describe("a first full verification on the reader's own worker threads", () => {
  /** A log of `size` entries signed straight into a store (a LogWriter's fsync per append would take minutes). */
  function signedLog(size: number, forgeAt: number): LedgerStore {
    const store = LedgerStore.open(join(dir, `bulk-${databases++}.db`), { create: true, synchronous: 'NORMAL' });
    const signer = Signer.generate(KIOSK);
    const forger = Signer.generate(KIOSK);
    store.addLog(KIOSK, signer.verifier.publicKey, false);
    let prev: Uint8Array = ZERO_HASH;
    const rows = Array.from({ length: size }, (_, seq) => {
      const body: EntryBody = {
        v: 1,
        origin: KIOSK,
        seq,
        ts: at('2026-03-02 09:30', NY) + seq,
        type: seq === 0 ? 'genesis' : 'checkin',
        prev,
        kid: signer.verifier.id,
        payload: seq === 0 ? { key: signer.verifier.publicKey } : checkinPayload(`s-${seq}`),
      };
      // The forged entry carries the right key id but another key's signature: only the signature check finds it.
      const { leaf, hash } = signEntry(body, seq === forgeAt ? forger : signer);
      prev = hash;
      return { seq, ts: body.ts, type: body.type, leaf, hash };
    });
    store.appendVerified(KIOSK, 0, rows);
    return store;
  }

  it(
    'finds a forged signature near the end, as this thread alone does, synchronously and not',
    { timeout: 120_000 },
    async () => {
      const forgeAt = 8_200;
      const store = signedLog(8_250, forgeAt);
      try {
        const startSync = vi.spyOn(VerifyPool.prototype, 'startSync');
        const threaded = new VerifiedReader(ledgerEntrySource(store), { workers: 1 }).nextSync();
        expect(startSync).toHaveBeenCalled();
        startSync.mockRestore();
        const alone = new VerifiedReader(ledgerEntrySource(store), { workers: 0 }).nextSync();
        const asynchronous = await new VerifiedReader(ledgerEntrySource(store), { workers: 1 }).next();
        const problem = {
          origin: KIOSK,
          seq: forgeAt,
          kind: 'forged',
          reason: 'signature does not verify',
          after: expect.any(Number) as unknown,
        };
        const hashes = (batch: typeof alone): string[] =>
          batch.entries.map((e) => `${e.seq} ${Buffer.from(e.hash).toString('hex')}`);
        for (const batch of [threaded, alone, asynchronous]) {
          expect(batch.problems).toEqual([problem]);
          expect(batch.entries).toHaveLength(forgeAt);
        }
        expect(hashes(threaded)).toEqual(hashes(alone));
        expect(hashes(asynchronous)).toEqual(hashes(alone));
      } finally {
        store.close();
      }
    },
  );
});

describe.each(BACKENDS)('muster breaches on a tampered HQ store on $name', ({ open }) => {
  const breaches = (hq: Tamperable, ...extra: string[]): ReturnType<typeof runMuster> =>
    runMuster(['breaches', ...hq.args, '--at', JUDGED_AT, '--staff-origin', STAFF, ...extra], '', checkinCommands);

  it('untampered: s-2 missed the 2nd, s-1 the 4th', async () => {
    const hq = await open();
    try {
      await city(hq);
      const run = await breaches(hq);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/BREACH OPEN missed-checkin s-2 2026-03-02/);
      expect(run.stdout).toMatch(/BREACH OPEN missed-checkin s-1 2026-03-04/);
      expect(run.stdout).toContain('2 breach(es) standing');
    } finally {
      await hq.close();
    }
  });

  it.each(TAMPERS)(
    '$name: exit 1 naming the log and seq; --keep-going never changes a verdict silently',
    async ({ seq, apply }) => {
      const hq = await open();
      try {
        const kiosk = await city(hq);
        await apply(hq, kiosk);
        const refused = await breaches(hq);
        expect(refused.code).toBe(1);
        expect(refused.stdout).toBe('');
        expect(refused.stderr).toContain(`UNVERIFIED ${KIOSK}#${seq}: `);
        const going = await breaches(hq, '--keep-going', '--json');
        expect(going.code).toBe(0);
        const report = JSON.parse(going.stdout) as {
          breaches: { id: string; status: string }[];
          problems: { ref: { origin: string; seq: number }; code: string }[];
          inDoubt: string[];
        };
        expect(report.problems).toContainEqual(
          expect.objectContaining({
            ref: expect.objectContaining({ origin: KIOSK, seq }) as unknown,
            code: 'entry-unverified',
          }),
        );
        // Every breach that the withheld entries could have cleared is named as in doubt.
        const withheldFrom = seq === 1 ? '2026-03-02' : '2026-03-03';
        for (const b of report.breaches.filter((x) => (x.id.split('/')[2] as string) >= withheldFrom))
          expect(report.inDoubt).toContain(b.id);
        expect(report.breaches.map((b) => b.id)).toContain('missed-checkin/s-1/2026-03-04');
      } finally {
        await hq.close();
      }
    },
  );

  it('an entry after its key was revoked: exit 1 naming it; --keep-going judges without it', async () => {
    const hq = await open();
    try {
      const kiosk = await city(hq);
      // The registry registers both logs, then revokes the kiosk's key from entry 3 (s-1's check-in on the 3rd).
      const staffKey = decodeLeaf((await hq.row(STAFF, 0)).leaf).body.payload.key as Uint8Array;
      const registry = writerLog(REGISTRY_ORIGIN);
      for (const [origin, key] of [
        [STAFF, staffKey],
        [KIOSK, kiosk.signer.verifier.publicKey],
      ] as const)
        await append(registry, '2026-03-01 11:00', 'kiosk-registration', { origin, centre: 'centre-a', key });
      await append(registry, '2026-03-03 09:31', 'key-revocation', {
        origin: KIOSK,
        key: kiosk.signer.verifier.publicKey,
        fromSeq: 3,
        reason: 'kiosk stolen',
      });
      expect(await hq.store.ingest(REGISTRY_ORIGIN, registry.leaves(), 'test')).toMatchObject({ rejected: [] });
      const refused = await breaches(hq);
      expect(refused.code).toBe(1);
      expect(refused.stdout).toBe('');
      expect(refused.stderr).toMatch(/UNVERIFIED centre-a\/k1#3: signed by key [0-9a-f]+, revoked from entry 3/);
      const going = await breaches(hq, '--keep-going', '--json');
      expect(going.code).toBe(0);
      const report = JSON.parse(going.stdout) as {
        breaches: { id: string }[];
        problems: { ref: { origin: string; seq: number }; code: string }[];
        inDoubt: string[];
      };
      expect(report.problems).toContainEqual(
        expect.objectContaining({ ref: expect.objectContaining({ origin: KIOSK, seq: 3 }) as unknown }),
      );
      // Without entry 3, s-1 has no check-in on the 3rd: that breach is given, and named as in doubt.
      expect(report.breaches.map((b) => b.id)).toContain('missed-checkin/s-1/2026-03-03');
      expect(report.inDoubt).toContain('missed-checkin/s-1/2026-03-03');
    } finally {
      await hq.close();
    }
  });
});

describe('muster receipt issue on a tampered check-in', () => {
  it('refuses a receipt for an entry that fails verification, and issues one for an untouched entry', async () => {
    const log = kioskLog(dir, `centre-a/k${databases++}`, at('2026-03-02 09:30', NY));
    await log.writer.append('checkin', checkinPayload('s-1'));
    await log.writer.append('checkin', checkinPayload('s-2'));
    const db = new Database(log.path);
    const row = db.prepare<[number], Row>('SELECT leaf, hash, ts, type FROM entries WHERE seq = ?').get(1) as Row;
    const tampered = edited(row, 's-1', 's-3');
    db.prepare('UPDATE entries SET leaf = ?, hash = ? WHERE seq = 1').run(tampered.leaf, tampered.hash);
    db.close();
    const refused = await runMuster(
      ['receipt', 'issue', '--db', log.path, '--seq', '1', '--out', join(dir, `r-${databases++}.json`)],
      '',
      checkinCommands,
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/entry 1 of centre-a\/k\d+ fails verification: signature does not verify/);
    const issued = await runMuster(
      ['receipt', 'issue', '--db', log.path, '--seq', '2', '--out', join(dir, `r-${databases++}.json`)],
      '',
      checkinCommands,
    );
    expect(issued.stderr).toBe('');
    expect(issued.code).toBe(0);
    log.store.close();
  });

  it('refuses a receipt whose inclusion path runs through a hash edited at rest, though its own entry is untouched', async () => {
    const log = kioskLog(dir, `centre-a/k${databases++}`, at('2026-03-02 09:30', NY));
    await log.writer.append('checkin', checkinPayload('s-1'));
    await log.writer.append('checkin', checkinPayload('s-2'));
    const receipt = (): ReturnType<typeof runMuster> =>
      runMuster(
        ['receipt', 'issue', '--db', log.path, '--seq', '1', '--out', join(dir, `r-${databases++}.json`)],
        '',
        checkinCommands,
      );
    expect((await receipt()).code).toBe(0);
    // Entry 1's path to the root of size 3 is entry 0's hash and entry 2's: entry 0's hash column is overwritten.
    const db = new Database(log.path);
    db.prepare('UPDATE entries SET hash = ? WHERE seq = 0').run(Buffer.alloc(32, 7));
    db.close();
    const refused = await receipt();
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /the receipt for entry 1 of centre-a\/k\d+ does not verify: inclusion path does not lead to the checkpoint root/,
    );
    log.store.close();
  });
});
