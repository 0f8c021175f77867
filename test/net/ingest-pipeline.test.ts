// HQ's ingest pipeline (net/sqlite-replica-store.ts with ledger/verify-pool.ts): calls overlap, the pool checks the
// signatures of one call while this thread commits another. What the pool vouches for is bound to a key: keys
// named by entries still in flight are tried, never trusted.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toBase64 } from '../../core/bytes.ts';
import { ZERO_HASH, decodeLeaf } from '../../core/entry.ts';
import { type SignedEntry, signEntry } from '../../ledger/entry-signing.ts';
import { decodeForOrigin, planIngest } from '../../ledger/ingest-plan.ts';
import { KeySchedule } from '../../ledger/key-schedule.ts';
import { Signer } from '../../ledger/keys.ts';
import { LogWriter } from '../../ledger/log-writer.ts';
import { rootHash } from '../../ledger/merkle.ts';
import { LedgerStore } from '../../ledger/store.ts';
import { SqliteHqStore } from '../../net/hq/sqlite-hq-store.ts';
import { VerifyPool } from '../../ledger/verify-pool.ts';

let dir: string;
let pool: VerifyPool;
let files = 0;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'muster-ingest-pipeline-'));
  pool = new VerifyPool(1);
});
afterAll(async () => {
  await pool.close();
  rmSync(dir, { recursive: true, force: true });
});

function hq(): SqliteHqStore {
  return SqliteHqStore.open(join(dir, `hq-${files++}.db`), { pool });
}

async function kioskLog(
  origin: string,
  count: number,
  signer = Signer.generate(origin),
): Promise<{ writer: LogWriter; store: LedgerStore; leaves: (from: number, to: number) => Uint8Array[] }> {
  const store = LedgerStore.open(join(dir, `k-${files++}.db`), { create: true });
  const writer = LogWriter.init(store, origin, signer);
  for (let i = 0; i < count; i++) await writer.append('checkin', { subject: `s${i}` });
  return { writer, store, leaves: (from, to) => [...store.range(origin, from, to)].map((r) => r.leaf) };
}

/** Entries continuing a log from `after` (seq, leaf hash), all signed by `signer`; the first may be a rotation. */
function continuation(
  signer: Signer,
  after: { seq: number; hash: Uint8Array },
  count: number,
  rotateTo?: Signer,
): SignedEntry[] {
  const out: SignedEntry[] = [];
  let prev = after.hash;
  for (let i = 0; i < count; i++) {
    const seq = after.seq + 1 + i;
    const rotation = i === 0 && rotateTo !== undefined;
    const entry = signEntry(
      {
        v: 1,
        origin: signer.name,
        seq,
        ts: Date.now(),
        type: rotation ? 'key-rotation' : 'checkin',
        prev,
        kid: signer.id,
        payload: rotation ? { newKey: rotateTo.verifier.publicKey } : { subject: `m${seq}` },
      },
      signer,
    );
    out.push(entry);
    prev = entry.hash;
  }
  return out;
}

describe('HQ ingest pipeline', () => {
  it('checks entries signed by a key that a rotation still in flight names, and stores them once it commits', async () => {
    const store = hq();
    const kiosk = await kioskLog('c1/k1', 60);
    kiosk.writer.rotateKey(Signer.generate('c1/k1'));
    for (let i = 0; i < 60; i++) await kiosk.writer.append('checkin', { subject: `after ${i}` });
    try {
      const [first, second] = await Promise.all([
        store.ingest('c1/k1', kiosk.leaves(0, 62), 'a'),
        store.ingest('c1/k1', kiosk.leaves(62, 122), 'a'),
      ]);
      expect(first).toMatchObject({ inserted: 62, size: 62, rejected: [] });
      expect(second).toMatchObject({ inserted: 60, size: 122, rejected: [] });
      expect(toBase64(await store.root('c1/k1', 122))).toBe(toBase64(rootHash(kiosk.store.treeSource('c1/k1'), 122)));
    } finally {
      kiosk.store.close();
      await store.close();
    }
  });

  it('lends the key of a forged rotation in flight to nothing: neither it nor what it signs is stored', async () => {
    const store = hq();
    const kiosk = await kioskLog('c1/k1', 59);
    const mallory = Signer.generate('c1/k1');
    try {
      const leaves = kiosk.leaves(0, 60);
      const last = { seq: 59, hash: kiosk.store.head('c1/k1').hash };
      // Mallory's rotation to her own key, signed by it, then forty entries signed by that key.
      const forged = continuation(mallory, last, 41, mallory);
      const [mixed, following] = await Promise.all([
        store.ingest('c1/k1', [...leaves, ...forged.slice(0, 1).map((e) => e.leaf)], 'mallory'),
        store.ingest(
          'c1/k1',
          forged.slice(1).map((e) => e.leaf),
          'mallory',
        ),
      ]);
      expect(mixed).toMatchObject({ inserted: 60, size: 60, rejected: [{ seq: 60 }] });
      expect(following).toMatchObject({ inserted: 0, size: 60, missingFrom: 60 });
      await kiosk.writer.append('checkin', { subject: 'genuine' });
      expect(await store.ingest('c1/k1', kiosk.leaves(60, 61), 'kiosk')).toMatchObject({
        inserted: 1,
        size: 61,
        rejected: [],
      });
    } finally {
      kiosk.store.close();
      await store.close();
    }
  });

  it('keeps equivocation evidence and refuses a forged leaf when the same seqs arrive in overlapping calls', async () => {
    const signer = Signer.generate('c1/k1');
    const store = hq();
    const a = await kioskLog('c1/k1', 99, signer);
    const b = await kioskLog('c1/k1', 99, signer);
    try {
      const twins = b.leaves(50, 100);
      const broken = Uint8Array.from(a.leaves(70, 71)[0] ?? []);
      broken[broken.length - 1] = (broken[broken.length - 1] ?? 0) ^ 1;
      const [own, twin, forged] = await Promise.all([
        store.ingest('c1/k1', a.leaves(0, 100), 'a'),
        store.ingest('c1/k1', twins, 'b'),
        store.ingest('c1/k1', [...a.leaves(60, 70), broken], 'mallory'),
      ]);
      expect(own).toMatchObject({ inserted: 100, rejected: [] });
      expect(twin.equivocations).toHaveLength(50);
      expect(forged).toMatchObject({ inserted: 0, duplicates: 10, rejected: [{ seq: 70 }] });
      expect((await store.conflicts('c1/k1')).map((c) => c.source)).toEqual(Array.from({ length: 50 }, () => 'b'));
    } finally {
      a.store.close();
      b.store.close();
      await store.close();
    }
  });

  it('trusts a signature the pool checked only under the key in force, whatever key id the entry names', () => {
    const signer = Signer.generate('c1/k1');
    const mallory = Signer.generate('c1/k1');
    const genesis = signEntry(
      {
        v: 1,
        origin: 'c1/k1',
        seq: 0,
        ts: 1,
        type: 'genesis',
        prev: ZERO_HASH,
        kid: signer.id,
        payload: { key: signer.verifier.publicKey },
      },
      signer,
    );
    // Signed by Mallory, naming the kiosk's key id: as a key id collision would.
    const forged = signEntry(
      {
        v: 1,
        origin: 'c1/k1',
        seq: 1,
        ts: 2,
        type: 'checkin',
        prev: genesis.hash,
        kid: signer.id,
        payload: { subject: 'x' },
      },
      mallory,
    );
    const schedule = new KeySchedule('c1/k1', [{ fromSeq: 0, publicKey: signer.verifier.publicKey }]);
    const plan = planIngest(
      decodeForOrigin('c1/k1', [forged.leaf]),
      { size: 1, hash: genesis.hash },
      new Map(),
      schedule,
      {
        preverified: new Map([[forged.leaf, mallory.verifier.publicKey]]),
      },
    );
    expect(plan.rows).toHaveLength(0);
    expect(plan.rejected).toEqual([{ seq: 1, reason: 'signature does not verify' }]);
  });

  it('checks the signatures itself when the pool goes away mid-job, storing the genuine and refusing the forged', async () => {
    const own = new VerifyPool(1);
    const store = SqliteHqStore.open(join(dir, `hq-${files++}.db`), { pool: own });
    const kiosk = await kioskLog('c1/k1', 199);
    try {
      const leaves = kiosk.leaves(0, 200);
      const broken = Uint8Array.from(leaves[150] ?? []);
      broken[broken.length - 1] = (broken[broken.length - 1] ?? 0) ^ 1;
      const first = store.ingest('c1/k1', leaves.slice(0, 100), 'kiosk');
      const second = store.ingest('c1/k1', [...leaves.slice(100, 150), broken, ...leaves.slice(151)], 'mallory');
      await own.close();
      expect(await first).toMatchObject({ inserted: 100, rejected: [] });
      expect(await second).toMatchObject({ inserted: 50, size: 150, rejected: [{ seq: 150 }] });
    } finally {
      kiosk.store.close();
      await store.close();
    }
  });

  it('answers overlapping jobs each with its own verdicts', async () => {
    const signer = Signer.generate('c1/k1');
    const other = Signer.generate('c1/k2');
    const entries = continuation(signer, { seq: -1, hash: ZERO_HASH }, 40);
    const items = entries.map((e) => {
      const decoded = decodeLeaf(e.leaf);
      return { key: 0, bodyBytes: decoded.bodyBytes, signature: decoded.signature };
    });
    const keys = [
      { origin: 'c1/k1', publicKey: signer.verifier.publicKey },
      { origin: 'c1/k2', publicKey: other.verifier.publicKey },
    ];
    const badSignature = Uint8Array.from(items[3]?.signature ?? []);
    badSignature[0] = (badSignature[0] ?? 0) ^ 1;
    // A signature whose last byte is 0 (1 in 16: S < 2^253), cut to 63 bytes: it would pass if padded with a zero.
    let zeroEnded: { bodyBytes: Uint8Array; signature: Uint8Array } | undefined;
    for (let n = 0; !zeroEnded; n++) {
      const decoded = decodeLeaf(
        signEntry({ ...decodeLeaf(entries[1]?.leaf ?? new Uint8Array()).body, payload: { subject: `z${n}` } }, signer)
          .leaf,
      );
      if (decoded.signature[63] === 0)
        zeroEnded = { bodyBytes: decoded.bodyBytes, signature: decoded.signature.subarray(0, 63) };
    }
    const cut = zeroEnded;
    const mixed = items.map((item, i) =>
      i === 3
        ? { ...item, signature: badSignature }
        : i === 5
          ? { ...item, key: 1 }
          : i === 7
            ? { key: 0, ...cut }
            : item,
    );
    const [clean, marked] = await Promise.all([pool.verify(keys, items), pool.verify(keys, mixed)]);
    expect([...clean]).toEqual(items.map(() => 1));
    expect([...marked]).toEqual(items.map((_, i) => ([3, 5, 7].includes(i) ? 0 : 1)));
  });
});
