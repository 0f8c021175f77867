// The kiosk screen's waits and layout in Chromium, beside test/screens/kiosk-screen.test.ts (which drives the
// check-in's paths): a kiosk configured in Chinese and one in English, each watched by a 1080x1920 and a
// 1280x800 screen at once (main owns the view, so both show the same state). Every wait (finger, card, face,
// staff confirmation, tasks) shows its countdown with Cancel and Call staff, and the receipt, failure and error
// screens count down; Cancel and Call staff at the card wait submit nothing; the final "see staff" failure with
// its reference and the serial camera's frame in the face oval; the start screen's date in the centre's zone; a
// language chosen by someone who walks away before Start goes back to the kiosk's own.
// Every state fits its window with at most one primary action, the step's content and actions centred.
import { readFileSync } from 'node:fs';
import type { Page, Route } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { KioskLanguage } from '../../core/api/kiosk-api.ts';
import { guidanceIcon, guidanceText, t } from '../../renderer/kiosk/kiosk-text.ts';
import { FACES_DIR, decode, encode, kioskFrame } from '../face/camera.ts';
import { waitFor } from '../helpers/wait-for.ts';
import {
  type StateChecks,
  UI_TIMEOUT,
  centringProblems,
  checkKioskState,
  kioskButton,
  layoutProblems,
} from './support/kiosk-page.ts';
import { FINGER, ZONE } from './support/kiosk-rig.ts';
import { kioskScreens } from './support/kiosk-screens.ts';

const LOCALES: { readonly [L in KioskLanguage]: string } = { 'zh-CN': 'zh-CN', 'en': 'en-GB' };

/** The date in `zone` as the start screen writes it. */
function dateIn(ms: number, language: KioskLanguage, zone: string): string {
  return new Intl.DateTimeFormat(LOCALES[language], { dateStyle: 'full', timeZone: zone }).format(ms);
}

/**
 * A browser zone whose date differs from the centre's right now (one 6 h ahead of Shanghai, one 19 h behind:
 * one of them is always on another day), so a start screen dated by the browser's zone shows the wrong day.
 */
function otherDayZone(): string {
  const now = Date.now();
  const centre = dateIn(now, 'en', ZONE);
  return ['Pacific/Kiritimati', 'Pacific/Pago_Pago'].find((z) => dateIn(now, 'en', z) !== centre) ?? 'UTC';
}

describe.each(['zh-CN', 'en'] as const)('kiosk waits and layout, %s', (language: KioskLanguage) => {
  // The browsers' clock on another day than the centre's.
  const kiosk = kioskScreens(language, { zone: otherDayZone });
  const word = (w: Parameters<typeof t>[1], values?: Readonly<Record<string, number | string>>): string =>
    t(language, w, values);
  const named = (page: Page, w: Parameters<typeof t>[1]) => kioskButton(page, language, w);
  const atStart = (): Promise<void> => kiosk.onEach((page) => named(page, 'start').waitFor());
  const checkins = (): number => kiosk.rig.entries().filter((e) => e === 'checkin:').length;

  /** What every state passes on both screens (`checkKioskState`). */
  const check = (state: string, o?: StateChecks): Promise<void> => checkKioskState(kiosk.pages, language, state, o);

  async function backToStart(): Promise<void> {
    await named(kiosk.page, 'backToStart').tap();
    await atStart();
  }

  it("the start screen: the date and time in the centre's zone, one centred action, the whole screen in view", async () => {
    await atStart();
    await kiosk.onEach(async (page) => {
      // The minute (and so the day) may turn between reading and checking.
      const shown = (await page.locator('.date').textContent()) ?? '';
      const now = Date.now();
      expect([dateIn(now - 60_000, language, ZONE), dateIn(now, language, ZONE)]).toContain(shown);
      expect(shown).not.toBe(dateIn(now, language, kiosk.zone));
    });
    await check('start');
    // One method only, then none.
    kiosk.rig.available = { fingerprint: false, camera: true, badge: true };
    await kiosk.onEach((page) => page.getByText(word('onlyOne')).waitFor());
    await check('fingerprint-unplugged');
    kiosk.rig.available = { fingerprint: false, camera: true, badge: false };
    await kiosk.onEach((page) => page.getByText(word('outOfService')).waitFor());
    await check('out-of-service');
  }, 120_000);

  it("a language chosen on the start screen by someone who then walks away goes back to the kiosk's own", async () => {
    const other = language === 'zh-CN' ? 'en' : 'zh-CN';
    const page = kiosk.page;
    await page.locator(`.languages button[lang="${other}"]`).tap();
    await page.getByRole('button', { name: t(other, 'start') }).waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe(other);
    // Nobody touches the screen for the idle time: the next person reads the kiosk's language.
    await named(page, 'start').waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe(language);
  }, 120_000);

  it('every wait shows its countdown with Cancel and Call staff; the receipt and failures count down too', async () => {
    // The finger: nobody has placed one yet.
    await named(kiosk.page, 'start').tap();
    await kiosk.onEach((page) => page.locator('[data-pictogram="finger"]').waitFor());
    await check('finger', { wait: true });
    await named(kiosk.page, 'cancel').tap();
    await kiosk.onEach((page) => page.getByText(guidanceText(language, 'cancelled')).waitFor());
    await check('cancelled', { countdown: true });
    await backToStart();

    // The face, then the serial camera's frame in its oval.
    kiosk.rig.face = 'hang';
    kiosk.rig.sensor.place({ kind: 'finger', name: FINGER });
    await named(kiosk.page, 'start').tap();
    await kiosk.onEach((page) => page.locator('[data-pictogram="face"]').waitFor());
    kiosk.rig.sensor.place({ kind: 'none' });
    await check('face', { wait: true });
    kiosk.rig.screen.still(encode(kioskFrame(decode(readFileSync(new URL('obama_1.jpg', FACES_DIR)))), 80));
    await kiosk.onEach(async (page) => {
      await page.waitForFunction(
        () => (document.querySelector<HTMLImageElement>('[data-preview="still"] img')?.naturalWidth ?? 0) === 640,
      );
      expect(await page.locator('[data-preview="still"] [data-pictogram="oval"]').count()).toBe(1);
    });
    await check('camera-still', { wait: true, shot: true });
    await named(kiosk.page, 'callStaff').tap();
    await kiosk.onEach((page) => page.locator('.reference strong').waitFor());
    await check('staff-called', { countdown: true });
    await backToStart();

    // The camera down: a member of staff confirms.
    kiosk.rig.face = 'match';
    kiosk.rig.available = { fingerprint: true, camera: false, badge: true };
    kiosk.rig.sensor.place({ kind: 'finger', name: FINGER });
    await named(kiosk.page, 'start').tap();
    await kiosk.onEach((page) => page.getByText(guidanceText(language, 'staff-confirm')).waitFor());
    kiosk.rig.sensor.place({ kind: 'none' });
    await check('staff-confirm', { wait: true });
    await named(kiosk.page, 'cancel').tap();
    await kiosk.onEach((page) => page.locator('.phase-failed').waitFor());
    await backToStart();

    // The tasks, then the receipt.
    kiosk.rig.available = { fingerprint: true, camera: true, badge: true };
    kiosk.rig.sensor.place({ kind: 'finger', name: FINGER });
    await named(kiosk.page, 'start').tap();
    await kiosk.onEach((page) => page.getByRole('heading', { name: word('tasksTitle') }).waitFor());
    kiosk.rig.sensor.place({ kind: 'none' });
    await check('tasks', { wait: true });
    await named(kiosk.page, 'saveTasks').tap();
    await kiosk.onEach((page) => page.getByText(word('checkedIn')).waitFor());
    await check('receipt', { countdown: true });
    await named(kiosk.page, 'finish').tap();
    await atStart();
  }, 180_000);

  it('Cancel and Call staff at the card wait: nothing submitted; Call staff shows the reference and calls staff', async () => {
    const before = checkins();
    kiosk.rig.available = { fingerprint: false, camera: true, badge: true };
    await kiosk.onEach((page) => page.getByText(word('onlyOne')).waitFor());
    for (const button of ['cancel', 'callStaff'] as const) {
      await named(kiosk.page, 'start').tap();
      await kiosk.onEach((page) => page.locator('[data-pictogram="badge"]').waitFor());
      await check('card', { wait: true });
      await named(kiosk.page, button).tap();
      await kiosk.onEach((page) => page.locator('.phase-failed').waitFor());
      expect(kiosk.rig.entries().at(-1)).toBe('checkin-attempt:cancelled');
      if (button === 'callStaff') {
        const reference = (await kiosk.page.locator('.reference strong').textContent()) ?? '';
        expect(reference).toMatch(/^a-/);
        expect(
          kiosk.rig.staff.calls().filter((c) => c.reference === reference && c.reason === 'staff-called'),
        ).toHaveLength(1);
      }
      await backToStart();
    }
    expect(checkins()).toBe(before);
  }, 120_000);

  it('after three tries with a finger it does not know, the person sees staff with the reference; staff are called', async () => {
    // No card reader to fall back on.
    kiosk.rig.available = { fingerprint: true, camera: true, badge: false };
    await kiosk.onEach((page) => page.getByText(word('onlyOne')).waitFor());
    kiosk.rig.sensor.place({ kind: 'finger', name: 'someone-not-enrolled' });
    await named(kiosk.page, 'start').tap();
    await kiosk.onEach((page) => page.getByText(guidanceText(language, 'see-staff')).waitFor());
    kiosk.rig.sensor.place({ kind: 'none' });
    expect(kiosk.rig.entries().slice(-3)).toEqual([
      'checkin-attempt:no-match',
      'checkin-attempt:no-match',
      'checkin-attempt:no-match',
    ]);
    const reference = (await kiosk.page.locator('.reference strong').textContent()) ?? '';
    expect(kiosk.rig.staff.calls().filter((c) => c.reference === reference && c.reason === 'see-staff')).toHaveLength(
      1,
    );
    await kiosk.onEach(async (page) => {
      expect(await page.locator('.phase-failed [data-icon]').getAttribute('data-icon')).toBe(guidanceIcon('see-staff'));
    });
    await check('see-staff', { countdown: true, shot: true });
    await backToStart();
  }, 120_000);

  it('a failed call shows the error screen counting down to its retry, with a way back, in the whole window; it returns to the start by itself', async () => {
    await atStart();
    for (const { name, page } of kiosk.pages) {
      let failed = false;
      // The error screen returns by asking main for the view (3 s on): that call is held until the checks are
      // done, so a loaded host cannot take the screen away from under them.
      let asked = false;
      let release: () => void = () => undefined;
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      const handler = async (route: Route): Promise<void> => {
        const method = (route.request().postDataJSON() as { method?: string }).method;
        if (!failed && method === 'kiosk.begin') {
          failed = true;
          await route.fulfill({
            status: 500,
            contentType: 'application/json',
            body: JSON.stringify({ ok: false, error: { code: 'internal', message: 'injected' } }),
          });
          return;
        }
        if (failed && method === 'kiosk.view') {
          asked = true;
          await released;
        }
        await route.continue();
      };
      await page.route('**/api/call', handler);
      await named(page, 'start').tap();
      await page.locator('.phase-error').waitFor();
      await page.evaluate(() => document.fonts.ready);
      expect(await layoutProblems(page), name).toEqual([]);
      expect(await centringProblems(page), name).toEqual([]);
      expect(await page.locator('.phase-error .countdown').textContent(), name).toMatch(/\d/);
      expect(await named(page, 'backToStart').isVisible(), name).toBe(true);
      // By itself, nothing tapped: the screen asks main for the view, and goes back to the start with it.
      await waitFor(() => asked, `the error screen at ${name} asking main for the view`, UI_TIMEOUT);
      release();
      await page.locator('.phase-error').waitFor({ state: 'detached' });
      await named(page, 'start').waitFor();
      await page.unroute('**/api/call', handler);
    }
    await atStart();
  }, 120_000);
});
