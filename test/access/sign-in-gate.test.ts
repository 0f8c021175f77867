// The sign-in gate holds back failures and refusals, so a guessing client that asks again as soon as it is answered
// gets about one hash per pause and cannot spin the server on instant 429s (the 30-client flood bench).
import { describe, expect, it } from 'vitest';
import { SignInGate } from '../../access/sign-in-gate.ts';
import { MusterError } from '../../core/errors.ts';

/** A pause the test releases by hand, recording what was asked for. */
function manualPauses(): { pause: (ms: number) => Promise<void>; asked: number[]; release: () => void } {
  const asked: number[] = [];
  const pending: (() => void)[] = [];
  return {
    asked,
    pause: (ms) => {
      asked.push(ms);
      return new Promise((resolve) => pending.push(resolve));
    },
    release: () => {
      for (const resolve of pending.splice(0)) resolve();
    },
  };
}

const settled = <T>(
  promise: Promise<T>,
): { readonly state: () => 'pending' | 'fulfilled' | 'rejected'; readonly done: Promise<unknown> } => {
  let state: 'pending' | 'fulfilled' | 'rejected' = 'pending';
  const done = promise.then(
    () => (state = 'fulfilled'),
    () => (state = 'rejected'),
  );
  return { state: () => state, done };
};

const wrong = async (hash: <R>(work: () => Promise<R>) => Promise<R>): Promise<never> => {
  await hash(() => Promise.resolve(false));
  throw new MusterError('auth-failed', 'wrong password');
};

describe('sign-in gate pauses', () => {
  it('answers a failure only after its pause, its account busy meanwhile (the retry is refused, also after a pause)', async () => {
    const pauses = manualPauses();
    const gate = new SignInGate({ failurePauseMs: 1000, refusalPauseMs: 700 }, Date.now, pauses.pause);
    const first = settled(gate.run('nobody', '10.0.0.9', wrong));
    await new Promise((resolve) => setImmediate(resolve));
    expect(pauses.asked).toEqual([1000]);
    expect(first.state()).toBe('pending');
    // The guesser asks again while the failure is held, from another address too: refused without a hash, and
    // that answer is held too.
    let hashed = false;
    const retry = settled(gate.run('nobody', '10.0.0.8', (hash) => hash(() => Promise.resolve((hashed = true)))));
    await new Promise((resolve) => setImmediate(resolve));
    expect(pauses.asked).toEqual([1000, 700]);
    expect(retry.state()).toBe('pending');
    pauses.release();
    await Promise.all([first.done, retry.done]);
    expect([first.state(), retry.state(), hashed]).toEqual(['rejected', 'rejected', false]);
    await expect(gate.run('other', '10.0.0.9', () => Promise.resolve('ok'))).resolves.toBe('ok');
  });

  it('admits a few attempts per address at once, each on its own account, and refuses one over maxAddressInFlight', async () => {
    const pauses = manualPauses();
    const gate = new SignInGate({ maxAddressInFlight: 2 }, Date.now, pauses.pause);
    const never = (): Promise<string> => new Promise<string>(() => undefined);
    void gate.run('ana', '10.0.0.1', never);
    void gate.run('bo', '10.0.0.1', never);
    const third = settled(gate.run('cy', '10.0.0.1', () => Promise.resolve('never')));
    await new Promise((resolve) => setImmediate(resolve));
    expect(pauses.asked).toEqual([1000]);
    // Another address is not held by it.
    await expect(gate.run('cy', '10.0.0.2', () => Promise.resolve('ok'))).resolves.toBe('ok');
    pauses.release();
    await third.done;
    expect(third.state()).toBe('rejected');
  });

  it('takes an address back to one attempt at a time once it failed maxAddressFailuresInParallel times', async () => {
    const gate = new SignInGate({ maxAddressInFlight: 4, maxAddressFailuresInParallel: 2, failurePauseMs: 0 });
    await Promise.allSettled([gate.run('a', '10.0.0.9', wrong), gate.run('b', '10.0.0.9', wrong)]);
    const never = (): Promise<string> => new Promise<string>(() => undefined);
    void gate.run('c', '10.0.0.9', never);
    await expect(gate.run('d', '10.0.0.9', () => Promise.resolve('never'))).rejects.toMatchObject({
      code: 'throttled',
    });
    // Officers behind another address are not held back by it.
    void gate.run('e', '10.0.0.1', never);
    await expect(gate.run('f', '10.0.0.1', () => Promise.resolve('ok'))).resolves.toBe('ok');
  });

  it('a success is answered at once, and refusals beyond maxPaused are not held', async () => {
    const pauses = manualPauses();
    const gate = new SignInGate({ maxPaused: 1 }, Date.now, pauses.pause);
    await expect(gate.run('ana', '10.0.0.1', (hash) => hash(() => Promise.resolve('session')))).resolves.toBe(
      'session',
    );
    expect(pauses.asked).toEqual([]);
    // An attempt that never ends keeps the account busy.
    void gate.run('ana', '10.0.0.1', () => new Promise<string>(() => undefined));
    const held = settled(gate.run('ana', '10.0.0.2', () => Promise.resolve('never')));
    await expect(gate.run('ana', '10.0.0.3', () => Promise.resolve('never'))).rejects.toMatchObject({
      code: 'throttled',
    });
    expect(held.state()).toBe('pending');
    expect(pauses.asked).toHaveLength(1);
    pauses.release();
    await held.done;
    expect(held.state()).toBe('rejected');
  });
});
