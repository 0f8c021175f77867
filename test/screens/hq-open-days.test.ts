// HQ keeps the days still open (today, yesterday) between entries and judges again only the rows an entry or a
// deadline changed (main/web/hq-days.ts). After each kind of change (a new person's plan, a late check-in, one
// logged ahead of HQ's clock, an excuse, a review decision, a re-enrolment, an outage, a window closing, a plan
// change) the charts and the overview of a dashboard that kept its days must equal those of a fresh dashboard
// judging everything from scratch, and the roster computed from every record; and each change must show.
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { CentreView, ChartsView } from '../../core/api/hq-api.ts';
import { toHex } from '../../core/bytes.ts';
import { computeBreaches } from '../../core/breach/engine.ts';
import { breachStands } from '../../core/breach/findings.ts';
import type { EntryType, Payload } from '../../core/entry.ts';
import type { LogRecord } from '../../core/records/entry-ref.ts';
import { MS_PER_MINUTE, formatDay, parseDay } from '../../core/time/civil-day.ts';
import { zonedInstant } from '../../core/time/zoned-time.ts';
import { dayCount, dayRoster } from '../../main/web/attendance.ts';
import { HqBackend } from '../../main/web/hq-backend.ts';
import { judgedAt } from '../../main/web/hq-days.ts';
import type { HqEvents } from '../../net/hq/hq-service.ts';
import { SqliteHqStore } from '../../net/hq/sqlite-hq-store.ts';
import { tempDir } from '../checkin/support/kiosk-log.ts';
import { attemptPayload, checkinPayload, healthPayload, planPayload } from '../checkin/support/log-builder.ts';
import { syntheticCity } from '../checkin/support/synthetic-city.ts';
import { appendSigned, signLogs } from '../helpers/signed-logs.ts';

const officer = { principal: { user: 'olga', role: 'officer' as const, centres: [] }, kioskScreen: false };
const START = parseDay('2026-03-10') as number;
const DAYS = 4;
const LAST = START + DAYS - 1;
const CENTRE = 'America/New_York/c0';
const OTHER = 'America/New_York/c1';
const ZONE = 'America/New_York';
/** HQ writes the plans of the synthetic city; staff decisions go on its log here too. */
const STAFF = 'hq';
const KIOSK = `${CENTRE}/k1`;
const RANGE = { from: formatDay(START), to: formatDay(LAST) };

type Call = (params: unknown, caller: unknown) => Promise<unknown>;
type Backend = (method: string, params: unknown) => Promise<unknown>;

/** HQ's store of a small city's signed logs up to `now` (10:00 in New York on the last day), and a dashboard over it. */
function cityAtHq(): {
  records: LogRecord[];
  clock: { now: number };
  kept: Backend;
  fresh: () => Backend;
  append: (origin: string, type: EntryType, payload: Payload, ts: number) => Promise<void>;
  close: () => Promise<void>;
} {
  const clock = { now: zonedInstant(LAST, 10 * 60, ZONE) };
  const city = syntheticCity({ people: 80, startDay: START, days: DAYS, seed: 5, outagePerMille: 0, compliance: 0.7 });
  const records = city.records.filter((r) => r.ts <= clock.now);
  const logs = signLogs(records);
  const store = SqliteHqStore.open(join(tempDir(), 'hq.db'));
  for (const log of logs) {
    store.ledger.addLog(log.origin, log.signer.verifier.publicKey, false);
    store.ledger.appendVerified(log.origin, 0, log.rows);
  }
  const events = new EventEmitter<HqEvents>();
  const backend = (on: EventEmitter<HqEvents>): { hq: HqBackend; call: Backend } => {
    const hq = new HqBackend({ hq: { store, events: on, fleetView: () => [] }, clock: () => clock.now });
    return { hq, call: (method, params) => (hq.handlers[method as keyof typeof hq.handlers] as Call)(params, officer) };
  };
  const { hq, call: kept } = backend(events);
  return {
    records,
    clock,
    kept,
    // Its own events: it reads the store once, on its first call.
    fresh: () => backend(new EventEmitter<HqEvents>()).call,
    append: async (origin, type, payload, ts) => {
      const log = logs.find((l) => l.origin === origin);
      if (!log) throw new Error(`no log ${origin}`);
      const leaf = appendSigned(log, type, payload, ts);
      const row = log.rows.at(-1) as (typeof log.rows)[number];
      records.push({ ref: { origin, seq: row.seq, hash: toHex(row.hash) }, ts, type, payload });
      const judged = new Promise<void>((resolve) => {
        const off = hq.subscribe((message) => {
          if (message.event !== 'hq.changed' || !('what' in message.data) || message.data.what !== 'entries') return;
          off();
          resolve();
        });
      });
      await store.ingest(origin, [leaf], 'test');
      events.emit('entries', { origin, size: log.rows.length, inserted: 1 });
      await judged;
    },
    close: () => store.close(),
  };
}

interface Figures {
  readonly charts: ChartsView;
  readonly overview: readonly CentreView[];
}

async function figures(call: Backend): Promise<Figures> {
  const charts = (await call('hq.charts', RANGE)) as ChartsView;
  const { centres } = (await call('hq.overview', {})) as { centres: CentreView[] };
  return { charts, overview: centres };
}

/** Each New York centre-day (both centres, every day begun) from every record with a fresh engine. */
function fromRecords(records: readonly LogRecord[], now: number): Map<string, ReturnType<typeof dayCount>> {
  const report = computeBreaches(records, now);
  const out = new Map<string, ReturnType<typeof dayCount>>();
  for (const centre of [CENTRE, OTHER])
    for (let day = START; day <= LAST; day++) {
      const at = judgedAt(day, ZONE, now);
      if (at === undefined) continue;
      const roster = dayRoster(records, report, centre, at, ZONE);
      out.set(`${centre} ${formatDay(day)}`, dayCount(roster.rows));
    }
  return out;
}

describe('HQ keeps open days between entries', () => {
  it('after each kind of change the kept figures equal a judgment from scratch, and the change shows', async () => {
    const { records, clock, kept, fresh, append, close } = cityAtHq();
    onTestFinished(close);
    const today = formatDay(LAST);
    const yesterday = formatDay(LAST - 1);
    const day = (f: Figures, d: string, centre = CENTRE): ChartsView['compliance'][number] | undefined =>
      f.charts.compliance.find((c) => c.centre === centre && c.day === d);

    /** The kept dashboard agrees with a fresh one and with the roster from every record; its figures. */
    const check = async (step: string): Promise<Figures> => {
      const shown = await figures(kept);
      expect(shown, step).toEqual(await figures(fresh()));
      for (const [key, count] of fromRecords(
        records.filter((r) => r.ts <= clock.now),
        clock.now,
      )) {
        const [centre, d] = key.split(' ') as [string, string];
        expect(day(shown, d, centre), `${step}: ${key}`).toMatchObject({
          due: count.due,
          open: count.open,
          breached: count.breached,
          compliance: count.compliance,
        });
      }
      // The centre table: today's roster from every record HQ's clock has reached.
      const known = records.filter((r) => r.ts <= clock.now);
      const roster = dayRoster(known, computeBreaches(known, clock.now), CENTRE, clock.now, ZONE);
      const count = dayCount(roster.rows);
      expect(
        shown.overview.find((c) => c.centre === CENTRE),
        step,
      ).toMatchObject({
        day: roster.day,
        expected: count.due,
        checkedIn: count.checkedIn,
        open: count.open,
        people: count.breached,
        breaches: roster.rows.flatMap((r) => r.breaches).filter((b) => breachStands(b.status)).length,
        compliance: count.compliance,
      });
      return shown;
    };

    const first = await check('before any change');
    expect(day(first, today)?.open).toBeGreaterThan(0);

    // A new person at the centre from yesterday, 09:00-11:00: yesterday's window has closed (a missed check-in),
    // today's is open (expected).
    const plan = (subject: string, extra: Parameters<typeof planPayload>[0] = { subject }): Payload =>
      planPayload({ zone: ZONE, centres: [CENTRE], start: yesterday, end: null, ...extra, subject });
    await append(STAFF, 'plan', plan('p-new1'), clock.now - 30 * MS_PER_MINUTE);
    const planned = await check('a new plan');
    expect(day(planned, today)?.due).toBe((day(first, today)?.due ?? 0) + 1);
    expect(day(planned, yesterday)?.breached).toBe((day(first, yesterday)?.breached ?? 0) + 1);

    // A check-in today: expected -> checked in.
    await append(KIOSK, 'checkin', checkinPayload('p-new1', CENTRE), clock.now - MS_PER_MINUTE);
    const checked = await check('a check-in');
    expect(checked.overview.find((c) => c.centre === CENTRE)?.checkedIn).toBe(
      (planned.overview.find((c) => c.centre === CENTRE)?.checkedIn ?? 0) + 1,
    );

    // A check-in logged 5 minutes ahead of HQ's clock (the kiosk's clock runs fast) counts once HQ's time reaches it.
    await append(STAFF, 'plan', plan('p-new2'), clock.now - 20 * MS_PER_MINUTE);
    await append(KIOSK, 'checkin', checkinPayload('p-new2', CENTRE), clock.now + 5 * MS_PER_MINUTE);
    const ahead = await check('a check-in ahead of the clock');
    clock.now += 6 * MS_PER_MINUTE;
    const reached = await check('the clock reached it');
    expect(reached.overview.find((c) => c.centre === CENTRE)?.checkedIn).toBe(
      (ahead.overview.find((c) => c.centre === CENTRE)?.checkedIn ?? 0) + 1,
    );

    // An excuse of yesterday's missed check-in: a breach fewer.
    await append(
      STAFF,
      'excuse',
      { subject: 'p-new1', from: yesterday, to: yesterday, reason: '病假', staff: 's-1' },
      clock.now,
    );
    const excused = await check('an excuse');
    expect(day(excused, yesterday)?.breached).toBe((day(reached, yesterday)?.breached ?? 0) - 1);

    // A failed verification today: under review; staff decide it: no longer open.
    await append(STAFF, 'plan', plan('p-new3'), clock.now - 10 * MS_PER_MINUTE);
    await append(
      KIOSK,
      'checkin-attempt',
      attemptPayload('p-new3', 'mismatch', { centre: CENTRE, kiosk: KIOSK }),
      clock.now - 5 * MS_PER_MINUTE,
    );
    const attempted = await check('a face mismatch');
    const item = computeBreaches(records, clock.now).reviews.find((r) => r.subject === 'p-new3' && r.day === today);
    if (!item) throw new Error('the mismatch raised no review item');
    const reviewing = attempted.overview.find((c) => c.centre === CENTRE)?.open ?? 0;
    await append(
      STAFF,
      'review',
      { item: item.id, subject: 'p-new3', day: today, decision: 'breach', reason: 'not them', staff: 's-1' },
      clock.now,
    );
    const reviewed = await check('a review decision');
    expect(reviewed.overview.find((c) => c.centre === CENTRE)?.open).toBeLessThan(reviewing);

    // A re-enrolment today: a review item, so the person's day is open again.
    await append(
      KIOSK,
      'enrolment',
      {
        subject: 'p-new1',
        centre: CENTRE,
        kiosk: KIOSK,
        methods: ['fingerprint'],
        staff: 's-1',
        replaces: true,
        approvedBy: 'o-1',
      },
      clock.now,
    );
    const reenrolled = await check('a re-enrolment');
    expect(reenrolled.overview.find((c) => c.centre === CENTRE)?.open).toBe(
      (reviewed.overview.find((c) => c.centre === CENTRE)?.open ?? 0) + 1,
    );

    // A person still expected when the window closes (11:00 + 15 min grace): a missed check-in, with no new entry.
    await append(STAFF, 'plan', plan('p-new4'), clock.now);
    const expected = await check('one more expected');
    clock.now = zonedInstant(LAST, 11 * 60 + 16, ZONE);
    const closed = await check('the window closed');
    expect(day(closed, today)?.breached).toBeGreaterThan(day(expected, today)?.breached ?? 0);

    // An outage at the centre during the window excuses today's missed check-ins.
    const from = zonedInstant(LAST, 8 * 60, ZONE);
    await append('hq', 'device-health', healthPayload(CENTRE, 'kiosk', 'disconnected', from, KIOSK), clock.now);
    const outage = await check('an outage');
    expect(day(outage, today)?.breached).toBeLessThan(day(closed, today)?.breached ?? 0);

    // A plan change moves a person to the other centre from today: one fewer due here, one more there.
    await append(
      STAFF,
      'plan',
      { ...plan('p-new4', { subject: 'p-new4', centres: [OTHER] }), effectiveFrom: zonedInstant(LAST, 0, ZONE) - 1 },
      clock.now,
    );
    const moved = await check('a plan change');
    expect(day(moved, today)?.due).toBe((day(outage, today)?.due ?? 0) - 1);
    expect(day(moved, today, OTHER)?.due).toBe((day(outage, today, OTHER)?.due ?? 0) + 1);

    // The next day: yesterday settles (kept as counts only) and agrees still.
    clock.now = zonedInstant(LAST + 1, 12 * 60, ZONE);
    await check('a day later');
    // A fresh dashboard per step reads and verifies the whole store: minutes on a loaded machine.
  }, 240_000);
});
