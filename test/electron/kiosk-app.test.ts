// The kiosk's Electron main process against a mocked `electron` module: the window's security settings, the
// navigation and permission locks, IPC that answers only the kiosk window's own top frame, the app scheme's
// CSP, and a new renderer after a crash. The preload runs as Electron runs it: sandboxed CommonJS whose only
// require is `electron`.
import { readFileSync } from 'node:fs';
import { runInNewContext } from 'node:vm';
import { transformSync } from 'esbuild';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { EventMessage } from '../../core/api/api.ts';
import type { CrashLoopPolicy } from '../../main/electron/kiosk-app.ts';
import { startKioskApp, registerAppScheme, type KioskApp } from '../../main/electron/kiosk-app.ts';
import { CALL_CHANNEL, EVENT_CHANNEL } from '../../main/electron/ipc.ts';
import { KIOSK_URL } from '../../main/electron/security.ts';
import { ApiService } from '../../main/web/api-service.ts';
import { KioskScreen } from '../../main/web/kiosk-screen.ts';
import { FakeBrowserWindow, FakeFrame, FakeWebContents, asElectron, fakeElectron } from './support/fake-electron.ts';
import { MemoryLog } from '../../runtime/logger.ts';

const bundle = {
  screens: { kiosk: 'console.log("kiosk")', staff: '', hq: '', demo: '' },
  css: 'body{}',
  verifyPage: '',
};
let app: KioskApp | undefined;
afterEach(() => {
  app?.close();
  app = undefined;
  vi.useRealTimers();
});

function start(options: { restartPolicy?: CrashLoopPolicy; random?: () => number } = {}) {
  const fake = fakeElectron();
  const screen = new KioskScreen();
  app = startKioskApp(asElectron(fake), {
    api: new ApiService([screen]),
    bundle,
    preload: '/app/preload.cjs',
    logger: new MemoryLog().logger,
    ...options,
  });
  const win = FakeBrowserWindow.created.at(-1) as FakeBrowserWindow;
  return { fake, screen, win };
}

function invoke(
  fake: ReturnType<typeof fakeElectron>,
  sender: FakeWebContents,
  frame: FakeFrame | null,
  message: unknown,
): Promise<unknown> {
  const handler = fake.handlers.get(CALL_CHANNEL);
  if (!handler) throw new Error('no IPC handler');
  return Promise.resolve(handler({ sender, senderFrame: frame }, message));
}

describe('kiosk window', () => {
  it('is a sandboxed, isolated kiosk-mode window without Node, on the app scheme', () => {
    const { win } = start();
    expect(win.options).toMatchObject({ kiosk: true, fullscreen: true });
    expect(win.options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      webviewTag: false,
      preload: '/app/preload.cjs',
    });
    expect(win.loaded).toBe(KIOSK_URL);
  });

  it('registers the app scheme as standard and secure before ready', () => {
    const fake = fakeElectron();
    registerAppScheme(asElectron(fake));
    expect(fake.schemes).toMatchObject([{ scheme: 'muster', privileges: { standard: true, secure: true } }]);
  });

  it('blocks navigation away, new windows and webviews', () => {
    const { win } = start();
    const contents = win.webContents;
    expect(contents.fire('will-navigate', 'https://example.com/')).toBe(true);
    expect(contents.fire('will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(contents.fire('will-navigate', `${KIOSK_URL}?again`)).toBe(false);
    expect(contents.fire('will-redirect', 'http://127.0.0.1:8080/')).toBe(true);
    expect(contents.fire('will-attach-webview')).toBe(true);
    expect(contents.windowOpenHandler?.({ url: KIOSK_URL })).toEqual({ action: 'deny' });
  });

  it('grants the camera (video only) to the app and nothing else', () => {
    const { fake } = start();
    const ask = (permission: string, details: Record<string, unknown>): boolean => {
      let granted: boolean | undefined;
      fake.permission.request?.({}, permission, (g: boolean) => (granted = g), details);
      return granted === true;
    };
    expect(ask('media', { mediaTypes: ['video'], securityOrigin: 'muster://kiosk/' })).toBe(true);
    expect(ask('media', { mediaTypes: ['video', 'audio'], securityOrigin: 'muster://kiosk/' })).toBe(false);
    expect(ask('media', { mediaTypes: ['video'], securityOrigin: 'https://example.com/' })).toBe(false);
    for (const p of ['geolocation', 'notifications', 'openExternal', 'display-capture', 'clipboard-read'])
      expect(ask(p, { requestingUrl: KIOSK_URL })).toBe(false);
    expect(fake.permission.check?.({}, 'media', 'muster://kiosk', { mediaType: 'video' })).toBe(true);
    expect(fake.permission.check?.({}, 'serial', 'muster://kiosk', {})).toBe(false);
  });

  it('serves the page and bundle on the app scheme with the strict CSP; anything else is 404', async () => {
    const { fake } = start();
    const serve = fake.protocolHandlers.get('muster');
    const page = serve?.({ url: KIOSK_URL });
    expect(page?.status).toBe(200);
    expect(page?.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await page?.text()).toContain('data-screen="kiosk"');
    expect(serve?.({ url: 'muster://kiosk/assets/kiosk.js' }).status).toBe(200);
    expect(serve?.({ url: 'muster://kiosk/assets/hq.js' }).status).toBe(404);
    expect(serve?.({ url: 'muster://kiosk/../../etc/passwd' }).status).toBe(404);
  });
});

describe('IPC', () => {
  it("answers the kiosk window's top frame and validates every message", async () => {
    const { fake, win } = start();
    const contents = win.webContents;
    expect(await invoke(fake, contents, contents.mainFrame, { method: 'kiosk.view', params: {} })).toMatchObject({
      ok: true,
      result: { phase: 'idle' },
    });
    expect(
      await invoke(fake, contents, contents.mainFrame, { method: 'kiosk.view', params: { extra: true } }),
    ).toMatchObject({ ok: false, error: { code: 'bad-message' } });
    expect(await invoke(fake, contents, contents.mainFrame, 'kiosk.view')).toMatchObject({
      ok: false,
      error: { code: 'bad-message' },
    });
  });

  it('refuses other windows, subframes, foreign URLs, and methods beyond the kiosk screen', async () => {
    const { fake, win } = start();
    const contents = win.webContents;
    const call = { method: 'kiosk.view', params: {} };
    const other = new FakeWebContents(KIOSK_URL);
    expect(await invoke(fake, other, other.mainFrame, call)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await invoke(fake, contents, new FakeFrame(KIOSK_URL), call)).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect(await invoke(fake, contents, null, call)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    contents.mainFrame.url = 'https://example.com/';
    expect(await invoke(fake, contents, contents.mainFrame, call)).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    contents.mainFrame.url = KIOSK_URL;
    // The kiosk window has no signed-in user: staff methods are refused even from the right frame.
    expect(await invoke(fake, contents, contents.mainFrame, { method: 'staff.roster', params: {} })).toMatchObject({
      ok: false,
      error: { code: 'not-found' },
    });
  });

  it('pushes the kiosk view to the window as events', async () => {
    const { fake, screen, win } = start();
    screen.attach(() => new Promise(() => undefined));
    await invoke(fake, win.webContents, win.webContents.mainFrame, { method: 'kiosk.begin', params: {} });
    screen.guide('place-finger');
    const events = win.webContents.sent
      .filter((s) => s.channel === EVENT_CHANNEL)
      .map((s) => s.message as EventMessage);
    expect(events.at(-1)).toMatchObject({
      event: 'kiosk.view',
      data: { phase: 'active', step: 'identify', guidance: 'place-finger' },
    });
  });
});

describe('crash recovery', () => {
  it('replaces a crashed or hung renderer with a new window on the kiosk page', () => {
    const { win } = start();
    win.webContents.fire('render-process-gone', { reason: 'crashed', exitCode: 139 });
    expect(FakeBrowserWindow.created).toHaveLength(2);
    const second = FakeBrowserWindow.created[1] as FakeBrowserWindow;
    expect(second.loaded).toBe(KIOSK_URL);
    expect(app?.window()).toBe(second);
    second.webContents.fire('unresponsive');
    expect(FakeBrowserWindow.created).toHaveLength(3);
    expect(app?.restarts()).toBe(2);
  });

  it('a renderer that keeps crashing waits a jittered, growing delay before each new try', () => {
    vi.useFakeTimers();
    const draws = [0, 1 - 1e-9, 0];
    start({
      restartPolicy: { immediate: 1, backoff: { initialMs: 1_000, maxMs: 8_000, jitter: 0.5 }, stableMs: 60_000 },
      random: () => draws.shift() ?? 0,
    });
    const crashLatest = (): void => {
      (FakeBrowserWindow.created.at(-1) as FakeBrowserWindow).webContents.fire('render-process-gone', {
        reason: 'crashed',
      });
    };
    crashLatest();
    expect(FakeBrowserWindow.created).toHaveLength(2); // the first crash: replaced at once
    // Second crash in a row: a delay drawn in [500, 1000] ms (random 0 -> the whole 1,000 ms).
    crashLatest();
    expect(app?.window()).toBeUndefined();
    vi.advanceTimersByTime(999);
    expect(FakeBrowserWindow.created).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(FakeBrowserWindow.created).toHaveLength(3);
    // Third: the ceiling doubled to 2,000 ms and the draw took half of it off (jitter 0.5): 1,000 ms.
    crashLatest();
    vi.advanceTimersByTime(999);
    expect(FakeBrowserWindow.created).toHaveLength(3);
    vi.advanceTimersByTime(1);
    expect(FakeBrowserWindow.created).toHaveLength(4);
    // A renderer that ran a minute before crashing starts the count afresh: replaced at once.
    vi.advanceTimersByTime(60_000);
    crashLatest();
    expect(FakeBrowserWindow.created).toHaveLength(5);
    expect(app?.restarts()).toBe(4);
  });

  it('does not replace the renderer once the app is closing', () => {
    vi.useFakeTimers();
    const { win } = start({
      restartPolicy: { immediate: 0, backoff: { initialMs: 100, maxMs: 100 }, stableMs: 1_000 },
    });
    win.webContents.fire('render-process-gone', { reason: 'oom' });
    app?.close();
    vi.advanceTimersByTime(1_000);
    expect(FakeBrowserWindow.created).toHaveLength(1);
  });
});

describe('preload', () => {
  it('exposes only call and on, forwarding over the two channels', async () => {
    const source = readFileSync(new URL('../../main/electron/preload.cts', import.meta.url), 'utf8');
    const { code } = transformSync(source, { loader: 'ts', format: 'cjs' });
    const exposed = new Map<string, Record<string, (...args: unknown[]) => unknown>>();
    const invoked: unknown[][] = [];
    const listeners = new Map<string, (event: unknown, message: unknown) => void>();
    const electron = {
      contextBridge: {
        exposeInMainWorld: (key: string, api: Record<string, (...args: unknown[]) => unknown>) => exposed.set(key, api),
      },
      ipcRenderer: {
        invoke: (...args: unknown[]) => {
          invoked.push(args);
          return Promise.resolve({ ok: false, error: { code: 'forbidden', message: 'no' } });
        },
        on: (channel: string, l: (event: unknown, message: unknown) => void) => listeners.set(channel, l),
        removeListener: (channel: string) => listeners.delete(channel),
      },
    };
    const required: string[] = [];
    const require = (name: string): unknown => {
      required.push(name);
      if (name !== 'electron') throw new Error(`a sandboxed preload cannot require ${name}`);
      return electron;
    };
    // A fresh context with nothing but require, as a sandboxed preload gets (no process, no Node globals).
    runInNewContext(code, { require, module: { exports: {} }, exports: {} });
    expect(required).toEqual(['electron']);
    const api = exposed.get('musterApi');
    expect(Object.keys(api ?? {}).sort()).toEqual(['call', 'on']);
    await expect(api?.call?.('kiosk.view', {})).rejects.toMatchObject({ code: 'forbidden' });
    expect(invoked).toEqual([[CALL_CHANNEL, { method: 'kiosk.view', params: {} }]]);
    const seen: unknown[] = [];
    const off = api?.on?.('kiosk.view', (d: unknown) => seen.push(d)) as () => void;
    listeners.get(EVENT_CHANNEL)?.({}, { event: 'kiosk.view', data: 1 });
    listeners.get(EVENT_CHANNEL)?.({}, { event: 'other', data: 2 });
    expect(seen).toEqual([1]);
    off();
    expect(listeners.has(EVENT_CHANNEL)).toBe(false);
  });
});
