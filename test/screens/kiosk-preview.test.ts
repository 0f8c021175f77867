// The live webcam preview on a webcam kiosk, in Chromium with its fake camera: once main asks the screen for a
// frame, the face step shows what the camera sees, inside the face oval, and nowhere else; frames still come
// after the preview has left the screen (the video is put back and played again). On a serial-camera kiosk the
// face step shows the frame the camera just took, in the same oval. Both are axe-core clean and photographed
// (kioskShot: linked from the README when written to docs/screens/kiosk/).
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { jpegSize } from '../../face/jpeg.ts';
import { FACES_DIR, decode, encode, kioskFrame } from '../face/camera.ts';
import { t } from '../../renderer/kiosk/kiosk-text.ts';
import { launchBrowser, seriousViolations } from './support/browser.ts';
import { FINGER, type KioskRig, startKioskRig } from './support/kiosk-rig.ts';
import { kioskShot } from './support/kiosk-page.ts';

describe('webcam preview in the face step', () => {
  let rig: KioskRig;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    ({ rig, browser, page } = await openPortraitKiosk());
  }, 120_000);
  afterAll(async () => {
    await browser.close();
    await rig.close();
  });

  it('shows the camera live inside the oval while the person is asked to look at it, and only then', async () => {
    rig.face = 'hang';
    await page.getByRole('button', { name: t('en', 'start') }).tap();
    await page.locator('[data-pictogram="finger"]').waitFor();
    rig.sensor.place({ kind: 'finger', name: FINGER });
    await page.locator('[data-pictogram="face"]').waitFor();
    expect(await page.locator('[data-preview="webcam"]').count()).toBe(0);

    // Main asks for a frame, as the webcam face port does: the screen answers with a JPEG and shows the preview.
    const frame = await rig.screen.requestFrame(20_000);
    expect(jpegSize(frame).width).toBeGreaterThan(0);
    const preview = page.locator('[data-preview="webcam"]');
    await preview.waitFor();
    expect(await preview.locator('[data-pictogram="oval"] ellipse').count()).toBe(1);
    await page.waitForFunction(() => {
      const video = document.querySelector<HTMLVideoElement>('[data-preview="webcam"] video');
      return video !== null && !video.paused && video.videoWidth > 0 && video.getBoundingClientRect().width >= 300;
    });
    expect(await seriousViolations(page)).toEqual([]);
    await kioskShot(page, 'en-1080x1920-webcam-preview');

    await page.getByRole('button', { name: t('en', 'cancel') }).tap();
    await page.locator('.phase-failed').waitFor();
    expect(await page.locator('[data-preview="webcam"]').count()).toBe(0);
    // The video left the page with the face step; the next frame still comes.
    expect(jpegSize(await rig.screen.requestFrame(20_000)).width).toBeGreaterThan(0);
    rig.face = 'match';
  }, 120_000);
});

describe("the serial camera's frame in the face step", () => {
  let rig: KioskRig;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    ({ rig, browser, page } = await openPortraitKiosk());
  }, 120_000);
  afterAll(async () => {
    await browser.close();
    await rig.close();
  });

  it("shows a serial camera's frame inside the oval in the face step, and drops it with the step", async () => {
    rig.face = 'hang';
    await page.getByRole('button', { name: t('en', 'start') }).tap();
    await page.locator('[data-pictogram="finger"]').waitFor();
    rig.sensor.place({ kind: 'finger', name: FINGER });
    await page.locator('[data-pictogram="face"]').waitFor();
    rig.screen.still(encode(kioskFrame(decode(readFileSync(new URL('obama_1.jpg', FACES_DIR)))), 80));
    const still = page.locator('[data-preview="still"] img');
    await still.waitFor();
    await page.waitForFunction(
      () => (document.querySelector<HTMLImageElement>('[data-preview="still"] img')?.naturalWidth ?? 0) === 640,
    );
    expect(await page.locator('[data-preview="still"] [data-pictogram="oval"]').count()).toBe(1);
    expect(await seriousViolations(page)).toEqual([]);
    await kioskShot(page, 'en-1080x1920-serial-preview');
    await page.getByRole('button', { name: t('en', 'cancel') }).tap();
    await page.locator('.phase-failed').waitFor();
    expect(await page.locator('[data-preview]').count()).toBe(0);
    // Outside the face step a frame is not shown at all.
    rig.screen.still(encode(kioskFrame(decode(readFileSync(new URL('obama_1.jpg', FACES_DIR)))), 80));
    expect(rig.screen.current().still).toBeNull();
    await page.getByRole('button', { name: t('en', 'backToStart') }).tap();
    await page.getByRole('button', { name: t('en', 'start') }).waitFor();
    rig.face = 'match';
  }, 120_000);
});

/** A kiosk rig in English and its screen in a portrait 1080x1920 touch browser. */
async function openPortraitKiosk(): Promise<{ rig: KioskRig; browser: Browser; page: Page }> {
  const [rig, browser] = await Promise.all([startKioskRig('en'), launchBrowser()]);
  const context = await browser.newContext({
    viewport: { width: 1080, height: 1920 },
    timezoneId: 'UTC',
    hasTouch: true,
  });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  await page.goto(rig.url);
  return { rig, browser, page };
}
