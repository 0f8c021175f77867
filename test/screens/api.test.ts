// The typed API and the browser-mode server without a browser: every message is validated, access is decided
// by the server (not the screen), responses carry a strict CSP, and bad input gets a clear error, never a crash.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, type EventMessage, parseAnswer, parseCall, parseEvent } from '../../core/api/api.ts';
import type { KioskView } from '../../core/api/kiosk-api.ts';
import { SCREEN_SECRET_HEADER, SCREEN_SECRET_PARAM } from '../../core/api/session-api.ts';
import { MusterError } from '../../core/errors.ts';
import { UserStore } from '../../access/user-store.ts';
import { type ApiBackend, ApiService } from '../../main/web/api-service.ts';
import { KioskScreen } from '../../main/web/kiosk-screen.ts';
import { type WebServer, startWebServer } from '../../main/web/web-server.ts';

describe('core/api validators', () => {
  it('accepts a well-formed call and refuses unknown methods, unknown fields and wrong types', () => {
    expect(parseCall({ method: 'staff.history', params: { subject: 'p-0001' } })).toEqual({
      method: 'staff.history',
      params: { subject: 'p-0001' },
    });
    expect(() => parseCall({ method: 'staff.drop', params: {} })).toThrow(/unknown method/);
    expect(() => parseCall({ method: 'staff.history', params: { subject: 'p-0001', extra: 1 } })).toThrow(
      /params.extra: unknown field/,
    );
    expect(() => parseCall({ method: 'staff.history', params: { subject: '../etc' } })).toThrow(
      /params.subject: expected an id/,
    );
    expect(() =>
      parseCall({
        method: 'staff.excuse',
        params: { subject: 'p-1', from: '2026-01-01', to: '2026-01-01', rules: ['no-such-rule'], reason: 'ok ok' },
      }),
    ).toThrow(/params.rules\[0\]/);
    expect(() => parseCall('kiosk.begin')).toThrow(MusterError);
  });

  it('checks answers and events on the way back', () => {
    expect(parseAnswer('kiosk.begin', { ok: true, result: {} })).toEqual({ ok: true, result: {} });
    expect(
      parseAnswer('kiosk.begin', { ok: false, error: { code: 'busy', message: 'a check-in is already running' } }),
    ).toMatchObject({ ok: false });
    expect(() => parseAnswer('staff.roster', { ok: true, result: { people: 'all' } })).toThrow(/bad|expected/);
    // A missing field is named before a wrong one (TypeBox's order): here the view's step.
    expect(() => parseEvent({ event: 'kiosk.view', data: { phase: 'hacked' } })).toThrow(/data\.(step: missing|phase)/);
    expect(parseEvent({ event: 'staff.changed', data: { at: 1 } })).toEqual({
      event: 'staff.changed',
      data: { at: 1 },
    });
  });
});

describe('event delivery', () => {
  it('sends each event only to callers allowed to see it', () => {
    const hqAndKiosk: ((m: EventMessage) => void)[] = [];
    const centre: ((m: EventMessage) => void)[] = [];
    const api = new ApiService([
      { handlers: {}, subscribe: (l) => (hqAndKiosk.push(l), () => undefined) },
      { handlers: {}, centre: 'centre-01', subscribe: (l) => (centre.push(l), () => undefined) },
    ]);
    const got = (caller: Caller): string[] => {
      const seen: string[] = [];
      api.subscribe(caller, (m) => seen.push(m.event));
      return seen;
    };
    const kiosk = got({ principal: undefined, kioskScreen: true });
    const sam = got({ principal: { user: 'sam', role: 'staff', centres: ['centre-01'] }, kioskScreen: false });
    const other = got({ principal: { user: 'other', role: 'staff', centres: ['centre-02'] }, kioskScreen: false });
    const auditor = got({ principal: { user: 'aud', role: 'auditor', centres: [] }, kioskScreen: false });
    const view: KioskView = new KioskScreen().current();
    for (const l of hqAndKiosk) {
      l({ event: 'kiosk.view', data: view });
      l({ event: 'hq.changed', data: { at: 1, what: 'alert' } });
    }
    for (const l of centre) l({ event: 'staff.changed', data: { at: 1 } });
    // Kiosk views (the person at the kiosk) only to the kiosk screen; staff events only within the centre.
    expect(kiosk).toEqual(['kiosk.view']);
    expect(sam).toEqual(['staff.changed']);
    expect(other).toEqual([]);
    expect(auditor).toEqual(['hq.changed']);
  });
});

describe('browser-mode server', () => {
  let dir: string;
  let users: UserStore;
  let server: WebServer;
  const calls: string[] = [];
  const staff: ApiBackend = {
    centre: 'centre-01',
    handlers: {
      'staff.devices': () => {
        calls.push('devices');
        return { kiosk: 'centre-01/kiosk-1', devices: [], peers: [] };
      },
    },
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'muster-web-'));
    users = UserStore.open(join(dir, 'users.db'), { scrypt: { logN: 10, r: 8, p: 1 } });
    await users.add({ name: 'sam', role: 'staff', password: 'correct horse battery', centres: ['centre-01'] });
    await users.add({ name: 'other', role: 'staff', password: 'correct horse battery', centres: ['centre-02'] });
    await users.add({ name: 'pat', role: 'police', password: 'correct horse battery' });
    server = await startWebServer({ kiosk: new KioskScreen(), staff, users });
  });
  afterAll(async () => {
    await server.close();
    users.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const call = async (
    method: string,
    params: unknown,
    cookie?: string,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: { ok: boolean; error?: { code: string } } }> => {
    const res = await fetch(`${server.url}/api/call`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}), ...headers },
      body: JSON.stringify({ method, params }),
    });
    return { status: res.status, body: (await res.json()) as { ok: boolean; error?: { code: string } } };
  };
  const signIn = async (user: string): Promise<string> => {
    const res = await fetch(`${server.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user, password: 'correct horse battery' }),
    });
    expect(res.status).toBe(200);
    return (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  };

  it('serves the screens with a strict CSP and no inline script', async () => {
    const res = await fetch(server.urls.kiosk ?? '');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(await res.text()).not.toMatch(/<script>(?!<)/);
    expect((await fetch(`${server.url}/hq`)).status).toBe(404);
    const js = await fetch(`${server.url}/assets/kiosk.js`);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    // Only the screens this server serves have a script.
    expect((await fetch(`${server.url}/assets/hq.js`)).status).toBe(404);
  });

  it('decides access on the server: unauthenticated, wrong centre and wrong role are refused', async () => {
    expect(await call('staff.devices', {})).toMatchObject({
      status: 401,
      body: { ok: false, error: { code: 'unauthenticated' } },
    });
    expect(await call('staff.devices', {}, await signIn('other'))).toMatchObject({
      status: 403,
      body: { error: { code: 'forbidden' } },
    });
    expect(await call('staff.devices', {}, await signIn('pat'))).toMatchObject({ status: 403 });
    expect(calls).toEqual([]);
    expect(await call('staff.devices', {}, await signIn('sam'))).toMatchObject({ status: 200, body: { ok: true } });
    expect(calls).toEqual(['devices']);
  });

  it('refuses bad input with a clear error and keeps serving', async () => {
    expect(await call('kiosk.submitTasks', { completions: 'all' })).toMatchObject({
      status: 400,
      body: { error: { code: 'bad-message' } },
    });
    expect(await call('hq.fleet', {})).toMatchObject({ status: 404, body: { error: { code: 'not-found' } } });
    const notJson = await fetch(`${server.url}/api/call`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{',
    });
    expect(notJson.status).toBe(400);
    const crossSite = await call('kiosk.view', {}, undefined, { origin: 'http://evil.example' });
    expect(crossSite.status).toBe(403);
    const garbageOrigin = await call('kiosk.view', {}, undefined, { origin: 'not a url' });
    expect(garbageOrigin.status).toBe(403);
    // The kiosk screen's calls carry the secret its own page's URL holds.
    const secret = new URLSearchParams(new URL(server.urls.kiosk ?? '').hash.slice(1)).get(SCREEN_SECRET_PARAM) ?? '';
    expect(await call('kiosk.view', {}, undefined, { [SCREEN_SECRET_HEADER]: secret })).toMatchObject({
      status: 200,
      body: { ok: true },
    });
  });
});
