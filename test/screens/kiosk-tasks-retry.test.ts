// The kiosk screen with a plan of four tasks, and a finger the kiosk does not know, in Chromium: a kiosk configured
// in Chinese and one in English, each watched by a 1080x1920 and a 1280x800 screen at once (as
// test/screens/kiosk-layout.test.ts). Four tasks fit the window at both sizes, every task, Save, None done, Cancel
// and Call staff in view (each task added 136 px, and at 1280x800 a second one scrolled the screen); an unknown
// finger brings "try 2 of 3", then "try 3 of 3", with the finger's icon and pictogram (the retry was only shown in
// the backend and core tests). The sensor reads each finger once, as a person who puts a finger down and lifts it:
// the next try waits for a finger, so the retry stays on screen while the test looks at it. A plan of twelve tasks,
// more than either screen holds, scrolls inside its list, the page never: the buttons stay in the window, and a cue
// says more tasks are below until the list is scrolled to its end (unticked is not done: Save may still be tapped).
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { KioskLanguage } from '../../core/api/kiosk-api.ts';
import type { Finger } from '../../hardware/finger.ts';
import type { R30xEmulator } from '../../hardware/r30x-emulator.ts';
import { guidanceIcon, guidanceText, t } from '../../renderer/kiosk/kiosk-text.ts';
import { checkKioskState, foreignText, kioskButton, layoutProblems } from './support/kiosk-page.ts';
import { FINGER, FOUR_TASKS } from './support/kiosk-rig.ts';
import { kioskScreens } from './support/kiosk-screens.ts';

/** Each finger placed is read by one image (one command), then lifted: the next try waits for a finger. */
function liftAfterOneImage(emulator: R30xEmulator): void {
  let finger: Finger = emulator.finger;
  Object.defineProperty(emulator, 'finger', {
    configurable: true,
    get: (): Finger => {
      const read = finger;
      queueMicrotask(() => {
        if (finger === read) finger = { kind: 'none' };
      });
      return read;
    },
    set: (placed: Finger) => {
      finger = placed;
    },
  });
}

/** Every task's box, whole and inside the window (not cut off by the window or a scrolling list). */
function tasksOutOfView(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll('.tasks .task')].flatMap((el) => {
      const r = el.getBoundingClientRect();
      const top = document.elementFromPoint(r.left + r.width / 2, r.top + 4);
      const bottom = document.elementFromPoint(r.left + r.width / 2, r.bottom - 4);
      const inside = r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth;
      return inside && top !== null && el.contains(top) && bottom !== null && el.contains(bottom)
        ? []
        : [
            `${el.textContent.trim()} ${Math.round(r.left)},${Math.round(r.top)} ${Math.round(r.width)}x${Math.round(r.height)}`,
          ];
    }),
  );
}

/** What keeps the "more tasks below" cue from being read: outside the window, under 32 px, hidden by another element. */
function cueProblems(cue: Locator): Promise<string[]> {
  return cue.evaluate((el) => {
    const r = el.getBoundingClientRect();
    const size = Number.parseFloat(getComputedStyle(el).fontSize);
    const at = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return [
      ...(r.top >= 0 && r.bottom <= innerHeight && r.height > 0
        ? []
        : [`at ${Math.round(r.top)}-${Math.round(r.bottom)}`]),
      ...(size >= 32 ? [] : [`${size}px`]),
      ...(at !== null && el.contains(at) ? [] : ['covered']),
    ];
  });
}

describe.each(['zh-CN', 'en'] as const)('kiosk tasks and finger retries, %s', (language: KioskLanguage) => {
  // Finger tries and the tasks wait long enough to look at them on a loaded machine (Cancel ends them).
  const kiosk = kioskScreens(language, {
    tasks: FOUR_TASKS,
    fingerMs: 120_000,
    idleSeconds: 120,
    prepare: (rig) => {
      liftAfterOneImage(rig.sensor.emulator);
    },
  });
  const named = (page: Page, w: Parameters<typeof t>[1]) => kioskButton(page, language, w);

  /** Both screens: a wait (countdown, Cancel, Call staff) that passes every state's checks, axe-core clean; a screenshot. */
  const check = (state: string): Promise<void> =>
    checkKioskState(kiosk.pages, language, state, { wait: true, shot: true });

  it('a plan of four tasks: every task, Save, None done, Cancel and Call staff in the window at both sizes', async () => {
    const before = kiosk.rig.entries().length;
    await kiosk.onEach((page) => named(page, 'start').waitFor());
    await named(kiosk.page, 'start').tap();
    await kiosk.onEach((page) => page.locator('[data-pictogram="finger"]').waitFor());
    kiosk.rig.sensor.place({ kind: 'finger', name: FINGER });
    await kiosk.onEach((page) => page.getByRole('heading', { name: t(language, 'tasksTitle') }).waitFor());
    await kiosk.onEach(async (page) => {
      expect(await page.locator('.tasks .task').count()).toBe(FOUR_TASKS.length);
      for (const word of ['saveTasks', 'noneDone'] as const) expect(await named(page, word).isVisible()).toBe(true);
    });
    for (const { name, page } of kiosk.pages) {
      expect(await tasksOutOfView(page), name).toEqual([]);
      // Nothing below the list's edge: no cue.
      expect(await page.locator('.more-tasks').count(), name).toBe(1);
      expect(await page.getByText(t(language, 'moreTasks')).isVisible(), name).toBe(false);
    }
    await check('tasks-four');
    // Two of the four done: the check-in records them.
    await kiosk.page.locator('.tasks .task').nth(0).tap();
    await kiosk.page.locator('.tasks .task').nth(2).tap();
    await named(kiosk.page, 'saveTasks').tap();
    await kiosk.onEach((page) => page.getByText(t(language, 'checkedIn')).waitFor());
    expect(kiosk.rig.entries().slice(before)).toEqual([
      'checkin-attempt:matched',
      'checkin-attempt:matched',
      'checkin:',
    ]);
    await named(kiosk.page, 'finish').tap();
    await kiosk.onEach((page) => named(page, 'start').waitFor());
  }, 120_000);

  it('a finger it does not know: "try 2 of 3", then "try 3 of 3", with the finger icon; Cancel submits nothing', async () => {
    const before = kiosk.rig.entries().length;
    await kiosk.onEach((page) => named(page, 'start').waitFor());
    await named(kiosk.page, 'start').tap();
    await kiosk.onEach((page) => page.locator('[data-pictogram="finger"]').waitFor());
    for (const n of [2, 3]) {
      kiosk.rig.sensor.place({ kind: 'finger', name: 'someone-not-enrolled' });
      await kiosk.onEach(async (page) => {
        await page.getByText(t(language, 'tryOf', { n, of: 3 }), { exact: true }).waitFor();
        const status = page.getByRole('status');
        expect(await status.textContent()).toContain(guidanceText(language, 'finger-again'));
        expect(await status.locator('[data-icon]').getAttribute('data-icon')).toBe(guidanceIcon('finger-again'));
        expect(await page.locator('[data-pictogram="finger"]').count()).toBe(1);
      });
      expect(kiosk.rig.entries().slice(before)).toEqual(Array<string>(n - 1).fill('checkin-attempt:no-match'));
      if (n === 2) await check('finger-retry');
    }
    await named(kiosk.page, 'cancel').tap();
    await kiosk.onEach((page) => page.getByText(guidanceText(language, 'cancelled')).waitFor());
    expect(kiosk.rig.entries().slice(before)).toEqual([
      'checkin-attempt:no-match',
      'checkin-attempt:no-match',
      'checkin-attempt:cancelled',
    ]);
    await named(kiosk.page, 'backToStart').tap();
    await kiosk.onEach((page) => named(page, 'start').waitFor());
  }, 120_000);
});

/** Four tasks and eight more community service tasks (a plan holds up to 16): more than either screen holds. */
const TWELVE_TASKS = [
  ...FOUR_TASKS,
  ...[30, 45, 60, 75, 90, 105, 150, 180].map((minutes) => ({
    id: `service-${minutes}`,
    kind: 'service',
    minutes,
    days: 'daily',
  })),
];

describe.each(['zh-CN', 'en'] as const)('a plan longer than the kiosk screen, %s', (language: KioskLanguage) => {
  const kiosk = kioskScreens(language, { tasks: TWELVE_TASKS, idleSeconds: 120 });
  const named = (page: Page, w: Parameters<typeof t>[1]) => kioskButton(page, language, w);

  it('the list scrolls inside the screen: the heading, countdown and buttons stay in the window; the last task can be reached and saved', async () => {
    const before = kiosk.rig.entries().length;
    const tapper = kiosk.page;
    await named(tapper, 'start').tap();
    await tapper.locator('[data-pictogram="finger"]').waitFor();
    kiosk.rig.sensor.place({ kind: 'finger', name: FINGER });
    for (const { name, page } of kiosk.pages) {
      await page.getByRole('heading', { name: t(language, 'tasksTitle') }).waitFor();
      kiosk.rig.sensor.place({ kind: 'none' });
      await page.evaluate(() => document.fonts.ready);
      expect(await page.locator('.tasks .task').count(), name).toBe(TWELVE_TASKS.length);
      expect(await layoutProblems(page), name).toEqual([]);
      expect(await foreignText(page, language), name).toEqual([]);
      for (const word of ['saveTasks', 'noneDone', 'cancel', 'callStaff'] as const)
        expect(await named(page, word).isVisible(), name).toBe(true);
      // The list holds the rest below its edge, and says so, in the window at 32 px or more, until the last
      // task is scrolled into view.
      expect(await page.locator('.tasks ul').evaluate((ul) => ul.scrollHeight > ul.clientHeight), name).toBe(true);
      expect(await tasksOutOfView(page), name).not.toEqual([]);
      const cue = page.getByText(t(language, 'moreTasks'), { exact: true });
      await cue.waitFor();
      expect(await cueProblems(cue), name).toEqual([]);
      await page.locator('.tasks .task').last().scrollIntoViewIfNeeded();
      await cue.waitFor({ state: 'hidden' });
      expect(await layoutProblems(page), `${name}, scrolled`).toEqual([]);
    }
    await tapper.locator('.tasks .task').last().tap();
    await named(tapper, 'saveTasks').tap();
    await tapper.getByText(t(language, 'checkedIn')).waitFor();
    expect(kiosk.rig.entries().slice(before)).toEqual([
      'checkin-attempt:matched',
      'checkin-attempt:matched',
      'checkin:',
    ]);
  }, 120_000);
});
