// The demo panel's backend (renderer/demo/demo-panel.ts, core/api/demo-api.ts): buttons that send the same
// control lines as `muster demo` reads on stdin, so anyone can play a parolee on the emulated kiosks from a
// browser. Only the demo creates it; a line that fails is answered, like on stdin, never thrown at the screen.
import { errorMessage } from '../../core/errors.ts';
import type { ApiBackend, Handlers } from '../web/api-service.ts';

/** What the panel drives: the demo centre (main/demo/demo-center.ts). */
export interface DemoControls {
  control(line: string): Promise<string>;
  readonly kiosks: readonly string[];
  readonly people: readonly string[];
  readonly zone: string;
  now(): number;
}

export class DemoPanelBackend implements ApiBackend {
  /** The centre, once it has started (its screens start before it is complete). */
  private controls: DemoControls | undefined;

  readonly handlers: Handlers = {
    'demo.setup': () => {
      const c = this.started();
      return { kiosks: c.kiosks, people: c.people, now: c.now(), zone: c.zone };
    },
    'demo.control': async ({ line }) => {
      const c = this.started();
      try {
        const reply = await c.control(line);
        return { ok: true, reply, now: c.now() };
      } catch (error) {
        return { ok: false, reply: `error ${errorMessage(error)}`, now: c.now() };
      }
    },
  };

  attach(controls: DemoControls): void {
    this.controls = controls;
  }

  private started(): DemoControls {
    if (!this.controls) throw new TypeError('the demo is still starting');
    return this.controls;
  }
}
