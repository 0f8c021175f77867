// Kiosk provisioning and key revocation through HQ's registry log: a replica refuses a log that is not
// registered or starts with another key, refuses entries signed by a revoked key from the revocation point on
// (also at a seq it already holds), fsck flags such entries stored before the revocation arrived, and a kiosk
// holding the registry never signs with its own key once revoked (LogWriter: key-revoked).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeLeaf } from '../../core/entry.ts';
import { fsck } from '../../ledger/fsck.ts';
import { REGISTRY_ORIGIN } from '../../ledger/key-schedule.ts';
import { Signer } from '../../ledger/keys.ts';
import { ingestEntries } from '../../ledger/replica.ts';
import { LogWriter } from '../../ledger/log-writer.ts';
import { LedgerStore } from '../../ledger/store.ts';
import { type TestLog, newLog, tempDir } from '../ledger/fixtures.ts';

const KIOSK = 'c1/k1';

function leaves(log: TestLog, from = 0): Uint8Array[] {
  return [...log.store.range(log.writer.origin, from, log.store.head(log.writer.origin).size)].map((r) => r.leaf);
}

async function world() {
  const registry = newLog(REGISTRY_ORIGIN);
  const kiosk = newLog(KIOSK);
  for (let i = 0; i < 5; i++) await kiosk.writer.append('checkin', { subject: `p-${i}`, centre: 'c1' });
  const hq = LedgerStore.open(join(tempDir(), 'hq.db'), { create: true });
  const syncRegistry = () =>
    ingestEntries(hq, REGISTRY_ORIGIN, leaves(registry), {
      source: 'registry',
      trustedKey: registry.signer.verifier.publicKey,
    });
  return { registry, kiosk, hq, syncRegistry };
}

describe('registry: provisioning and revocation', () => {
  it('a store holding the registry takes only registered kiosks, with their registered key', async () => {
    const { registry, kiosk, hq, syncRegistry } = await world();
    await registry.writer.append('kiosk-registration', {
      origin: 'c1/k0',
      centre: 'c1',
      key: Signer.generate('c1/k0').verifier.publicKey,
    });
    syncRegistry();
    expect(ingestEntries(hq, KIOSK, leaves(kiosk), { source: 'peer' }).rejected[0]?.reason).toMatch(
      /not a registered kiosk/,
    );
    const impostor = Signer.generate(KIOSK);
    await registry.writer.append('kiosk-registration', {
      origin: KIOSK,
      centre: 'c1',
      key: impostor.verifier.publicKey,
    });
    syncRegistry();
    expect(ingestEntries(hq, KIOSK, leaves(kiosk), { source: 'peer' }).rejected[0]?.reason).toMatch(
      /not the key registered/,
    );
    await registry.writer.append('kiosk-registration', {
      origin: KIOSK,
      centre: 'c1',
      key: kiosk.signer.verifier.publicKey,
    });
    await registry.writer.append('key-revocation', { origin: KIOSK, note: 'malformed: names no key' });
    syncRegistry();
    expect(ingestEntries(hq, KIOSK, leaves(kiosk), { source: 'peer' })).toMatchObject({ inserted: 6, rejected: [] });
  });

  it('a kiosk holding the registry writes its own log before it is registered, and never signs with its key once revoked', async () => {
    const { registry, kiosk, syncRegistry } = await world();
    // The kiosk's own store takes in the registry (as a peer would), which does not list it yet.
    const ownRegistry = () =>
      ingestEntries(kiosk.store, REGISTRY_ORIGIN, leaves(registry), {
        source: 'hq',
        trustedKey: registry.signer.verifier.publicKey,
      });
    ownRegistry();
    expect(LogWriter.open(kiosk.store, kiosk.signer).origin).toBe(KIOSK);
    // Revoked from a later entry: the kiosk writes up to it, then refuses (also a rotation away from the key).
    await registry.writer.append('key-revocation', {
      origin: KIOSK,
      key: kiosk.signer.verifier.publicKey,
      fromSeq: 7,
      reason: 'kiosk stolen',
    });
    syncRegistry();
    ownRegistry();
    expect(() => LogWriter.open(kiosk.store, kiosk.signer)).not.toThrow();
    expect((await kiosk.writer.append('checkin', { subject: 'p-5', centre: 'c1' })).seq).toBe(6);
    await expect(kiosk.writer.append('checkin', { subject: 'p-late', centre: 'c1' })).rejects.toMatchObject({
      code: 'key-revoked',
      message: expect.stringMatching(/revoked from entry 7/) as unknown,
    });
    expect(() => kiosk.writer.rotateKey(Signer.generate(KIOSK))).toThrow(/revoked/);
    expect(kiosk.store.head(KIOSK).size).toBe(7);
    kiosk.store.close();
    expect(await fsck(kiosk.path, { workers: 0 })).toMatchObject({ ok: true });
  });

  it('refuses entries signed by a revoked key after the revocation point, at ingest and in fsck', async () => {
    const { registry, kiosk, hq, syncRegistry } = await world();
    await registry.writer.append('kiosk-registration', {
      origin: KIOSK,
      centre: 'c1',
      key: kiosk.signer.verifier.publicKey,
    });
    syncRegistry();
    // HQ holds 0..5 before it learns that the kiosk was stolen at entry 4.
    expect(ingestEntries(hq, KIOSK, leaves(kiosk), { source: 'peer' }).inserted).toBe(6);
    await registry.writer.append('key-revocation', {
      origin: KIOSK,
      key: kiosk.signer.verifier.publicKey,
      fromSeq: 4,
      reason: 'kiosk stolen',
    });
    syncRegistry();

    // The thief keeps signing with the stolen key (its store never took the registry in): refused, as is a rewrite
    // of an entry HQ already holds.
    await kiosk.writer.append('checkin', { subject: 'p-x', centre: 'c1' });
    const result = ingestEntries(hq, KIOSK, leaves(kiosk, 6), { source: 'peer' });
    expect(result).toMatchObject({
      inserted: 0,
      rejected: [{ seq: 6, reason: expect.stringMatching(/revoked from entry 4/) as unknown }],
    });
    const other = newLog(KIOSK, kiosk.signer);
    for (let i = 0; i < 5; i++) await other.writer.append('checkin', { subject: `q-${i}`, centre: 'c1' });
    const forked = leaves(other).filter((l) => decodeLeaf(l).body.seq === 5);
    expect(ingestEntries(hq, KIOSK, forked, { source: 'peer' })).toMatchObject({
      equivocations: [],
      rejected: [{ seq: 5, reason: expect.stringMatching(/revoked/) as unknown }],
    });

    // Entries 4 and 5 were stored before the revocation arrived: fsck names the first.
    hq.close();
    for (const workers of [0, 1]) {
      expect(await fsck(hq.path, { origin: KIOSK, workers, blockLevel: 1 })).toMatchObject({
        ok: false,
        seq: 4,
        reason: expect.stringMatching(/revoked from entry 4/) as unknown,
      });
    }
    expect(await fsck(hq.path, { origin: REGISTRY_ORIGIN, workers: 0 })).toMatchObject({ ok: true });
  });
});
