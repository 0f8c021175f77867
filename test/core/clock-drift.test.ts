import { describe, expect, it } from 'vitest';
import { type ClockObservation, clockDrift } from '../../core/time/clock-drift.ts';

const T = Date.UTC(2026, 2, 2, 14, 0);
const MIN = 60_000;

/** Entries every 10 minutes from a kiosk whose clock is `offset` off, delivered after `delay(i)`. */
function kiosk(origin: string, offset: number, delay: (i: number) => number, count = 10): ClockObservation[] {
  return Array.from({ length: count }, (_, i) => ({
    origin,
    seq: i + 1,
    ts: T + i * 10 * MIN + offset,
    seenAt: T + i * 10 * MIN + delay(i),
  }));
}

describe('clock drift', () => {
  it.each([
    ['a good clock with network delay', kiosk('k-good', 0, () => 800), false, undefined],
    [
      'a good clock back from a day offline (old entries seen late)',
      kiosk('k-offline', 0, (i) => (i < 8 ? 24 * 60 * MIN : 500)),
      false,
      undefined,
    ],
    ['a clock 5 minutes ahead', kiosk('k-ahead', 5 * MIN, () => 1000), true, 'clock ahead by 299 s'],
    ['a clock 10 minutes behind', kiosk('k-behind', -10 * MIN, () => 1000), true, 'clock behind by at least 601 s'],
    ['one late sample is not a slow clock', kiosk('k-one', 0, () => 30 * MIN, 1), false, undefined],
  ] as const)('%s', (_name, observations, flagged, reason) => {
    const [report] = clockDrift(observations);
    expect(report?.flagged).toBe(flagged);
    expect(report?.reason).toBe(reason);
  });

  it('a clock that steps back along the log is flagged with the entry', () => {
    const obs = kiosk('k-step', 0, () => 500);
    obs[5] = { ...(obs[5] as ClockObservation), ts: T - 60 * MIN };
    const [report] = clockDrift(obs);
    expect(report?.stepsBack).toEqual([{ seq: 6, byMs: 100 * MIN }]);
    expect(report?.reason).toContain('stepped back 1 time(s)');
  });

  it('reports every origin, in order', () => {
    expect(clockDrift([...kiosk('b', 0, () => 1), ...kiosk('a', 0, () => 1)]).map((r) => r.origin)).toEqual(['a', 'b']);
  });
});
