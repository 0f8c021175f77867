// The demo kiosk's screen (main/demo/demo-screen.ts) between scripted visits: a session started from the browser
// screen's Start button is watched by the presence cue like a real kiosk's, so the browser screen's touches reach
// the cue and a watched wait's countdown follows the cue's end (issue 17). Kiosk time is a simulated clock.
import { describe, expect, it } from 'vitest';
import { DemoScreen } from '../../main/demo/demo-screen.ts';
import { KioskScreen } from '../../main/web/kiosk-screen.ts';

describe('the demo kiosk screen', () => {
  it("passes the browser screen's touches to the presence cue, and the cue's end of a wait to its countdown", () => {
    let now = 1_000_000;
    const display = new KioskScreen({ clock: () => now });
    display.attach(() => new Promise(() => undefined));
    const handlers = display.handlers as Record<string, (params: unknown) => unknown>;
    handlers['kiosk.begin']?.({});
    const demo = new DemoScreen(display);
    let touches = 0;
    const stop = demo.touches(() => {
      touches++;
    });
    // The staff wait's 5 minutes, the cue's idle minute.
    demo.waiting(300_000, 60_000);
    expect(display.current().countdown).toBe(60);
    now += 20_000;
    handlers['kiosk.touch']?.({});
    expect(touches).toBe(1);
    demo.seen(60_000);
    const view = display.current();
    expect(view.now + (view.countdown ?? 0) * 1000).toBe(now + 60_000);
    stop();
    handlers['kiosk.touch']?.({});
    expect(touches).toBe(1);
    display.close();
  });
});
