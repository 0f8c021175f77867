// The presence cue in Chromium (issue 17: "a presence cue (no finger, no face for N s) ends it sooner"): with
// the device waits and the tasks' idle time at minutes, a session whose person has gone ends as a walk-away within
// the presence window (nothing submitted, the screen back at the start), and it does not end while the person
// keeps a finger on the sensor, stays in the camera's frames or touches the screen. Sizes paired with languages:
// 1080x1920 in zh-CN at the face step, 1280x800 in English at the tasks. At the face step a movement's words and
// a serial camera's still keep the countdown running down. Watched time is counted in the camera's frames (4 a
// second), never slept.
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KioskLanguage } from '../../core/api/kiosk-api.ts';
import { guidanceText, t } from '../../renderer/kiosk/kiosk-text.ts';
import { FACES_DIR, decode, encode, kioskFrame } from '../face/camera.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { launchBrowser } from './support/browser.ts';
import { KIOSK_VIEWPORTS, foreignText, kioskShot, layoutProblems } from './support/kiosk-page.ts';
import { FINGER } from './support/kiosk-rig.ts';
import { type PresenceRig, startPresenceRig } from './support/presence-rig.ts';
import { untranslated } from './support/untranslated.ts';

const PRESENCE_SECONDS = 3;
const FRAMES_PER_SECOND = 4;
const [PORTRAIT, LANDSCAPE] = KIOSK_VIEWPORTS;

describe('the presence cue on the kiosk screen', () => {
  let browser: Browser;
  const rigs: PresenceRig[] = [];

  beforeAll(async () => {
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser.close();
    for (const rig of rigs) await rig.close();
  });

  async function open(
    language: KioskLanguage,
    viewport: { readonly width: number; readonly height: number },
    idleSeconds?: number,
  ): Promise<{ rig: PresenceRig; page: Page }> {
    const rig = await startPresenceRig(language, PRESENCE_SECONDS, idleSeconds);
    rigs.push(rig);
    const context = await browser.newContext({
      viewport: { width: viewport.width, height: viewport.height },
      timezoneId: 'UTC',
      hasTouch: true,
    });
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    await page.goto(rig.url);
    return { rig, page };
  }

  /** Until the camera gave `windows` presence windows of frames: that long was watched. */
  async function watchedFor(rig: PresenceRig, windows: number): Promise<void> {
    const until = rig.frames() + windows * PRESENCE_SECONDS * FRAMES_PER_SECOND;
    await waitFor(() => rig.frames() >= until, `${windows} presence windows of camera frames`, 30_000);
  }

  /** The walk-away notice, then the start screen by itself; nothing was submitted. */
  async function walkedAway(rig: PresenceRig, page: Page, language: KioskLanguage): Promise<void> {
    await page.getByText(guidanceText(language, 'walked-away')).waitFor();
    expect(rig.entries()).not.toContain('checkin:');
    expect(rig.entries().at(-1)).toBe('checkin-attempt:timeout');
    await page.getByRole('button', { name: t(language, 'start') }).waitFor();
  }

  it(`at ${PORTRAIT.name} in zh-CN, the face step: a finger kept on the sensor, then touches, hold it; the person gone, it ends a walk-away within the presence window`, async () => {
    const { rig, page } = await open('zh-CN', PORTRAIT);
    rig.face = 'hang';
    rig.camera = false;
    await page.getByRole('button', { name: t('zh-CN', 'start') }).tap();
    await page.locator('[data-pictogram="finger"]').waitFor();
    rig.sensor.place({ kind: 'finger', name: FINGER });
    const face = page.getByText(guidanceText('zh-CN', 'look-at-camera'));
    await face.waitFor();
    // No face in the frames, but a finger on the glass: still there.
    await watchedFor(rig, 1.5);
    expect(await face.isVisible()).toBe(true);
    expect(rig.screen.current().step).toBe('verify');
    // The finger lifted, the screen touched now and then (each touch well inside the window), for 1.5 windows in all.
    // A quarter window of frames between touches, so a tap that takes a second on a loaded machine still lands
    // inside the window (the window runs on the clock, a tap's own time counts against it).
    rig.sensor.place({ kind: 'none' });
    for (let i = 0; i < 6; i++) {
      await face.tap();
      await watchedFor(rig, 0.25);
    }
    expect(rig.screen.current().step).toBe('verify');
    await walkedAway(rig, page, 'zh-CN');
    await kioskShot(page, `zh-CN-${PORTRAIT.name}-presence-start-again`);
  }, 90_000);

  it(`at ${LANDSCAPE.name} in English, the tasks: a face in the frames holds them; nobody there, they end a walk-away, never submitted`, async () => {
    const { rig, page } = await open('en', LANDSCAPE);
    rig.camera = true;
    await page.getByRole('button', { name: t('en', 'start') }).tap();
    await page.locator('[data-pictogram="finger"]').waitFor();
    rig.sensor.place({ kind: 'finger', name: FINGER });
    const title = page.getByRole('heading', { name: t('en', 'tasksTitle') });
    await title.waitFor();
    rig.sensor.place({ kind: 'none' });
    await watchedFor(rig, 1.5);
    expect(await title.isVisible()).toBe(true);
    expect(rig.screen.current().phase).toBe('tasks');
    rig.camera = false;
    await walkedAway(rig, page, 'en');
    await kioskShot(page, `en-${LANDSCAPE.name}-presence-start-again`);
  }, 90_000);

  it(`at ${LANDSCAPE.name} in English, the face step: the words of a movement and the serial camera's still keep its countdown running down, never back to where it started`, async () => {
    const { rig, page } = await open('en', LANDSCAPE);
    rig.face = 'hang';
    await page.getByRole('button', { name: t('en', 'start') }).tap();
    await page.locator('[data-pictogram="finger"]').waitFor();
    rig.sensor.place({ kind: 'finger', name: FINGER });
    await page.getByText(guidanceText('en', 'look-at-camera')).waitFor();
    // Nothing seen from now on (no finger, the camera cannot tell, no touch): the end stays where it is.
    rig.sensor.place({ kind: 'none' });
    const secondsShown = async (): Promise<number> =>
      Number(/\d+/.exec((await page.locator('[data-countdown]').textContent()) ?? '')?.[0]);
    /** Until the screen has counted down below `seconds`. */
    const below = (seconds: number): Promise<unknown> =>
      page.waitForFunction(
        (s) => Number(/\d+/.exec(document.querySelector('[data-countdown]')?.textContent ?? '')?.[0]) < s,
        seconds,
      );
    await below((await secondsShown()) - 1);
    const beforePrompt = await secondsShown();
    rig.screen.prompt('face-turn');
    await page.getByText(guidanceText('en', 'face-turn')).waitFor();
    expect(await secondsShown()).toBeLessThanOrEqual(beforePrompt);
    await below(beforePrompt);
    const beforeStill = await secondsShown();
    rig.screen.still(encode(kioskFrame(decode(readFileSync(new URL('obama_1.jpg', FACES_DIR)))), 80));
    await page.locator('[data-preview="still"] img').waitFor();
    expect(await page.getByText(guidanceText('en', 'face-turn')).isVisible()).toBe(true);
    expect(await secondsShown()).toBeLessThanOrEqual(beforeStill);
    expect(await layoutProblems(page)).toEqual([]);
    await page.getByRole('button', { name: t('en', 'cancel') }).tap();
    await page.getByRole('button', { name: t('en', 'start') }).waitFor();
  }, 90_000);

  it(`at ${LANDSCAPE.name} in zh-CN, the camera down and staff asked (5 min): the countdown is the idle time that ends the wait, says in Chinese to touch the screen to keep waiting, and a touch restarts it`, async () => {
    const idleSeconds = 120;
    const { rig, page } = await open('zh-CN', LANDSCAPE, idleSeconds);
    rig.available = { fingerprint: true, camera: false, badge: false };
    await page.getByRole('button', { name: t('zh-CN', 'start') }).tap();
    await page.locator('[data-pictogram="finger"]').waitFor();
    rig.sensor.place({ kind: 'finger', name: FINGER });
    await page.getByText(guidanceText('zh-CN', 'staff-confirm')).waitFor();
    rig.sensor.place({ kind: 'none' });
    const hint = page.getByText(t('zh-CN', 'touchToWait'));
    await hint.waitFor();
    const secondsShown = async (): Promise<number> =>
      Number(/\d+/.exec((await page.locator('[data-countdown]').textContent()) ?? '')?.[0]);
    // The idle time, not the staff wait's 300 s.
    const before = await secondsShown();
    expect(before).toBeLessThanOrEqual(idleSeconds);
    expect(await layoutProblems(page)).toEqual([]);
    expect(await foreignText(page, 'zh-CN')).toEqual([]);
    expect(await untranslated(page)).toEqual([]);
    await kioskShot(page, `zh-CN-${LANDSCAPE.name}-presence-staff-wait`);
    // A while later a touch: main's end of the wait moves, and the screen counts from it.
    const ends = (): number => {
      const v = rig.screen.current();
      return v.now + (v.countdown ?? 0) * 1000;
    };
    const untouched = ends();
    await watchedFor(rig, 1);
    const counted = await secondsShown();
    await hint.tap();
    await waitFor(() => ends() > untouched, 'the wait to end later after the touch', 10_000);
    await page.waitForFunction(
      (shown) => Number(/\d+/.exec(document.querySelector('[data-countdown]')?.textContent ?? '')?.[0]) > shown,
      counted,
    );
    expect(rig.screen.current().guidance).toBe('staff-confirm');
    await page.getByRole('button', { name: t('zh-CN', 'cancel') }).tap();
    await page.getByRole('button', { name: t('zh-CN', 'start') }).waitFor();
  }, 90_000);
});
