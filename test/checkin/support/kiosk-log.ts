// Real signed logs in temp SQLite files with a settable clock, for CLI, receipt and workflow tests.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { Signer, writeSignerFile } from '../../../ledger/keys.ts';
import { LogWriter } from '../../../ledger/log-writer.ts';
import { LedgerStore } from '../../../ledger/store.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'muster-checkin-'));
  dirs.push(dir);
  return dir;
}

export interface KioskLog {
  readonly path: string;
  readonly store: LedgerStore;
  readonly writer: LogWriter;
  readonly signer: Signer;
  /** The public key file (`<db>.key.pub`). */
  readonly pub: string;
  /** What the next entry's kiosk time will be. */
  now: number;
}

export function kioskLog(dir: string, origin: string, start = 0): KioskLog {
  const path = join(dir, `${origin.replace(/\//g, '_')}.db`);
  const store = LedgerStore.open(path, { create: true });
  const signer = Signer.generate(origin);
  writeSignerFile(`${path}.key`, signer);
  store.setMeta('key_path', `${path}.key`);
  let now = start;
  const writer = LogWriter.init(store, origin, signer, () => now);
  return {
    path,
    store,
    signer,
    pub: `${path}.key.pub`,
    get now() {
      return now;
    },
    set now(time: number) {
      now = time;
    },
    writer,
  };
}
