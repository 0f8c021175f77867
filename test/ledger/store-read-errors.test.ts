// SQLite's own errors on the read paths stop at the store: a damaged page read by the verified reader, fsck or
// `muster breaches` is a MusterError `store-io` naming SQLite's code, never a raw SqliteError or an internal error.
import { closeSync, openSync, statSync, writeSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MusterError } from '../../core/errors.ts';
import { fsck } from '../../ledger/fsck.ts';
import { LedgerStore } from '../../ledger/store.ts';
import { VerifiedReader, ledgerEntrySource } from '../../ledger/verified-reader.ts';
import { checkinCommands } from '../../main/cli/checkin-commands.ts';
import { runMuster } from '../helpers/run-muster.ts';
import { appendCheckins, newLog } from './fixtures.ts';

/** A log of `count` entries whose file has garbage written over the pages in its middle (as a failing disk would). */
async function damagedLog(count: number): Promise<string> {
  const log = newLog();
  await appendCheckins(log.writer, count);
  log.store.close(); // checkpoints the WAL into the file
  const size = statSync(log.path).size;
  const fd = openSync(log.path, 'r+');
  writeSync(fd, Buffer.alloc(8 * 4096, 0xa5), 0, 8 * 4096, Math.floor(size / 2 / 4096) * 4096);
  closeSync(fd);
  return log.path;
}

function storeIo(error: unknown): string {
  expect(error).toBeInstanceOf(MusterError);
  expect((error as MusterError).code).toBe('store-io');
  return (error as MusterError).message;
}

describe('SQLite errors on read paths', () => {
  it('the verified reader throws store-io naming SQLITE_CORRUPT and the read that failed', async () => {
    const path = await damagedLog(2000);
    const store = LedgerStore.open(path, { readonly: true });
    try {
      let thrown: unknown;
      try {
        new VerifiedReader(ledgerEntrySource(store)).nextSync();
      } catch (error) {
        thrown = error;
      }
      expect(storeIo(thrown)).toMatch(/^read entries \d+-\d+ of center-01\/kiosk-1 failed: SQLITE_CORRUPT/);
      let iterated: unknown;
      try {
        for (const row of store.range('center-01/kiosk-1', 0, 2001)) expect(row.seq).toBeGreaterThanOrEqual(0);
      } catch (error) {
        iterated = error;
      }
      expect(storeIo(iterated)).toMatch(/SQLITE_CORRUPT/);
    } finally {
      store.close();
    }
  });

  it('fsck reports the damaged file as a failure, and `muster breaches` exits 1 naming store-io, not an internal error', async () => {
    const path = await damagedLog(2000);
    const checked = await fsck(path, { workers: 0 });
    expect(checked.ok).toBe(false);
    if (!checked.ok) expect(checked.reason).toMatch(/database file is damaged: .*SQLITE_CORRUPT/);
    const run = await runMuster(['breaches', '--db', path, '--at', '2026-12-01T00:00:00Z'], '', checkinCommands);
    expect(run.stderr).toMatch(/^muster breaches: read .* failed: SQLITE_CORRUPT/m);
    expect(run.code).toBe(1);
  });
});
