// Breach alerts live on the screens, as processes: `muster hq --web` (the officers' and the police's dashboard)
// on a real Mosquitto, and `muster kiosk run --web` (the centre's staff screen, fed by HQ's
// muster/v1/alerts/<centre> through the kiosk's replication link), in Chromium. A plan's window closes after
// everything is up: the missed check-in appears on every screen without a reload; the officer acknowledges, assigns and resolves it
// with notes on the dashboard, and each step shows on the others. HQ's store is filled beforehand with the
// centre's staff log (the plan), so no other node is needed.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserStore } from '../../access/user-store.ts';
import type { BreachAlert } from '../../net/hq/breach-alert.ts';
import { SqliteHqStore } from '../../net/hq/sqlite-hq-store.ts';
import { kioskLog } from '../checkin/support/kiosk-log.ts';
import { type MosquittoServer, startMosquitto } from '../helpers/mosquitto.ts';
import { type MusterProcess, startMuster } from '../net/support/muster-process.ts';
import { launchBrowser, screenshot } from './support/browser.ts';

const MIN = 60_000;
const PASSWORD = 'correct horse battery staple';
const UI_TIMEOUT = 20_000;
const dir = mkdtempSync(join(tmpdir(), 'muster-alerts-live-'));
const brokerUsers = new Map([
  ['hq', 'pw-hq'],
  ['centre-a~k1', 'pw-k1'],
]);
let mosquitto: MosquittoServer | undefined;
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
  // The window closes at the next whole minute at least 50 s away: time to start both processes and sign in.
  close = Math.ceil((Date.now() + 50_000) / MIN) * MIN;
  const open = close - 60 * MIN;
  const day = new Date(open).toISOString().slice(0, 10);
  const hhmm = (ms: number): string => new Date(ms).toISOString().slice(11, 16);
  id = `breach:missed-checkin/p-live/${day}`;
  const staff = kioskLog(dir, 'centre-a/staff', Date.now());
  await staff.writer.append('plan', {
    subject: 'p-live',
    effectiveFrom: 0,
    start: day,
    end: null,
    zone: 'UTC',
    centres: ['centre-a'],
    days: 'daily',
    window: { open: hhmm(open), close: hhmm(close) },
    graceMinutes: 0,
    lateMinutes: 30,
    tasks: [],
    staff: 'staff-1',
    reason: 'new-plan',
  });
  const store = SqliteHqStore.open(join(dir, 'hq.db'));
  await store.ingest(
    'centre-a/staff',
    [...staff.store.range('centre-a/staff', 0, staff.store.head('centre-a/staff').size)].map((r) => r.leaf),
    'test',
  );
  await store.close();
  staff.store.close();

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
      staff.pub,
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
      zone: 'UTC',
      devices: { fingerprint: { family: 'r30x', path: '/dev/serial/by-id/usb-not-here' } },
    }),
  );
  const kiosk = await startMuster(
    ['kiosk', 'run', '--config', config, '--emulate', '--web', '0', '--users', kioskUsers],
    'muster kiosk run',
  );
  processes.push(kiosk);
  staffScreen = /staff screen (http:\/\/\S+)/.exec(kiosk.ready)?.[1] ?? '';
  browser = await launchBrowser();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  for (const p of processes.reverse()) await p.stop();
  await mosquitto?.stop();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

async function signedIn(url: string, user: string): Promise<Page> {
  const context = await (browser as Browser).newContext({
    viewport: { width: 1280, height: 900 },
    locale: 'en-US',
    timezoneId: 'UTC',
  });
  const page = await context.newPage();
  page.setDefaultTimeout(UI_TIMEOUT);
  await page.goto(url);
  await page.getByLabel('User name').fill(user);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  return page;
}

describe("breach alerts live on the HQ dashboard (officer, police) and the centre's staff screen", () => {
  it(
    "shows the missed check-in on every screen as the window closes, and the officer's acknowledge, assign and resolve on all of them",
    { timeout: 240_000 },
    async () => {
      expect(dashboard).toMatch(/\/hq$/);
      expect(staffScreen).toMatch(/\/staff$/);
      const officer = await signedIn(dashboard, 'olga');
      const staff = await signedIn(staffScreen, 'sam');
      const police = await signedIn(dashboard, 'pat');
      for (const page of [officer, staff, police])
        await expect
          .poll(() => page.locator('.alerts-panel').textContent(), { timeout: UI_TIMEOUT })
          .toContain('No breach alerts.');
      expect(Date.now()).toBeLessThan(close);

      // The window closes: the alert arrives on both screens by itself (SSE on the dashboard; MQTT, then the staff
      // screen's live event, at the kiosk).
      const onDashboard = officer.locator(`[data-alert="${id}"]`);
      const onStaff = staff.locator(`[data-alert="${id}"]`);
      const onPolice = police.locator(`[data-alert="${id}"]`);
      await onDashboard.waitFor({ timeout: close + 10_000 - Date.now() });
      await onStaff.waitFor({ timeout: 15_000 });
      await onPolice.waitFor({ timeout: 5_000 });
      for (const item of [onDashboard, onStaff, onPolice]) {
        await expect.poll(() => item.textContent()).toContain('p-live');
        // The rule in the page's language; its id on the element.
        expect(await item.locator('.alert-rule[data-rule="missed-checkin"]').textContent()).toBe('Missed check-in');
        expect(await item.locator('.alert-status').textContent()).toBe('open');
      }
      // Staff and the police see it; officers act on it at HQ.
      expect(await onStaff.getByRole('button').count()).toBe(0);
      expect(await onPolice.getByRole('button').count()).toBe(0);
      await screenshot(officer, 'alerts-live-hq-open');
      await screenshot(staff, 'alerts-live-staff-open');

      const act = async (button: string, note: string, assignee?: string): Promise<void> => {
        await onDashboard.getByLabel('Note').fill(note);
        if (assignee) await onDashboard.getByLabel('Assign to (user id)').fill(assignee);
        await onDashboard.getByRole('button', { name: button }).click();
      };
      const status = (item: typeof onDashboard): Promise<string | null> => item.locator('.alert-status').textContent();
      // Nothing happens without a note.
      await onDashboard.getByRole('button', { name: 'Acknowledge' }).click();
      await expect.poll(() => onDashboard.textContent()).toContain('Write a note first.');
      await act('Acknowledge', 'calling the person');
      await expect.poll(() => status(onDashboard), { timeout: 15_000 }).toBe('acknowledged');
      await expect.poll(() => status(onStaff), { timeout: 15_000 }).toBe('acknowledged');
      await act('Assign', 'home visit', 'officer-2');
      await expect.poll(() => status(onDashboard), { timeout: 15_000 }).toBe('assigned');
      expect(await onDashboard.textContent()).toContain('officer-2');
      await expect.poll(() => status(onStaff), { timeout: 15_000 }).toBe('assigned');
      await act('Resolve', 'seen at home, unwell');
      await expect.poll(() => status(onDashboard), { timeout: 15_000 }).toBe('resolved');
      await expect.poll(() => status(onStaff), { timeout: 15_000 }).toBe('resolved');
      await expect.poll(() => status(onPolice), { timeout: 15_000 }).toBe('resolved');
      // Resolved: no more actions; the officer's note shows at HQ, only the event at the centre (the topic carries its hash).
      expect(await onDashboard.getByRole('button').count()).toBe(0);
      expect(await onDashboard.textContent()).toContain('resolved: seen at home, unwell');
      expect(await onStaff.textContent()).not.toContain('seen at home');
      await screenshot(officer, 'alerts-live-hq-resolved');
      await screenshot(staff, 'alerts-live-staff-resolved');

      // Each action is on HQ's log, named by the alert's history.
      const stored = await officer.evaluate(async (alertId) => {
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
