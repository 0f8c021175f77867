// Tampering with a stored log, the way an insider with the database file would, and what fsck says.
import Database from 'better-sqlite3';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeLeaf, encodeBody, encodeLeaf } from '../../core/entry.ts';
import { fsck } from '../../ledger/fsck.ts';
import { leafHash, nodeHash } from '../../ledger/hash.ts';
import { Signer } from '../../ledger/keys.ts';
import { LogWriter } from '../../ledger/log-writer.ts';
import { LedgerStore } from '../../ledger/store.ts';
import { ledgerCommands } from '../../main/cli/ledger-commands.ts';
import { runMuster } from '../helpers/run-muster.ts';
import { appendCheckins, newLog, type TestLog } from './fixtures.ts';

const ORIGIN = 'center-01/kiosk-1';

async function closedLog(entries = 20): Promise<TestLog & { checkpoint: string }> {
  const log = newLog(ORIGIN);
  await appendCheckins(log.writer, entries - 1);
  const checkpoint = log.writer.checkpoint().note;
  log.store.close();
  return { ...log, checkpoint };
}

function raw(path: string, fn: (db: Database.Database) => void): void {
  const db = new Database(path);
  fn(db);
  db.close();
}

type Row = { leaf: Buffer; hash: Buffer; type: string; ts: number };
const rowAt = (db: Database.Database, seq: number): Row =>
  db
    .prepare<[string, number], Row>('SELECT leaf, hash, type, ts FROM entries WHERE origin = ? AND seq = ?')
    .get(ORIGIN, seq) as Row;

describe('tamper evidence', () => {
  it('passes an untouched log', async () => {
    const { path, signer, checkpoint } = await closedLog();
    expect(
      await fsck(path, { trustedKeys: [signer.verifier], heldCheckpoints: [checkpoint], workers: 0 }),
    ).toMatchObject({ ok: true, size: 20, checkpoints: 2 });
  });

  it('catches an edited payload at its sequence number', async () => {
    const { path } = await closedLog();
    raw(path, (db) => {
      const decoded = decodeLeaf(rowAt(db, 7).leaf);
      const leaf = encodeLeaf(
        encodeBody({ ...decoded.body, payload: { subject: 'p-someone-else' } }),
        decoded.signature,
      );
      db.prepare('UPDATE entries SET leaf = ?, hash = ? WHERE origin = ? AND seq = 7').run(
        leaf,
        leafHash(leaf),
        ORIGIN,
      );
    });
    expect(await fsck(path, { workers: 0 })).toMatchObject({ ok: false, seq: 7, reason: 'signature does not verify' });
  });

  it('catches an edited payload whose hash column was left alone', async () => {
    const { path } = await closedLog();
    raw(path, (db) => {
      const decoded = decodeLeaf(rowAt(db, 7).leaf);
      db.prepare('UPDATE entries SET leaf = ? WHERE origin = ? AND seq = 7').run(
        encodeLeaf(encodeBody({ ...decoded.body, ts: 0 }), decoded.signature),
        ORIGIN,
      );
    });
    expect(await fsck(path, { workers: 0 })).toMatchObject({
      ok: false,
      seq: 7,
      reason: expect.stringMatching(/leaf hash/) as unknown,
    });
  });

  it('catches a deleted middle row', async () => {
    const { path } = await closedLog();
    raw(path, (db) => db.prepare('DELETE FROM entries WHERE origin = ? AND seq = 11').run(ORIGIN));
    expect(await fsck(path, { workers: 0 })).toMatchObject({
      ok: false,
      seq: 11,
      reason: expect.stringMatching(/entry 11 is missing/) as unknown,
    });
  });

  it('reports a forged signature before a later break in the same block, and a break before a later forged signature', async () => {
    // fsck checks a block's signatures after its structure; the first bad entry must still win either way.
    const forge = (db: Database.Database, seq: number): void => {
      const decoded = decodeLeaf(rowAt(db, seq).leaf);
      const leaf = encodeLeaf(decoded.bodyBytes, new Uint8Array(64).fill(7));
      db.prepare('UPDATE entries SET leaf = ?, hash = ? WHERE origin = ? AND seq = ?').run(
        leaf,
        leafHash(leaf),
        ORIGIN,
        seq,
      );
    };
    const first = await closedLog();
    raw(first.path, (db) => {
      forge(db, 5);
      db.prepare('DELETE FROM entries WHERE origin = ? AND seq = 12').run(ORIGIN);
    });
    expect(await fsck(first.path, { workers: 0 })).toMatchObject({
      ok: false,
      seq: 5,
      reason: 'signature does not verify',
    });
    const second = await closedLog();
    raw(second.path, (db) => {
      db.prepare('DELETE FROM entries WHERE origin = ? AND seq = 5').run(ORIGIN);
      forge(db, 12);
    });
    expect(await fsck(second.path, { workers: 0 })).toMatchObject({
      ok: false,
      seq: 5,
      reason: expect.stringMatching(/entry 5 is missing/) as unknown,
    });
  });

  it('reports a bad entry before a bad key rotation, and the rotation when it is the first bad entry', async () => {
    // The key schedule is rebuilt before the blocks are checked; a bad rotation must not hide an earlier bad entry.
    const rotatedLog = async (): Promise<string> => {
      const log = newLog(ORIGIN);
      await appendCheckins(log.writer, 7);
      log.writer.rotateKey(Signer.generate(ORIGIN)); // entry 8
      await appendCheckins(log.writer, 5);
      log.store.close();
      return log.path;
    };
    const forgeSignature = (db: Database.Database, seq: number): void => {
      const decoded = decodeLeaf(rowAt(db, seq).leaf);
      const leaf = encodeLeaf(decoded.bodyBytes, new Uint8Array(64).fill(9));
      db.prepare('UPDATE entries SET leaf = ?, hash = ? WHERE origin = ? AND seq = ?').run(
        leaf,
        leafHash(leaf),
        ORIGIN,
        seq,
      );
    };
    const both = await rotatedLog();
    raw(both, (db) => {
      forgeSignature(db, 3);
      forgeSignature(db, 8);
    });
    expect(await fsck(both, { workers: 1, blockLevel: 2 })).toMatchObject({
      ok: false,
      seq: 3,
      reason: 'signature does not verify',
    });
    expect(await fsck(both, { workers: 0 })).toMatchObject({ ok: false, seq: 3 });
    const rotationOnly = await rotatedLog();
    raw(rotationOnly, (db) => {
      forgeSignature(db, 8);
    });
    expect(await fsck(rotationOnly, { workers: 0 })).toMatchObject({
      ok: false,
      seq: 8,
      reason: 'signature does not verify',
    });
  });

  it('catches two swapped rows', async () => {
    const { path } = await closedLog();
    raw(path, (db) => {
      const a = rowAt(db, 4);
      const b = rowAt(db, 9);
      const put = db.prepare('UPDATE entries SET leaf = ?, hash = ?, type = ?, ts = ? WHERE origin = ? AND seq = ?');
      put.run(b.leaf, b.hash, b.type, b.ts, ORIGIN, 4);
      put.run(a.leaf, a.hash, a.type, a.ts, ORIGIN, 9);
    });
    expect(await fsck(path, { workers: 0 })).toMatchObject({
      ok: false,
      seq: 4,
      reason: expect.stringMatching(/says seq 9 but is stored as 4/) as unknown,
    });
  });

  it('catches a flipped byte inside an entry in the database file', async () => {
    const { path } = await closedLog();
    const bytes = readFileSync(path);
    const at = bytes.indexOf(Buffer.from('p-0013'));
    expect(at).toBeGreaterThan(0);
    bytes[at + 5] = (bytes[at + 5] as number) ^ 0x01;
    writeFileSync(path, bytes);
    expect(await fsck(path, { workers: 0 })).toMatchObject({ ok: false, seq: 14 });
  });

  it('reports a damaged database file clearly instead of crashing', async () => {
    const { path } = await closedLog(200);
    const bytes = readFileSync(path);
    // Page 2 onwards holds B-tree pages; scribble over one page header.
    bytes.fill(0xff, 4096, 4096 + 16);
    writeFileSync(path, bytes);
    const result = await fsck(path, { workers: 0 }).catch((error: unknown) => error);
    expect(JSON.stringify(result, Object.getOwnPropertyNames(result as object))).toMatch(
      /damaged|corrupt|malformed|not a readable/,
    );
  });

  it('catches a truncated tail presented with an older checkpoint as if current', async () => {
    const log = newLog(ORIGIN);
    await appendCheckins(log.writer, 14);
    const older = log.writer.checkpoint();
    await appendCheckins(log.writer, 5);
    const held = log.writer.checkpoint().note; // a witness or HQ holds this one
    log.store.close();
    raw(log.path, (db) => {
      db.prepare('DELETE FROM entries WHERE origin = ? AND seq >= 15').run(ORIGIN);
      db.prepare('DELETE FROM nodes WHERE origin = ?').run(ORIGIN);
      db.prepare('DELETE FROM checkpoints WHERE origin = ? AND size > 15').run(ORIGIN);
    });
    rebuildNodes(log.path); // a careful attacker leaves the Merkle nodes consistent with the shorter log
    expect(older.size).toBe(15);
    // On its own the shortened log is self-consistent: its older checkpoint still matches ...
    expect(await fsck(log.path, { workers: 0 })).toMatchObject({ ok: true, size: 15, checkpoints: 1 });
    // ... but not against the checkpoint a verifier already holds.
    expect(await fsck(log.path, { heldCheckpoints: [held], workers: 0 })).toMatchObject({
      ok: false,
      seq: 15,
      reason: expect.stringMatching(
        /checkpoint for 20 entries exists but the log has only 15: entries were truncated or the log rolled back/,
      ) as unknown,
    });
  });

  it('catches a rewritten history against a checkpoint the verifier holds (fork)', async () => {
    const log = newLog(ORIGIN);
    await appendCheckins(log.writer, 5);
    const held = log.writer.checkpoint().note;
    log.store.close();
    // The kiosk key signs a different entry 6 onward: a second history of the same log.
    raw(log.path, (db) => db.prepare('DELETE FROM entries WHERE origin = ? AND seq >= 3').run(ORIGIN));
    raw(log.path, (db) => {
      db.prepare('DELETE FROM nodes WHERE origin = ?').run(ORIGIN);
      db.prepare('DELETE FROM checkpoints WHERE origin = ?').run(ORIGIN);
    });
    rebuildNodes(log.path);
    const store = LedgerStore.open(log.path);
    const forked = LogWriter.open(store, log.signer);
    await appendCheckins(forked, 4);
    store.close();
    expect(await fsck(log.path, { heldCheckpoints: [held], workers: 0 })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/does not match its signed checkpoint at size 6/) as unknown,
    });
  });

  it('catches a tampered Merkle node (which would make proofs lie)', async () => {
    const { path } = await closedLog();
    raw(path, (db) =>
      db.prepare('UPDATE nodes SET hash = zeroblob(32) WHERE origin = ? AND level = 2 AND idx = 1').run(ORIGIN),
    );
    expect(await fsck(path, { workers: 0 })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/Merkle node 2\/1/) as unknown,
    });
  });

  it('catches a whole log re-signed under another key when the verifier knows the real key', async () => {
    const real = Signer.generate(ORIGIN);
    const fake = newLog(ORIGIN);
    await appendCheckins(fake.writer, 3);
    fake.store.close();
    expect(await fsck(fake.path, { workers: 0 })).toMatchObject({ ok: true });
    expect(await fsck(fake.path, { trustedKeys: [real.verifier], workers: 0 })).toMatchObject({
      ok: false,
      seq: 0,
      reason: expect.stringMatching(/not started by any of the trusted keys/) as unknown,
    });
  });

  it('catches stored columns that disagree with the signed entry', async () => {
    const { path } = await closedLog();
    raw(path, (db) => db.prepare("UPDATE entries SET type = 'excuse' WHERE origin = ? AND seq = 3").run(ORIGIN));
    expect(await fsck(path, { workers: 0 })).toMatchObject({
      ok: false,
      seq: 3,
      reason: expect.stringMatching(/type or time/) as unknown,
    });
  });

  it('does not modify the store it checks', async () => {
    const { path } = await closedLog();
    raw(path, (db) => db.prepare('DELETE FROM entries WHERE origin = ? AND seq = 11').run(ORIGIN));
    const before = readFileSync(path);
    await fsck(path, { workers: 0 });
    expect(readFileSync(path).equals(before)).toBe(true);
  });
});

/** Recomputes the Merkle nodes of a store from its entries (what a careful attacker would do after truncating). */
function rebuildNodes(path: string): void {
  raw(path, (db) => {
    const hashes = db
      .prepare<[string], { hash: Buffer }>('SELECT hash FROM entries WHERE origin = ? ORDER BY seq')
      .all(ORIGIN)
      .map((r) => r.hash);
    const insert = db.prepare('INSERT INTO nodes (origin, level, idx, hash) VALUES (?, ?, ?, ?)');
    let level: Uint8Array[] = hashes;
    for (let l = 1; level.length > 1; l++) {
      const up: Uint8Array[] = [];
      for (let i = 0; i + 1 < level.length; i += 2) {
        const h = nodeHash(level[i] as Uint8Array, level[i + 1] as Uint8Array);
        up.push(h);
        insert.run(ORIGIN, l, i / 2, h);
      }
      level = up;
    }
  });
}

describe('ledger export reads through the verified read path', () => {
  it('exports an untouched log, and refuses a tampered one naming the entry, writing no file', async () => {
    const { path, dir } = await closedLog();
    const good = join(dir, 'good.jsonl');
    expect(await runMuster(['ledger', 'export', '--db', path, '--out', good], '', ledgerCommands)).toMatchObject({
      code: 0,
      stdout: `exported 20 entries of ${ORIGIN} to ${good}\n`,
    });
    raw(path, (db) => {
      const decoded = decodeLeaf(rowAt(db, 7).leaf);
      const leaf = encodeLeaf(
        encodeBody({ ...decoded.body, payload: { subject: 'p-someone-else' } }),
        decoded.signature,
      );
      db.prepare('UPDATE entries SET leaf = ?, hash = ? WHERE origin = ? AND seq = 7').run(
        leaf,
        leafHash(leaf),
        ORIGIN,
      );
    });
    const bad = join(dir, 'bad.jsonl');
    const refused = await runMuster(['ledger', 'export', '--db', path, '--out', bad], '', ledgerCommands);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      `${ORIGIN} entry 7 fails verification (signature does not verify): nothing exported`,
    );
    expect(existsSync(bad)).toBe(false);
  });
});
