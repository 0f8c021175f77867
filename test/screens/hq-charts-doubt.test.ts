// HQ's trend charts over a real SQLite store edited at rest: a day a withheld entry casts doubt over is under
// review in the charts as in the centre table and the calendar (neither breached nor compliant, none of its
// breaches counted by rule), and the days before it keep their verdicts. Untouched, the same store's charts
// count every day.
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CalendarView, ChartsView } from '../../core/api/hq-api.ts';
import { REGISTRY_ORIGIN } from '../../ledger/key-schedule.ts';
import { HqBackend } from '../../main/web/hq-backend.ts';
import type { HqEvents } from '../../net/hq/hq-service.ts';
import { SqliteHqStore } from '../../net/hq/sqlite-hq-store.ts';
import { kioskLog } from '../checkin/support/kiosk-log.ts';
import { at, checkinPayload, planPayload } from '../checkin/support/log-builder.ts';
import { editRow } from '../helpers/tamper-store.ts';

const NY = 'America/New_York';
const K1 = 'centre-a/k1';
const officer = { principal: { user: 'olga', role: 'officer' as const, centres: [] }, kioskScreen: false };
type Call = (params: unknown, caller: unknown) => Promise<unknown>;

describe("HQ's trend charts hold a day a verification problem casts doubt over as under review", () => {
  let dir: string;
  let hqFile: string;
  let registryKey: Uint8Array;
  /** HQ's clock: the evening of 3 March in the centre's zone. */
  const now = at('2026-03-03 23:00', NY);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'muster-hq-charts-doubt-'));
    // s-1 and s-2 due daily at centre-a from 1 March; s-1 checks in every day at k1 (entries 3, 4, 5), s-2 never.
    const registry = kioskLog(dir, REGISTRY_ORIGIN, at('2026-02-27 08:00', NY));
    const k1 = kioskLog(dir, K1, at('2026-02-28 12:00', NY));
    registryKey = registry.signer.verifier.publicKey;
    await registry.writer.append('kiosk-registration', {
      origin: K1,
      centre: 'centre-a',
      key: k1.signer.verifier.publicKey,
    });
    await k1.writer.append('plan', planPayload({ subject: 's-1', start: '2026-03-01' }));
    await k1.writer.append('plan', planPayload({ subject: 's-2', start: '2026-03-01' }));
    for (const day of ['2026-03-01', '2026-03-02', '2026-03-03']) {
      k1.now = at(`${day} 09:30`, NY);
      await k1.writer.append('checkin', checkinPayload('s-1'));
    }
    hqFile = join(dir, 'hq.db');
    const store = SqliteHqStore.open(hqFile);
    for (const log of [registry, k1]) {
      const origin = log.signer.name;
      const leaves = log.store.rangeAll(origin, 0, log.store.head(origin).size).map((r) => r.leaf);
      expect(await store.ingest(origin, leaves, 'test')).toMatchObject({ rejected: [] });
      log.store.close();
    }
    await store.close();
  }, 60_000);

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  /** HQ started on the store as it is now; its charts, overview and s-1's calendar from 1 to 3 March. */
  async function dashboard(): Promise<{
    charts: ChartsView;
    centre: { breaches: number; compliance: number | null; inDoubt?: boolean };
    calendar: CalendarView;
  }> {
    const store = SqliteHqStore.open(hqFile);
    try {
      const hq = new HqBackend({
        hq: { store, events: new EventEmitter<HqEvents>(), fleetView: () => [] },
        clock: () => now,
        trustedKeys: new Map([[REGISTRY_ORIGIN, registryKey]]),
      });
      const call = (method: string, params: unknown): Promise<unknown> =>
        (hq.handlers[method as keyof typeof hq.handlers] as Call)(params, officer);
      const range = { from: '2026-03-01', to: '2026-03-03' };
      const charts = (await call('hq.charts', range)) as ChartsView;
      const overview = (await call('hq.overview', {})) as {
        centres: { centre: string; breaches: number; compliance: number | null; inDoubt?: boolean }[];
      };
      const calendar = (await call('hq.calendar', { subject: 's-1', ...range })) as CalendarView;
      const centre = overview.centres.find((c) => c.centre === 'centre-a');
      if (!centre) throw new Error('centre-a is not in the overview');
      return { charts, centre, calendar };
    } finally {
      await store.close();
    }
  }

  it("untouched, then with s-1's check-in of 3 March made s-2's at rest", async () => {
    const before = await dashboard();
    // Every day judged: s-1 complied, s-2 missed (one breach a day, half the people compliant).
    expect(before.charts.compliance.map((c) => [c.day, c.breached, c.compliance, c.inDoubt])).toEqual([
      ['2026-03-01', 1, 0.5, undefined],
      ['2026-03-02', 1, 0.5, undefined],
      ['2026-03-03', 1, 0.5, undefined],
    ]);
    expect(before.charts.breaches).toEqual([
      { day: '2026-03-01', rule: 'missed-checkin', count: 1 },
      { day: '2026-03-02', rule: 'missed-checkin', count: 1 },
      { day: '2026-03-03', rule: 'missed-checkin', count: 1 },
    ]);
    expect(before.centre.inDoubt).toBeUndefined();

    // k1's entry 5 (3 March) fails its signature: k1 is used up to entry 4 (2 March 09:30), so any verdict
    // reached from then on could change. 1 March ended before it and keeps its verdicts.
    editRow(hqFile, K1, 5, 's-1', 's-2');
    const after = await dashboard();
    expect(after.charts.compliance).toEqual([
      before.charts.compliance[0],
      { ...before.charts.compliance[1], breached: 0, compliance: null, inDoubt: true },
      { ...before.charts.compliance[2], breached: 0, compliance: null, inDoubt: true },
    ]);
    expect(after.charts.breaches).toEqual([{ day: '2026-03-01', rule: 'missed-checkin', count: 1 }]);
    // The same days as the centre table (today in doubt) and the calendar (under review, no breach).
    expect(after.centre).toMatchObject({ inDoubt: true });
    expect(after.calendar.days.filter((d) => d.state === 'review').map((d) => d.day)).toEqual([
      '2026-03-02',
      '2026-03-03',
    ]);
    expect(after.calendar.days.find((d) => d.day === '2026-03-01')).toMatchObject({ state: 'checked-in' });
  }, 60_000);
});
