// What HQ's breach watcher reads of its store per pass: the new entries' logs, not every log. A group commit tells
// its logs one after another (net/group-commit.ts announces each batch in one loop); the pass the first word starts
// reads them all, and before this was fixed the others each set the watcher to run again, a pass with no log named
// that listed every log and read each one behind: at a province's peak (2,000 kiosks) every log was listed 1.6-1.8
// times a second where the safety net is once every 5 s (bench/README.md, Province scale). A pass for a kiosk
// outage (or a deadline) reads no log. The safety net stays: entries stored with no word are read once `everyMs` has
// passed, or at once when the watcher is poked.
import { describe, expect, it } from 'vitest';
import type { Payload } from '../../core/entry.ts';
import type { BreachAlert } from '../../net/hq/breach-alert.ts';
import { BreachWatcher } from '../../net/hq/breach-watcher.ts';
import { ReaderRecords, type VerifiedRecords } from '../../net/hq/verified-records.ts';
import { MemoryLog } from '../../runtime/logger.ts';
import { type KioskLog, kioskLog } from '../checkin/support/kiosk-log.ts';
import { at, checkinPayload } from '../checkin/support/log-builder.ts';
import { ZONE, alertRig, closeAfter } from './support/alert-rig.ts';
import { counted } from './support/counted-reads.ts';

/** Logs beside the staff log's: the listing a pass must not do grows with them. */
const KIOSKS = 40;
const EVERY_MS = 5000;

/** A check-in at a centre-b kiosk by someone planned at centre-a: a wrong-centre breach. */
function checkin(kiosk: KioskLog, subject: string): Payload {
  return { ...checkinPayload(subject, 'centre-b'), kiosk: kiosk.writer.origin };
}

describe("HQ breach watcher's reads", () => {
  it('a group commit of two logs among many: only their new rows are read, no log listed', async () => {
    const { dir, store } = await alertRig();
    const kiosks = Array.from({ length: KIOSKS }, (_, i) =>
      kioskLog(dir, `centre-b/k${i}`, at('2026-03-01 08:00', ZONE)),
    );
    for (const k of kiosks) closeAfter(k.store);
    const copy = async (k: KioskLog): Promise<number> => {
      const origin = k.writer.origin;
      const held = await store.size(origin);
      const leaves = [...k.store.range(origin, held, k.store.head(origin).size)].map((r) => r.leaf);
      return (await store.ingest(origin, leaves, 'test')).size;
    };
    for (const k of kiosks) await copy(k);
    const { source, lists, rows } = counted(store);
    let now = at('2026-03-02 09:30', ZONE);
    const clock = (): number => now;
    const delivered: BreachAlert[] = [];
    const log = new MemoryLog();
    // HQ's reader: a sweep at most once a second on its clock (net/hq/hq-breach-alerts.ts), a listing every 5 s.
    const records = new ReaderRecords(source, { sweepEveryMs: 1000, clock }, { everyMs: EVERY_MS, clock });
    let passes = 0;
    const next = records.next.bind(records);
    records.next = () => {
      passes++;
      return next();
    };
    const watcher = new BreachWatcher({
      source: records,
      store,
      clock,
      deliver: (a) => delivered.push(a),
      logger: log.logger,
    });
    closeAfter({ close: () => void watcher.close() });
    await watcher.start();
    expect(lists()).toBeGreaterThan(KIOSKS);

    // One commit stores a check-in in k3's log and one in k7's, and tells them one after another.
    const [k3, k7] = [kiosks[3], kiosks[7]] as [KioskLog, KioskLog];
    for (const [k, subject] of [
      [k3, 'p-1'],
      [k7, 'p-2'],
    ] as const) {
      k.now = now;
      await k.writer.append('checkin', checkin(k, subject));
    }
    const [size3, size7] = [await copy(k3), await copy(k7)];
    const listedBefore = lists();
    rows.length = 0;
    now += 100;
    passes = 0;
    const first = watcher.grew(k3.writer.origin, size3);
    const second = watcher.grew(k7.writer.origin, size7);
    await Promise.all([first, second]);
    // One pass: the second word came before the first pass read, which read both, so it asked for no other.
    expect(passes).toBe(1);
    expect(lists()).toBe(listedBefore);
    expect(rows).toEqual([`${k3.writer.origin} 1-2`, `${k7.writer.origin} 1-2`]);
    expect(delivered.map((a) => `${a.rule} ${a.subject}`).sort()).toEqual(['wrong-centre p-1', 'wrong-centre p-2']);

    // A kiosk's outage re-judges its centre's people: a pass that reads no log.
    await watcher.recheckCentre('centre-a');
    expect(lists()).toBe(listedBefore);
    expect(rows).toHaveLength(2);

    // An entry stored with no word is read once the listing is due (the safety net)...
    k3.now = now;
    await k3.writer.append('checkin', checkin(k3, 'p-3'));
    await copy(k3);
    await k7.writer.append('checkin', checkin(k7, 'p-1'));
    const size = await copy(k7);
    now += EVERY_MS;
    await watcher.grew(k7.writer.origin, size);
    expect(lists()).toBeGreaterThan(listedBefore + KIOSKS);
    expect(delivered.map((a) => a.subject)).toContain('p-3');
    expect(log.records.filter((r) => r.level === 'error' || r.level === 'warn')).toEqual([]);
  });

  it('a poke (entries stored with no word) looks at every log at once', async () => {
    const { dir, store } = await alertRig();
    const kiosk = kioskLog(dir, 'centre-b/k1', at('2026-03-01 08:00', ZONE));
    closeAfter(kiosk.store);
    const { source, lists } = counted(store);
    const now = at('2026-03-02 09:30', ZONE);
    const delivered: BreachAlert[] = [];
    const watcher = new BreachWatcher({
      source: new ReaderRecords(source, {}, { everyMs: EVERY_MS, clock: () => now }),
      store,
      clock: () => now,
      deliver: (a) => delivered.push(a),
      logger: new MemoryLog().logger,
    });
    closeAfter({ close: () => void watcher.close() });
    await watcher.start();
    kiosk.now = now;
    await kiosk.writer.append('checkin', checkin(kiosk, 'p-2'));
    const leaves = [...kiosk.store.range(kiosk.writer.origin, 0, 2)].map((r) => r.leaf);
    await store.ingest(kiosk.writer.origin, leaves, 'test');
    const listedBefore = lists();
    await watcher.poke();
    expect(lists()).toBeGreaterThan(listedBefore);
    expect(delivered.map((a) => `${a.rule} ${a.subject}`)).toEqual(['wrong-centre p-2']);
  });

  it('a word that comes while a pass is ending runs another pass: not left for the next entry or deadline', async () => {
    const { store } = await alertRig();
    let reads = 0;
    let named = false;
    let told = false;
    let watcher: BreachWatcher | undefined = undefined;
    const source: VerifiedRecords = {
      next: () => {
        reads++;
        named = false;
        return Promise.resolve({ records: [], problems: [], withdrawn: false });
      },
      reset: () => undefined,
      grew: () => {
        named = true;
      },
      waiting: () => {
        // The second pass's last look finds nothing; a commit's word comes right after it, before the pass has ended.
        if (reads === 2 && !told) {
          told = true;
          queueMicrotask(() => void watcher?.grew('centre-a/k1', 2));
        }
        return named;
      },
    };
    watcher = new BreachWatcher({
      source,
      store,
      clock: () => at('2026-03-02 09:30', ZONE),
      deliver: () => undefined,
      logger: new MemoryLog().logger,
    });
    await watcher.start();
    await watcher.grew('centre-a/k1', 1);
    await watcher.close();
    expect(reads).toBe(3);
  });
});
