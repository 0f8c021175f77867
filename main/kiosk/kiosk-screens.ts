// A kiosk's screens in the browser (main/web/): the kiosk screen, whose Start button runs a check-in on the
// runtime, and, with a user store for sign-in, the staff attendance screen over the kiosk's logs.
import type { UserStore } from '../../access/user-store.ts';
import { KioskScreen } from '../web/kiosk-screen.ts';
import { StaffBackend } from '../web/staff-backend.ts';
import { type WebServer, startWebServer } from '../web/web-server.ts';
import type { KioskRuntime } from './kiosk-runtime.ts';

export interface KioskScreens {
  /** The runtime's screen port: pass it to KioskRuntime.start. */
  readonly screen: KioskScreen;
  serve(runtime: KioskRuntime, port: number, users?: UserStore): Promise<WebServer>;
}

export function kioskScreens(): KioskScreens {
  const screen = new KioskScreen();
  return {
    screen,
    serve: async (runtime, port, users) => {
      screen.attach(() => runtime.checkIn());
      const staff = users
        ? new StaffBackend({
            centre: runtime.config.centre,
            kiosk: runtime.config.kiosk,
            store: runtime.ledger,
            append: (type, payload) => runtime.append(type, payload),
            devices: () => runtime.devices(),
            enrol: (subject) => runtime.enrolAtKiosk(subject),
          })
        : undefined;
      const web = await startWebServer({ port, kiosk: screen, ...(staff && users ? { staff, users } : {}) });
      return {
        ...web,
        close: async () => {
          staff?.close();
          await web.close();
        },
      };
    },
  };
}
