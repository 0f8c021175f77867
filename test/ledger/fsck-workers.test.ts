import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../core/bytes.ts';
import { fsck } from '../../ledger/fsck.ts';
import { newLog } from './fixtures.ts';

const SIZE = 2000;

describe('fsck across worker threads', () => {
  it('gives the same answer with workers as without, and finds a bad entry in any worker\'s range', { timeout: 120_000 }, async () => {
    const { path, store, writer } = newLog();
    while (store.head(writer.origin).size < SIZE) {
      await Promise.all(Array.from({ length: 500 }, (_, i) => writer.append('checkin', { subject: `p-${i}` })));
    }
    const size = store.head(writer.origin).size;
    store.close();
    const serial = await fsck(path, { workers: 0 });
    const parallel = await fsck(path, { workers: 3 });
    expect(serial.ok && parallel.ok).toBe(true);
    if (!serial.ok || !parallel.ok) return;
    expect(parallel.size).toBe(size);
    expect(toHex(parallel.root)).toBe(toHex(serial.root));

    const db = new Database(path);
    // Break the chain in the last third and delete a row in the middle third: the lowest seq is reported.
    db.prepare('UPDATE entries SET hash = zeroblob(32) WHERE seq = ?').run(size - 10);
    db.prepare('DELETE FROM entries WHERE seq = ?').run(Math.floor(size / 2));
    db.close();
    expect(await fsck(path, { workers: 3 })).toMatchObject({ ok: false, seq: Math.floor(size / 2), reason: expect.stringMatching(/missing/) as unknown });
    expect(await fsck(path, { workers: 0 })).toMatchObject({ ok: false, seq: Math.floor(size / 2) });
  });
});
