// Breach engine for a city: 5,000 people x 365 days of entries. From scratch (goal: under 10 s) and
// incrementally per new entry (goal: under 1 ms), beside a baseline that only validates every check-in (the
// least any engine reading the log must do).
import { BreachEngine, computeBreaches } from '../core/breach/engine.ts';
import { parseCheckin } from '../core/records/checkin.ts';
import type { LogRecord } from '../core/records/entry-ref.ts';
import { parseDay } from '../core/time/civil-day.ts';
import { syntheticCity } from '../test/checkin/support/synthetic-city.ts';
import { percentile } from './report.ts';
import type { Suite } from './suites.ts';

const PEOPLE = 5000;
const DAYS = 365;
const INCREMENTAL_SAMPLES = 5000;

export const breachSuite: Suite = {
  name: 'breach',
  run(report) {
    const city = syntheticCity({
      people: PEOPLE,
      startDay: parseDay('2025-01-01') as number,
      days: DAYS,
      seed: 7,
      outagePerMille: 5,
      compliance: 0.95,
    });
    const n = city.records.length;
    report.add('breach: city entries', n, 'entries');

    let start = performance.now();
    for (const r of city.records) if (r.type === 'checkin') parseCheckin(r.payload);
    const parseSeconds = (performance.now() - start) / 1000;
    report.add('breach: validate check-in payloads (baseline)', parseSeconds, 's');

    start = performance.now();
    const scratch = computeBreaches(city.records, city.end);
    report.add(
      `breach: from scratch, ${PEOPLE} people x ${DAYS} days`,
      (performance.now() - start) / 1000,
      's',
      'breach: validate check-in payloads (baseline)',
    );
    report.add('breach: breaches found', scratch.breaches.length, 'breaches');

    // Incremental: the engine holds the year but the last day; each of that day's entries arrives, and the
    // person it touches is re-evaluated (what HQ does per received entry).
    const lastDayStart = city.end - 2 * 86_400_000;
    const sorted = [...city.records].sort((a, b) => a.ts - b.ts);
    const held = sorted.filter((r) => r.ts < lastDayStart || r.type === 'plan');
    const fresh = sorted.filter((r) => r.ts >= lastDayStart && r.type !== 'plan').slice(0, INCREMENTAL_SAMPLES);
    const engine = new BreachEngine();
    for (const r of held) engine.add(r);
    engine.evaluate(lastDayStart);
    const times: number[] = [];
    for (const r of fresh) times.push(timeOne(engine, r));
    times.sort((a, b) => a - b);
    const mean = times.reduce((s, t) => s + t, 0) / times.length;
    report.add('breach: incremental per new entry, mean', mean, 'ms');
    report.add(
      'breach: incremental per new entry, p99',
      percentile(times, 99),
      'ms',
      'breach: incremental per new entry, mean',
    );

    // The costliest single entry: an outage report touches everyone assigned to the centre.
    const since = lastDayStart + 3_600_000;
    const outage: LogRecord = {
      ref: { origin: 'hq', seq: 1e9, hash: '00'.repeat(32) },
      ts: since + 60_000,
      type: 'device-health',
      payload: {
        centre: 'America/New_York/c0',
        kiosk: 'America/New_York/c0/k1',
        device: 'kiosk',
        state: 'disconnected',
        since,
      },
    };
    start = performance.now();
    const touched = engine.add(outage);
    for (const subject of touched) engine.evaluateSubject(subject, outage.ts);
    report.add(
      `breach: incremental, outage report touching ${touched.length} people`,
      performance.now() - start,
      'ms',
      'breach: incremental per new entry, mean',
    );
    return Promise.resolve();
  },
};

function timeOne(engine: BreachEngine, record: LogRecord): number {
  const t = performance.now();
  for (const subject of engine.add(record)) engine.evaluateSubject(subject, record.ts);
  return performance.now() - t;
}
