// The real screens in Chromium against a running centre (broker, HQ, a kiosk with the fingerprint emulator):
// a parolee checks in from start to receipt and staff see it live; staff excuse a person; a missed check-in
// shows as a breach with its evidence on the HQ dashboard; the police view is read-only; keyboard-only use;
// axe-core finds no serious or critical violation; no page breaks its own CSP. Screenshots go to
// test-artifacts/screens/.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KioskScreen } from '../../main/web/kiosk-screen.ts';
import { WebcamCamera } from '../../main/web/webcam-camera.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { KIOSK, PASSWORD, type Centre, ZONE, localTime, startCentre } from './support/centre.ts';
import { launchBrowser, screenshot, seriousViolations } from './support/browser.ts';

const UI_TIMEOUT = 15_000;

describe('screens in Chromium', () => {
  let centre: Centre;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const cspErrors: string[] = [];

  beforeAll(async () => {
    [centre, browser] = await Promise.all([startCentre(), launchBrowser()]);
  }, 60_000);
  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser.close();
    await centre.close();
    expect(cspErrors).toEqual([]);
  });

  async function open(url: string): Promise<Page> {
    // The kiosk's clock runs in its centre's zone.
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, timezoneId: ZONE });
    contexts.push(context);
    // The centre is in China, so its screens default to Chinese: these tests read them in English (chosen once).
    await context.addInitScript(() => {
      localStorage.setItem('muster.language', 'en');
    });
    const page = await context.newPage();
    page.setDefaultTimeout(UI_TIMEOUT);
    page.on('console', (m) => {
      if (/Content.Security.Policy|Refused to/i.test(m.text())) cspErrors.push(m.text());
    });
    await page.goto(url);
    return page;
  }

  async function signIn(page: Page, user: string): Promise<void> {
    await page.getByLabel('User name').fill(user);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  let staffPage: Page;
  let kioskPage: Page;

  it("staff sign in and see today's roster", async () => {
    staffPage = await open(centre.kioskWeb.urls.staff ?? '');
    await signIn(staffPage, 'sam');
    const row = staffPage.locator('tr[data-subject="p-0001"]');
    await row.waitFor();
    expect(await row.getAttribute('data-state')).toBe('expected');
    expect(await staffPage.locator('tbody tr[data-subject]').count()).toBe(3);
    expect(await seriousViolations(staffPage)).toEqual([]);
    await screenshot(staffPage, 'staff-roster-morning');
  });

  it('a parolee checks in from start to receipt, in either language, and staff see it appear live', async () => {
    kioskPage = await open(centre.kioskWeb.urls.kiosk ?? '');
    const start = kioskPage.getByRole('button', { name: /Start check-in/ });
    await start.waitFor();
    expect(await seriousViolations(kioskPage)).toEqual([]);
    await kioskPage.getByRole('button', { name: /中文/ }).click();
    await kioskPage.getByRole('button', { name: /开始签到/ }).waitFor();
    await screenshot(kioskPage, 'kiosk-start-zh');
    await kioskPage.getByRole('button', { name: /English/ }).click();
    await screenshot(kioskPage, 'kiosk-start');

    centre.now = localTime('08:30');
    centre.rig.place({ kind: 'finger', name: 'p-0001-right-index' });
    await start.click();
    await kioskPage.getByText("Here are today's tasks").waitFor();
    expect(await kioskPage.locator('[aria-current="step"]').textContent()).toContain('Tasks');
    await screenshot(kioskPage, 'kiosk-tasks');
    await kioskPage.getByLabel(/Study module/).check();
    await kioskPage.getByRole('button', { name: /Save and continue/ }).click();
    await kioskPage.getByText('You are checked in').waitFor();
    expect(await kioskPage.getByRole('img', { name: /Receipt QR code/ }).isVisible()).toBe(true);
    expect(await kioskPage.locator('.receipt dd').first().textContent()).toBe('p-0001');
    expect(await seriousViolations(kioskPage)).toEqual([]);
    await screenshot(kioskPage, 'kiosk-receipt');

    // No reload: the staff screen updates from the live event.
    await staffPage.locator('tr[data-subject="p-0001"][data-state="checked-in"]').waitFor();
    expect(await staffPage.locator('tr[data-subject="p-0001"]').textContent()).toContain(KIOSK);
    await screenshot(staffPage, 'staff-roster-live');

    // Finish returns to the start and forgets the person.
    await kioskPage.getByRole('button', { name: /Finish/ }).click();
    await start.waitFor();
    expect(await kioskPage.content()).not.toContain('p-0001');
  });

  /** Presses Tab until the focused element's text matches; fails if it is not reachable within `max` presses. */
  async function tabTo(page: Page, text: RegExp, max = 12): Promise<void> {
    for (let i = 0; i < max; i++) {
      const label = await page.evaluate(() =>
        document.activeElement === document.body ? '' : (document.activeElement?.textContent ?? ''),
      );
      if (text.test(label)) return;
      await page.keyboard.press('Tab');
    }
    throw new Error(`${String(text)} is not reachable with Tab`);
  }

  it('the kiosk works with the keyboard alone', async () => {
    const page = kioskPage;
    centre.rig.place({ kind: 'finger', name: 'p-0001-right-index' });
    await tabTo(page, /Start check-in/);
    await page.keyboard.press('Enter');
    await page.getByText("Here are today's tasks").waitFor();
    // The first task has the focus: Space ticks it, Tab reaches Save.
    await page.keyboard.press('Space');
    expect(await page.getByLabel(/Study module/).isChecked()).toBe(true);
    await tabTo(page, /Save and continue/);
    await page.keyboard.press('Enter');
    await page.getByText('You are checked in').waitFor();
    await tabTo(page, /Finish/);
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: /Start check-in/ }).waitFor();
  });

  it("a kiosk whose camera is the screen's webcam gets its frames through the typed API", async () => {
    const camera = new WebcamCamera(centre.screen, 10_000);
    const frame = await camera.capture();
    expect([frame[0], frame[1], frame.at(-2), frame.at(-1)]).toEqual([0xff, 0xd8, 0xff, 0xd9]);
    expect(frame.length).toBeGreaterThan(1000);
    // A second frame comes from the stream already open.
    expect((await camera.capture()).length).toBeGreaterThan(1000);
    // No screen answering is a camera fault, never a hang.
    await expect(new KioskScreen().requestFrame(20)).rejects.toMatchObject({ code: 'camera.timeout' });
  });

  it('staff record an excuse with a reason; it lands on the log naming the signed-in staff member', async () => {
    await staffPage.getByRole('button', { name: 'History of p-0003' }).click();
    await staffPage.locator('.excuse').getByLabel('Reason').fill('hospital appointment, letter seen');
    await staffPage.getByRole('button', { name: /Record excuse/ }).click();
    await staffPage.getByText('Excuse for p-0003 recorded').waitFor();
    // Words are no reason code: the log says `other`, the words stay in the personal-data store as a note.
    await staffPage.getByText(/excused 2026-06-01 \(sam: other\)/).waitFor();
    // Sam may read notes: the words come from the personal-data store, and the read is an access entry on the log.
    const row = staffPage.locator('table.timeline tr', { hasText: 'excused 2026-06-01 (sam: other)' });
    await row.getByRole('button', { name: 'Show the words (logged)' }).click();
    await row.getByText('hospital appointment, letter seen').waitFor();
    await screenshot(staffPage, 'staff-person');
  });

  it('after the deadline a missed check-in is a breach on the staff screen and on the HQ dashboard, with its evidence', async () => {
    centre.now = localTime('11:30');
    await staffPage.getByRole('button', { name: /Refresh/ }).click();
    await staffPage.locator('tr[data-subject="p-0002"][data-state="breached"]').waitFor();
    await staffPage.locator('tr[data-subject="p-0003"][data-state="excused"]').waitFor();
    // The printable daily report: the roster with a report header, without the controls.
    await staffPage.emulateMedia({ media: 'print' });
    expect(await staffPage.getByText(/Daily attendance report: centre-01, 2026-06-01/).isVisible()).toBe(true);
    expect(await staffPage.getByRole('button', { name: /Export CSV/ }).isVisible()).toBe(false);
    await screenshot(staffPage, 'staff-daily-report-print');
    await staffPage.emulateMedia({ media: 'screen' });
    await staffPage.getByRole('button', { name: /Breached \(1\)/ }).click();
    expect(await staffPage.locator('tbody tr[data-subject]').count()).toBe(1);
    await screenshot(staffPage, 'staff-roster-breached');

    const size = centre.node.writer.store.head(KIOSK).size;
    await waitFor(async () => (await centre.hq.store.size(KIOSK)) === size, 'HQ to hold the kiosk log');
    const hqPage = await open(centre.hqWeb.urls.hq ?? '');
    await signIn(hqPage, 'olga');
    const breach = hqPage.locator('[data-finding^="missed-checkin/p-0002/"]');
    await breach.waitFor();
    expect(await breach.textContent()).toMatch(new RegExp(`Evidence: ${KIOSK} #\\d+`));
    expect(await hqPage.locator('tr[data-centre="centre-01"]').textContent()).toContain('67%');
    await hqPage.locator(`tr[data-log="${KIOSK}"]`).waitFor();
    expect(await seriousViolations(hqPage)).toEqual([]);
    await screenshot(hqPage, 'hq-officer');

    await hqPage.getByRole('button', { name: 'Timeline of p-0002' }).first().click();
    await hqPage.getByRole('heading', { name: /Timeline of p-0002/ }).waitFor();
    await screenshot(hqPage, 'hq-timeline');
  });

  it('the police view is read-only: no fleet panel, and the server refuses fleet data to the police', async () => {
    const page = await open(centre.hqWeb.urls.hq ?? '');
    // Signed in with the keyboard alone: the user name has the focus, Tab reaches the password, Enter submits.
    await page.getByLabel('User name').waitFor();
    await page.keyboard.type('pat');
    await page.keyboard.press('Tab');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await page.getByText('Read-only view').waitFor();
    await page.locator('[data-finding^="missed-checkin/p-0002/"]').waitFor();
    expect(await page.locator('#fleet-title').count()).toBe(0);
    const answer = await page.evaluate(async () => {
      const res = await fetch('/api/call', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ method: 'hq.fleet', params: {} }),
      });
      return { status: res.status, body: (await res.json()) as unknown };
    });
    expect(answer).toMatchObject({ status: 403, body: { ok: false, error: { code: 'forbidden' } } });
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'hq-police');
  });
});
