// The demo panel's API (renderer/demo/demo-panel.ts): the same control lines as `muster demo` reads on stdin
// (main/demo/demo-controls.ts), from buttons. Served only by the demo (main/demo/demo-panel.ts): a kiosk or HQ
// process has no backend for these methods and refuses them as not served. Like the kiosk screen's own calls,
// they need the screen secret that only the panel's printed URL carries, from this machine.
import { type Out, bool, ident, list, num, obj, text } from './check.ts';

const setup = obj({
  /** The demo's kiosks, in order (the control lines also take their number, 1-based). */
  kiosks: list(ident, 16),
  /** The people enrolled on them. */
  people: list(ident, 10_000),
  /** The demo clock (epoch ms) and the centre's zone, which the panel shows it in. */
  now: num,
  zone: text(1, 64),
});

export const demoMethods = {
  'demo.setup': { access: 'kiosk', params: obj({}), result: setup },
  'demo.control': {
    access: 'kiosk',
    params: obj({ line: text(1, 200) }),
    /** `ok`: the line was carried out; `reply`: the answer `muster demo` prints for it; `now`: the demo clock after it. */
    result: obj({ ok: bool, reply: text(0, 4000), now: num }),
  },
} as const;

export type DemoSetup = Out<typeof setup>;
