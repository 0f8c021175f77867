// A kiosk's screens in the browser (main/web/): the kiosk screen, whose Start button runs a check-in on the
// runtime, and, with a user store for sign-in, the staff attendance screen over the kiosk's logs, where staff
// enrol people at this kiosk and confirm a person when the camera is down.
import type { UserStore } from '../../access/user-store.ts';
import { KioskScreen } from '../web/kiosk-screen.ts';
import { StaffBackend } from '../web/staff-backend.ts';
import { StaffConfirmations } from '../web/staff-confirmations.ts';
import { type WebServer, startWebServer } from '../web/web-server.ts';
import type { KioskRuntime } from './kiosk-runtime.ts';

export interface KioskScreens {
  /** The runtime's screen port: pass it to KioskRuntime.start. */
  readonly screen: KioskScreen;
  /** The runtime's staff port (camera down: a staff member confirms on the staff screen): pass it too. */
  readonly staff: StaffConfirmations;
  serve(runtime: KioskRuntime, port: number, users?: UserStore): Promise<WebServer>;
}

export function kioskScreens(): KioskScreens {
  const screen = new KioskScreen();
  const confirmations = new StaffConfirmations();
  return {
    screen,
    staff: confirmations,
    serve: async (runtime, port, users) => {
      const staff = users
        ? new StaffBackend({
            centre: runtime.config.centre,
            kiosk: runtime.config.kiosk,
            store: runtime.ledger,
            append: (type, payload) => runtime.append(type, payload),
            devices: () => runtime.devices(),
            enrol: (subject) => runtime.enrolAtKiosk(subject),
            confirmations,
          })
        : undefined;
      screen.attach(async () => {
        const outcome = await runtime.checkIn();
        staff?.changed();
        return outcome;
      });
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
