// Quitting the kiosk app waits for the runtime to close: Electron would otherwise exit while the last appends
// and device closes are still in flight.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { holdQuitUntilClosed } from '../../main/electron/quit.ts';

function fakeApp() {
  const emitter = new EventEmitter();
  const exits: number[] = [];
  let prevented = 0;
  const app = {
    on: (event: 'before-quit', listener: (event: { preventDefault(): void }) => void) => emitter.on(event, listener),
    exit: (code = 0) => {
      exits.push(code);
    },
  };
  const quit = () => {
    emitter.emit('before-quit', {
      preventDefault: () => {
        prevented += 1;
      },
    });
  };
  return { app, exits, quit, prevented: () => prevented };
}

describe('quitting the kiosk app', () => {
  it('holds the quit until close has finished, closes once, then exits 0', async () => {
    const { app, exits, quit, prevented } = fakeApp();
    let finish: () => void = () => undefined;
    let closes = 0;
    holdQuitUntilClosed(
      app,
      () => {
        closes += 1;
        return new Promise<void>((resolve) => {
          finish = resolve;
        });
      },
      () => undefined,
    );
    quit();
    quit();
    expect(prevented()).toBe(2);
    expect(closes).toBe(1);
    expect(exits).toEqual([]);
    finish();
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(exits).toEqual([0]);
  });

  it('reports a failed close and exits 1', async () => {
    const { app, exits, quit } = fakeApp();
    const seen: unknown[] = [];
    holdQuitUntilClosed(
      app,
      () => Promise.reject(new Error('store-io')),
      (error) => seen.push(error),
    );
    quit();
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(seen).toHaveLength(1);
    expect(exits).toEqual([1]);
  });
});
