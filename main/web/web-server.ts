// Browser mode: the kiosk process (kiosk screen + staff screen) or the HQ process (dashboard) serves the
// renderer and the typed API over plain node:http.
//   GET  /kiosk /staff /hq          a screen (only those this process has a backend for)
//   GET  /assets/app.js|app.css     the renderer, bundled at start
//   POST /api/call {method, params} one typed API call -> {ok, result} | {ok: false, error}
//   GET  /api/events                Server-Sent Events: the API events this caller may see
//   /api/session                    sign-in, who-am-I, sign-out (the access layer's routes)
// Who is calling: the session cookie (access layer) gives the principal; "the kiosk's own screen" is a
// connection from this machine (loopback) that holds this start's screen secret (access/http-guard.ts
// screenSecret), which only the kiosk screen's URL carries. Access is decided in ApiService.
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Caller, EventMessage } from '../../core/api/api.ts';
import { ACTIVITY_HEADER, SCREEN_SECRET_PARAM } from '../../core/api/session-api.ts';
import { MusterError } from '../../core/errors.ts';
import { checkRequestSource, httpStatus, readJsonBody, screenSecret, sendError, sessionLive, sessionRoutes, sessionToken } from '../../access/http-guard.ts';
import type { UserStore } from '../../access/user-store.ts';
import { type ApiBackend, ApiService } from './api-service.ts';
import { rendererBundle } from './bundle.ts';
import { SECURITY_HEADERS, type Screen, indexPage, screenPage } from './pages.ts';
import { componentLogger } from '../../runtime/logger.ts';

const MAX_BODY_BYTES = 64 * 1024;

export interface WebServerOptions {
  /** 0 (default): any free port. */
  readonly port?: number;
  /** Default 127.0.0.1; bind wider only behind TLS (secureCookie). */
  readonly host?: string;
  /** The kiosk screen's backend (main/web/kiosk-screen.ts). */
  readonly kiosk?: ApiBackend;
  /** The staff attendance screen's backend (main/web/staff-backend.ts). */
  readonly staff?: ApiBackend;
  /** The HQ dashboard's backend (main/web/hq-backend.ts). */
  readonly hq?: ApiBackend;
  /** Users and sessions; without it every signed-in call is refused (unauthenticated). */
  readonly users?: UserStore;
  readonly secureCookie?: boolean;
  /** Host names (besides IP literals and localhost) this server answers to, e.g. its DNS name behind TLS. */
  readonly hostNames?: readonly string[];
}

export interface WebServer {
  readonly url: string;
  /** Each screen's page; the kiosk screen's carries the screen secret in its fragment: open it only in the kiosk's own window. */
  readonly urls: { readonly [S in Screen]?: string };
  readonly api: ApiService;
  close(): Promise<void>;
}

export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const bundle = await rendererBundle();
  const screens: Screen[] = [];
  if (options.kiosk) screens.push('kiosk');
  if (options.staff) screens.push('staff');
  if (options.hq) screens.push('hq');
  if (screens.length === 0) throw new TypeError('options: expected at least one of kiosk, staff, hq');
  const api = new ApiService([options.kiosk, options.staff, options.hq].filter((b): b is ApiBackend => b !== undefined));
  const streams = new Set<ServerResponse>();
  const host = options.host ?? '127.0.0.1';
  // Its own cookie name: a browser sends a cookie to every port of a host, so the HQ dashboard's session must not
  // be a staff screen's on the same machine.
  const cookie = options.hq ? 'muster_hq' : options.staff ? 'muster_staff' : 'muster_kiosk';
  let port = 0;
  const screenKey = screenSecret();

  const caller = (req: IncomingMessage): Caller => {
    const token = sessionToken(req, cookie);
    // A call the screen made on its own (ACTIVITY_HEADER idle) looks at the session without keeping it alive.
    const principal = token === undefined || !options.users ? undefined : options.users.principal(token, req.headers[ACTIVITY_HEADER] !== 'idle');
    return { principal, kioskScreen: options.kiosk !== undefined && isLoopback(req.socket.remoteAddress) && screenKey.holds(req) };
  };

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://muster');
    checkRequestSource(req, port, url.pathname.startsWith('/api/'), options.hostNames);
    if (options.users && (await sessionRoutes(req, res, options.users, { secureCookie: options.secureCookie ?? false, cookie }))) return;
    if (url.pathname === '/api/call') {
      if (req.method !== 'POST') throw new MusterError('method-not-allowed', '/api/call takes POST');
      if (!/^application\/json\b/.test(req.headers['content-type'] ?? '')) throw new MusterError('bad-request', '/api/call takes application/json');
      const result = await api.call(await readJsonBody(req, MAX_BODY_BYTES), caller(req));
      send(res, 200, 'application/json', JSON.stringify({ ok: true, result }));
      return;
    }
    if (url.pathname === '/api/events' && req.method === 'GET') {
      res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      res.write('retry: 1000\n: muster live updates\n\n');
      streams.add(res);
      const live = sessionLive(req, options.users, cookie);
      const off = api.subscribe(caller(req), (message: EventMessage) => {
        // A stream whose session expired, was signed out or locked ends at its next frame.
        if (live()) res.write(`data: ${JSON.stringify(message)}\n\n`);
        else res.end();
      });
      res.on('close', () => {
        off();
        streams.delete(res);
      });
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new MusterError('method-not-allowed', `${req.method ?? ''} ${url.pathname}`);
    if (url.pathname === '/assets/app.js') { send(res, 200, 'text/javascript; charset=utf-8', bundle.js); return; }
    if (url.pathname === '/assets/app.css') { send(res, 200, 'text/css; charset=utf-8', bundle.css); return; }
    if (url.pathname === '/') { send(res, 200, 'text/html; charset=utf-8', indexPage(screens)); return; }
    const screen = screens.find((s) => url.pathname === `/${s}`);
    if (screen) { send(res, 200, 'text/html; charset=utf-8', screenPage(screen)); return; }
    throw new MusterError('not-found', `no such page ${url.pathname}`);
  };

  const server: Server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      if (req.url?.startsWith('/api/call') && !res.headersSent && error instanceof MusterError) {
        // API errors keep the answer shape the client parses; the status still says what happened.
        res.writeHead(httpStatus(error), { ...SECURITY_HEADERS, 'content-type': 'application/json', 'cache-control': 'no-store' });
        res.end(JSON.stringify({ ok: false, error: { code: error.code, message: error.message } }));
        return;
      }
      if (!(error instanceof MusterError)) componentLogger('web').error({ err: error, method: req.method, path: req.url?.split('?')[0] }, 'request failed');
      sendError(res, error);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    url,
    urls: Object.fromEntries(screens.map((s) => [s, s === 'kiosk' ? `${url}/kiosk#${SCREEN_SECRET_PARAM}=${screenKey.secret}` : `${url}/${s}`])),
    api,
    close: async () => {
      for (const stream of streams) stream.end();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => {
        resolve();
      }));
    },
  };
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

function isLoopback(address: string | undefined): boolean {
  return address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';
}
