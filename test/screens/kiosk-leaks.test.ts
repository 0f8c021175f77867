// A kiosk screen runs for months without a reload. In Chromium, people one after another through the tasks step,
// leaving it by saving, or by switching language (the tasks drawn again) and cancelling, leave nothing installed
// behind: no observer still watching (the "More tasks below" cue's observer once watched each person's list for
// good), none on a list out of the page, and no more listeners on the window or the document and no more intervals
// than after the first person. On the tasks screen one observer watches the list on screen.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { t } from '../../renderer/kiosk/kiosk-text.ts';
import { launchBrowser } from './support/browser.ts';
import { KIOSK_VIEWPORTS, kioskButton, openKioskPage } from './support/kiosk-page.ts';
import { FINGER, type KioskRig, ZONE, startKioskRig } from './support/kiosk-rig.ts';
import { countLiveHandles, liveHandles } from './support/live-handles.ts';

describe('the kiosk screen after many people', () => {
  let rig: KioskRig;
  let browser: Browser;
  let page: Page;
  const named = (word: Parameters<typeof t>[1]) => kioskButton(page, 'en', word);

  beforeAll(async () => {
    [rig, browser] = await Promise.all([startKioskRig('en'), launchBrowser()]);
    page = await openKioskPage(browser, rig.url, KIOSK_VIEWPORTS[0], ZONE, countLiveHandles);
  }, 120_000);
  afterAll(async () => {
    await browser.close();
    await rig.close();
  });

  /** A person checks in up to the tasks, where `leave` takes them off the step, back to the start. */
  async function throughTasks(leave: () => Promise<void>): Promise<void> {
    rig.sensor.place({ kind: 'finger', name: FINGER });
    await named('start').tap();
    await page.getByRole('heading', { name: t('en', 'tasksTitle') }).waitFor();
    rig.sensor.place({ kind: 'none' });
    expect(await liveHandles(page), 'on the tasks').toMatchObject({ observers: 1, detached: 0 });
    await leave();
    await named('start').waitFor();
  }

  const save = async (): Promise<void> => {
    await named('saveTasks').tap();
    await named('finish').tap();
  };

  it('people through the tasks step leave no observer, listener or interval behind', async () => {
    await named('start').waitFor();
    await throughTasks(save);
    const first = await liveHandles(page);
    expect(first).toMatchObject({ observers: 0, detached: 0 });
    await throughTasks(async () => {
      await page.locator('.languages button[lang="zh-CN"]').tap();
      await page.getByRole('heading', { name: t('zh-CN', 'tasksTitle') }).waitFor();
      expect(await liveHandles(page), 'the tasks drawn again').toMatchObject({ observers: 1, detached: 0 });
      await kioskButton(page, 'zh-CN', 'cancel').tap();
      await kioskButton(page, 'zh-CN', 'backToStart').tap();
    });
    expect(await liveHandles(page), 'after the second person').toEqual(first);
    for (const person of [3, 4, 5]) {
      await throughTasks(save);
      expect(await liveHandles(page), `after person ${person}`).toEqual(first);
    }
  }, 120_000);
});
