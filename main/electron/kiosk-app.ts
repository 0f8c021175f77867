// The kiosk's Electron side, assembled from the electron module it is given (the real one in main.ts, a
// mock in tests): the app scheme serving the renderer with its CSP, the locked-down session, the kiosk window
// in kiosk mode, the typed API over validated IPC, and a new renderer whenever the old one crashes or hangs.
import type * as Electron from 'electron';
import type { BrowserWindow, WebContents } from 'electron';
import { type Logger, componentLogger } from '../../runtime/logger.ts';
import { Backoff, type BackoffPolicy, type Random } from '../../runtime/retry.ts';
import type { ApiService } from '../web/api-service.ts';
import type { RendererBundle } from '../web/bundle.ts';
import { SECURITY_HEADERS } from '../../access/security-headers.ts';
import { screenPage, screenScript } from '../web/pages.ts';
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
  /** When a crashed or hung renderer is replaced (default CRASH_LOOP_POLICY). */
  readonly restartPolicy?: CrashLoopPolicy;
  /** Randomness for the restart backoff's jitter (tests fix it). */
  readonly random?: Random;
  /** Default: the process logger's `kiosk-screen` child. */
  readonly logger?: Logger;
}

/**
 * A renderer that crashes is replaced at once, `immediate` times in a row; one that keeps crashing waits a jittered,
 * growing delay before each new try (runtime/retry.ts), so the kiosk neither spins nor stays dark longer than
 * needed. A renderer that ran `stableMs` before it crashed starts the count afresh.
 */
export interface CrashLoopPolicy {
  readonly immediate: number;
  readonly backoff: BackoffPolicy;
  readonly stableMs: number;
}

export const CRASH_LOOP_POLICY: CrashLoopPolicy = {
  immediate: 3,
  backoff: { initialMs: 1_000, maxMs: 60_000, jitter: 0.5 },
  stableMs: 60_000,
};

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
  if (path === screenScript('kiosk')) return respond('text/javascript; charset=utf-8', bundle.screens.kiosk);
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
  let restarts = 0;
  let closing = false;
  const policy = options.restartPolicy ?? CRASH_LOOP_POLICY;
  const backoff = new Backoff(policy.backoff, options.random);
  /** Crashes in a row, each before its renderer had run `stableMs`. */
  let quickCrashes = 0;
  let openedAt = 0;

  const open = (): void => {
    const win = new electron.BrowserWindow({
      kiosk: options.kiosk ?? true,
      fullscreen: options.kiosk ?? true,
      autoHideMenuBar: true,
      backgroundColor: '#ffffff',
      webPreferences: kioskWebPreferences(options.preload),
    });
    window = win;
    openedAt = Date.now();
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
    if (Date.now() - openedAt >= policy.stableMs) {
      quickCrashes = 0;
      backoff.reset();
    }
    quickCrashes++;
    restarts++;
    const old = window;
    window = undefined;
    const again = (): void => {
      if (closing) return;
      if (old && !old.isDestroyed()) old.destroy();
      else open();
    };
    if (quickCrashes <= policy.immediate) {
      again();
      return;
    }
    const delay = backoff.next();
    log.warn({ delayMs: delay, crashes: quickCrashes }, 'renderer keeps crashing; waiting before the next one');
    setTimeout(again, delay).unref();
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
