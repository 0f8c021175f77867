// The witness (C2SP tlog-witness semantics) and cosignatures (tlog-cosignature v1), without a broker.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fromBase64, toHex, utf8 } from '../../core/bytes.ts';
import { sha256 } from '../../ledger/hash.ts';
import { Signer } from '../../ledger/keys.ts';
import { LogWriter } from '../../ledger/log-writer.ts';
import { parseNote } from '../../ledger/note.ts';
import { LedgerStore } from '../../ledger/store.ts';
import { cosign, cosignerKeyId, verifyCosignature } from '../../net/cosignature.ts';
import { SqliteReplicaStore } from '../../net/sqlite-replica-store.ts';
import { Witness } from '../../net/witness.ts';

const ORIGIN = 'c9/k1';
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'muster-witness-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function kioskLog(
  signer: Signer,
  count: number,
  file = 'kiosk.db',
): Promise<{ store: LedgerStore; writer: LogWriter }> {
  const store = LedgerStore.open(join(dir, file), { create: true });
  const writer = LogWriter.init(store, ORIGIN, signer);
  for (let i = 0; i < count; i++) await writer.append('checkin', { subject: `s${i}` });
  return { store, writer };
}

function witnessOver(): { replica: SqliteReplicaStore; witness: Witness; signer: Signer } {
  const replica = new SqliteReplicaStore(LedgerStore.open(join(dir, 'witness.db'), { create: true }));
  const signer = Signer.generate('hq');
  return { replica, witness: new Witness(replica, signer, () => 1_700_000_000_123), signer };
}

describe('cosignature/v1', () => {
  it('signs "cosignature/v1\\ntime <t>\\n" + the checkpoint body with a 0x04 key id and an 8-byte big-endian time', async () => {
    const { store, writer } = await kioskLog(Signer.generate(ORIGIN), 2);
    const note = writer.checkpoint().note;
    const witness = Signer.generate('witness.example/w1');
    const cosigned = cosign(note, witness, 1_679_315_147);
    const line = parseNote(cosigned).signatures.find((s) => s.name === 'witness.example/w1');
    const raw = line?.signature ?? new Uint8Array();
    expect(toHex(line?.id ?? new Uint8Array())).toBe(
      toHex(sha256(utf8('witness.example/w1\n'), Uint8Array.of(4), witness.verifier.publicKey).subarray(0, 4)),
    );
    expect(toHex(cosignerKeyId(witness.name, witness.verifier.publicKey))).toBe(toHex(line?.id ?? new Uint8Array()));
    expect(new DataView(raw.buffer, raw.byteOffset, 8).getBigUint64(0)).toBe(1_679_315_147n);
    const body = parseNote(note).text;
    expect(witness.verifier.verify(utf8(`cosignature/v1\ntime 1679315147\n${body}`), raw.subarray(8))).toBe(true);
    expect(verifyCosignature(cosigned, witness.verifier)).toBe(1_679_315_147);
    // The log's own signature is still there and a plain checkpoint verifier ignores the cosignature.
    expect(cosigned.startsWith(note)).toBe(true);
    store.close();
  });

  it('refuses a cosignature over a different body or by another key', async () => {
    const { store, writer } = await kioskLog(Signer.generate(ORIGIN), 1);
    const witness = Signer.generate('w');
    const cosigned = cosign(writer.checkpoint().note, witness, 5);
    expect(() => verifyCosignature(cosigned, Signer.generate('w').verifier)).toThrow(/no cosignature/);
    const tampered = cosigned.replace(/^(.*\n)2\n/, '$13\n');
    expect(() => verifyCosignature(tampered, witness.verifier)).toThrow(/does not verify/);
    store.close();
  });
});

describe('Witness', () => {
  it('cosigns a checkpoint once it holds the entries, and only a larger, consistent one after that', async () => {
    const kiosk = await kioskLog(Signer.generate(ORIGIN), 4);
    const { replica, witness, signer } = witnessOver();
    const first = kiosk.writer.checkpoint().note;
    expect((await witness.observe(ORIGIN, first)).kind).toBe('invalid');
    await replica.ingest(
      ORIGIN,
      [...kiosk.store.range(ORIGIN, 0, 3)].map((r) => r.leaf),
      'test',
    );
    expect(await witness.observe(ORIGIN, first)).toMatchObject({ kind: 'behind', held: 3 });
    await replica.ingest(
      ORIGIN,
      [...kiosk.store.range(ORIGIN, 3, 5)].map((r) => r.leaf),
      'test',
    );
    const verdict = await witness.observe(ORIGIN, first);
    expect(verdict.kind).toBe('cosigned');
    if (verdict.kind === 'cosigned') expect(verifyCosignature(verdict.note, signer.verifier)).toBe(1_700_000_000);
    expect((await witness.observe(ORIGIN, first)).kind).toBe('stale');
    expect((await replica.witnessed(ORIGIN))?.size).toBe(5);
    kiosk.store.close();
  });

  it('detects a kiosk restored from a backup: a smaller checkpoint over another history is a rollback, one as large a fork', async () => {
    const signer = Signer.generate(ORIGIN);
    const kiosk = await kioskLog(signer, 5);
    kiosk.store.db.exec(`VACUUM INTO '${join(dir, 'backup.db')}'`);
    for (let i = 0; i < 5; i++) await kiosk.writer.append('checkin', { subject: `later${i}` });
    const { replica, witness } = witnessOver();
    await replica.ingest(
      ORIGIN,
      [...kiosk.store.range(ORIGIN, 0, 11)].map((r) => r.leaf),
      'test',
    );
    expect((await witness.observe(ORIGIN, kiosk.writer.checkpoint().note)).kind).toBe('cosigned');

    const restored = LedgerStore.open(join(dir, 'backup.db'));
    const writer = LogWriter.open(restored, signer);
    for (let i = 0; i < 2; i++) await writer.append('checkin', { subject: `other${i}` });
    const rollback = await witness.observe(ORIGIN, writer.checkpoint().note);
    expect(rollback.kind).toBe('rollback');
    if (rollback.kind === 'rollback') {
      expect(rollback.evidence.witnessedNote).toContain(`${ORIGIN}\n11\n`);
      expect(rollback.evidence.note).toContain(`${ORIGIN}\n8\n`);
      expect(fromBase64(rollback.evidence.replicaRoot ?? '')).toHaveLength(32);
    }
    for (let i = 0; i < 3; i++) await writer.append('checkin', { subject: `more${i}` });
    // The other history's entries are kept as equivocation evidence where they collide with stored ones.
    const result = await replica.ingest(
      ORIGIN,
      [...restored.range(ORIGIN, 0, 11)].map((r) => r.leaf),
      'backup',
    );
    expect(result.equivocations).toEqual([6, 7, 8, 9, 10]);
    expect(result.inserted).toBe(0);
    expect((await replica.conflicts(ORIGIN)).map((c) => c.seq)).toEqual([6, 7, 8, 9, 10]);
    const fork = await witness.observe(ORIGIN, writer.checkpoint().note);
    expect(fork.kind).toBe('fork');
    if (fork.kind === 'fork')
      expect(fork.evidence.reason).toMatch(/signed root .* for size 11, but its verified entries give/);
    expect((await replica.witnessed(ORIGIN))?.size).toBe(11);
    restored.close();
    kiosk.store.close();
  });
});
