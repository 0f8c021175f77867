// The shared retry helper: the delay schedule (growth, cap, jitter bounds), retry() giving up and honouring
// `retryable` and abort, RetryLoop retrying until success, and jitter actually spreading clients that failed together.
import { describe, expect, it } from 'vitest';
import { Backoff, RetryLoop, backoffDelay, retry } from '../../runtime/retry.ts';
import { waitFor } from '../helpers/wait-for.ts';

const policy = { initialMs: 100, maxMs: 1000 };

describe('backoffDelay', () => {
  it('doubles the ceiling per failure up to maxMs; jitter 0 is the plain schedule', () => {
    const plain = { ...policy, jitter: 0 };
    expect([0, 1, 2, 3, 4, 5, 80].map((f) => backoffDelay(plain, f))).toEqual([100, 200, 400, 800, 1000, 1000, 1000]);
  });

  it('full jitter draws in [0, ceiling]; half jitter in [ceiling/2, ceiling]', () => {
    expect(backoffDelay(policy, 2, () => 0)).toBe(400);
    expect(backoffDelay(policy, 2, () => 0.999_999)).toBe(0);
    expect(backoffDelay({ ...policy, jitter: 0.5 }, 2, () => 0.999_999)).toBe(200);
    expect(backoffDelay({ ...policy, factor: 3, jitter: 0 }, 2)).toBe(900);
  });

  it('refuses a policy that makes no sense', () => {
    expect(() => backoffDelay({ initialMs: 10, maxMs: 5 }, 0)).toThrow(TypeError);
    expect(() => backoffDelay({ ...policy, jitter: 2 }, 0)).toThrow(TypeError);
    expect(() => new Backoff({ ...policy, factor: 0.5 })).toThrow(TypeError);
  });

  it('spreads 2,000 clients that failed at once over the window instead of one instant', () => {
    const delays = Array.from({ length: 2000 }, () => backoffDelay({ initialMs: 10_000, maxMs: 60_000 }, 0));
    const perSecond = new Map<number, number>();
    for (const d of delays) {
      const second = Math.min(9, Math.floor(d / 1000)); // a delay of exactly 10,000 ms belongs to the last second
      perSecond.set(second, (perSecond.get(second) ?? 0) + 1);
    }
    expect(perSecond.size).toBe(10);
    expect(Math.max(...perSecond.values())).toBeLessThan(400); // ~200 a second, never the whole fleet
  });
});

describe('Backoff', () => {
  it('counts failures and starts over after reset', () => {
    const backoff = new Backoff({ ...policy, jitter: 0 });
    expect([backoff.next(), backoff.next(), backoff.next()]).toEqual([100, 200, 400]);
    expect(backoff.failures).toBe(3);
    backoff.reset();
    expect(backoff.next()).toBe(100);
  });
});

describe('retry', () => {
  const fast = { initialMs: 1, maxMs: 4 };

  it('retries until the attempt resolves and reports each retry', async () => {
    const retried: number[] = [];
    const value = await retry((n) => (n < 3 ? Promise.reject(new Error(`fail ${n}`)) : Promise.resolve(n)), {
      policy: fast,
      onRetry: (_error, delay) => retried.push(delay),
    });
    expect(value).toBe(3);
    expect(retried).toHaveLength(2);
  });

  it('gives up after `attempts` with the last error, and at once on an error that is not retryable', async () => {
    let calls = 0;
    await expect(
      retry(() => Promise.reject(new Error(`fail ${++calls}`)), { policy: fast, attempts: 3 }),
    ).rejects.toThrow('fail 3');
    calls = 0;
    const fatal = new Error('fatal');
    await expect(
      retry(() => (++calls, Promise.reject(fatal)), { policy: fast, retryable: (e) => e !== fatal }),
    ).rejects.toBe(fatal);
    expect(calls).toBe(1);
    await expect(retry(() => Promise.resolve(1), { policy: fast, attempts: 0 })).rejects.toThrow(TypeError);
  });

  it('stops waiting when aborted', async () => {
    const controller = new AbortController();
    const running = retry(() => Promise.reject(new Error('down')), {
      policy: { initialMs: 60_000, maxMs: 60_000, jitter: 0 },
      signal: controller.signal,
      onRetry: () => {
        controller.abort(new Error('shutting down'));
      },
    });
    await expect(running).rejects.toThrow('shutting down');
  });
});

describe('RetryLoop', () => {
  it('retries in the background until success; stop cancels the pending try', async () => {
    let calls = 0;
    const loop = new RetryLoop({ initialMs: 1, maxMs: 2 }, () =>
      ++calls < 4 ? Promise.reject(new Error('not yet')) : Promise.resolve(),
    );
    loop.schedule();
    await waitFor(() => calls === 4, 'the fourth attempt');
    loop.succeeded();
    const stopped = new RetryLoop({ initialMs: 0, maxMs: 0 }, () => {
      throw new Error('must not run');
    });
    stopped.schedule();
    stopped.stop();
    expect(calls).toBe(4);
  });
});
