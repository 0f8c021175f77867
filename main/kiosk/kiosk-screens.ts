// A kiosk's screens in the browser (main/web/): the kiosk screen, whose Start button runs a check-in on the
// runtime, and, with a user store for sign-in, the staff attendance screen over the kiosk's logs, where staff
// enrol people at this kiosk and confirm a person when the camera is down.
import type { UserStore } from '../../access/user-store.ts';
import { deviceUsable, type DeviceKind } from '../../core/device-health.ts';
import { KioskScreen, type KioskScreenOptions, type KioskStatus } from '../web/kiosk-screen.ts';
import { StaffBackend } from '../web/staff-backend.ts';
import { StaffConfirmations } from '../web/staff-confirmations.ts';
import { type WebServer, startWebServer } from '../web/web-server.ts';
import type { KioskConfig } from './kiosk-config.ts';
import type { KioskRuntime } from './kiosk-runtime.ts';

export interface KioskScreens {
  /** The runtime's screen port: pass it to KioskRuntime.start. */
  readonly screen: KioskScreen;
  /** The runtime's staff port (camera down: a staff member confirms on the staff screen): pass it too. */
  readonly staff: StaffConfirmations;
  serve(runtime: KioskRuntime, port: number, users?: UserStore): Promise<WebServer>;
}

/** The kiosk screen's language, zone, names and timings from the kiosk configuration. */
export function kioskScreenOptions(config: KioskConfig, clock?: () => number): KioskScreenOptions {
  return {
    language: config.language,
    zone: config.zone,
    ...(config.names.centre ? { centre: config.names.centre } : {}),
    taskNames: config.names.tasks,
    receiptSeconds: config.screen.receiptSeconds,
    idleSeconds: config.screen.idleSeconds,
    voice: config.screen.voice,
    ...(clock ? { clock } : {}),
  };
}

/** What the start screen shows of the runtime: which devices take a person now, and today's window. */
export function kioskStatus(runtime: KioskRuntime): () => KioskStatus {
  const usable = (kind: DeviceKind): boolean => runtime.devices().some((d) => d.kind === kind && deviceUsable(d.state));
  return () => ({ available: { fingerprint: usable('fingerprint'), camera: usable('camera'), badge: usable('badge') }, window: runtime.plans.windowToday(runtime.config.centre) });
}

/** The screens of the kiosk `config` describes. */
export function kioskScreens(config: KioskConfig): KioskScreens {
  const confirmations = new StaffConfirmations();
  const screen = new KioskScreen({ ...kioskScreenOptions(config), callStaff: (reference, reason) => { confirmations.call(reference, reason); } });
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
            personal: runtime.personal,
            confirmations,
          })
        : undefined;
      screen.attach(async () => {
        const outcome = await runtime.checkIn();
        staff?.changed();
        return outcome;
      }, kioskStatus(runtime));
      const web = await startWebServer({ port, kiosk: screen, ...(staff && users ? { staff, users } : {}) });
      return {
        ...web,
        close: async () => {
          staff?.close();
          screen.close();
          await web.close();
        },
      };
    },
  };
}
