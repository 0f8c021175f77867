// A kiosk's screens in the browser (main/web/): the kiosk screen, whose Start button runs a check-in on the
// runtime, and, with a user store for sign-in, the staff attendance screen over the kiosk's logs, where staff
// enrol people at this kiosk, confirm a person when the camera is down, and see the centre's breach alerts live
// as HQ publishes them (net/centre-alerts.ts, fed by the kiosk's replication link).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { UserStore } from '../../access/user-store.ts';
import { deviceUsable, type DeviceKind } from '../../core/device-health.ts';
import { CentreAlerts } from '../../net/centre-alerts.ts';
import { topicId } from '../../net/topics.ts';
import { componentLogger } from '../../runtime/logger.ts';
import { staffAlertsBackend, withAlerts } from '../web/alert-handlers.ts';
import { KioskScreen, type KioskScreenOptions, type KioskStatus } from '../web/kiosk-screen.ts';
import { EvidenceExports, withStaffEvidence } from '../web/evidence-export.ts';
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
  /** The centre's breach alerts from HQ's topic, for the staff screen: pass it to KioskRuntime.start too. */
  readonly onAlert: (payload: Buffer) => void;
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
  return () => ({
    available: { fingerprint: usable('fingerprint'), camera: usable('camera'), badge: usable('badge') },
    window: runtime.plans.windowToday(runtime.config.centre),
  });
}

/** The screens of the kiosk `config` describes. */
export function kioskScreens(config: KioskConfig): KioskScreens {
  const confirmations = new StaffConfirmations();
  const screen = new KioskScreen({
    ...kioskScreenOptions(config),
    callStaff: (reference, reason) => {
      confirmations.call(reference, reason);
    },
  });
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const alerts = CentreAlerts.open(
    join(config.dataDir, `${topicId(config.kiosk)}.alerts.db`),
    config.centre,
    componentLogger('centre-alerts'),
  );
  return {
    screen,
    staff: confirmations,
    onAlert: (payload) => {
      alerts.receive(payload);
    },
    serve: async (runtime, port, users) => {
      const staff = users
        ? new StaffBackend({
            centre: runtime.config.centre,
            kiosk: runtime.config.kiosk,
            // The centre's zone for every time on the screen, also before anyone's plan is on the log.
            zone: runtime.config.zone,
            store: runtime.ledger,
            append: (type, payload) => runtime.append(type, payload),
            devices: () => runtime.devices(),
            enrol: (subject, by) => runtime.enrolAtKiosk(subject, { by }),
            personal: runtime.personal,
            confirmations,
            peers: () => runtime.peerHealth.list(),
          })
        : undefined;
      screen.attach(async () => {
        const outcome = await runtime.checkIn();
        staff?.changed();
        return outcome;
      }, kioskStatus(runtime));
      const web = await startWebServer({
        port,
        kiosk: screen,
        ...(staff && users
          ? { staff: withAlerts(withStaffEvidence(staff, kioskEvidence(runtime)), staffAlertsBackend(alerts)), users }
          : {}),
      });
      return {
        ...web,
        close: async () => {
          staff?.close();
          screen.close();
          await web.close();
          alerts.close();
        },
      };
    },
  };
}

/** "Export evidence" on the staff screen: from the kiosk's store (its log and its peers'), each export logged on its own log. */
function kioskEvidence(runtime: KioskRuntime): EvidenceExports {
  return new EvidenceExports({
    stores: [runtime.ledger],
    log: { origin: runtime.config.kiosk, append: (type, payload) => runtime.append(type, payload) },
  });
}
