// Files holding secrets (user hashes, personal data) are created owner-only before SQLite opens them;
// SQLite gives its -wal and -shm files the same mode as the database.
import { chmodSync, closeSync, openSync } from 'node:fs';
import Database from 'better-sqlite3';

export function openPrivateDatabase(path: string): Database.Database {
  if (path !== ':memory:') {
    closeSync(openSync(path, 'a', 0o600));
    chmodSync(path, 0o600);
  }
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  return db;
}
