// A kiosk screen runs for months without a reload. In Chromium, people one after another through the tasks step,
// leaving it by saving, or by switching language (the tasks drawn again) and cancelling, leave nothing installed
// behind: no observer still watching (the "More tasks below" cue's observer once watched each person's list for
// good), none on a list out of the page, and no more listeners on the window or the document and no more intervals
// than after the first person. On the tasks screen one observer watches the list on screen.
import { describe, expect, it } from 'vitest';
import { t } from '../../renderer/kiosk/kiosk-text.ts';
import { KIOSK_VIEWPORTS, kioskButton } from './support/kiosk-page.ts';
import { FINGER } from './support/kiosk-rig.ts';
import { kioskScreens } from './support/kiosk-screens.ts';
import { countLiveHandles, liveHandles } from './support/live-handles.ts';

describe('the kiosk screen after many people', () => {
  const kiosk = kioskScreens('en', { viewports: KIOSK_VIEWPORTS.slice(0, 1), setup: countLiveHandles });
  const named = (word: Parameters<typeof t>[1]) => kioskButton(kiosk.page, 'en', word);

  /** A person checks in up to the tasks, where `leave` takes them off the step, back to the start. */
  async function throughTasks(leave: () => Promise<void>): Promise<void> {
    kiosk.rig.sensor.place({ kind: 'finger', name: FINGER });
    await named('start').tap();
    await kiosk.page.getByRole('heading', { name: t('en', 'tasksTitle') }).waitFor();
    kiosk.rig.sensor.place({ kind: 'none' });
    expect(await liveHandles(kiosk.page), 'on the tasks').toMatchObject({ observers: 1, detached: 0 });
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
    const first = await liveHandles(kiosk.page);
    expect(first).toMatchObject({ observers: 0, detached: 0 });
    await throughTasks(async () => {
      await kiosk.page.locator('.languages button[lang="zh-CN"]').tap();
      await kiosk.page.getByRole('heading', { name: t('zh-CN', 'tasksTitle') }).waitFor();
      expect(await liveHandles(kiosk.page), 'the tasks drawn again').toMatchObject({ observers: 1, detached: 0 });
      await kioskButton(kiosk.page, 'zh-CN', 'cancel').tap();
      await kioskButton(kiosk.page, 'zh-CN', 'backToStart').tap();
    });
    expect(await liveHandles(kiosk.page), 'after the second person').toEqual(first);
    for (const person of [3, 4, 5]) {
      await throughTasks(save);
      expect(await liveHandles(kiosk.page), `after person ${person}`).toEqual(first);
    }
  }, 120_000);
});
