// The breach watcher's reader (net/hq/verified-records.ts) told which logs grew: a call reads only those, at the
// sizes told, without listing every log (a province's thousands of logs), nothing when none was named, and still
// lists every log when a size is not known (another node's commit), when told entries came with no word, and at
// least every `everyMs` (the safety net for entries stored with no word). A size told that is older than what was
// verified is not a rollback.
import { describe, expect, it } from 'vitest';
import { ReaderRecords } from '../../net/hq/verified-records.ts';
import type { Payload } from '../../core/entry.ts';
import { at, checkinPayload, planPayload } from '../checkin/support/log-builder.ts';
import { ZONE, alertRig } from './support/alert-rig.ts';
import { counted } from './support/counted-reads.ts';

const KIOSK = 'centre-a/k1';
const STAFF = 'centre-a/staff';

function plan(subject: string): Payload {
  return planPayload({ subject, zone: ZONE, start: '2026-03-02' });
}

describe('ReaderRecords told which logs grew', () => {
  it('reads only the logs named, lists every log when nothing is named, a size is unknown or everyMs has passed', async () => {
    const { store, staff, kiosk, sync } = await alertRig();
    const { source, lists: listed } = counted(store);
    let now = 0;
    const records = new ReaderRecords(source, {}, { everyMs: 5000, clock: () => now });
    const subjects = async (): Promise<string[]> =>
      (await records.next()).records.map((r) => `${r.ref.origin}#${r.ref.seq}`);

    // The first call lists every log: the kiosk's genesis, the staff log's and its three plans.
    expect(await subjects()).toEqual([`${KIOSK}#0`, `${STAFF}#0`, `${STAFF}#1`, `${STAFF}#2`, `${STAFF}#3`]);
    expect(listed()).toBeGreaterThan(0);

    // The kiosk's log grows, named with its size: read without listing anything.
    kiosk.now = at('2026-03-02 09:30', ZONE);
    await kiosk.writer.append('checkin', checkinPayload('p-1'));
    await sync();
    const before = listed();
    records.grew(KIOSK, 2);
    now = 1000;
    expect(await subjects()).toEqual([`${KIOSK}#1`]);
    expect(listed()).toBe(before);

    // The staff log grows with no word, the kiosk's with one: only the kiosk's is read...
    staff.now = at('2026-03-02 09:40', ZONE);
    await staff.writer.append('plan', plan('p-4'));
    await kiosk.writer.append('checkin', checkinPayload('p-2'));
    await sync();
    records.grew(KIOSK, 3);
    now = 2000;
    expect(await subjects()).toEqual([`${KIOSK}#2`]);
    expect(listed()).toBe(before);

    // ...until everyMs has passed since the last listing: then every log is listed, and the staff entry read.
    await kiosk.writer.append('checkin', checkinPayload('p-3'));
    await sync();
    records.grew(KIOSK, 4);
    now = 5000;
    expect(await subjects()).toEqual([`${KIOSK}#3`, `${STAFF}#4`]);
    expect(listed()).toBeGreaterThan(before);

    // Nothing named (a pass for a deadline): nothing listed, nothing read, until everyMs has passed...
    await staff.writer.append('plan', plan('p-5'));
    await sync();
    const quiet = listed();
    now = 5100;
    expect(records.waiting()).toBe(false);
    expect(await subjects()).toEqual([]);
    expect(listed()).toBe(quiet);

    // ...or until told that entries came with no word: then every log is listed.
    records.unannounced();
    expect(records.waiting()).toBe(true);
    now = 5150;
    expect(await subjects()).toEqual([`${STAFF}#5`]);
    expect(listed()).toBeGreaterThan(quiet);
    expect(records.waiting()).toBe(false);

    // A size not known (another node's commit, told by PostgreSQL's NOTIFY): every log is listed.
    await staff.writer.append('plan', plan('p-6'));
    await sync();
    const unsized = listed();
    records.grew(KIOSK, 4);
    records.grew(STAFF);
    now = 5200;
    expect(await subjects()).toEqual([`${STAFF}#6`]);
    expect(listed()).toBeGreaterThan(unsized);

    // A size told late, below what was verified: nothing read, and no rollback reported.
    records.grew(KIOSK, 1);
    now = 5300;
    const late = await records.next();
    expect(late.records).toEqual([]);
    expect(late.problems).toEqual([]);
    expect(late.withdrawn).toBe(false);
  });
});
