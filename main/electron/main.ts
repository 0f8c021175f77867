// The kiosk's Electron main process: `electron dist/main/electron/main.js --config kiosk.json` (after
// `npm run build`; the packaged app's entry, see electron.config.ts). Drivers, the log and face matching run
// here and in worker threads (the kiosk runtime), never in the renderer; the kiosk window talks to them only
// through the typed API over validated IPC. The staff screen is served in browser mode by the same process
// on loopback (MUSTER_WEB_PORT, default 8080; sign-in through the users file in the data dir).
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as electron from 'electron';
import { SafeStorageSecretStore } from '../../access/key-store.ts';
import { UserStore } from '../../access/user-store.ts';
import { componentLogger } from '../../runtime/logger.ts';
import { loadKioskConfig } from '../kiosk/kiosk-config.ts';
import { KioskRuntime } from '../kiosk/kiosk-runtime.ts';
import { kioskScreens } from '../kiosk/kiosk-screens.ts';
import { ApiService } from '../web/api-service.ts';
import { rendererBundle } from '../web/bundle.ts';
import { registerAppScheme, startKioskApp } from './kiosk-app.ts';
import { kioskEnv } from './kiosk-env.ts';
import { holdQuitUntilClosed } from './quit.ts';

function configPath(argv: readonly string[], fromEnv: string | undefined): string {
  const at = argv.indexOf('--config');
  const path = at >= 0 ? argv[at + 1] : fromEnv;
  if (path === undefined || path === '') throw new Error('usage: muster-kiosk --config FILE (or MUSTER_KIOSK_CONFIG)');
  return path;
}

async function main(): Promise<void> {
  registerAppScheme(electron);
  await electron.app.whenReady();
  const env = kioskEnv(process.env);
  const config = loadKioskConfig(configPath(process.argv, env.configFile));
  // The same screens as `muster kiosk run`: the kiosk screen (the runtime's ScreenPort), staff confirmation
  // when the camera is down (its StaffPort), and the staff screen with enrolment at this kiosk.
  const screens = kioskScreens(config);
  // The kiosk's signing keys and centre data key sealed by the OS keyring (key files of earlier runs move in).
  const secrets = new SafeStorageSecretStore(join(config.dataDir, 'secrets'), electron.safeStorage);
  const runtime = await KioskRuntime.start({
    config,
    screen: screens.screen,
    staff: screens.staff,
    onAlert: screens.onAlert,
    secrets,
  });
  const users = UserStore.open(join(config.dataDir, 'users.db'));
  const web = await screens.serve(runtime, env.webPort, users);
  componentLogger('kiosk').info({ url: web.urls.staff ?? null }, 'staff screen');
  const app = startKioskApp(electron, {
    api: new ApiService([screens.screen]),
    bundle: await rendererBundle(),
    preload: fileURLToPath(new URL('./preload.cjs', import.meta.url)),
    kiosk: !env.windowed,
  });
  holdQuitUntilClosed(
    electron.app,
    async () => {
      app.close();
      await web.close();
      users.close();
      await runtime.close();
    },
    (error) => {
      componentLogger('kiosk').error({ err: error }, 'closing failed');
    },
  );
}

main().catch((error: unknown) => {
  componentLogger('kiosk').fatal({ err: error }, 'could not start');
  electron.app.exit(1);
});
