// The HTTP guard of every server (the HTTP layer, access/http-server.ts, applies it). A request carries its
// session as a Bearer token or as the server's session cookie (HttpOnly, SameSite=Strict, so page scripts cannot read it and other sites cannot send it; each
// server names its own, since browsers do not scope cookies by port). `checkRequestSource` refuses a Host the
// server does not answer to (DNS rebinding) and a cross-site or cross-origin API request (login CSRF included). `authenticate` yields the principal or throws `unauthenticated` (401); `authorize` throws
// `forbidden` (403).
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { type Action, type Principal, type Resource, can } from '../core/access/roles.ts';
import { SCREEN_SECRET_HEADER, SCREEN_SECRET_PARAM } from '../core/api/session-api.ts';
import { ERROR_STATUS, MusterError } from '../core/errors.ts';
import type { SessionSource } from './user-store.ts';

/** The default cookie name; each server passes its own (`muster_hq_api`, `muster_staff`, ...). */
export const SESSION_COOKIE = 'muster_session';
export const SESSION_PATH = '/api/session';

export function authenticate(req: IncomingMessage, sessions: SessionSource, cookie = SESSION_COOKIE): Principal {
  const token = sessionToken(req, cookie);
  const principal = token === undefined ? undefined : sessions.principal(token);
  if (!principal)
    throw new MusterError(
      'unauthenticated',
      token === undefined ? 'sign in first' : 'session expired or signed out; sign in again',
    );
  return principal;
}

export function authorize(principal: Principal, action: Action, resource: Resource = {}): void {
  if (!can(principal, action, resource)) {
    const scope = resource.centre ?? resource.subject;
    throw new MusterError(
      'forbidden',
      `${principal.role} ${principal.user} may not ${action}${scope === undefined ? '' : ` for ${scope}`}`,
    );
  }
}

/**
 * Whether the request's session still holds, asked again at each frame of a long-lived response (an event stream):
 * false once it expired, was signed out or its user locked. Looking does not restart the idle timer. A request
 * without a session (or a server without users) has none to lose.
 */
export function sessionLive(
  req: IncomingMessage,
  sessions: SessionSource | undefined,
  cookie = SESSION_COOKIE,
): () => boolean {
  const token = sessionToken(req, cookie);
  return sessions && token !== undefined ? () => sessions.principal(token, false) !== undefined : () => true;
}

/** The token from `Authorization: Bearer` or, failing that, the session cookie. */
export function sessionToken(req: IncomingMessage, cookie = SESSION_COOKIE): string | undefined {
  const header = req.headers.authorization;
  if (header !== undefined) {
    const match = /^Bearer ([A-Za-z0-9_-]{1,128})$/.exec(header);
    return match?.[1] ?? '';
  }
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name, value] = part.trim().split('=', 2);
    if (name === cookie && value !== undefined && value !== '') return value;
  }
  return undefined;
}

export function sessionCookie(token: string, maxAgeMs: number, secure: boolean, cookie = SESSION_COOKIE): string {
  return `${cookie}=${token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${Math.floor(maxAgeMs / 1000)}${secure ? '; Secure' : ''}`;
}

export function clearedSessionCookie(cookie = SESSION_COOKIE): string {
  return `${cookie}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`;
}

/**
 * A secret made at each start of a server that drives a kiosk screen and handed only to that screen (in its URL's
 * fragment, which no request, log line or Referer carries): the screen's API then answers its own page, not any
 * process or page that merely connects from this machine. Returns the check for a request.
 */
export function screenSecret(): { readonly secret: string; readonly holds: (req: IncomingMessage) => boolean } {
  const secret = randomBytes(32).toString('base64url');
  const expected = Buffer.from(secret);
  return {
    secret,
    holds: (req) => {
      const header = req.headers[SCREEN_SECRET_HEADER];
      const given =
        typeof header === 'string'
          ? header
          : (new URL(req.url ?? '/', 'http://muster').searchParams.get(SCREEN_SECRET_PARAM) ?? '');
      const bytes = Buffer.from(given);
      return bytes.length === expected.length && timingSafeEqual(bytes, expected);
    },
  };
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/**
 * Refuses (MusterError 'forbidden') a request whose Host is not this server: the name must be an IP literal,
 * `localhost` or one of `names` (a page on a rebound DNS name reaches the server under that name), and the port
 * the server's. An API request (`api`) must also come from the server's own origin: `Sec-Fetch-Site` same-origin
 * or none, `Origin` (when sent) the Host's. Sign-in is such a request, so a foreign page cannot sign a browser in.
 */
export function checkRequestSource(
  req: IncomingMessage,
  port: number,
  api: boolean,
  names: readonly string[] = [],
): void {
  const host = req.headers.host ?? '';
  const url = URL.parse(`http://${host}`);
  const name = url?.hostname ?? '';
  const known = IPV4.test(name) || name.startsWith('[') || name === 'localhost' || names.includes(name);
  if (!url || url.username !== '' || !known || Number(url.port === '' ? 80 : url.port) !== port)
    throw new MusterError('forbidden', `this server does not answer to host ${JSON.stringify(host)}`);
  if (!api) return;
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none')
    throw new MusterError('forbidden', 'cross-site API requests are refused');
  const origin = req.headers.origin;
  if (origin !== undefined && URL.parse(origin)?.host !== url.host)
    throw new MusterError('forbidden', 'cross-origin API requests are refused');
}

/** The HTTP status for an error thrown by a route: the status its code names (core/errors.ts), 500 for anything else. */
export function httpStatus(error: unknown): number {
  return error instanceof MusterError ? ERROR_STATUS[error.code] : 500;
}
