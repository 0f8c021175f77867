// A stand-in for the `electron` module (the binary cannot be downloaded here): just the parts the kiosk's
// main process uses, recording what it is asked to do, with webContents and frames whose events the tests fire.
import { EventEmitter } from 'node:events';
import type { ElectronModule } from '../../../main/electron/kiosk-app.ts';

export class FakeFrame {
  constructor(public url: string) {}
}

export class FakeWebContents extends EventEmitter {
  readonly mainFrame: FakeFrame;
  readonly sent: { channel: string; message: unknown }[] = [];
  windowOpenHandler: ((details: { url: string }) => { action: string }) | undefined;
  destroyed = false;

  constructor(url: string) {
    super();
    this.mainFrame = new FakeFrame(url);
  }

  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = handler;
  }

  send(channel: string, message: unknown): void {
    this.sent.push({ channel, message });
  }

  isDestroyed(): boolean {
    return this.destroyed;
  }

  /** Fires an event the way Electron does and says whether a listener called preventDefault(). */
  fire(name: string, ...args: unknown[]): boolean {
    let prevented = false;
    this.emit(name, { preventDefault: () => (prevented = true) }, ...args);
    return prevented;
  }
}

export class FakeBrowserWindow extends EventEmitter {
  static readonly created: FakeBrowserWindow[] = [];
  readonly webContents: FakeWebContents;
  loaded: string | undefined;
  destroyed = false;

  constructor(readonly options: Record<string, unknown>) {
    super();
    this.webContents = new FakeWebContents('about:blank');
    FakeBrowserWindow.created.push(this);
  }

  loadURL(url: string): Promise<void> {
    this.loaded = url;
    this.webContents.mainFrame.url = url;
    return Promise.resolve();
  }

  isDestroyed(): boolean {
    return this.destroyed;
  }

  destroy(): void {
    this.destroyed = true;
    this.webContents.destroyed = true;
    this.emit('closed');
  }
}

type Handler = (event: unknown, ...args: unknown[]) => unknown;

export function fakeElectron() {
  const handlers = new Map<string, Handler>();
  const schemes: unknown[] = [];
  const permission: { request?: Handler; check?: Handler } = {};
  const protocolHandlers = new Map<string, (request: { url: string }) => Response>();
  const app = new EventEmitter();
  FakeBrowserWindow.created.length = 0;
  return {
    handlers,
    schemes,
    permission,
    protocolHandlers,
    module: {
      app,
      BrowserWindow: FakeBrowserWindow,
      ipcMain: {
        handle: (channel: string, handler: Handler) => {
          handlers.set(channel, handler);
        },
        removeHandler: (channel: string) => {
          handlers.delete(channel);
        },
      },
      protocol: {
        registerSchemesAsPrivileged: (list: unknown[]) => {
          schemes.push(...list);
        },
      },
      session: {
        defaultSession: {
          setPermissionRequestHandler: (h: Handler) => {
            permission.request = h;
          },
          setPermissionCheckHandler: (h: Handler) => {
            permission.check = h;
          },
          protocol: {
            handle: (scheme: string, h: (request: { url: string }) => Response) => {
              protocolHandlers.set(scheme, h);
            },
          },
        },
      },
    },
  };
}

/** The stand-in typed as the module it replaces, for the kiosk's functions that take it. */
export function asElectron(fake: ReturnType<typeof fakeElectron>): ElectronModule {
  // eslint-disable-next-line no-restricted-syntax -- Electron is the one mocked module: the stand-in holds only the parts the kiosk calls, Electron's types its whole API.
  return fake.module as unknown as ElectronModule;
}
