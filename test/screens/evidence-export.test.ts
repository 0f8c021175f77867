// "Export evidence" on the staff screen and the HQ dashboard, over real log stores (a two-kiosk centre's day:
// kiosk k1 holds k2's replica, HQ holds both and has cosigned their checkpoints): at the API, role-gated (staff
// of another centre, auditors and strangers are refused and nothing is logged), every export logged on the
// serving node's log with the file's SHA-256 before the file leaves, the file verifying offline; then in
// Chromium, the button beside a breach and a check-in on each screen saves a bundle that verifies.
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserStore } from '../../access/user-store.ts';
import { fromBase64 } from '../../core/bytes.ts';
import { decodeLeaf } from '../../core/entry.ts';
import { parseBundle } from '../../core/evidence/bundle.ts';
import { noteKey } from '../../core/evidence/note-keys.ts';
import { verifyBundle } from '../../core/evidence/verify-bundle.ts';
import { Signer } from '../../ledger/keys.ts';
import { LogWriter } from '../../ledger/log-writer.ts';
import { ingestEntries } from '../../ledger/replica.ts';
import { LedgerStore } from '../../ledger/store.ts';
import { EvidenceExports, withHqEvidence, withStaffEvidence } from '../../main/web/evidence-export.ts';
import { HqBackend } from '../../main/web/hq-backend.ts';
import { StaffBackend } from '../../main/web/staff-backend.ts';
import { type WebServer, startWebServer } from '../../main/web/web-server.ts';
import type { HqEvents } from '../../net/hq/hq-service.ts';
import { SqliteHqStore } from '../../net/hq/sqlite-hq-store.ts';
import { SqliteReplicaStore } from '../../net/sqlite-replica-store.ts';
import { Witness } from '../../net/witness.ts';
import { DAY, type EvidenceCentre, K1, K2, PEOPLE, at, evidenceCentre } from '../evidence/support/evidence-centre.ts';
import { launchBrowser } from './support/browser.ts';

const PASSWORD = 'evidence export password';
const UI_TIMEOUT = 30_000;
let centre: EvidenceCentre;
let hqLog: LedgerStore;
let users: UserStore;
let kioskWeb: WebServer;
let hqWeb: WebServer;
/** Closed after the tests: only those that started. */
const servers: WebServer[] = [];
const now = at('14:10');
const trusted = (): ReturnType<typeof noteKey>[] => [noteKey('hq', centre.witness.verifier.publicKey)];

beforeAll(async () => {
  centre = await evidenceCentre();
  const [k1, k2] = centre.kiosks;
  const clock = (): number => now;
  // k1 holds k2's log (as a KioskNode replicates its peers); HQ witnessed both logs and kept its cosignatures.
  ingestEntries(
    k1,
    K2,
    [...k2.range(K2, 0, k2.head(K2).size)].map((r) => r.leaf),
    { source: 'test', trustedKey: centre.signers[K2].verifier.publicKey },
  );
  const witness = new Witness(new SqliteReplicaStore(centre.hq), centre.witness, () => at('14:05'));
  for (const [origin, store] of [
    [K1, k1],
    [K2, k2],
  ] as const)
    expect((await witness.observe(origin, store.latestCheckpoint(origin)?.note ?? '')).kind).toBe('cosigned');

  const k1Writer = LogWriter.open(k1, centre.signers[K1], clock);
  hqLog = LedgerStore.open(join(centre.dir, 'hq-log.db'), { create: true });
  const hqWriter = LogWriter.init(hqLog, 'hq/log', Signer.generate('hq/log'), clock);
  users = UserStore.open(join(centre.dir, 'users.db'), { scrypt: { logN: 10, r: 8, p: 1 } });
  for (const [name, scope] of [
    ['sam', { role: 'staff', centres: ['centre-a'] }],
    ['fay', { role: 'staff', centres: ['centre-b'] }],
    ['olga', { role: 'officer' }],
    ['aud', { role: 'auditor' }],
  ] as const) {
    await users.add({ name, password: PASSWORD, ...scope });
  }
  const staff = new StaffBackend({
    centre: 'centre-a',
    kiosk: K1,
    store: k1,
    append: (type, payload) => k1Writer.append(type, payload),
    clock,
    zone: 'UTC',
  });
  // The kiosk exports from its own store, taking HQ's kept cosignatures (the kiosk receives them on the broker).
  const staffExports = new EvidenceExports({
    stores: [k1, centre.hq],
    log: { origin: K1, append: (type, payload) => k1Writer.append(type, payload) },
    witnessKeys: [centre.witness.verifier],
    clock,
  });
  kioskWeb = await startWebServer({ staff: withStaffEvidence(staff, staffExports), users });
  servers.push(kioskWeb);
  const hq = new HqBackend({
    hq: { store: new SqliteHqStore(centre.hq), events: new EventEmitter<HqEvents>(), fleetView: () => [] },
    clock,
  });
  const hqExports = new EvidenceExports({
    stores: [centre.hq, k1, k2],
    log: { origin: 'hq/log', append: (type, payload) => hqWriter.append(type, payload) },
    witnessSigners: [centre.witness],
    clock,
  });
  hqWeb = await startWebServer({ hq: withHqEvidence(hq, hqExports), users });
  servers.push(hqWeb);
}, 60_000);
afterAll(async () => {
  for (const server of servers) await server.close();
  users.close();
  hqLog.close();
  centre.close();
});

async function session(server: WebServer, user: string): Promise<string> {
  const response = await fetch(`${server.url}/api/session`, {
    method: 'POST',
    body: JSON.stringify({ user, password: PASSWORD }),
  });
  return ((await response.json()) as { token: string }).token;
}

async function call(
  server: WebServer,
  cookie: string,
  token: string | undefined,
  method: string,
  params: unknown,
): Promise<{
  status: number;
  body: {
    ok: boolean;
    result?: {
      bundle: string;
      sha256: string;
      verdict: string;
      filename: string;
      logged: { origin: string; seq: number };
    };
    error?: { code: string };
  };
}> {
  const response = await fetch(`${server.url}/api/call`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'origin': server.url,
      ...(token === undefined ? {} : { cookie: `${cookie}=${token}` }),
    },
    body: JSON.stringify({ method, params }),
  });
  return { status: response.status, body: (await response.json()) as never };
}

/** The entry an export was logged as, decoded from the store it went to. */
function loggedEntry(
  store: LedgerStore,
  origin: string,
  seq: number,
): { type: string; payload: Record<string, unknown> } {
  const row = store.entry(origin, seq);
  if (!row) throw new Error(`no ${origin}#${seq}`);
  const { body } = decodeLeaf(row.leaf);
  return { type: body.type, payload: body.payload };
}

describe('at the API', () => {
  it("staff of the centre export a breach's evidence: logged on the kiosk's log with the file's SHA-256, and the file verifies", async () => {
    const [k1] = centre.kiosks;
    const before = k1.head(K1).size;
    const { status, body } = await call(
      kioskWeb,
      'muster_staff',
      await session(kioskWeb, 'sam'),
      'staff.exportEvidence',
      { subject: PEOPLE.missed, day: DAY, rule: 'missed-checkin' },
    );
    expect(status).toBe(200);
    const file = body.result;
    if (!file) throw new Error('no file');
    expect(file.verdict).toBe('missed');
    expect(file.filename).toBe('evidence-p-miss-2026-12-01-missed-checkin.json');
    expect(file.logged).toEqual({ origin: K1, seq: before });
    expect(loggedEntry(k1, K1, before)).toEqual({
      type: 'evidence-export',
      payload: {
        subject: PEOPLE.missed,
        day: DAY,
        rule: 'missed-checkin',
        by: 'sam',
        role: 'staff',
        verdict: 'missed',
        bundle: file.sha256,
      },
    });
    const report = await verifyBundle(parseBundle(file.bundle), trusted());
    expect(report.ok && report.facts.witnesses).toEqual(['hq']);
  });

  it('refuses staff of another centre, auditors and strangers, and logs nothing for them; a bad day is a 400', async () => {
    const [k1] = centre.kiosks;
    const before = k1.head(K1).size;
    const params = { subject: PEOPLE.missed, day: DAY };
    expect(
      (await call(kioskWeb, 'muster_staff', await session(kioskWeb, 'fay'), 'staff.exportEvidence', params)).status,
    ).toBe(403);
    expect(
      (await call(kioskWeb, 'muster_staff', await session(kioskWeb, 'aud'), 'staff.exportEvidence', params)).status,
    ).toBe(403);
    expect((await call(kioskWeb, 'muster_staff', undefined, 'staff.exportEvidence', params)).status).toBe(401);
    expect((await call(hqWeb, 'muster_hq', await session(hqWeb, 'aud'), 'hq.exportEvidence', params)).status).toBe(403);
    const sam = await session(kioskWeb, 'sam');
    expect(
      (await call(kioskWeb, 'muster_staff', sam, 'staff.exportEvidence', { subject: PEOPLE.missed, day: '2026-13-45' }))
        .body.error?.code,
    ).toBe('bad-request');
    expect(
      (await call(kioskWeb, 'muster_staff', sam, 'staff.exportEvidence', { subject: 'p-nobody', day: DAY })).body.error
        ?.code,
    ).toBe('no-plan');
    expect(k1.head(K1).size).toBe(before);
  });

  it("an officer exports at HQ: HQ's witness cosigns now, the export is logged on HQ's own log", async () => {
    const { status, body } = await call(hqWeb, 'muster_hq', await session(hqWeb, 'olga'), 'hq.exportEvidence', {
      subject: PEOPLE.late,
      day: DAY,
      rule: 'late-checkin',
    });
    expect(status).toBe(200);
    const file = body.result;
    if (!file) throw new Error('no file');
    expect(file.verdict).toBe('late');
    expect(file.logged.origin).toBe('hq/log');
    expect(loggedEntry(hqLog, 'hq/log', file.logged.seq).payload).toMatchObject({
      subject: PEOPLE.late,
      by: 'olga',
      role: 'officer',
      bundle: file.sha256,
    });
    expect((await verifyBundle(parseBundle(file.bundle), trusted())).ok).toBe(true);
  });
});

describe('in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser.close();
  });

  async function open(url: string, user: string): Promise<Page> {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      locale: 'en-US',
      timezoneId: 'UTC',
      acceptDownloads: true,
    });
    const page = await context.newPage();
    page.setDefaultTimeout(UI_TIMEOUT);
    await page.goto(url);
    await page.getByLabel('User name').fill(user);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    return page;
  }

  /** Clicks an export button and reads the file the browser saved. */
  async function saved(page: Page, selector: string): Promise<string> {
    const download = page.waitForEvent('download');
    await page.locator(selector).first().click();
    return readFileSync(await (await download).path(), 'utf8');
  }

  it('the staff screen offers evidence beside a breach and a check-in; each file verifies', async () => {
    const page = await open(kioskWeb.urls.staff ?? '', 'sam');
    await page.getByRole('button', { name: `History of ${PEOPLE.missed}` }).click();
    const breach = await saved(page, `button[data-evidence="${PEOPLE.missed}/${DAY}/missed-checkin"]`);
    expect((await verifyBundle(parseBundle(breach), trusted())).ok).toBe(true);
    expect(
      await page
        .getByRole('status')
        .filter({ hasText: 'Saved evidence-p-miss-2026-12-01-missed-checkin.json' })
        .count(),
    ).toBe(1);
    await page.getByRole('button', { name: `History of ${PEOPLE.onTime}` }).click();
    const checkin = await saved(page, `button[data-evidence="${PEOPLE.onTime}/${DAY}"]`);
    const bundle = parseBundle(checkin);
    expect(bundle.verdict.kind).toBe('on-time');
    expect((await verifyBundle(bundle, trusted())).ok).toBe(true);
  });

  it("the HQ dashboard offers evidence in the breach feed and a person's timeline; each file verifies and each export is logged", async () => {
    const page = await open(hqWeb.urls.hq ?? '', 'olga');
    const before = hqLog.head('hq/log').size;
    const breach = parseBundle(await saved(page, `.feed button[data-evidence="${PEOPLE.late}/${DAY}/late-checkin"]`));
    expect(breach.verdict.kind).toBe('late');
    expect((await verifyBundle(breach, trusted())).ok).toBe(true);
    await page
      .getByRole('button', { name: `Timeline of ${PEOPLE.late}` })
      .first()
      .click();
    const checkin = parseBundle(await saved(page, `.timeline button[data-evidence="${PEOPLE.late}/${DAY}"]`));
    expect((await verifyBundle(checkin, trusted())).ok).toBe(true);
    expect(hqLog.head('hq/log').size).toBe(before + 2);
    expect(
      decodeLeaf(fromBase64(Buffer.from(hqLog.entry('hq/log', before)?.leaf ?? new Uint8Array()).toString('base64')))
        .body.type,
    ).toBe('evidence-export');
  });
});
