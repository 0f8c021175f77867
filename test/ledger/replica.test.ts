import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../core/bytes.ts';
import { encodeBody } from '../../core/entry.ts';
import { fsck } from '../../ledger/fsck.ts';
import { signEntry } from '../../ledger/entry-signing.ts';
import { Signer } from '../../ledger/keys.ts';
import { rootHash } from '../../ledger/merkle.ts';
import { ingestEntries } from '../../ledger/replica.ts';
import { LedgerStore } from '../../ledger/store.ts';
import { appendCheckins, newLog, tempDir } from './fixtures.ts';

function leaves(store: LedgerStore, origin: string): Uint8Array[] {
  return [...store.range(origin, 0, store.head(origin).size)].map((r) => r.leaf);
}

function replicaStore(): { store: LedgerStore; path: string } {
  const path = join(tempDir(), 'replica.db');
  return { store: LedgerStore.open(path, { create: true, synchronous: 'NORMAL' }), path };
}

describe('replicas', () => {
  it('stores a verified copy that has the same root as the original', async () => {
    const kiosk = newLog();
    await appendCheckins(kiosk.writer, 20);
    const { store, path } = replicaStore();
    const result = ingestEntries(store, kiosk.writer.origin, leaves(kiosk.store, kiosk.writer.origin), {
      source: 'peer',
      trustedKey: kiosk.signer.verifier.publicKey,
    });
    expect(result).toMatchObject({ inserted: 21, duplicates: 0, rejected: [], size: 21 });
    expect(toHex(rootHash(store.treeSource(kiosk.writer.origin), 21))).toBe(
      toHex(rootHash(kiosk.store.treeSource(kiosk.writer.origin), 21)),
    );
    store.close();
    expect(await fsck(path, { workers: 0 })).toMatchObject({ ok: true, size: 21 });
  });

  it('is idempotent: duplicates and replays change nothing', async () => {
    const kiosk = newLog();
    await appendCheckins(kiosk.writer, 5);
    const all = leaves(kiosk.store, kiosk.writer.origin);
    const { store } = replicaStore();
    ingestEntries(store, kiosk.writer.origin, all, { source: 'a' });
    const again = ingestEntries(store, kiosk.writer.origin, [...all, ...all], { source: 'b' });
    expect(again).toMatchObject({ inserted: 0, duplicates: 12, equivocations: [], size: 6 });
    expect(store.conflicts(kiosk.writer.origin)).toEqual([]);
  });

  it('accepts entries out of order within a batch and reports what is missing after a gap', async () => {
    const kiosk = newLog();
    await appendCheckins(kiosk.writer, 9);
    const all = leaves(kiosk.store, kiosk.writer.origin);
    const { store } = replicaStore();
    const first = ingestEntries(
      store,
      kiosk.writer.origin,
      [all[3], all[1], all[0], all[2], all[7], all[8]] as Uint8Array[],
      { source: 'a' },
    );
    expect(first).toMatchObject({ inserted: 4, size: 4, missingFrom: 4 });
    const rest = ingestEntries(store, kiosk.writer.origin, all.slice(4), { source: 'a' });
    expect(rest).toMatchObject({ inserted: 6, size: 10 });
    expect(rest.missingFrom).toBeUndefined();
  });

  it('keeps a second validly signed entry for a stored (origin, seq) as equivocation evidence', async () => {
    const kiosk = newLog();
    await appendCheckins(kiosk.writer, 3);
    const all = leaves(kiosk.store, kiosk.writer.origin);
    const { store } = replicaStore();
    ingestEntries(store, kiosk.writer.origin, all, { source: 'a' });
    // The kiosk's key signs a different entry 2 (a forked history).
    const genuine = kiosk.store.entry(kiosk.writer.origin, 1) as { hash: Uint8Array };
    const fork = signEntry(
      {
        v: 1,
        origin: kiosk.writer.origin,
        seq: 2,
        ts: 1,
        type: 'checkin',
        prev: genuine.hash,
        kid: kiosk.signer.id,
        payload: { subject: 'p-forged' },
      },
      kiosk.signer,
    );
    const result = ingestEntries(store, kiosk.writer.origin, [fork.leaf], { source: 'broker-x', now: 123 });
    expect(result.equivocations).toEqual([2]);
    const [evidence] = store.conflicts(kiosk.writer.origin);
    expect(evidence).toMatchObject({ seq: 2, source: 'broker-x', seenAt: 123 });
    expect(toHex(evidence?.hash ?? new Uint8Array())).toBe(toHex(fork.hash));
    // The stored history is untouched.
    expect(toHex((store.entry(kiosk.writer.origin, 2) as { hash: Uint8Array }).hash)).not.toBe(toHex(fork.hash));
  });

  it('rejects forged, foreign and malformed entries and stores none of them', async () => {
    const kiosk = newLog();
    await appendCheckins(kiosk.writer, 2);
    const all = leaves(kiosk.store, kiosk.writer.origin);
    const { store } = replicaStore();
    ingestEntries(store, kiosk.writer.origin, all, { source: 'a' });
    const head = store.head(kiosk.writer.origin);
    const forger = Signer.generate(kiosk.writer.origin);
    const forged = signEntry(
      {
        v: 1,
        origin: kiosk.writer.origin,
        seq: 3,
        ts: 1,
        type: 'checkin',
        prev: head.hash,
        kid: kiosk.signer.id,
        payload: { subject: 'x' },
      },
      forger,
    );
    const foreign = newLog('center-02/kiosk-9');
    const result = ingestEntries(
      store,
      kiosk.writer.origin,
      [
        forged.leaf,
        leaves(foreign.store, 'center-02/kiosk-9')[0] as Uint8Array,
        new Uint8Array([1, 2, 3]),
        encodeBody({} as never),
      ],
      {
        source: 'broker',
      },
    );
    expect(result.inserted).toBe(0);
    const reasons = result.rejected.map((r) => r.reason);
    expect(reasons.some((r) => /origin "center-02\/kiosk-9"/.test(r))).toBe(true);
    expect(reasons.filter((r) => /CBOR|is not \[body bytes/.test(r))).toHaveLength(2);
    expect(result.rejected).toHaveLength(4);
    expect(result.rejected.some((r) => r.seq === 3 && r.reason === 'signature does not verify')).toBe(true);
    expect(store.head(kiosk.writer.origin).size).toBe(3);
    expect(store.conflicts(kiosk.writer.origin)).toEqual([]);
  });

  it('refuses a log whose genesis key is not the pinned key', async () => {
    const kiosk = newLog();
    await appendCheckins(kiosk.writer, 1);
    const { store } = replicaStore();
    const result = ingestEntries(store, kiosk.writer.origin, leaves(kiosk.store, kiosk.writer.origin), {
      source: 'a',
      trustedKey: Signer.generate('x').verifier.publicKey,
    });
    expect(result.inserted).toBe(0);
    expect(result.rejected[0]?.reason).toMatch(/not the trusted key/);
  });

  it("never writes into the store's own log", async () => {
    const kiosk = newLog();
    await appendCheckins(kiosk.writer, 1);
    expect(() =>
      ingestEntries(kiosk.store, kiosk.writer.origin, leaves(kiosk.store, kiosk.writer.origin), { source: 'loop' }),
    ).toThrow(/own log/);
  });
});
