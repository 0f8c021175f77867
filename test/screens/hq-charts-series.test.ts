// The HQ charts' series (main/web/hq-charts.ts) with entries withheld by verification: a centre-day whose last
// instant, in the centre's own zone, is at or after the problem's `after` is under review (breached 0, compliance
// null, none of its breaches by rule); every other centre-day counts as with no problem; a problem with no
// verified entry before it (`after` undefined) puts every day under review.
import { describe, expect, it } from 'vitest';
import { BreachEngine } from '../../core/breach/engine.ts';
import type { ChartsView } from '../../core/api/hq-api.ts';
import type { VerifyProblem } from '../../ledger/verified-reader.ts';
import { hqCharts } from '../../main/web/hq-charts.ts';
import { HqDays } from '../../main/web/hq-days.ts';
import { LogBuilder, at, checkinPayload, planPayload } from '../checkin/support/log-builder.ts';

const NY = 'America/New_York';
const KOLKATA = 'Asia/Kolkata';
const CENTRES = new Map([
  ['centre-a', NY],
  ['centre-k', KOLKATA],
]);
const now = at('2026-03-03 23:00', NY);

/** s-1 due at centre-a (New York), s-2 at centre-k (Kolkata), from 1 March; both check in on 1 March only. */
function charts(problems: readonly VerifyProblem[]): ChartsView {
  const engine = new BreachEngine();
  const days = new HqDays(() => engine);
  const log = new LogBuilder();
  const records = [
    log.add('centre-a/k1', at('2026-02-27 12:00', NY), 'plan', planPayload({ subject: 's-1' })),
    log.add(
      'centre-k/k1',
      at('2026-02-27 12:00', KOLKATA),
      'plan',
      planPayload({ subject: 's-2', zone: KOLKATA, centres: ['centre-k'] }),
    ),
    log.add('centre-a/k1', at('2026-03-01 09:30', NY), 'checkin', checkinPayload('s-1')),
    log.add('centre-k/k1', at('2026-03-01 09:30', KOLKATA), 'checkin', checkinPayload('s-2', 'centre-k')),
  ];
  for (const record of records) days.add(record, engine.add(record));
  return hqCharts(days, CENTRES, '2026-03-01', '2026-03-03', now, problems);
}

const problem = (after: number | undefined): VerifyProblem => ({
  origin: 'centre-a/k1',
  seq: 4,
  after,
  kind: 'forged',
  reason: 'signature does not verify',
});

/** Per centre and day: [breached, compliance, in doubt]. */
function series(view: ChartsView): Record<string, [number, number | null, boolean]> {
  return Object.fromEntries(
    view.compliance.map((c) => [`${c.centre} ${c.day}`, [c.breached, c.compliance, c.inDoubt === true]]),
  );
}

describe('HQ chart series with a verification problem', () => {
  it('no problem: every centre-day counted, one missed check-in a centre a day from 2 March', () => {
    const view = charts([]);
    expect(series(view)).toEqual({
      'centre-a 2026-03-01': [0, 1, false],
      'centre-a 2026-03-02': [1, 0, false],
      'centre-a 2026-03-03': [1, 0, false],
      'centre-k 2026-03-01': [0, 1, false],
      'centre-k 2026-03-02': [1, 0, false],
      'centre-k 2026-03-03': [1, 0, false],
    });
    expect(view.breaches).toEqual([
      { day: '2026-03-02', rule: 'missed-checkin', count: 2 },
      { day: '2026-03-03', rule: 'missed-checkin', count: 2 },
    ]);
  });

  it("a problem after 2 March 12:00 in New York: the days from then on in each centre's own zone", () => {
    // 2 March 12:00 in New York is 22:30 the same day in Kolkata: both centres' 2 March end after it. Kolkata's
    // 1 March ended at 13:30 on 1 March New York time, before it.
    const view = charts([problem(at('2026-03-02 12:00', NY))]);
    expect(series(view)).toEqual({
      'centre-a 2026-03-01': [0, 1, false],
      'centre-a 2026-03-02': [0, null, true],
      'centre-a 2026-03-03': [0, null, true],
      'centre-k 2026-03-01': [0, 1, false],
      'centre-k 2026-03-02': [0, null, true],
      'centre-k 2026-03-03': [0, null, true],
    });
    expect(view.breaches).toEqual([]);
  });

  it("a problem after 2 March 14:00 in New York: Kolkata's 2 March (ended 13:30 New York time) keeps its verdict", () => {
    const view = charts([problem(at('2026-03-02 14:00', NY))]);
    expect(series(view)).toMatchObject({
      'centre-a 2026-03-02': [0, null, true],
      'centre-k 2026-03-02': [1, 0, false],
      'centre-k 2026-03-03': [0, null, true],
    });
    expect(view.breaches).toEqual([{ day: '2026-03-02', rule: 'missed-checkin', count: 1 }]);
  });

  it('a problem with no verified entry before it: every day under review', () => {
    const view = charts([problem(undefined)]);
    expect(view.compliance.every((c) => c.inDoubt === true && c.breached === 0 && c.compliance === null)).toBe(true);
    expect(view.compliance).toHaveLength(6);
    expect(view.breaches).toEqual([]);
  });
});
