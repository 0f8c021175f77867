import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../core/bytes.ts';
import { fsck } from '../../ledger/fsck.ts';
import { newLog } from './fixtures.ts';

const SIZE = 2000;
/** 64-entry blocks: 32 blocks shared between this thread and the workers. */
const BLOCK_LEVEL = 6;

async function bigLog(): Promise<{ path: string; size: number; origin: string }> {
  const { path, store, writer } = newLog();
  while (store.head(writer.origin).size < SIZE) {
    await Promise.all(Array.from({ length: 500 }, (_, i) => writer.append('checkin', { subject: `p-${i}` })));
  }
  writer.checkpoint();
  const size = store.head(writer.origin).size;
  store.close();
  return { path, size, origin: writer.origin };
}

function edit(path: string, sql: string, ...params: (string | number)[]): void {
  const db = new Database(path);
  db.prepare(sql).run(...params);
  db.close();
}

describe('fsck across blocks and worker threads', () => {
  it('gives the same answer whatever the block size and number of workers', { timeout: 120_000 }, async () => {
    const { path, size } = await bigLog();
    const serial = await fsck(path, { workers: 0 });
    const parallel = await fsck(path, { workers: 3, blockLevel: BLOCK_LEVEL });
    const uneven = await fsck(path, { workers: 1, blockLevel: 3 });
    expect(serial.ok && parallel.ok && uneven.ok).toBe(true);
    if (!serial.ok || !parallel.ok || !uneven.ok) return;
    expect(parallel.size).toBe(size);
    expect(toHex(parallel.root)).toBe(toHex(serial.root));
    expect(toHex(uneven.root)).toBe(toHex(serial.root));
    expect(parallel.checkpoints).toBe(1);
  });

  it('reports the lowest bad entry whichever verifier finds it', { timeout: 120_000 }, async () => {
    const { path, size } = await bigLog();
    // Break the chain near the end and delete a row in the middle: the lowest seq is reported.
    edit(path, 'UPDATE entries SET hash = zeroblob(32) WHERE seq = ?', size - 10);
    edit(path, 'DELETE FROM entries WHERE seq = ?', Math.floor(size / 2));
    expect(await fsck(path, { workers: 3, blockLevel: BLOCK_LEVEL })).toMatchObject({
      ok: false,
      seq: Math.floor(size / 2),
      reason: expect.stringMatching(/missing/) as unknown,
    });
    expect(await fsck(path, { workers: 0 })).toMatchObject({ ok: false, seq: Math.floor(size / 2) });
  });

  it(
    'checks the Merkle nodes inside each block, above the blocks, and beyond the tree',
    { timeout: 120_000 },
    async () => {
      const { path, origin } = await bigLog();
      const run = () => fsck(path, { workers: 2, blockLevel: BLOCK_LEVEL });
      const db = new Database(path);
      const original = (level: number, idx: number) =>
        (
          db.prepare('SELECT hash FROM nodes WHERE origin = ? AND level = ? AND idx = ?').get(origin, level, idx) as {
            hash: Buffer;
          }
        ).hash;
      const inBlock = original(3, 100);
      const aboveBlocks = original(9, 1);
      db.close();

      edit(path, 'UPDATE nodes SET hash = zeroblob(32) WHERE origin = ? AND level = 3 AND idx = 100', origin);
      expect(await run()).toMatchObject({
        ok: false,
        reason: expect.stringMatching(/Merkle node 3\/100 does not match/) as unknown,
      });
      edit(path, 'DELETE FROM nodes WHERE origin = ? AND level = 3 AND idx = 100', origin);
      expect(await run()).toMatchObject({
        ok: false,
        reason: expect.stringMatching(/Merkle node 3\/100 is missing/) as unknown,
      });
      const db2 = new Database(path);
      db2.prepare('INSERT INTO nodes (origin, level, idx, hash) VALUES (?, 3, 100, ?)').run(origin, inBlock);
      db2.close();
      expect(await run()).toMatchObject({ ok: true });

      edit(path, 'UPDATE nodes SET hash = zeroblob(32) WHERE origin = ? AND level = 9 AND idx = 1', origin);
      expect(await run()).toMatchObject({
        ok: false,
        reason: expect.stringMatching(/Merkle node 9\/1 does not match/) as unknown,
      });
      const db3 = new Database(path);
      db3.prepare('UPDATE nodes SET hash = ? WHERE origin = ? AND level = 9 AND idx = 1').run(aboveBlocks, origin);
      db3.prepare('INSERT INTO nodes (origin, level, idx, hash) VALUES (?, 2, 10000, zeroblob(32))').run(origin);
      db3.close();
      expect(await run()).toMatchObject({
        ok: false,
        reason: expect.stringMatching(/1 stored Merkle nodes lie beyond the log's entries/) as unknown,
      });
    },
  );
});
