// The role x endpoint matrix over the screens' HTTP API (main/web): every typed method, called by each role
// and anonymously, through the real server and session routes. Backends are stubs that throw `reached`: a
// 400 with that code means the call passed the guard, 401/403 that the guard stopped it. Kiosk methods are for
// the kiosk's own screen, the page holding the server's screen secret: no role, signed in or not, reaches them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METHODS, type Method } from '../../core/api/api.ts';
import type { Role } from '../../core/access/roles.ts';
import { SCREEN_SECRET_HEADER, SCREEN_SECRET_PARAM } from '../../core/api/session-api.ts';
import { MusterError } from '../../core/errors.ts';
import { UserStore } from '../../access/user-store.ts';
import type { ApiBackend, Handlers } from '../../main/web/api-service.ts';
import { type WebServer, startWebServer } from '../../main/web/web-server.ts';

const PASSWORD = 'matrix password 1';
const OWN = 'p-0001';

const PARAMS: { readonly [M in Method]: Record<string, unknown> } = {
  'kiosk.view': {},
  'kiosk.begin': {},
  'kiosk.submitTasks': { completions: [] },
  'kiosk.reset': {},
  'kiosk.cancel': { staff: false },
  'kiosk.touch': {},
  'kiosk.frame': { id: 'f-1', jpeg: '/9j/2Q==' },
  'demo.setup': {},
  'demo.control': { line: 'finger 1 p-0007' },
  'staff.roster': {},
  'staff.history': { subject: OWN },
  'staff.excuse': {
    subject: OWN,
    from: '2026-06-01',
    to: '2026-06-01',
    rules: ['missed-checkin'],
    reason: 'flood at the centre',
  },
  'staff.review': {
    item: 'review/p-0001/2026-06-01',
    subject: OWN,
    day: '2026-06-01',
    decision: 'cleared',
    reason: 'seen in person',
  },
  'staff.contest': {
    breach: 'missed-checkin/p-0001/2026-06-01',
    subject: OWN,
    day: '2026-06-01',
    action: 'open',
    reason: '病假',
  },
  'staff.plan': {
    subject: OWN,
    start: '2026-06-01',
    end: null,
    days: [1, 2, 3, 4, 5],
    open: '08:00',
    close: '10:00',
    graceMinutes: 15,
    lateMinutes: 60,
    tasks: [],
    reason: '法院判决',
  },
  'staff.endSupervision': { subject: OWN, last: '2026-12-31', reason: 'sentence served' },
  'staff.identity': { subject: OWN },
  'staff.note': { subject: OWN, note: 'a'.repeat(64) },
  'staff.faceReview': { subject: OWN, item: 'suspected-impersonation/p-0001/2026-06-01' },
  'staff.pending': {},
  'staff.confirm': { id: 'c-1', subject: OWN, confirmed: true },
  'staff.answerCall': { id: 'call-1' },
  'staff.devices': {},
  'staff.enrol': { subject: OWN },
  'staff.approveEnrolment': { subject: OWN },
  'staff.reenrolments': {},
  'staff.exportCsv': {},
  'staff.exportEvidence': { subject: OWN, day: '2026-06-01', rule: 'missed-checkin' },
  'hq.exportEvidence': { subject: OWN, day: '2026-06-01' },
  'staff.breachAlerts': {},
  'hq.overview': {},
  'hq.breaches': {},
  'hq.fleet': {},
  'hq.alerts': {},
  'hq.timeline': { subject: OWN },
  'hq.breachAlerts': {},
  'hq.alertAction': { id: 'breach:missed-checkin/p-0001/2026-06-01', action: 'acknowledge', note: 'calling' },
  'hq.charts': { from: '2026-06-01', to: '2026-06-30' },
  'hq.calendar': { subject: OWN, from: '2026-06-01', to: '2026-06-30' },
};

type Outcome = 'ok' | 401 | 403;
const SCREEN_ONLY: Record<Role | 'far' | 'anonymous', Outcome> = {
  parolee: 403,
  staff: 403,
  officer: 403,
  police: 403,
  auditor: 403,
  far: 403,
  anonymous: 403,
};
/** Expected outcome per method and role (the staff screen serves centre c1; the staff user works at c1, `far` at c2). */
const MATRIX: { readonly [M in Method]: Record<Role | 'far' | 'anonymous', Outcome> } = {
  'kiosk.view': SCREEN_ONLY,
  'kiosk.begin': SCREEN_ONLY,
  'kiosk.submitTasks': SCREEN_ONLY,
  'kiosk.reset': SCREEN_ONLY,
  'kiosk.cancel': SCREEN_ONLY,
  'kiosk.touch': SCREEN_ONLY,
  'kiosk.frame': SCREEN_ONLY,
  'demo.setup': SCREEN_ONLY,
  'demo.control': SCREEN_ONLY,
  'staff.roster': { parolee: 403, staff: 'ok', officer: 'ok', police: 'ok', auditor: 403, far: 403, anonymous: 401 },
  'staff.history': { parolee: 'ok', staff: 'ok', officer: 'ok', police: 'ok', auditor: 403, far: 403, anonymous: 401 },
  'staff.excuse': { parolee: 403, staff: 'ok', officer: 'ok', police: 403, auditor: 403, far: 403, anonymous: 401 },
  'staff.review': { parolee: 403, staff: 'ok', officer: 'ok', police: 403, auditor: 403, far: 403, anonymous: 401 },
  'staff.contest': { parolee: 403, staff: 'ok', officer: 'ok', police: 403, auditor: 403, far: 403, anonymous: 401 },
  'staff.plan': { parolee: 403, staff: 'ok', officer: 'ok', police: 403, auditor: 403, far: 403, anonymous: 401 },
  'staff.endSupervision': {
    parolee: 403,
    staff: 'ok',
    officer: 'ok',
    police: 403,
    auditor: 403,
    far: 403,
    anonymous: 401,
  },
  'staff.identity': { parolee: 'ok', staff: 'ok', officer: 'ok', police: 'ok', auditor: 403, far: 403, anonymous: 401 },
  'staff.note': { parolee: 403, staff: 'ok', officer: 'ok', police: 403, auditor: 403, far: 403, anonymous: 401 },
  'staff.faceReview': {
    parolee: 403,
    staff: 'ok',
    officer: 'ok',
    police: 403,
    auditor: 403,
    far: 403,
    anonymous: 401,
  },
  'staff.pending': { parolee: 403, staff: 'ok', officer: 'ok', police: 'ok', auditor: 403, far: 403, anonymous: 401 },
  'staff.confirm': { parolee: 403, staff: 'ok', officer: 'ok', police: 403, auditor: 403, far: 403, anonymous: 401 },
  'staff.answerCall': { parolee: 403, staff: 'ok', officer: 'ok', police: 403, auditor: 403, far: 403, anonymous: 401 },
  'staff.devices': { parolee: 403, staff: 'ok', officer: 'ok', police: 403, auditor: 'ok', far: 403, anonymous: 401 },
  'staff.enrol': { parolee: 403, staff: 'ok', officer: 403, police: 403, auditor: 403, far: 403, anonymous: 401 },
  'staff.approveEnrolment': {
    parolee: 403,
    staff: 'ok',
    officer: 'ok',
    police: 403,
    auditor: 403,
    far: 403,
    anonymous: 401,
  },
  'staff.reenrolments': {
    parolee: 403,
    staff: 'ok',
    officer: 'ok',
    police: 403,
    auditor: 403,
    far: 403,
    anonymous: 401,
  },
  'staff.exportCsv': { parolee: 403, staff: 'ok', officer: 'ok', police: 'ok', auditor: 403, far: 403, anonymous: 401 },
  'staff.exportEvidence': {
    parolee: 403,
    staff: 'ok',
    officer: 'ok',
    police: 'ok',
    auditor: 403,
    far: 403,
    anonymous: 401,
  },
  'hq.exportEvidence': {
    parolee: 403,
    staff: 403,
    officer: 'ok',
    police: 'ok',
    auditor: 403,
    far: 403,
    anonymous: 401,
  },
  'staff.breachAlerts': {
    parolee: 403,
    staff: 'ok',
    officer: 'ok',
    police: 'ok',
    auditor: 403,
    far: 403,
    anonymous: 401,
  },
  'hq.overview': { parolee: 403, staff: 403, officer: 'ok', police: 'ok', auditor: 403, far: 403, anonymous: 401 },
  'hq.breaches': { parolee: 403, staff: 403, officer: 'ok', police: 'ok', auditor: 403, far: 403, anonymous: 401 },
  'hq.fleet': { parolee: 403, staff: 403, officer: 'ok', police: 403, auditor: 'ok', far: 403, anonymous: 401 },
  'hq.alerts': { parolee: 403, staff: 403, officer: 'ok', police: 403, auditor: 'ok', far: 403, anonymous: 401 },
  'hq.charts': { parolee: 403, staff: 403, officer: 'ok', police: 'ok', auditor: 403, far: 403, anonymous: 401 },
  'hq.calendar': { parolee: 'ok', staff: 403, officer: 'ok', police: 'ok', auditor: 403, far: 403, anonymous: 401 },
  'hq.timeline': { parolee: 'ok', staff: 403, officer: 'ok', police: 'ok', auditor: 403, far: 403, anonymous: 401 },
  'hq.breachAlerts': { parolee: 403, staff: 403, officer: 'ok', police: 'ok', auditor: 403, far: 403, anonymous: 401 },
  'hq.alertAction': { parolee: 403, staff: 403, officer: 'ok', police: 403, auditor: 403, far: 403, anonymous: 401 },
};

function stubs(prefix: string): Handlers {
  const reached = (): never => {
    throw new MusterError('bad-request', 'reached: the guard let this call through');
  };
  const handlers: Handlers = Object.fromEntries(
    Object.keys(METHODS)
      .filter((m) => m.startsWith(prefix))
      .map((m) => [m, reached]),
  );
  return handlers;
}

describe('screens API: role x method', () => {
  const dir = mkdtempSync(join(tmpdir(), 'muster-web-matrix-'));
  let users: UserStore;
  let server: WebServer;
  const tokens = new Map<string, string>();

  beforeAll(async () => {
    users = UserStore.open(join(dir, 'users.db'), { scrypt: { logN: 10, r: 8, p: 1 } });
    const accounts = [
      ['parolee', { role: 'parolee', subject: OWN }],
      ['staff', { role: 'staff', centres: ['c1'] }],
      ['far', { role: 'staff', centres: ['c2'] }],
      ['officer', { role: 'officer' }],
      ['police', { role: 'police' }],
      ['auditor', { role: 'auditor' }],
    ] as const;
    for (const [name, scope] of accounts) await users.add({ name, password: PASSWORD, ...scope });
    const kiosk: ApiBackend = { handlers: stubs('kiosk.') };
    const staff: ApiBackend = { centre: 'c1', handlers: stubs('staff.') };
    const hq: ApiBackend = { handlers: stubs('hq.') };
    const demo: ApiBackend = { handlers: stubs('demo.') };
    server = await startWebServer({ kiosk, staff, hq, demo, users });
    for (const [name] of accounts) {
      const response = await fetch(`${server.url}/api/session`, {
        method: 'POST',
        body: JSON.stringify({ user: name, password: PASSWORD }),
      });
      tokens.set(name, ((await response.json()) as { token: string }).token);
    }
  });

  afterAll(async () => {
    await server.close();
    users.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function call(method: Method, who: string, headers: Record<string, string> = {}): Promise<'ok' | number> {
    const token = tokens.get(who);
    const response = await fetch(`${server.url}/api/call`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
        ...headers,
      },
      body: JSON.stringify({ method, params: PARAMS[method] }),
    });
    const body = (await response.json()) as { error?: { code: string; message: string } };
    return response.status === 400 && body.error?.message.startsWith('reached:') === true ? 'ok' : response.status;
  }

  it.each(Object.keys(MATRIX) as Method[])('%s', async (method) => {
    const got: Record<string, 'ok' | number> = {};
    for (const who of Object.keys(MATRIX[method])) got[who] = await call(method, who);
    expect(got).toEqual(MATRIX[method]);
  });

  it("the kiosk's own screen (holding the secret from its page's URL) reaches every kiosk and demo method", async () => {
    const secret = new URLSearchParams(new URL(server.urls.kiosk ?? '').hash.slice(1)).get(SCREEN_SECRET_PARAM) ?? '';
    const kioskMethods = (Object.keys(METHODS) as Method[]).filter(
      (m) => m.startsWith('kiosk.') || m.startsWith('demo.'),
    );
    for (const method of kioskMethods)
      expect([method, await call(method, 'anonymous', { [SCREEN_SECRET_HEADER]: secret })]).toEqual([method, 'ok']);
  });

  it('a signed-out or cross-site request gets nothing', async () => {
    const token = tokens.get('officer') ?? '';
    const crossSite = await fetch(`${server.url}/api/call`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'authorization': `Bearer ${token}`,
        'origin': 'https://evil.example',
      },
      body: JSON.stringify({ method: 'hq.fleet', params: {} }),
    });
    expect(crossSite.status).toBe(403);
    await fetch(`${server.url}/api/session`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
    tokens.set('officer-gone', token);
    expect(await call('hq.fleet', 'officer-gone')).toBe(401);
  });
});
