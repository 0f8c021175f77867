// The kiosk's Electron side, assembled from the electron module it is given (the real one in main.ts, a
// mock in tests): the app scheme serving the renderer with its CSP, the locked-down session, the kiosk window
// in kiosk mode, the typed API over validated IPC, and a new renderer whenever the old one crashes or hangs.
import type * as Electron from 'electron';
import type { BrowserWindow, WebContents } from 'electron';
import { type Logger, componentLogger } from '../../runtime/logger.ts';
import type { ApiService } from '../web/api-service.ts';
import type { RendererBundle } from '../web/bundle.ts';
import { SECURITY_HEADERS } from '../../access/security-headers.ts';
import { screenPage } from '../web/pages.ts';
import { serveApi } from './ipc.ts';
import { APP_SCHEME, KIOSK_URL, kioskWebPreferences, lockNavigation, lockPermissions } from './security.ts';

export type ElectronModule = Pick<typeof Electron, 'app' | 'BrowserWindow' | 'ipcMain' | 'protocol' | 'session'>;

export interface KioskAppOptions {
  readonly api: ApiService;
  readonly bundle: RendererBundle;
  /** Absolute path of the built preload script (preload.cjs). */
  readonly preload: string;
  /** Full-screen kiosk mode (default true; false for a development window). */
  readonly kiosk?: boolean;
  /** Crashes within this window of time count together; past `maxRestarts` the restart waits (default 5 per minute). */
  readonly maxRestarts?: number;
  readonly restartWindowMs?: number;
  /** Default: the process logger's `kiosk-screen` child. */
  readonly logger?: Logger;
}

export interface KioskApp {
  readonly window: () => BrowserWindow | undefined;
  readonly restarts: () => number;
  close(): void;
}

/** Must run before the app is ready: the scheme is standard and secure (its own origin, CSP applies). */
export function registerAppScheme(electron: Pick<ElectronModule, 'protocol'>): void {
  electron.protocol.registerSchemesAsPrivileged([
    {
      scheme: APP_SCHEME,
      privileges: { standard: true, secure: true, supportFetchAPI: false, corsEnabled: false, stream: false },
    },
  ]);
}

/** Serves the kiosk page and the bundle on muster://kiosk with the same security headers as browser mode. */
export function appResponse(bundle: RendererBundle, url: string): Response {
  const path = URL.parse(url)?.pathname ?? '';
  const respond = (type: string, body: string): Response =>
    new Response(body, { status: 200, headers: { ...SECURITY_HEADERS, 'content-type': type } });
  if (path === '/kiosk') return respond('text/html; charset=utf-8', screenPage('kiosk'));
  if (path === '/assets/app.js') return respond('text/javascript; charset=utf-8', bundle.js);
  if (path === '/assets/app.css') return respond('text/css; charset=utf-8', bundle.css);
  return new Response('not found', { status: 404, headers: SECURITY_HEADERS });
}

export function startKioskApp(electron: ElectronModule, options: KioskAppOptions): KioskApp {
  const log = options.logger ?? componentLogger('kiosk-screen');
  const session = electron.session.defaultSession;
  lockPermissions(session);
  session.protocol.handle(APP_SCHEME, (request) => appResponse(options.bundle, request.url));
  electron.app.on('web-contents-created', (_event, contents) => {
    lockNavigation(contents);
  });

  let window: BrowserWindow | undefined;
  let crashes: number[] = [];
  let restarts = 0;
  let closing = false;
  const maxRestarts = options.maxRestarts ?? 5;
  const windowMs = options.restartWindowMs ?? 60_000;

  const open = (): void => {
    const win = new electron.BrowserWindow({
      kiosk: options.kiosk ?? true,
      fullscreen: options.kiosk ?? true,
      autoHideMenuBar: true,
      backgroundColor: '#ffffff',
      webPreferences: kioskWebPreferences(options.preload),
    });
    window = win;
    const contents: WebContents = win.webContents;
    lockNavigation(contents);
    contents.on('render-process-gone', (_event, details) => {
      log.error({ reason: details.reason }, 'renderer gone; restarting it');
      restart();
    });
    contents.on('unresponsive', () => {
      log.error('renderer unresponsive; restarting it');
      restart();
    });
    win.on('closed', () => {
      if (window === win) window = undefined;
      // A kiosk never stays without its screen.
      if (!closing) open();
    });
    void win.loadURL(KIOSK_URL).catch((error: unknown) => {
      log.error({ err: error }, 'could not load');
    });
  };

  const restart = (): void => {
    const now = Date.now();
    crashes = [...crashes.filter((t) => now - t < windowMs), now];
    restarts++;
    const old = window;
    window = undefined;
    const again = (): void => {
      if (closing) return;
      if (old && !old.isDestroyed()) old.destroy();
      else open();
    };
    // A renderer that keeps crashing gets a pause before the next try, so the kiosk does not spin.
    if (crashes.length > maxRestarts) setTimeout(again, windowMs).unref();
    else again();
  };

  const stopApi = serveApi(electron.ipcMain, options.api, () => window?.webContents);
  open();
  return {
    window: () => window,
    restarts: () => restarts,
    close: () => {
      closing = true;
      stopApi();
      window?.destroy();
    },
  };
}
