// The one HTTP layer of the kiosk, staff and HQ servers, on Fastify. What every server gets the same way:
// - every response carries the security headers (access/security-headers.ts) and `cache-control: no-store`;
// - every request's Host must be this server, and an API request's Origin and Sec-Fetch-Site its own
//   (checkRequestSource), before anything else runs, sign-in included;
// - bodies are read as bytes up to a limit (413 beyond it) and parsed by the route (`jsonBody`);
// - every error answers `{ok: false, error: {code, message}}` with the status its code names (core/errors.ts
//   ERROR_STATUS); anything else is a 500 without its message, logged; a method a path does not take is 405 with
//   Allow, an unknown path 404;
// - event streams (`eventStream`) carry a jittered `retry`, a keep-alive comment, and end a reader that falls more
//   than a bounded number of bytes behind (its buffer is freed; EventSource reconnects and the page reloads state).
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { check } from '../core/api/check.ts';
import { signInRequest } from '../core/api/session-api.ts';
import { MusterError, errorMessage } from '../core/errors.ts';
import { componentLogger } from '../runtime/logger.ts';
import { backoffDelay } from '../runtime/retry.ts';
import {
  SESSION_PATH,
  authenticate,
  checkRequestSource,
  clearedSessionCookie,
  httpStatus,
  sessionCookie,
  sessionToken,
} from './http-guard.ts';
import { SECURITY_HEADERS } from './security-headers.ts';
import type { UserStore } from './user-store.ts';

export type Method = 'GET' | 'POST' | 'DELETE';
/** A route's handler: its result is the JSON answer (or a string with the reply's type); a throw is the error answer. */
export type Handler = (request: FastifyRequest, reply: FastifyReply) => unknown;
export type { FastifyReply, FastifyRequest } from 'fastify';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const;

export interface HttpServerOptions {
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** 0 (default): any free port. */
  readonly port?: number;
  /** Host names (besides IP literals and localhost) this server answers to, e.g. its DNS name behind TLS. */
  readonly hostNames?: readonly string[];
  /** Which paths are API requests (their Origin and Sec-Fetch-Site must be this server's). */
  readonly isApi: (path: string) => boolean;
  /** The largest body any route takes; a route may set less. */
  readonly bodyLimit: number;
  /** The logger component a server fault is reported under. */
  readonly component: string;
}

export interface HttpServer {
  readonly app: FastifyInstance;
  /** Registers the handlers of one path (Fastify syntax, `*` a wildcard); any other method is a 405 with Allow. */
  route(path: string, handlers: Partial<Record<Method, Handler>>, options?: { readonly bodyLimit?: number }): void;
  /** Starts listening; resolves to the server's URL. */
  listen(): Promise<string>;
  /** The bound port (0 before listen). */
  readonly port: number;
  close(): Promise<void>;
}

export function createHttpServer(options: HttpServerOptions): HttpServer {
  const host = options.host ?? '127.0.0.1';
  const log = componentLogger(options.component);
  let port = 0;
  const app = Fastify({
    bodyLimit: options.bodyLimit,
    forceCloseConnections: true,
    logger: false,
    exposeHeadRoutes: false,
  });
  // Bodies stay bytes whatever their type: each route parses what it takes, so one limit and one parser hold.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => {
    done(null, body);
  });
  app.addHook('onRequest', (request, _reply, done) => {
    try {
      checkRequestSource(request.raw, port, options.isApi(pathOf(request)), options.hostNames);
      done();
    } catch (error) {
      done(error instanceof Error ? error : new Error(String(error)));
    }
  });
  app.addHook('onSend', (_request, reply, payload, done) => {
    reply.headers(SECURITY_HEADERS);
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    done(null, payload);
  });
  app.setErrorHandler(async (error, request, reply) => {
    const known = asMusterError(error, request);
    const status = known ? httpStatus(known) : 500;
    if (!known) log.error({ err: error, method: request.method, path: pathOf(request) }, 'request failed');
    if (status === 401) reply.header('www-authenticate', 'Bearer realm="muster"');
    if (status === 429) reply.header('retry-after', '60');
    return reply.code(status).send({
      ok: false,
      error: { code: known?.code ?? 'internal', message: known && status < 500 ? known.message : 'internal error' },
    });
  });
  app.setNotFoundHandler((request) => {
    throw new MusterError('not-found', `no such path ${pathOf(request)}`);
  });
  return {
    app,
    get port() {
      return port;
    },
    route(path, handlers, routeOptions = {}) {
      const allowed = Object.keys(handlers) as Method[];
      const allow = [...allowed, ...(handlers.GET ? ['HEAD'] : [])].join(', ');
      for (const method of METHODS) {
        // HEAD runs the GET handler; node:http sends no body with it.
        const handler = method === 'HEAD' ? handlers.GET : handlers[method as Method];
        app.route({
          method,
          url: path,
          ...(routeOptions.bodyLimit === undefined ? {} : { bodyLimit: routeOptions.bodyLimit }),
          handler:
            handler ??
            ((_request, reply) => {
              reply.header('allow', allow);
              throw new MusterError('method-not-allowed', `${path} takes ${allow}`);
            }),
        });
      }
    },
    async listen() {
      await app.listen({ port: options.port ?? 0, host });
      port = (app.server.address() as AddressInfo).port;
      return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    },
    close: () => app.close(),
  };
}

/** The body as JSON (MusterError 'bad-request' when it is not). */
export function jsonBody(request: FastifyRequest): unknown {
  const body = request.body;
  const text = body instanceof Buffer ? body.toString('utf8') : '';
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new MusterError('bad-request', `body is not JSON: ${errorMessage(error)}`);
  }
}

/** Refuses a body that is not `application/json` (a form post from another site cannot send one). */
export function requireJson(request: FastifyRequest): void {
  if (!/^application\/json\b/.test(request.headers['content-type'] ?? ''))
    throw new MusterError('unsupported-media-type', `${pathOf(request)} takes application/json`);
}

export function pathOf(request: FastifyRequest): string {
  return request.url.split('?', 1)[0] ?? '/';
}

/** Maps the framework's own errors (body too large, bad encoding) to Muster's codes; undefined for a fault. */
function asMusterError(error: unknown, request: FastifyRequest): MusterError | undefined {
  if (error instanceof MusterError) return error;
  const fastify = error as { code?: unknown; statusCode?: unknown };
  if (fastify.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
    return new MusterError('body-too-large', `${pathOf(request)}: body over ${request.routeOptions.bodyLimit} bytes`);
  if (typeof fastify.statusCode === 'number' && fastify.statusCode >= 400 && fastify.statusCode < 500)
    return new MusterError('bad-request', errorMessage(error));
  return undefined;
}

export interface SessionRoutesOptions {
  /** Adds `Secure` to the cookie: set it whenever the server is behind TLS. */
  readonly secureCookie?: boolean;
  /** This server's session cookie name. */
  readonly cookie?: string;
}

/** Sign-in bodies are small: a user name and a password. */
const SESSION_BODY_BYTES = 4096;

/**
 * Serves /api/session: POST {user, password} signs in (cookie + {token, principal, expiresAt}), GET returns the
 * principal, DELETE signs out.
 */
export function serveSessions(server: HttpServer, users: UserStore, options: SessionRoutesOptions = {}): void {
  server.route(
    SESSION_PATH,
    {
      POST: async (request, reply) => {
        const { user, password } = check(signInRequest, jsonBody(request), 'body');
        const session = await users.signIn(user, password, request.raw.socket.remoteAddress ?? 'unknown');
        reply.header(
          'set-cookie',
          sessionCookie(session.token, users.policy.absoluteMs, options.secureCookie ?? false, options.cookie),
        );
        return { token: session.token, principal: session.principal, expiresAt: session.expiresAt };
      },
      GET: (request) => ({ principal: authenticate(request.raw, users, options.cookie) }),
      DELETE: (request, reply) => {
        const token = sessionToken(request.raw, options.cookie);
        if (token !== undefined) users.signOut(token);
        return reply.code(204).header('set-cookie', clearedSessionCookie(options.cookie)).send();
      },
    },
    { bodyLimit: SESSION_BODY_BYTES },
  );
}

export interface EventStreamOptions {
  /** A comment sent first (names the stream for a person reading it). */
  readonly hello: string;
  /** A comment every this long keeps proxies and the browser from dropping an idle stream (default 15 s). */
  readonly keepAliveMs?: number;
  /**
   * Bytes written but not yet taken by the reader before the stream is ended as too slow (default 1 MiB): one
   * stalled browser must not hold the server's memory.
   */
  readonly maxBufferedBytes?: number;
  /** The reconnect delay asked of EventSource: uniform in [retryMs/2, retryMs] (default 2 s), so a restarted server is not hit by every client in one instant. */
  readonly retryMs?: number;
}

export interface EventStream {
  /** Writes one event; false when the stream has ended (closed, or ended now because its reader fell behind). */
  send(data: unknown, event?: string): boolean;
  /** Ends the stream (the reader sees the end and reconnects). */
  end(): void;
  readonly closed: boolean;
  /** Called once when the stream ends, for whatever reason. */
  onClose(listener: (reason: 'ended' | 'slow-reader' | 'disconnected') => void): void;
}

/** Turns this request's reply into a Server-Sent Events stream. */
export function eventStream(reply: FastifyReply, options: EventStreamOptions): EventStream {
  reply.hijack();
  const res: ServerResponse = reply.raw;
  const maxBuffered = options.maxBufferedBytes ?? 1024 * 1024;
  const retryMs = options.retryMs ?? 2000;
  const listeners: ((reason: 'ended' | 'slow-reader' | 'disconnected') => void)[] = [];
  let closed = false;
  const finish = (reason: 'ended' | 'slow-reader' | 'disconnected'): void => {
    if (closed) return;
    closed = true;
    clearInterval(keepAlive);
    for (const listener of listeners) listener(reason);
  };
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'content-type': 'text/event-stream',
    'cache-control': 'no-store',
    'connection': 'keep-alive',
    'x-accel-buffering': 'no',
  });
  res.write(`retry: ${backoffDelay({ initialMs: retryMs, maxMs: retryMs, jitter: 0.5 }, 0)}\n: ${options.hello}\n\n`);
  const write = (frame: string): boolean => {
    if (closed) return false;
    if (res.writableLength > maxBuffered) {
      // The reader stopped taking what was sent: drop the connection and its buffer rather than queue more.
      finish('slow-reader');
      res.destroy();
      return false;
    }
    res.write(frame);
    return true;
  };
  const keepAlive = setInterval(() => write(': keep-alive\n\n'), options.keepAliveMs ?? 15_000);
  keepAlive.unref();
  res.on('close', () => {
    finish('disconnected');
  });
  return {
    send: (data, event) => write(`${event === undefined ? '' : `event: ${event}\n`}data: ${JSON.stringify(data)}\n\n`),
    end: () => {
      finish('ended');
      res.end();
    },
    get closed() {
      return closed;
    },
    onClose: (listener) => {
      listeners.push(listener);
    },
  };
}
