// The role x endpoint matrix over HQ's HTTP API: every route refuses an anonymous request (401), a role that
// never holds the route's action (403), and answers the rest only within the principal's scope.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../core/access/roles.ts';
import { UserStore } from '../../access/user-store.ts';
import { Signer } from '../../ledger/keys.ts';
import { type HqHttp, startHqHttp } from '../../net/hq/hq-http.ts';
import { HqService } from '../../net/hq/hq-service.ts';
import { SqliteHqStore } from '../../net/hq/sqlite-hq-store.ts';
import { openEventStream } from '../helpers/event-stream.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { type BrokerFixture, startBroker } from '../net/support/brokers.ts';
import { TestWorld, allWorldIds } from '../net/support/nodes.ts';

const PASSWORD = 'matrix password 1';
const OWN = 'w0/k1';
const OTHER = 'w1/k1';
const log = (origin: string, what: string): string => `/api/logs/${encodeURIComponent(origin)}/${what}`;

/** Expected status per role; `*` marks a 200 whose answer is filtered to the principal's scope. */
const MATRIX: Record<string, Record<Role, number>> = {
  '/api/logs': { parolee: 403, staff: 200, officer: 200, police: 403, auditor: 200 },
  [log(OWN, 'entries')]: { parolee: 403, staff: 200, officer: 200, police: 403, auditor: 200 },
  [log(OTHER, 'entries')]: { parolee: 403, staff: 403, officer: 200, police: 403, auditor: 200 },
  [log(OWN, 'checkpoint')]: { parolee: 403, staff: 200, officer: 200, police: 403, auditor: 200 },
  [log(OTHER, 'checkpoint')]: { parolee: 403, staff: 403, officer: 200, police: 403, auditor: 200 },
  [log(OWN, 'access-records')]: { parolee: 403, staff: 403, officer: 403, police: 403, auditor: 200 },
  '/api/kiosks': { parolee: 403, staff: 200, officer: 200, police: 403, auditor: 200 },
  '/api/alerts': { parolee: 200, staff: 200, officer: 200, police: 200, auditor: 403 },
  '/api/events': { parolee: 200, staff: 200, officer: 200, police: 200, auditor: 200 },
};

describe('HQ API: role x endpoint', () => {
  const dir = mkdtempSync(join(tmpdir(), 'muster-hq-matrix-'));
  let broker: BrokerFixture;
  let world0: TestWorld;
  let world1: TestWorld;
  let hq: HqService;
  let http: HqHttp;
  let users: UserStore;
  const tokens = new Map<Role, string>();

  beforeAll(async () => {
    broker = await startBroker('aedes', [...allWorldIds(2), 'hq']);
    hq = await HqService.start({
      store: SqliteHqStore.open(join(dir, 'hq.db')),
      broker: broker.link('hq'),
      witnessSigner: Signer.generate('hq'),
      checkEveryMs: 3_600_000,
    });
    users = UserStore.open(join(dir, 'users.db'), { scrypt: { logN: 10, r: 8, p: 1 } });
    await users.add({ name: 'pat', role: 'parolee', password: PASSWORD, subject: 'p-1' });
    await users.add({ name: 'sam', role: 'staff', password: PASSWORD, centres: ['w0'] });
    await users.add({ name: 'olu', role: 'officer', password: PASSWORD });
    await users.add({ name: 'pia', role: 'police', password: PASSWORD });
    await users.add({ name: 'abe', role: 'auditor', password: PASSWORD });
    http = await startHqHttp(hq, 0, '127.0.0.1', users);
    for (const [role, name] of [
      ['parolee', 'pat'],
      ['staff', 'sam'],
      ['officer', 'olu'],
      ['police', 'pia'],
      ['auditor', 'abe'],
    ] as const) {
      const response = await fetch(`${http.url}/api/session`, {
        method: 'POST',
        body: JSON.stringify({ user: name, password: PASSWORD }),
      });
      tokens.set(role, ((await response.json()) as { token: string }).token);
    }
    world0 = new TestWorld(broker, 0);
    world1 = new TestWorld(broker, 1);
    for (const [world, origin] of [
      [world0, OWN],
      [world1, OTHER],
    ] as const) {
      const kiosk = await world.kiosk(origin, []);
      await kiosk.node.append('checkin', { subject: 'p-1' });
      await kiosk.node.append('access', {
        subject: 'p-1',
        centre: origin.split('/')[0] ?? '',
        by: 'sam',
        role: 'staff',
        fields: ['name'],
        reason: 'desk check',
      });
      await kiosk.node.append('evidence-export', {
        subject: 'p-1',
        day: '2026-06-01',
        by: 'sam',
        role: 'staff',
        verdict: 'missed',
        bundle: 'eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee',
      });
      await waitFor(async () => (await hq.store.witnessed(origin))?.size === 4, `HQ to witness ${origin}`);
    }
    await hq.reportBreach({ kiosk: OWN, subject: 'p-1', rule: 'missed-checkin', summary: 'p-1 missed', entries: [] });
    await hq.reportBreach({ kiosk: OWN, subject: 'p-2', rule: 'missed-checkin', summary: 'p-2 missed', entries: [] });
    await hq.reportBreach({ kiosk: OTHER, subject: 'p-3', rule: 'missed-checkin', summary: 'p-3 missed', entries: [] });
    await hq.checkFleet();
  });

  afterAll(async () => {
    await http.close();
    await world0.close();
    await world1.close();
    await hq.close();
    await hq.store.close();
    await broker.stop();
    users.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function get(path: string, role?: Role): Promise<{ status: number; body: unknown }> {
    const token = role === undefined ? undefined : tokens.get(role);
    const abort = new AbortController();
    const response = await fetch(`${http.url}${path}`, {
      signal: abort.signal,
      ...(token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } }),
    });
    if (response.headers.get('content-type') === 'text/event-stream') {
      abort.abort();
      return { status: response.status, body: undefined };
    }
    return { status: response.status, body: await response.json() };
  }

  it.each(Object.keys(MATRIX))('%s', async (path) => {
    expect((await get(path)).status).toBe(401);
    const row = MATRIX[path] ?? {};
    const got: Record<string, number> = {};
    for (const role of Object.keys(row) as Role[]) got[role] = (await get(path, role)).status;
    expect(got).toEqual(row);
  });

  it('serves access records to auditors', async () => {
    expect((await get(log(OWN, 'access-records'), 'auditor')).body).toEqual({
      origin: OWN,
      from: 0,
      to: 4,
      records: [
        {
          seq: 2,
          ts: expect.any(Number) as unknown,
          type: 'access',
          record: { subject: 'p-1', centre: 'w0', by: 'sam', role: 'staff', fields: ['name'], reason: 'desk check' },
        },
        {
          seq: 3,
          ts: expect.any(Number) as unknown,
          type: 'evidence-export',
          record: {
            subject: 'p-1',
            day: '2026-06-01',
            by: 'sam',
            role: 'staff',
            verdict: 'missed',
            bundle: 'eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee',
          },
        },
      ],
    });
  });

  it('withholds access records in raw entries from every role refused at /access-records', async () => {
    const entries = async (role: Role) =>
      (
        (await get(`${log(OWN, 'entries')}?from=0&limit=10`, role)).body as {
          entries: { seq: number; type: string; payload?: unknown; withheld?: string }[];
        }
      ).entries;
    for (const role of ['staff', 'officer'] as const) {
      const access = (await entries(role)).find((e) => e.type === 'access');
      expect(access).toMatchObject({ seq: 2, withheld: 'read-access-records' });
      expect(access?.payload).toBeUndefined();
      expect((await entries(role)).find((e) => e.type === 'evidence-export')).toMatchObject({
        seq: 3,
        withheld: 'read-access-records',
      });
    }
    expect((await entries('auditor')).find((e) => e.type === 'access')?.payload).toMatchObject({
      by: 'sam',
      reason: 'desk check',
    });
  });

  it('answers only to its own Host, refuses a cross-site sign-in, and names its own session cookie', async () => {
    const signIn = (headers: Record<string, string>) =>
      fetch(`${http.url}/api/session`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ user: 'olu', password: PASSWORD }),
      });
    const port = new URL(http.url).port;
    // fetch sets Host itself: a page on a rebound DNS name sends that name, as this raw request does.
    const status = (host: string, path: string, headers: Record<string, string> = {}) =>
      new Promise<number>((resolve, reject) => {
        request(`${http.url}${path}`, { headers: { ...headers, host } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
          .on('error', reject)
          .end();
      });
    expect(await status(`rebound.example:${port}`, '/api/session')).toBe(403);
    expect(
      await status(`rebound.example:${port}`, '/api/kiosks', {
        authorization: `Bearer ${tokens.get('officer') ?? ''}`,
      }),
    ).toBe(403);
    expect(
      await status(`127.0.0.1:${port}`, '/api/kiosks', { authorization: `Bearer ${tokens.get('officer') ?? ''}` }),
    ).toBe(200);
    expect((await signIn({ origin: 'http://evil.example' })).status).toBe(403);
    expect((await signIn({ 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    const ok = await signIn({ 'origin': http.url, 'sec-fetch-site': 'same-origin' });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('set-cookie')).toMatch(/^muster_hq_api=/);
  });

  it('filters lists to the principal scope', async () => {
    const origins = async (role: Role) =>
      ((await get('/api/logs', role)).body as { logs: { origin: string }[] }).logs.map((l) => l.origin).sort();
    expect(await origins('staff')).toEqual([OWN]);
    expect(await origins('officer')).toEqual([OWN, OTHER]);
    const kiosks = async (role: Role) =>
      ((await get('/api/kiosks', role)).body as { kiosks: { kiosk: string }[] }).kiosks.map((k) => k.kiosk).sort();
    expect(await kiosks('staff')).toEqual([OWN]);
    expect(await kiosks('auditor')).toEqual([OWN, OTHER]);
    const breaches = async (role: Role) =>
      ((await get('/api/alerts', role)).body as { alerts: { kind: string; evidence: { subject?: string } }[] }).alerts
        .filter((a) => a.kind === 'breach')
        .map((a) => a.evidence.subject)
        .sort();
    expect(await breaches('parolee')).toEqual(['p-1']);
    expect(await breaches('staff')).toEqual(['p-1', 'p-2']);
    expect(await breaches('police')).toEqual(['p-1', 'p-2', 'p-3']);
  });

  it("ends an event stream at its next frame once the user's session no longer holds", async () => {
    await users.add({ name: 'ola', role: 'officer', password: PASSWORD });
    const { token } = await users.signIn('ola', PASSWORD);
    const { frames, ended } = openEventStream(`${http.url}/api/events`, token);
    await waitFor(() => frames.length > 0, 'the stream to open');
    await hq.reportBreach({ kiosk: OWN, subject: 'p-4', rule: 'missed-checkin', summary: 'p-4 missed', entries: [] });
    await waitFor(() => frames.join('').includes('p-4 missed'), 'the alert on the stream');
    users.lock('ola');
    await hq.reportBreach({ kiosk: OWN, subject: 'p-5', rule: 'missed-checkin', summary: 'p-5 missed', entries: [] });
    await ended;
    expect(frames.join('')).not.toContain('p-5 missed');
  });
});
