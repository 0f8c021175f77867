// HQ's SQLite store holds every kiosk's log and the alerts: owner-only like the kiosk's files (0600 for the
// database and its WAL, 0700 for a directory it makes), also for a file an older HQ left readable.
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Signer } from '../../ledger/keys.ts';
import { SqliteHqStore } from '../../net/hq/sqlite-hq-store.ts';
import { scratchLog } from './support/nodes.ts';

const dir = mkdtempSync(join(tmpdir(), 'muster-hq-files-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const mode = (path: string): number => statSync(path).mode & 0o777;

describe('HQ store files', () => {
  it('makes the database and its WAL 0600 in a 0700 directory', async () => {
    const path = join(dir, 'new', 'hq.db');
    const store = SqliteHqStore.open(path);
    try {
      const signer = Signer.generate('c1/k1');
      await store.ingest('c1/k1', await scratchLog(dir, signer, 2), 'test');
      expect(existsSync(`${path}-wal`)).toBe(true);
      expect([mode(join(dir, 'new')), mode(path), mode(`${path}-wal`)]).toEqual([0o700, 0o600, 0o600]);
    } finally {
      await store.close();
    }
  });

  it('closes up a store file an older HQ left readable by others', async () => {
    const path = join(dir, 'old.db');
    writeFileSync(path, '', { mode: 0o644 });
    const store = SqliteHqStore.open(path);
    await store.close();
    expect(mode(path)).toBe(0o600);
  });
});
