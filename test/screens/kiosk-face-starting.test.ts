// The face step while the face models are still loading (the kiosk is ready before them), in Chromium at
// 1080x1920, in both languages: the person sees that the camera check is getting ready, with Cancel and Call
// staff, in the screen's language only and at the kiosk's sizes; Cancel ends the session.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KioskLanguage } from '../../core/api/kiosk-api.ts';
import { guidanceText, t } from '../../renderer/kiosk/kiosk-text.ts';
import { launchBrowser } from './support/browser.ts';
import { foreignText, kioskShot, layoutProblems } from './support/kiosk-page.ts';
import { FINGER, type KioskRig, startKioskRig } from './support/kiosk-rig.ts';

describe.each(['zh-CN', 'en'] as const)('the face step while the face models load (%s)', (language: KioskLanguage) => {
  let rig: KioskRig;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    [rig, browser] = await Promise.all([startKioskRig(language), launchBrowser()]);
    const context = await browser.newContext({
      viewport: { width: 1080, height: 1920 },
      timezoneId: 'UTC',
      hasTouch: true,
    });
    page = await context.newPage();
    page.setDefaultTimeout(30_000);
    await page.goto(rig.url);
  }, 120_000);
  afterAll(async () => {
    await browser.close();
    await rig.close();
  });

  it('says the camera check is getting ready, with Cancel and Call staff, and Cancel ends it', async () => {
    rig.face = 'starting';
    await page.getByRole('button', { name: t(language, 'start') }).tap();
    await page.locator('[data-pictogram="finger"]').waitFor();
    rig.sensor.place({ kind: 'finger', name: FINGER });
    await page.getByText(guidanceText(language, 'face-starting')).waitFor();
    expect(await page.getByRole('button', { name: t(language, 'callStaff') }).isVisible()).toBe(true);
    expect(await layoutProblems(page)).toEqual([]);
    expect(await foreignText(page, language)).toEqual([]);
    await kioskShot(page, `${language}-1080x1920-face-starting`);
    await page.getByRole('button', { name: t(language, 'cancel') }).tap();
    await page.locator('.phase-failed').waitFor();
    expect(rig.entries()).not.toContain('checkin:');
  }, 120_000);
});
