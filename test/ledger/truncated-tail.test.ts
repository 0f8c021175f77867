// Rows deleted from the end of a log leave every remaining row consistent: only the store's signed checkpoint,
// which counts more entries than the log now holds, shows them gone. The verified read path (and so `muster
// breaches`) must report them missing as fsck does, not judge the shortened log.
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { fsck } from '../../ledger/fsck.ts';
import { VerifiedReader, ledgerEntrySource } from '../../ledger/verified-reader.ts';
import { checkinCommands } from '../../main/cli/checkin-commands.ts';
import { checkinPayload } from '../checkin/support/log-builder.ts';
import { kioskLog, tempDir } from '../checkin/support/kiosk-log.ts';
import { runMuster } from '../helpers/run-muster.ts';

const KIOSK = 'centre-a/k1';

describe('a log whose last rows were deleted after its checkpoint', () => {
  it('is a problem at the first missing entry for the verified reader and for muster breaches', async () => {
    const log = kioskLog(tempDir(), KIOSK, Date.parse('2026-03-02T15:00:00Z'));
    for (const subject of ['s-1', 's-2', 's-3']) {
      await log.writer.append('checkin', checkinPayload(subject));
      log.now += 60_000;
    }
    log.writer.checkpoint();
    expect(new VerifiedReader(ledgerEntrySource(log.store)).nextSync().problems).toEqual([]);

    // s-3's check-in removed: what is left is a consistent log of 3 entries (the genesis and two check-ins).
    const db = new Database(log.path);
    db.prepare('DELETE FROM entries WHERE origin = ? AND seq = 3').run(KIOSK);
    db.close();
    expect(log.store.head(KIOSK).size).toBe(3);

    const { problems } = new VerifiedReader(ledgerEntrySource(log.store)).nextSync();
    expect(problems).toEqual([expect.objectContaining({ origin: KIOSK, seq: 3, kind: 'tampered' })]);
    expect((await fsck(log.path)).ok).toBe(false);
    log.store.close();

    const run = await runMuster(['breaches', '--db', log.path, '--at', '2026-03-02T23:00:00Z'], '', checkinCommands);
    expect(run.code, run.stdout).toBe(1);
    expect(run.stderr).toContain(`${KIOSK}#3`);
  });
});
