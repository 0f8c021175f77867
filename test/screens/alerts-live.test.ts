// Breach alerts live on the screens, as processes: `muster hq --web` (the officers' and the police's dashboard)
// on a real Mosquitto, and `muster kiosk run --web` (the centre's staff screen, fed by HQ's
// muster/v1/alerts/<centre> through the kiosk's replication link), in Chromium, for a centre in Zhongshan. The
// officers' dashboards and the staff screens are open in each seat of the language × zone matrix
// (support/matrix.ts). A plan's window closes after everything is up: the missed check-in appears on every screen
// without a reload, its rule in the page's language; officers in three seats acknowledge, assign and resolve it
// with notes, and each step shows on every screen. The plan comes on the centre's staff log (a node in this
// process) once every screen is up, for a window closing at the next whole minute at least 30 s away; HQ holds it
// before the window closes, so the alert is the window's closing, not the plan's arrival.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserStore } from '../../access/user-store.ts';
import { Signer, writeSignerFile } from '../../ledger/keys.ts';
import type { BreachAlert } from '../../net/hq/breach-alert.ts';
import { KioskNode } from '../../net/kiosk-node.ts';
import { type MosquittoServer, startMosquitto } from '../helpers/mosquitto.ts';
import { type MusterProcess, startMuster } from '../net/support/muster-process.ts';
import { launchBrowser, screenshot } from './support/browser.ts';
import { SEATS, type Seat, openAt, say, seatLanguage, signIn } from './support/matrix.ts';
import { untranslated } from './support/untranslated.ts';

const MIN = 60_000;
const ZONE = 'Asia/Shanghai';
/** Zhongshan's wall clock (UTC+8 all year) as an ISO string. */
const local = (ms: number): string => new Date(ms + 8 * 3_600_000).toISOString();
const PASSWORD = 'correct horse battery staple';

const dir = mkdtempSync(join(tmpdir(), 'muster-alerts-live-'));
const brokerUsers = new Map([
  ['hq', 'pw-hq'],
  ['centre-a~k1', 'pw-k1'],
  ['centre-a~staff', 'pw-staff'],
]);
let mosquitto: MosquittoServer | undefined;
let staffLog: KioskNode | undefined;
let browser: Browser | undefined;
const processes: MusterProcess[] = [];
let dashboard = '';
let staffScreen = '';
let close = 0;
let id = '';

function passwordFile(user: string): string {
  const file = join(dir, `${user}.pw`);
  writeFileSync(file, brokerUsers.get(user) ?? '', { mode: 0o600 });
  return file;
}

async function usersFile(name: string, add: (users: UserStore) => Promise<unknown>): Promise<string> {
  const file = join(dir, name);
  const users = UserStore.open(file);
  await add(users);
  users.close();
  return file;
}

beforeAll(async () => {
  mosquitto = await startMosquitto({ users: brokerUsers });
  const hqUsers = await usersFile('hq-users.db', async (u) => {
    await u.add({ name: 'olga', role: 'officer', password: PASSWORD });
    await u.add({ name: 'pat', role: 'police', password: PASSWORD });
  });
  const kioskUsers = await usersFile('kiosk-users.db', (u) =>
    u.add({ name: 'sam', role: 'staff', password: PASSWORD, centres: ['centre-a'] }),
  );
  const staffKey = join(dir, 'staff.key');
  const staffSigner = Signer.generate('centre-a/staff');
  writeSignerFile(staffKey, staffSigner);
  const hq = await startMuster(
    [
      'hq',
      '--db',
      join(dir, 'hq.db'),
      '--broker',
      mosquitto.url,
      '--password-file',
      passwordFile('hq'),
      '--http',
      '0',
      '--web',
      '0',
      '--users',
      hqUsers,
      '--trust',
      `${staffKey}.pub`,
      '--staff-log',
      'centre-a/staff',
    ],
    'muster hq',
  );
  processes.push(hq);
  dashboard = /dashboard (http:\/\/\S+?)(,|$)/.exec(hq.ready)?.[1] ?? '';
  mkdirSync(join(dir, 'kiosk'), { mode: 0o700 });
  const config = join(dir, 'kiosk.json');
  writeFileSync(
    config,
    JSON.stringify({
      centre: 'centre-a',
      kiosk: 'centre-a/k1',
      dataDir: join(dir, 'kiosk'),
      broker: { url: mosquitto.url, username: 'centre-a~k1', passwordFile: passwordFile('centre-a~k1') },
      face: { threshold: 0.42 },
      language: 'en',
      zone: ZONE,
      devices: { fingerprint: { family: 'r30x', path: '/dev/serial/by-id/usb-not-here' } },
    }),
  );
  const kiosk = await startMuster(
    ['kiosk', 'run', '--config', config, '--emulate', '--web', '0', '--users', kioskUsers],
    'muster kiosk run',
  );
  processes.push(kiosk);
  staffScreen = /staff screen (http:\/\/\S+)/.exec(kiosk.ready)?.[1] ?? '';
  staffLog = await KioskNode.start({
    storePath: join(dir, 'staff.db'),
    signer: staffSigner,
    witnessSigner: Signer.generate('centre-a/staff'),
    broker: { url: mosquitto.url, username: 'centre-a~staff', password: brokerUsers.get('centre-a~staff') ?? '' },
    peers: [],
  });
  browser = await launchBrowser();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await staffLog?.close(true);
  for (const p of processes.reverse()) await p.stop();
  await mosquitto?.stop();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

const contexts: BrowserContext[] = [];

async function signedIn(url: string, user: string, seat: Seat): Promise<Page> {
  const page = await openAt(browser as Browser, contexts, seat, url);
  await signIn(page, seat, user, PASSWORD);
  await seatLanguage(page, seat);
  return page;
}

describe("breach alerts live on the HQ dashboard (officer, police) and the centre's staff screen", () => {
  it(
    "shows the missed check-in on every screen as the window closes, in each language and zone, and officers' acknowledge, assign and resolve on all of them",
    { timeout: 480_000 },
    async () => {
      expect(dashboard).toMatch(/\/hq$/);
      expect(staffScreen).toMatch(/\/staff$/);
      // One account's sign-ins one after another: the throttle keeps one attempt per account in flight.
      const seatsOf = async (url: string, user: string, seats: readonly Seat[]): Promise<Page[]> => {
        const pages: Page[] = [];
        for (const seat of seats) pages.push(await signedIn(url, user, seat));
        return pages;
      };
      // Three accounts at once from one address, as a centre's officers behind its NAT sign in at a shift's start.
      const [officers, staff, police] = await Promise.all([
        seatsOf(dashboard, 'olga', SEATS),
        seatsOf(staffScreen, 'sam', SEATS),
        signedIn(dashboard, 'pat', SEATS[1] as Seat),
      ]);
      const alertOn = (page: Page) => page.locator(`[data-alert="${id}"]`);
      const seated = [
        ...officers.map((page, i) => ({ page, seat: SEATS[i] as Seat, acts: true })),
        ...staff.map((page, i) => ({ page, seat: SEATS[i] as Seat, acts: false })),
        { page: police, seat: SEATS[1] as Seat, acts: false },
      ];
      for (const { page, seat } of seated)
        await expect
          .poll(() => page.locator('.alerts-panel').textContent(), { message: seat.name, timeout: 90_000 })
          .toContain(say(seat, '暂无违规警报。', 'No breach alerts.'));

      // Every screen is up: a plan whose window closes at the next whole minute at least 30 s away, on the staff log.
      close = Math.ceil((Date.now() + 30_000) / MIN) * MIN;
      const open = close - 30 * MIN;
      const day = local(open).slice(0, 10);
      const hhmm = (ms: number): string => local(ms).slice(11, 16);
      id = `breach:missed-checkin/p-live/${day}`;
      const staffNode = staffLog as KioskNode;
      await staffNode.append('plan', {
        subject: 'p-live',
        effectiveFrom: 0,
        start: day,
        end: null,
        zone: ZONE,
        centres: ['centre-a'],
        days: 'daily',
        window: { open: hhmm(open), close: hhmm(close) },
        graceMinutes: 0,
        lateMinutes: 30,
        tasks: [],
        staff: 'staff-1',
        reason: 'new-plan',
      });
      const size = await staffNode.store.size('centre-a/staff');
      await expect
        .poll(
          () =>
            (officers[0] as Page).evaluate(async () => {
              const res = await fetch('/api/call', {
                method: 'POST',
                headers: { 'content-type': 'application/json' },
                body: JSON.stringify({ method: 'hq.fleet', params: {} }),
              });
              const { result } = (await res.json()) as { result: { logs: { origin: string; size: number }[] } };
              return result.logs.find((l) => l.origin === 'centre-a/staff')?.size;
            }),
          { message: "HQ to hold the staff log's plan", timeout: 20_000 },
        )
        .toBe(size);
      expect(Date.now()).toBeLessThan(close);
      // No alert before the window closes.
      expect(await alertOn(officers[0] as Page).count()).toBe(0);

      // The window closes: the alert arrives on every screen by itself (SSE on the dashboard; MQTT, then the staff
      // screen's live event, at the kiosk).
      await alertOn(officers[0] as Page).waitFor({ timeout: close + 10_000 - Date.now() });
      for (const { page, seat } of seated) {
        const item = alertOn(page);
        await item.waitFor({ timeout: 15_000 });
        await expect.poll(() => item.textContent()).toContain('p-live');
        expect(await item.locator('.alert-rule').textContent(), seat.name).toBe(
          say(seat, '未按时报到', 'Missed check-in'),
        );
        expect(await item.locator('.alert-status').textContent(), seat.name).toBe(say(seat, '未处理', 'open'));
        // Raised on Zhongshan's clock, labelled, whatever the browser's zone (HQ's own zone is UTC).
        expect(await item.textContent(), seat.name).toContain(`${say(seat, '发出时间', 'raised')} `);
        expect(await item.textContent(), seat.name).toContain('UTC+08:00');
        if (seat.zh) expect(await untranslated(page), seat.name).toEqual([]);
      }
      // Staff and the police see it; officers act on it at HQ.
      for (const { page, acts } of seated) if (!acts) expect(await alertOn(page).getByRole('button').count()).toBe(0);
      await screenshot(officers[0] as Page, 'alerts-live-hq-open');
      await screenshot(staff[0] as Page, 'alerts-live-staff-open');

      const act = async (
        i: number,
        button: readonly [string, string],
        note: string,
        assignee?: string,
      ): Promise<void> => {
        const seat = SEATS[i] as Seat;
        const item = alertOn(officers[i] as Page);
        await item.getByLabel(say(seat, '备注', 'Note')).fill(note);
        if (assignee) await item.getByLabel(say(seat, '指派给（用户编号）', 'Assign to (user id)')).fill(assignee);
        await item.getByRole('button', { name: say(seat, ...button) }).click();
      };
      const everyScreenSays = async (zh: string, en: string): Promise<void> => {
        for (const { page, seat } of seated)
          await expect
            .poll(() => alertOn(page).locator('.alert-status').textContent(), { timeout: 15_000 })
            .toBe(say(seat, zh, en));
      };
      // Nothing happens without a note.
      await alertOn(officers[0] as Page)
        .getByRole('button', { name: '确认' })
        .click();
      await expect.poll(() => alertOn(officers[0] as Page).textContent()).toContain('请先填写备注。');
      // The fourth officer starts a note and leaves it half-typed while the others act: each live update (and the
      // dashboard's own refreshes) merges the new status into the alert, the note and its focus untouched.
      const typist = officers[3] as Page;
      const typistSeat = SEATS[3] as Seat;
      const draft = alertOn(typist).getByLabel(say(typistSeat, '备注', 'Note'));
      await draft.click();
      await typist.keyboard.type('spoke to the per');
      const overviews = { count: 0 };
      typist.on('request', (request) => {
        if (request.url().endsWith('/api/call') && request.postData()?.includes('"hq.overview"')) overviews.count++;
      });
      const draftKept = async (): Promise<void> => {
        expect(await draft.inputValue(), typistSeat.name).toBe('spoke to the per');
        expect(await draft.evaluate((el) => el === document.activeElement), typistSeat.name).toBe(true);
      };
      await act(0, ['确认', 'Acknowledge'], 'calling the person');
      await everyScreenSays('已确认', 'acknowledged');
      await draftKept();
      await act(1, ['指派', 'Assign'], 'home visit', 'officer-2');
      await everyScreenSays('已指派', 'assigned');
      for (const page of officers) expect(await alertOn(page).textContent()).toContain('officer-2');
      await draftKept();
      // Two more refreshes of the tables, the 30 s timer's among them (nothing else happens meanwhile).
      const seen = overviews.count;
      await expect.poll(() => overviews.count, { timeout: 90_000 }).toBeGreaterThanOrEqual(seen + 2);
      await draftKept();
      await typist.keyboard.type('son');
      expect(await draft.inputValue()).toBe('spoke to the person');
      await act(2, ['解决', 'Resolve'], 'seen at home, unwell');
      await everyScreenSays('已解决', 'resolved');
      // Resolved: no more actions; the officer's note shows at HQ, only the event at the centre (the topic carries its hash).
      for (const [i, page] of officers.entries()) {
        const seat = SEATS[i] as Seat;
        expect(await alertOn(page).getByRole('button').count()).toBe(0);
        expect(await alertOn(page).textContent(), seat.name).toContain(
          `${say(seat, '已解决', 'resolved')}: seen at home, unwell`,
        );
      }
      for (const page of staff) expect(await alertOn(page).textContent()).not.toContain('seen at home');
      await screenshot(officers[2] as Page, 'alerts-live-hq-resolved');
      await screenshot(staff[2] as Page, 'alerts-live-staff-resolved');

      // Each action is on HQ's log, named by the alert's history.
      const stored = await (officers[0] as Page).evaluate(async (alertId) => {
        const res = await fetch('/api/call', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ method: 'hq.breachAlerts', params: {} }),
        });
        return ((await res.json()) as { result: { alerts: BreachAlert[] } }).result.alerts.find(
          (a) => a.id === alertId,
        );
      }, id);
      expect(stored?.history.slice(1).map((h) => [h.event, h.by, h.note, h.ref])).toEqual([
        ['acknowledged', 'olga', 'calling the person', { origin: 'hq/log', seq: 1 }],
        ['assigned', 'olga', 'home visit', { origin: 'hq/log', seq: 2 }],
        ['resolved', 'olga', 'seen at home, unwell', { origin: 'hq/log', seq: 3 }],
      ]);
      expect(stored).toMatchObject({ status: 'resolved', assignee: 'officer-2', version: 4 });
    },
  );
});
