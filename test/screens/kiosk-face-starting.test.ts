// The face step while the face models are still loading (the kiosk is ready before them), in Chromium at
// 1080x1920 and 1280x800, in both languages: the person sees that the camera check is getting ready, with Cancel
// and Call staff, in the screen's language only, at the kiosk's sizes and axe clean; Cancel ends the session.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KioskLanguage } from '../../core/api/kiosk-api.ts';
import { guidanceText, t } from '../../renderer/kiosk/kiosk-text.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { launchBrowser, seriousViolations } from './support/browser.ts';
import { KIOSK_VIEWPORTS, foreignText, kioskShot, layoutProblems } from './support/kiosk-page.ts';
import { FINGER, type KioskRig, startKioskRig } from './support/kiosk-rig.ts';

describe.each(['zh-CN', 'en'] as const)('the face step while the face models load (%s)', (language: KioskLanguage) => {
  let rig: KioskRig;
  let browser: Browser;

  beforeAll(async () => {
    [rig, browser] = await Promise.all([startKioskRig(language), launchBrowser()]);
  }, 120_000);
  afterAll(async () => {
    await browser.close();
    await rig.close();
  });

  it.each(KIOSK_VIEWPORTS)(
    'at $name: says the camera check is getting ready, with Cancel and Call staff, and Cancel ends it',
    async (viewport) => {
      const context = await browser.newContext({
        viewport: { width: viewport.width, height: viewport.height },
        timezoneId: 'UTC',
        hasTouch: true,
      });
      try {
        const page = await context.newPage();
        page.setDefaultTimeout(30_000);
        await page.goto(rig.url);
        rig.face = 'starting';
        await page.getByRole('button', { name: t(language, 'start') }).tap();
        await page.locator('[data-pictogram="finger"]').waitFor();
        rig.sensor.place({ kind: 'finger', name: FINGER });
        await page.getByText(guidanceText(language, 'face-starting')).waitFor();
        rig.sensor.place({ kind: 'none' });
        expect(await page.getByRole('button', { name: t(language, 'callStaff') }).isVisible()).toBe(true);
        await page.evaluate(() => document.fonts.ready);
        expect(await layoutProblems(page)).toEqual([]);
        expect(await foreignText(page, language)).toEqual([]);
        expect(await seriousViolations(page)).toEqual([]);
        await kioskShot(page, `${language}-${viewport.name}-face-starting`);
        await page.getByRole('button', { name: t(language, 'cancel') }).tap();
        await page.locator('.phase-failed').waitFor();
        expect(rig.entries()).not.toContain('checkin:');
        // The failure screen goes back to the start by itself, ready for the next viewport's person.
        await page.getByRole('button', { name: t(language, 'start') }).waitFor({ timeout: 60_000 });
        await waitFor(() => rig.screen.current().phase === 'idle', 'the kiosk back at the start', 60_000);
      } finally {
        await context.close();
      }
    },
    180_000,
  );
});
