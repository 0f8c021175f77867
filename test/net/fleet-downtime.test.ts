// Kiosk downtime HQ saw from heartbeats outlives an HQ restart: a kiosk that fell silent before HQ stopped, and
// was still silent when a window closed while HQ was down, turns the would-be missed check-ins into staff review
// items at the restart, as it would have without one. Real SQLite HQ store, real signed logs.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BreachAlert } from '../../net/hq/breach-alert.ts';
import { BreachWatcher } from '../../net/hq/breach-watcher.ts';
import { FleetDowntime } from '../../net/hq/fleet-downtime.ts';
import { SqliteHqStore } from '../../net/hq/sqlite-hq-store.ts';
import { ReaderRecords } from '../../net/hq/verified-records.ts';
import { MemoryLog } from '../../runtime/logger.ts';
import { MIN, at } from '../checkin/support/log-builder.ts';
import { CLOSE, ZONE, alertRig, closeAfter } from './support/alert-rig.ts';

const KIOSK = 'centre-a/k1';
const SILENT_FROM = at('2026-03-02 09:28', ZONE);
const offline = {
  kiosk: KIOSK,
  state: 'offline' as const,
  reasons: ['no heartbeat for 90 s'],
  lastHeartbeatAt: SILENT_FROM,
};

/** HQ starting at `now` over the store file: its downtime (loaded, or not) and a watcher's first pass. */
async function hqStart(
  path: string,
  now: number,
  loadStored: boolean,
): Promise<{ store: SqliteHqStore; downtime: FleetDowntime; delivered: BreachAlert[]; log: MemoryLog }> {
  const store = SqliteHqStore.open(path);
  closeAfter({ close: () => void store.close() });
  const log = new MemoryLog();
  const downtime = new FleetDowntime(now, { log: log.logger, spans: store });
  if (loadStored) await downtime.load();
  // The fleet view at start, from the stored heartbeats: the kiosk is still silent.
  downtime.note(offline, now);
  const delivered: BreachAlert[] = [];
  const watcher = new BreachWatcher({
    source: new ReaderRecords(store),
    store,
    downtime,
    clock: () => now,
    deliver: (a) => delivered.push(a),
    logger: log.logger,
  });
  closeAfter({ close: () => void watcher.close() });
  await watcher.start();
  await downtime.flushed();
  return { store, downtime, delivered, log };
}

describe('FleetDowntime across HQ restarts', () => {
  it('keeps a silence HQ saw before it stopped, so a window closing while HQ was down makes review items, not breaches', async () => {
    const { dir, store: setupStore } = await alertRig();
    await setupStore.close();
    const path = join(dir, 'hq.db');
    // HQ runs from 08:00 and sees the kiosk go silent at 09:28 (judged offline at 09:30), then stops at 09:40.
    {
      const store = SqliteHqStore.open(path);
      const log = new MemoryLog();
      const downtime = new FleetDowntime(at('2026-03-02 08:00', ZONE), { log: log.logger, spans: store });
      await downtime.load();
      expect(
        downtime.note(
          { kiosk: KIOSK, state: 'online', reasons: [], lastHeartbeatAt: at('2026-03-02 08:00', ZONE) },
          at('2026-03-02 08:00', ZONE),
        ),
      ).toBe(false);
      expect(downtime.note(offline, at('2026-03-02 09:30', ZONE))).toBe(true);
      await downtime.flushed();
      expect(log.records).toEqual([]);
      await store.close();
    }
    expect(
      await (async () => {
        const store = SqliteHqStore.open(path);
        try {
          return await store.downtime();
        } finally {
          await store.close();
        }
      })(),
    ).toEqual([{ kiosk: KIOSK, from: SILENT_FROM, to: null, note: 'centre-a/k1 offline (no heartbeat for 90 s)' }]);

    // HQ is back after the window closed (11:15), the kiosk still silent: review items, no breach.
    const back = await hqStart(path, CLOSE + 5 * MIN, true);
    expect(back.delivered.map((a) => [a.id, a.kind, a.finding])).toEqual(
      ['p-1', 'p-2', 'p-3'].map((s) => [`review:missed-checkin/${s}/2026-03-02`, 'review', 'pending']),
    );
    expect(back.delivered[0]?.summary).toContain('centre-a/k1 offline (no heartbeat for 90 s)');
    expect(back.log.records).toEqual([]);

    // The kiosk's next heartbeat ends the span, stored with its end.
    expect(
      back.downtime.note(
        { kiosk: KIOSK, state: 'online', reasons: [], lastHeartbeatAt: CLOSE + 6 * MIN },
        CLOSE + 6 * MIN,
      ),
    ).toBe(true);
    await back.downtime.flushed();
    expect(await back.store.downtime()).toEqual([
      { kiosk: KIOSK, from: SILENT_FROM, to: CLOSE + 6 * MIN, note: 'centre-a/k1 offline (no heartbeat for 90 s)' },
    ]);
  });

  it('without the stored span, the same restart would raise breaches: the silence counts only from the restart', async () => {
    const { dir, store } = await alertRig();
    await store.close();
    const back = await hqStart(join(dir, 'hq.db'), CLOSE + 5 * MIN, false);
    expect(back.delivered.map((a) => [a.id, a.kind])).toEqual(
      ['p-1', 'p-2', 'p-3'].map((s) => [`breach:missed-checkin/${s}/2026-03-02`, 'breach']),
    );
  });
});
