import { mkdtempSync, rmSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticate, authorize, checkRequestSource, httpStatus } from '../../access/http-guard.ts';
import { type HttpServer, createHttpServer, serveSessions } from '../../access/http-server.ts';
import { ERROR_STATUS, MusterError } from '../../core/errors.ts';
import { UserStore } from '../../access/user-store.ts';

const PASSWORD = 'correct horse battery';

describe('HTTP guard', () => {
  let dir: string;
  let users: UserStore;
  let server: HttpServer;
  let url: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'muster-guard-'));
    users = UserStore.open(join(dir, 'users.db'), { scrypt: { logN: 10, r: 8, p: 1 } });
    await users.add({ name: 'ana', role: 'staff', password: PASSWORD, centres: ['c1'] });
    server = createHttpServer({ isApi: () => true, bodyLimit: 4096, component: 'test' });
    serveSessions(server, users);
    server.route('/roster', {
      GET: (request) => {
        const principal = authenticate(request.raw, users);
        const centre = new URL(request.url, 'http://x').searchParams.get('centre') ?? undefined;
        authorize(principal, 'read-roster', centre === undefined ? {} : { centre });
        return { ok: principal.user };
      },
    });
    url = await server.listen();
  });

  afterAll(async () => {
    await server.close();
    users.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('401 without a session, 401 on a wrong password, a cookie and a token on sign-in', async () => {
    const anonymous = await fetch(`${url}/roster?centre=c1`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer realm="muster"');
    expect(((await anonymous.json()) as { error: { code: string } }).error.code).toBe('unauthenticated');
    const nobody = await fetch(`${url}/api/session`);
    expect(nobody.status).toBe(401);
    expect(((await nobody.json()) as { error: { code: string } }).error.code).toBe('unauthenticated');
    expect(
      (
        await fetch(`${url}/api/session`, {
          method: 'POST',
          body: JSON.stringify({ user: 'ana', password: 'wrong password!' }),
        })
      ).status,
    ).toBe(401);
    expect((await fetch(`${url}/api/session`, { method: 'POST', body: '{not json' })).status).toBe(400);
    // The sign-in body is read by its schema (core/api/session-api.ts signInRequest): a wrong shape is the caller's.
    for (const body of [
      [],
      { user: 'ana' },
      { user: 'ana', password: 7 },
      { user: 'ana', password: 'x', role: 'admin' },
    ]) {
      const refused = await fetch(`${url}/api/session`, { method: 'POST', body: JSON.stringify(body) });
      expect(refused.status).toBe(400);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('bad-message');
    }

    const signIn = await fetch(`${url}/api/session`, {
      method: 'POST',
      body: JSON.stringify({ user: 'ana', password: PASSWORD }),
    });
    expect(signIn.status).toBe(200);
    const cookie = signIn.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^muster_session=[A-Za-z0-9_-]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+$/);
    const { token } = (await signIn.json()) as { token: string };

    expect((await fetch(`${url}/roster?centre=c1`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(
      200,
    );
    expect((await fetch(`${url}/roster?centre=c1`, { headers: { cookie: cookie.split(';')[0] ?? '' } })).status).toBe(
      200,
    );
    const forbidden = await fetch(`${url}/roster?centre=c2`, { headers: { authorization: `Bearer ${token}` } });
    expect(forbidden.status).toBe(403);
    expect(((await forbidden.json()) as { error: { code: string } }).error.code).toBe('forbidden');
    expect((await fetch(`${url}/roster?centre=c1`, { headers: { authorization: 'Bearer nonsense' } })).status).toBe(
      401,
    );
    expect((await fetch(`${url}/roster?centre=c1`, { headers: { authorization: `Basic ${token}` } })).status).toBe(401);

    const me = await fetch(`${url}/api/session`, { headers: { authorization: `Bearer ${token}` } });
    expect(await me.json()).toEqual({ principal: { user: 'ana', role: 'staff', centres: ['c1'] } });
    expect(
      (await fetch(`${url}/api/session`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } })).status,
    ).toBe(204);
    expect((await fetch(`${url}/roster?centre=c1`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(
      401,
    );
  });

  it('gives every server one status per error code', () => {
    // HQ's API and the screens' API both answer through httpStatus, so the same refusal reads the same everywhere.
    const codes = [
      'unauthenticated',
      'auth-failed',
      'forbidden',
      'not-found',
      'no-person',
      'busy',
      'throttled',
      'bad-message',
      'method-not-allowed',
    ] as const;
    expect(codes.map((code) => httpStatus(new MusterError(code, code)))).toEqual([
      401, 401, 403, 404, 404, 409, 429, 400, 405,
    ]);
    // The server's own faults are never the caller's: a damaged store, a dead worker, a device that is gone.
    const faults = ['store-corrupt', 'store-migration', 'face-worker-exited', 'verify-worker'] as const;
    expect(faults.map((code) => httpStatus(new MusterError(code, code)))).toEqual([500, 500, 500, 500]);
    expect(httpStatus(new MusterError('device.timeout', 'no reply'))).toBe(503);
    expect(httpStatus(new TypeError('a bug'))).toBe(500);
    // Every code has an error status: the table is the union, so none is left to a default.
    for (const [code, status] of Object.entries(ERROR_STATUS)) expect(status, code).toBeGreaterThanOrEqual(400);
  });

  it('checks Host, Sec-Fetch-Site and Origin the same way for every server', () => {
    const req = (headers: Record<string, string>): IncomingMessage =>
      Object.assign(Object.create(null) as IncomingMessage, { headers });
    const refused = (headers: Record<string, string>, api = true): string | undefined => {
      try {
        checkRequestSource(req(headers), 8080, api, ['hq.example']);
        return undefined;
      } catch (error) {
        return (error as MusterError).code;
      }
    };
    expect(refused({ host: '127.0.0.1:8080' })).toBeUndefined();
    expect(
      refused({ 'host': 'localhost:8080', 'origin': 'http://localhost:8080', 'sec-fetch-site': 'same-origin' }),
    ).toBeUndefined();
    expect(refused({ host: '[::1]:8080' })).toBeUndefined();
    expect(refused({ host: 'hq.example:8080' })).toBeUndefined();
    expect(refused({ host: 'attacker.example:8080' })).toBe('forbidden');
    expect(refused({ host: '127.0.0.1:9090' })).toBe('forbidden');
    expect(refused({})).toBe('forbidden');
    expect(refused({ host: '127.0.0.1:8080', origin: 'http://attacker.example' })).toBe('forbidden');
    expect(refused({ 'host': '127.0.0.1:8080', 'sec-fetch-site': 'cross-site' })).toBe('forbidden');
    // A page (not an API call) may be opened from a link on another site.
    expect(refused({ 'host': '127.0.0.1:8080', 'sec-fetch-site': 'cross-site' }, false)).toBeUndefined();
  });
});
