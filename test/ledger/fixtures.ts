// Shared fixtures for ledger tests: temp stores, fixed keys, fixed clocks.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { Signer } from '../../ledger/keys.ts';
import { LogWriter } from '../../ledger/log-writer.ts';
import { LedgerStore } from '../../ledger/store.ts';

/** The golang.org/x/mod/sumdb/note test key: a published key, so vectors made with it can be checked elsewhere. */
export const PETER_SIGNER_KEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
export const PETER_VERIFIER_KEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh temporary directory, removed after the test. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'muster-ledger-'));
  dirs.push(dir);
  return dir;
}

/** A clock that ticks one second per call from a fixed start, so entries are reproducible. */
export function steppingClock(start = Date.UTC(2026, 10, 29, 8, 0, 0)): () => number {
  let now = start - 1000;
  return () => (now += 1000);
}

export interface TestLog {
  readonly dir: string;
  readonly path: string;
  readonly store: LedgerStore;
  readonly writer: LogWriter;
  readonly signer: Signer;
}

export function newLog(origin = 'center-01/kiosk-1', signer: Signer = Signer.generate(origin)): TestLog {
  const dir = tempDir();
  const path = join(dir, 'kiosk.db');
  const store = LedgerStore.open(path, { create: true });
  const writer = LogWriter.init(store, origin, signer, steppingClock());
  return { dir, path, store, writer, signer };
}

export async function appendCheckins(writer: LogWriter, count: number): Promise<void> {
  for (let i = 0; i < count; i++)
    await writer.append('checkin', { subject: `p-${String(i % 50).padStart(4, '0')}`, center: 'center-01' });
}
