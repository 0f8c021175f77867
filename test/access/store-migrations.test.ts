// The user store's schema migrates by user_version: a file written before migrations (the same tables, version 0)
// keeps its accounts and is marked version 1; a file from a newer Muster is refused.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UserStore } from '../../access/user-store.ts';

const dir = mkdtempSync(join(tmpdir(), 'muster-user-migrations-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function userVersion(path: string, set?: number): number {
  const db = new Database(path);
  try {
    if (set !== undefined) db.pragma(`user_version = ${set}`);
    return Number(db.pragma('user_version', { simple: true }));
  } finally {
    db.close();
  }
}

describe('user store migrations', () => {
  it('adopt a file from before migrations with its accounts', async () => {
    const path = join(dir, 'users.db');
    const store = UserStore.open(path, { scrypt: { logN: 10, r: 8, p: 1 } });
    await store.add({ name: 'ada', role: 'auditor', password: 'correct horse battery' });
    store.close();
    expect(userVersion(path, 0)).toBe(0);
    const reopened = UserStore.open(path);
    expect(reopened.list().map((u) => u.user)).toEqual(['ada']);
    reopened.close();
    expect(userVersion(path)).toBe(1);
  });

  it('refuse a file from a newer Muster', () => {
    const path = join(dir, 'newer.db');
    UserStore.open(path).close();
    userVersion(path, 7);
    expect(() => UserStore.open(path)).toThrow(/user store .* schema version 7, newer than this Muster knows \(1\)/);
  });
});
