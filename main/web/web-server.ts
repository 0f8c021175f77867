// Browser mode: the kiosk process (kiosk screen + staff screen) or the HQ process (dashboard) serves the
// renderer and the typed API on the shared HTTP layer (access/http-server.ts: headers, Host and Origin checks,
// body limit, error statuses, event streams).
//   GET  /kiosk /staff /hq /demo    a screen (only those this process has a backend for; /demo in the demo only)
//   GET  /assets/<screen>.js|app.css  the renderer, a script per screen, bundled at start
//   POST /api/call {method, params} one typed API call -> {ok, result} | {ok: false, error}
//   GET  /api/events                Server-Sent Events: the API events this caller may see
//   /api/session                    sign-in, who-am-I, sign-out (the access layer's routes)
// Who is calling: the session cookie (access layer) gives the principal; "the kiosk's own screen" is a
// connection from this machine (loopback) that holds this start's screen secret (access/http-guard.ts
// screenSecret), which only the kiosk screen's URL carries. Access is decided in ApiService.
import type { IncomingMessage } from 'node:http';
import type { Caller, EventMessage } from '../../core/api/api.ts';
import { ACTIVITY_HEADER, SCREEN_SECRET_PARAM } from '../../core/api/session-api.ts';
import { screenSecret, sessionLive, sessionToken } from '../../access/http-guard.ts';
import {
  type EventStream,
  type FastifyReply,
  createHttpServer,
  eventStream,
  jsonBody,
  requireJson,
  serveSessions,
} from '../../access/http-server.ts';
import type { UserStore } from '../../access/user-store.ts';
import { type ApiBackend, ApiService } from './api-service.ts';
import { rendererBundle } from './bundle.ts';
import { type Screen, indexPage, screenPage, screenScript } from './pages.ts';

const MAX_BODY_BYTES = 64 * 1024;
/** A kiosk screen's webcam frame (`kiosk.frame`: up to 2.8 MB of base64 JPEG) with its call around it. */
const KIOSK_FRAME_BODY_BYTES = 3 * 1024 * 1024;

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
  /** The demo panel's backend (main/demo/demo-panel.ts): the demo only, beside a kiosk screen. */
  readonly demo?: ApiBackend;
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
  // The panel plays a person on the kiosk's devices: only where this process is that kiosk, with its screen secret.
  if (options.demo && options.kiosk) screens.push('demo');
  if (screens.length === 0) throw new TypeError('options: expected at least one of kiosk, staff, hq');
  const api = new ApiService(
    [options.kiosk, options.staff, options.hq, options.kiosk ? options.demo : undefined].filter(
      (b): b is ApiBackend => b !== undefined,
    ),
  );
  const streams = new Set<EventStream>();
  const host = options.host ?? '127.0.0.1';
  // Its own cookie name: a browser sends a cookie to every port of a host, so the HQ dashboard's session must not
  // be a staff screen's on the same machine.
  const cookie = options.hq ? 'muster_hq' : options.staff ? 'muster_staff' : 'muster_kiosk';
  const screenKey = screenSecret();
  const server = createHttpServer({
    host,
    ...(options.port === undefined ? {} : { port: options.port }),
    ...(options.hostNames ? { hostNames: options.hostNames } : {}),
    isApi: (path) => path.startsWith('/api/'),
    bodyLimit: MAX_BODY_BYTES,
    component: 'web',
  });

  const caller = (req: IncomingMessage): Caller => {
    const token = sessionToken(req, cookie);
    // A call the screen made on its own (ACTIVITY_HEADER idle) looks at the session without keeping it alive.
    const principal =
      token === undefined || !options.users
        ? undefined
        : options.users.principal(token, req.headers[ACTIVITY_HEADER] !== 'idle');
    return {
      principal,
      kioskScreen: options.kiosk !== undefined && isLoopback(req.socket.remoteAddress) && screenKey.holds(req),
    };
  };

  if (options.users) serveSessions(server, options.users, { secureCookie: options.secureCookie ?? false, cookie });
  server.route(
    '/api/call',
    {
      POST: async (request) => {
        requireJson(request);
        return { ok: true, result: await api.call(jsonBody(request), caller(request.raw)) };
      },
    },
    // A real webcam's frame is 50-200 KB of JPEG: the kiosk screen's calls may be that large, no other route's.
    { bodyLimit: options.kiosk ? KIOSK_FRAME_BODY_BYTES : MAX_BODY_BYTES },
  );
  server.route('/api/events', {
    GET: async (request, reply) => {
      const stream = eventStream(reply, { hello: 'muster live updates' });
      streams.add(stream);
      const live = sessionLive(request.raw, options.users, cookie);
      const off = api.subscribe(caller(request.raw), (message: EventMessage) => {
        // A stream whose session expired, was signed out or locked ends at its next frame.
        if (live()) stream.send(message);
        else stream.end();
      });
      stream.onClose(() => {
        off();
        streams.delete(stream);
      });
    },
  });
  const page =
    (type: string, body: string) =>
    async (_request: unknown, reply: FastifyReply): Promise<string> => {
      reply.type(type);
      return body;
    };
  server.route('/assets/app.css', { GET: page('text/css; charset=utf-8', bundle.css) });
  server.route('/', { GET: page('text/html; charset=utf-8', indexPage(screens)) });
  for (const screen of screens) {
    server.route(`/${screen}`, { GET: page('text/html; charset=utf-8', screenPage(screen)) });
    server.route(screenScript(screen), { GET: page('text/javascript; charset=utf-8', bundle.screens[screen]) });
  }

  const url = await server.listen();
  return {
    url,
    urls: Object.fromEntries(
      screens.map((s) => [
        s,
        s === 'kiosk' || s === 'demo' ? `${url}/${s}#${SCREEN_SECRET_PARAM}=${screenKey.secret}` : `${url}/${s}`,
      ]),
    ),
    api,
    close: async () => {
      for (const stream of streams) stream.end();
      await server.close();
    },
  };
}

function isLoopback(address: string | undefined): boolean {
  return address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';
}
