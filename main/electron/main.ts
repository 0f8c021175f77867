// The kiosk's Electron main process: `electron dist/main/electron/main.js --config kiosk.json` (after
// `npm run build`; the packaged app's entry, see electron.config.ts). Drivers, the log and face matching run
// here and in worker threads (the kiosk runtime), never in the renderer; the kiosk window talks to them only
// through the typed API over validated IPC. The staff screen is served in browser mode by the same process
// (loopback by default: MUSTER_WEB_HOST / MUSTER_WEB_PORT; sign-in through the users file in the data dir).
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as electron from 'electron';
import { UserStore } from '../../access/user-store.ts';
import { errorMessage } from '../../core/errors.ts';
import { loadKioskConfig } from '../kiosk/kiosk-config.ts';
import { KioskRuntime } from '../kiosk/kiosk-runtime.ts';
import { ApiService } from '../web/api-service.ts';
import { rendererBundle } from '../web/bundle.ts';
import { KioskScreen } from '../web/kiosk-screen.ts';
import { StaffBackend } from '../web/staff-backend.ts';
import { StaffConfirmations } from '../web/staff-confirmations.ts';
import { startWebServer } from '../web/web-server.ts';
import { registerAppScheme, startKioskApp } from './kiosk-app.ts';

const MAX_PAGES = 1000;

function configPath(argv: readonly string[]): string {
  const at = argv.indexOf('--config');
  const path = at >= 0 ? argv[at + 1] : process.env.MUSTER_KIOSK_CONFIG;
  if (path === undefined || path === '') throw new Error('usage: muster-kiosk --config FILE (or MUSTER_KIOSK_CONFIG)');
  return path;
}

async function main(): Promise<void> {
  registerAppScheme(electron);
  await electron.app.whenReady();
  const config = loadKioskConfig(configPath(process.argv));
  const screen = new KioskScreen();
  // Camera down: the kiosk asks staff, on the staff screen, to confirm the person in person.
  const confirmations = new StaffConfirmations();
  const runtime = await KioskRuntime.start({ config, screen, staff: confirmations });
  const staff = new StaffBackend({
    centre: config.centre,
    kiosk: config.kiosk,
    store: runtime.ledger,
    append: (type, payload) => runtime.append(type, payload),
    devices: () => runtime.devices(),
    confirmations,
    enrol: async (subject) => {
      // The finger goes into the first free sensor page; face captures are taken at the kiosk camera.
      const page = Array.from({ length: MAX_PAGES }, (_, i) => i + 1).find((p) => runtime.enrolments.subjectOfPage(p) === undefined);
      if (page === undefined) return { ok: false, message: 'the sensor has no free page' };
      try {
        await runtime.enrol({ subject, page, enrolFinger: true });
        return { ok: true, message: `finger enrolled on sensor page ${page}` };
      } catch (error) {
        return { ok: false, message: errorMessage(error) };
      }
    },
  });
  screen.attach(async () => {
    const outcome = await runtime.checkIn();
    staff.changed();
    return outcome;
  });
  const users = UserStore.open(join(config.dataDir, 'users.db'));
  const web = await startWebServer({ staff, users, host: process.env.MUSTER_WEB_HOST ?? '127.0.0.1', port: Number(process.env.MUSTER_WEB_PORT ?? 8080) });
  process.stderr.write(`staff screen: ${web.urls.staff ?? ''}\n`);
  const app = startKioskApp(electron, {
    api: new ApiService([screen]),
    bundle: await rendererBundle(),
    preload: fileURLToPath(new URL('./preload.cjs', import.meta.url)),
    kiosk: process.env.MUSTER_KIOSK_WINDOWED !== '1',
  });
  electron.app.on('before-quit', () => {
    app.close();
    void web.close();
    staff.close();
    users.close();
    void runtime.close();
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`muster kiosk: ${errorMessage(error)}\n`);
  electron.app.exit(1);
});
