// Synthetic months for many people: every finding the engine gives must be one the generator meant, and the
// engine fed entry by entry, in any order, must agree with the from-scratch run.
import { describe, expect, it } from 'vitest';
import { BreachEngine, computeBreaches } from '../../core/breach/engine.ts';
import type { BreachReport } from '../../core/breach/findings.ts';
import { compareRecords } from '../../core/records/entry-ref.ts';
import { parseDay } from '../../core/time/civil-day.ts';
import { syntheticCity } from './support/synthetic-city.ts';

const MARCH = parseDay('2026-03-01') as number;
const NOVEMBER = parseDay('2026-10-20') as number;

function summary(report: BreachReport): { breaches: string[]; reviews: string[] } {
  return {
    breaches: report.breaches.map((b) => `${b.rule} ${b.status} ${b.subject} ${b.day}`).sort(),
    reviews: report.reviews.map((r) => `${r.reason} ${r.status} ${r.subject} ${r.day}`).sort(),
  };
}

describe('a synthetic month for many people', () => {
  it.each([
    ['March (New York and London spring forward)', MARCH, 1],
    ['late October to November (both fall back)', NOVEMBER, 2],
  ])('%s: the engine finds exactly the breaches and reviews meant', (_name, startDay, seed) => {
    const city = syntheticCity({ people: 300, startDay, days: 31, seed });
    const report = computeBreaches(city.records, city.end);
    expect(report.problems).toEqual([]);
    const got = summary(report);
    expect(got.breaches).toEqual(city.expected);
    expect(got.reviews).toEqual(city.reviews);
    // Every kind of finding shows up, so the table really covers them.
    const kinds = new Set(got.breaches.map((b) => b.split(' ').slice(0, 2).join(' ')));
    for (const k of [
      'missed-checkin open',
      'missed-checkin excused',
      'missed-checkin contested',
      'missed-checkin dismissed',
      'late-checkin open',
      'wrong-centre open',
      'task-not-done open',
      'suspected-impersonation open',
    ]) {
      expect(kinds).toContain(k);
    }
  });

  it('incremental: entries one by one, in shuffled order, with evaluations between, agree with from scratch', () => {
    const city = syntheticCity({ people: 60, startDay: MARCH, days: 20, seed: 3 });
    const random = (() => {
      let s = 42;
      return () => (s = (s * 48271) % 2147483647) / 2147483647;
    })();
    // Entries arrive roughly in time order, some late (a kiosk back online), plans first.
    const arrival = [...city.records]
      .sort(compareRecords)
      .map((r) => ({ r, key: r.type === 'plan' && r.ts === 0 ? -1 : r.ts + random() * 6 * 3_600_000 }));
    arrival.sort((a, b) => a.key - b.key);
    const engine = new BreachEngine();
    const seen = [];
    for (const [i, { r, key }] of arrival.entries()) {
      engine.add(r);
      seen.push(r);
      const now = Math.max(key, 0);
      if (i % 97 === 0) expect(summary(engine.evaluate(now))).toEqual(summary(computeBreaches(seen, now)));
    }
    const incremental = engine.evaluate(city.end);
    const scratch = computeBreaches(city.records, city.end);
    expect(incremental).toEqual(scratch);
    // Going back in time is allowed too (a report "as of" an earlier moment).
    const earlier = city.end - 10 * 86_400_000;
    expect(engine.evaluate(earlier)).toEqual(computeBreaches(city.records, earlier));
  });
});
