// The kiosk screen in Chromium, for the people who stand in front of it, at 1080x1920 (portrait touch screen)
// and 1280x800, with the kiosk configured in Chinese and in English, on a machine whose clock runs in UTC while
// the centre is in Shanghai: the start screen (centre, date, local time, today's window, which methods work);
// a full check-in whose receipt goes by itself; walking away at every step; Cancel and Call staff at every
// wait; an error at every API call that the screen recovers from by itself; double taps; each device
// unplugged; "try n of m"; the per-person language switch. Every state: touch targets >= 120 px, text >= 32 px,
// no word of the other language, axe-core clean; screenshots with the test artifacts (docs/screens/kiosk/ with MUSTER_KIOSK_SHOTS).
import type { Request, Route } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { KioskLanguage, KioskView } from '../../core/api/kiosk-api.ts';
import { guidanceText, t } from '../../renderer/kiosk/kiosk-text.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { seriousViolations } from './support/browser.ts';
import { CARD, FINGER, NAMES, PERSON, WAIT, ZONE } from './support/kiosk-rig.ts';
import {
  KIOSK_VIEWPORTS,
  UI_TIMEOUT,
  foreignText,
  kioskButton,
  kioskShot,
  layoutProblems,
} from './support/kiosk-page.ts';
import { kioskScreens } from './support/kiosk-screens.ts';

const LANGUAGES: readonly KioskLanguage[] = ['zh-CN', 'en'];
const OTHER: { readonly [L in KioskLanguage]: KioskLanguage } = { 'zh-CN': 'en', 'en': 'zh-CN' };
/** The card reader's and staff's waits in the walk-away test: nothing happens in them, so they can be short. */
const SHORT_WAIT_MS = 1000;
/**
 * The kiosk's own timers the start screen may sit behind: a step's wait (the card reader's the longest) and then the
 * failure screen's countdown. The start screen gets UI_TIMEOUT beyond them: with UI_TIMEOUT alone, a walk-away's
 * 14 s of timers left the page wait a margin of 2x.
 */
const START_TIMEOUT = UI_TIMEOUT + WAIT.badgeMs + WAIT.failureSeconds * 1000;

function hhmm(ms: number, zone: string): string {
  return new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', timeZone: zone }).format(ms);
}

describe.each(LANGUAGES.flatMap((language) => KIOSK_VIEWPORTS.map((viewport) => ({ language, viewport }))))(
  'kiosk screen, $language at $viewport.name',
  ({ language, viewport }) => {
    // The machine's clock runs in UTC; every time the kiosk shows must still be Shanghai's.
    const kiosk = kioskScreens(language, { viewports: [viewport], zone: () => 'UTC' });
    const word = (w: Parameters<typeof t>[1], values?: Readonly<Record<string, number | string>>): string =>
      t(language, w, values);
    const named = (w: Parameters<typeof t>[1]) => kioskButton(kiosk.page, language, w);

    /** The checks every state passes, and its screenshot. */
    async function check(state: string): Promise<void> {
      await kiosk.page.evaluate(() => document.fonts.ready);
      expect(await layoutProblems(kiosk.page), `${state}: touch targets >= 120 px, text >= 32 px`).toEqual([]);
      expect(await foreignText(kiosk.page, language), `${state}: text in the other language`).toEqual([]);
      expect(await seriousViolations(kiosk.page), `${state}: axe`).toEqual([]);
      await kioskShot(kiosk.page, `${language}-${viewport.name}-${state}`);
    }

    async function atStart(): Promise<void> {
      await named('start').waitFor({ timeout: START_TIMEOUT });
    }

    const checkins = (): number => kiosk.rig.entries().filter((e) => e === 'checkin:').length;

    /** Every view main publishes from now on, as `phase:guidance`, with its countdown when it has one. */
    function viewsFromNow(): { readonly seen: string[]; readonly stop: () => void } {
      const seen: string[] = [];
      const stop = kiosk.rig.screen.subscribe((message) => {
        const view = message.data as KioskView;
        if (message.event === 'kiosk.view' && view.phase !== 'idle')
          seen.push(`${view.phase}:${view.guidance ?? ''}${view.countdown === null ? '' : ' ⏱'}`);
      });
      return { seen, stop };
    }

    it("the start screen shows the centre, the date, the local time in the centre's zone, today's window and the methods", async () => {
      await atStart();
      expect(await kiosk.page.locator('h1').textContent()).toBe(NAMES.centre[language]);
      expect(await kiosk.page.locator('html').getAttribute('lang')).toBe(language);
      expect(await kiosk.page.title()).toBe(word('title'));
      expect(await kiosk.page.locator('.window').textContent()).toBe(`${word('window')}: 08:00–10:00`);
      const clock = (await kiosk.page.locator('.clock').textContent()) ?? '';
      // The minute may turn between reading and checking.
      const now = Date.now();
      expect(
        [hhmm(now - 60_000, ZONE), hhmm(now, ZONE)].some((time) => clock.includes(time)),
        clock,
      ).toBe(true);
      expect(clock).toContain(language === 'zh-CN' ? '中国标准时间' : 'China Standard Time');
      expect(await kiosk.page.locator('.methods li').allTextContents()).toEqual([
        `👆${word('useFinger')}`,
        `📷${word('useCamera')}`,
      ]);
      await check('start');
    }, 120_000);

    it("a full check-in, and the receipt goes by itself with the person's data", async () => {
      const before = checkins();
      kiosk.rig.sensor.place({ kind: 'finger', name: FINGER });
      const started = Date.now();
      await named('start').tap();
      await kiosk.page.getByRole('heading', { name: word('tasksTitle') }).waitFor();
      kiosk.rig.sensor.place({ kind: 'none' });
      expect(await kiosk.page.locator('[aria-current="step"]').textContent()).toContain(word('step_tasks'));
      expect(await kiosk.page.locator('.countdown').textContent()).toMatch(/\d/);
      await check('tasks');
      await kiosk.page.getByLabel(new RegExp(NAMES.tasks['law-basics-3'][language])).check();
      await named('saveTasks').tap();
      await kiosk.page.getByText(word('checkedIn')).waitFor();
      expect(await kiosk.page.getByRole('img', { name: word('qrAlt') }).isVisible()).toBe(true);
      const time = (await kiosk.page.locator('.receipt dd').nth(1).textContent()) ?? '';
      expect(
        [hhmm(started, ZONE), hhmm(Date.now(), ZONE)].some((hm) => time.includes(hm)),
        time,
      ).toBe(true);
      expect(time).toContain(language === 'zh-CN' ? '中国标准时间' : 'China Standard Time');
      expect(await kiosk.page.locator('.receipt dd').nth(2).textContent()).toBe(NAMES.centre[language]);
      expect(await kiosk.page.locator('.countdown').textContent()).toContain(
        word('closesIn', { s: '' }).split(' ')[0] ?? '',
      );
      await check('receipt');
      // Nobody touches Finish: the receipt and the person's id go by themselves.
      await atStart();
      expect(await kiosk.page.content()).not.toContain(PERSON);
      expect(checkins()).toBe(before + 1);
    }, 120_000);

    // About 40 s of the kiosk's own timers (three finger tries, the face and tasks waits, three walk-away notices).
    it('walking away at every step submits nothing and returns to the start', async () => {
      const before = checkins();
      // Identify: nobody puts a finger on the sensor.
      await named('start').tap();
      await kiosk.page.locator('[data-pictogram="finger"]').waitFor();
      await kiosk.page.locator('.countdown').waitFor();
      expect(await kiosk.page.locator('.countdown').textContent()).toMatch(
        language === 'zh-CN' ? /剩余 \d+ 秒/ : /\d+ s left/,
      );
      await check('finger');
      await kiosk.page.locator('.phase-failed').waitFor();
      await check('walked-away');
      await atStart();
      // Verify: the person leaves in front of the camera.
      kiosk.rig.face = 'hang';
      kiosk.rig.sensor.place({ kind: 'finger', name: FINGER });
      await named('start').tap();
      await kiosk.page.locator('[data-pictogram="face"]').waitFor();
      kiosk.rig.sensor.place({ kind: 'none' });
      await check('face');
      await atStart();
      // Tasks: nobody answers.
      kiosk.rig.face = 'match';
      kiosk.rig.sensor.place({ kind: 'finger', name: FINGER });
      await named('start').tap();
      await kiosk.page.getByRole('heading', { name: word('tasksTitle') }).waitFor();
      kiosk.rig.sensor.place({ kind: 'none' });
      await atStart();
      expect(checkins()).toBe(before);
      expect(kiosk.rig.entries().slice(-3)).toEqual([
        'checkin-attempt:matched',
        'checkin-attempt:matched',
        'checkin-attempt:timeout',
      ]);
    }, 180_000);

    it('walking away at the card step and while waiting for staff submits nothing and returns to the start', async () => {
      const before = checkins();
      const logged = kiosk.rig.entries().length;
      // Nothing happens in these waits, so they are made short; each one still ends by itself.
      kiosk.rig.waits = { badgeMs: SHORT_WAIT_MS, staffMs: SHORT_WAIT_MS };
      const views = viewsFromNow();
      // The card step: the reader does not know the finger, three times, so the person is asked for a card;
      // nobody taps one.
      kiosk.rig.sensor.place({ kind: 'finger', name: 'p-0099-left-thumb' });
      await named('start').tap();
      await kiosk.page.locator('.phase-failed').getByText(guidanceText(language, 'walked-away')).waitFor();
      kiosk.rig.sensor.place({ kind: 'none' });
      expect(await kiosk.page.locator('.reference strong').textContent()).toMatch(/^a-/);
      await atStart();
      // Staff confirming (the camera is down): nobody comes, and the person is gone.
      kiosk.rig.available = { fingerprint: true, camera: false, badge: true };
      kiosk.rig.sensor.place({ kind: 'finger', name: FINGER });
      await named('start').tap();
      await kiosk.page.locator('.phase-failed').getByText(guidanceText(language, 'see-staff')).waitFor();
      kiosk.rig.sensor.place({ kind: 'none' });
      const reference = await kiosk.page.locator('.reference strong').textContent();
      // The request left the staff screens; the person's reference waits there for staff instead.
      expect(kiosk.rig.staff.pending()).toEqual([]);
      expect(
        kiosk.rig.staff
          .calls()
          .filter((c) => c.reference === reference)
          .map((c) => c.reason),
      ).toEqual(['see-staff']);
      await atStart();
      views.stop();
      // Each with its countdown.
      expect(views.seen.filter((v) => /(finger-unread-badge|staff-confirm|walked-away|see-staff) ⏱/.test(v))).toEqual([
        'active:finger-unread-badge ⏱',
        'failed:walked-away ⏱',
        'active:staff-confirm ⏱',
        'failed:see-staff ⏱',
      ]);
      expect(await kiosk.page.content()).not.toContain(PERSON);
      expect(checkins()).toBe(before);
      // The card's wait ran out (a walk-away); staff not answering in time is a timeout too, never staff
      // refusing the person, and never a breach.
      expect(kiosk.rig.entries().slice(logged)).toEqual([
        'checkin-attempt:no-match',
        'checkin-attempt:no-match',
        'checkin-attempt:no-match',
        'checkin-attempt:timeout',
        'checkin-attempt:matched',
        'checkin-attempt:timeout',
      ]);
    }, 120_000);

    it('Cancel and Call staff at every wait: nothing submitted, the reference number for staff, then the start', async () => {
      const before = checkins();
      // Each wait: what to set up before Start, and how the screen shows the wait was reached.
      const waits: [string, () => void, () => Promise<unknown>][] = [
        ['identify', () => undefined, () => kiosk.page.locator('[data-pictogram="finger"]').waitFor()],
        [
          'verify',
          () => {
            kiosk.rig.face = 'hang';
            kiosk.rig.sensor.place({ kind: 'finger', name: FINGER });
          },
          () => kiosk.page.locator('[data-pictogram="face"]').waitFor(),
        ],
        [
          'staff',
          () => {
            kiosk.rig.available = { fingerprint: true, camera: false, badge: true };
            kiosk.rig.sensor.place({ kind: 'finger', name: FINGER });
          },
          () => waitFor(() => kiosk.rig.staff.pending().length > 0, 'the staff confirmation request'),
        ],
        [
          'tasks',
          () => {
            kiosk.rig.sensor.place({ kind: 'finger', name: FINGER });
          },
          () => kiosk.page.getByRole('heading', { name: word('tasksTitle') }).waitFor(),
        ],
      ];
      for (const [where, setup, reached] of waits) {
        for (const button of ['cancel', 'callStaff'] as const) {
          await atStart();
          setup();
          await named('start').tap();
          await reached();
          kiosk.rig.sensor.place({ kind: 'none' });
          await named(button).tap();
          await kiosk.page.locator('.phase-failed').waitFor();
          expect(await kiosk.page.locator('.countdown').textContent()).toMatch(/\d/);
          if (button === 'callStaff') {
            const reference = await kiosk.page.locator('.reference strong').textContent();
            expect(reference, where).toMatch(/^a-/);
            // The call waits on the staff screen with the same reference (test/screens/kiosk-call-staff.test.ts shows it there).
            expect(
              kiosk.rig.staff
                .calls()
                .filter((c) => c.reference === reference)
                .map((c) => c.reason),
              where,
            ).toEqual(['staff-called']);
            if (where === 'verify') await check('staff-called');
          } else if (where === 'identify') await check('cancelled');
          await named('backToStart').tap();
          kiosk.rig.face = 'match';
          kiosk.rig.available = { fingerprint: true, camera: true, badge: true };
        }
      }
      await atStart();
      expect(checkins()).toBe(before);
      expect(kiosk.rig.entries().filter((e) => e === 'checkin-attempt:cancelled')).toHaveLength(8);
      // The staff waits were withdrawn from the staff screens when the person cancelled.
      expect(kiosk.rig.staff.pending()).toEqual([]);
    }, 150_000);

    it('an error at every API call: the screen says so, keeps a way back, and recovers by itself', async () => {
      /** The methods the screen called in this test, and those whose call was made to fail. */
      const called = new Set<string>();
      const injected = new Set<string>();
      const record = (request: Request): void => {
        if (request.url().endsWith('/api/call'))
          called.add((request.postDataJSON() as { method?: string }).method ?? '');
      };
      kiosk.page.on('request', record);
      /** Fails the next call to `method` with a server error; every other call goes through. */
      const failNext = async (method: string): Promise<void> => {
        injected.add(method);
        let failed = false;
        const handler = async (route: Route): Promise<void> => {
          const body = route.request().postDataJSON() as { method?: string };
          if (failed || body.method !== method) {
            await route.fallback();
            return;
          }
          failed = true;
          await route.fulfill({
            status: 500,
            contentType: 'application/json',
            body: JSON.stringify({ ok: false, error: { code: 'internal', message: 'injected' } }),
          });
          await kiosk.page.unroute('**/api/call', handler);
        };
        await kiosk.page.route('**/api/call', handler);
      };
      /** The error screen: in the kiosk's language, the header, the language switch and a way back; then gone by itself. */
      const recovers = async (method: string, shot?: string): Promise<void> => {
        const error = kiosk.page.locator('.phase-error');
        await error.waitFor();
        expect(await error.textContent(), method).toContain(word('error'));
        expect(await error.getByRole('button', { name: word('backToStart') }).isVisible(), method).toBe(true);
        expect(await kiosk.page.locator('.languages').isVisible(), method).toBe(true);
        expect(await kiosk.page.locator('h1').isVisible(), method).toBe(true);
        if (shot) await check(shot);
        await error.waitFor({ state: 'detached', timeout: UI_TIMEOUT });
      };
      const law = kiosk.page.getByLabel(new RegExp(NAMES.tasks['law-basics-3'][language]));
      try {
        await atStart();
        await failNext('kiosk.view');
        await kiosk.page.reload();
        // Before its first view the screen does not know the kiosk's language yet, so it says so in every
        // language, with the way back and the countdown in each.
        const unknown = kiosk.page.locator('.phase-error');
        await unknown.getByText(t(OTHER[language], 'error')).waitFor();
        for (const l of LANGUAGES) {
          expect(await unknown.locator(`.actions button [lang="${l}"]`).textContent()).toBe(t(l, 'backToStart'));
          expect(await unknown.locator(`[lang="${l}"] .countdown`).textContent()).toContain(
            t(l, 'closesIn', { s: '' }).split(' ')[0] ?? '',
          );
        }
        await recovers('kiosk.view');
        await atStart();

        await failNext('kiosk.begin');
        await named('start').tap();
        await recovers('kiosk.begin', 'error');
        await atStart();

        kiosk.rig.sensor.place({ kind: 'finger', name: FINGER });
        await named('start').tap();
        await kiosk.page.getByRole('heading', { name: word('tasksTitle') }).waitFor();
        kiosk.rig.sensor.place({ kind: 'none' });
        // The touch that tells main the person is still there fails: the person is told, and the tasks come back.
        // (A touch alone: a tap's click could land on the error screen.)
        await failNext('kiosk.touch');
        await kiosk.page.getByRole('heading', { name: word('tasksTitle') }).dispatchEvent('pointerdown');
        await recovers('kiosk.touch');
        await law.tap();
        expect(await law.isChecked()).toBe(true);

        await failNext('kiosk.submitTasks');
        await named('saveTasks').tap();
        await recovers('kiosk.submitTasks');
        // Back on the tasks (main still waits for them): the person carries on.
        await named('saveTasks').tap();
        await kiosk.page.getByText(word('checkedIn')).waitFor();
        await failNext('kiosk.reset');
        await named('finish').tap();
        await recovers('kiosk.reset');
        await atStart();

        // Cancel's failures in a long wait: staff confirming, the camera being down.
        kiosk.rig.available = { fingerprint: true, camera: false, badge: true };
        kiosk.rig.sensor.place({ kind: 'finger', name: FINGER });
        await named('start').tap();
        await waitFor(() => kiosk.rig.staff.pending().length > 0, 'the staff confirmation request');
        kiosk.rig.sensor.place({ kind: 'none' });
        await failNext('kiosk.cancel');
        await named('cancel').tap();
        await recovers('kiosk.cancel');
        // Back on the wait; another failure, and this time the person takes the way back: the session ends
        // there, cancelled (a reset alone left it running), and the start comes back.
        await failNext('kiosk.cancel');
        await named('cancel').tap();
        await kiosk.page
          .locator('.phase-error')
          .getByRole('button', { name: word('backToStart') })
          .tap();
        await atStart();
        expect(kiosk.rig.entries().at(-1)).toBe('checkin-attempt:cancelled');
        expect(kiosk.rig.staff.pending()).toEqual([]);
      } finally {
        kiosk.page.off('request', record);
      }
      // Every call the screen made in this test had its error screen.
      expect([...called].sort()).toEqual([...injected].sort());
    }, 150_000);

    it('a double tap starts one session and records one check-in', async () => {
      await atStart();
      const sessions = kiosk.rig.sessions();
      const before = checkins();
      kiosk.rig.sensor.place({ kind: 'finger', name: FINGER });
      await named('start').dblclick();
      await kiosk.page.getByRole('heading', { name: word('tasksTitle') }).waitFor();
      kiosk.rig.sensor.place({ kind: 'none' });
      await named('saveTasks').dblclick();
      await kiosk.page.getByText(word('checkedIn')).waitFor();
      await named('finish').dblclick();
      await atStart();
      expect(kiosk.rig.sessions()).toBe(sessions + 1);
      expect(checkins()).toBe(before + 1);
    }, 120_000);

    it('each device unplugged: the start screen says which methods work, and the check-in takes the other path', async () => {
      // Fingerprint reader unplugged: a card and the camera.
      kiosk.rig.sensor.emulator.unplug();
      kiosk.rig.available = { fingerprint: false, camera: true, badge: true };
      await kiosk.page.getByText(word('onlyOne')).waitFor();
      expect(await kiosk.page.locator('.methods li').allTextContents()).toEqual([
        `💳${word('useBadge')}`,
        `📷${word('useCamera')}`,
      ]);
      await check('fingerprint-unplugged');
      await named('start').tap();
      await kiosk.page.locator('[data-pictogram="badge"]').waitFor();
      expect(await kiosk.page.locator('[role="status"] [data-icon]').getAttribute('data-icon')).toBe('💳');
      await check('card');
      kiosk.rig.tap(CARD);
      await kiosk.page.getByRole('heading', { name: word('tasksTitle') }).waitFor();
      await named('saveTasks').tap();
      await kiosk.page.getByText(word('checkedIn')).waitFor();
      await named('finish').tap();
      kiosk.rig.sensor.emulator.replug();

      // Camera unplugged: the fingerprint, then a member of staff confirms.
      kiosk.rig.available = { fingerprint: true, camera: false, badge: true };
      await kiosk.page
        .locator('.methods li')
        .filter({ hasText: word('useStaff') })
        .waitFor();
      kiosk.rig.sensor.place({ kind: 'finger', name: FINGER });
      await named('start').tap();
      await waitFor(() => kiosk.rig.staff.pending()[0], 'the staff confirmation request');
      kiosk.rig.sensor.place({ kind: 'none' });
      await check('staff-confirm');
      const request = kiosk.rig.staff.pending()[0];
      kiosk.rig.staff.decide(request?.id ?? '', PERSON, { kind: 'confirmed', staff: 'sam' });
      await kiosk.page.getByRole('heading', { name: word('tasksTitle') }).waitFor();
      await named('saveTasks').tap();
      await named('finish').tap();

      // Badge reader unplugged: everything else still works.
      kiosk.rig.available = { fingerprint: true, camera: true, badge: false };
      await kiosk.page.getByText(word('onlyOne')).waitFor();
      expect(await kiosk.page.locator('.methods li').count()).toBe(2);

      // Nothing that identifies a person: out of service, no Start button.
      kiosk.rig.available = { fingerprint: false, camera: true, badge: false };
      await kiosk.page.getByText(word('outOfService')).waitFor();
      expect(await named('start').count()).toBe(0);
      await check('out-of-service');
      kiosk.rig.available = { fingerprint: true, camera: true, badge: true };
      await atStart();
    }, 120_000);

    it('a retry says "try 2 of 3" with the icon of what to do', async () => {
      kiosk.rig.face = 'mismatch-then-hang';
      kiosk.rig.sensor.place({ kind: 'finger', name: FINGER });
      await named('start').tap();
      await kiosk.page.getByText(word('tryOf', { n: 2, of: 3 })).waitFor();
      kiosk.rig.sensor.place({ kind: 'none' });
      expect(await kiosk.page.locator('[role="status"] [data-icon]').getAttribute('data-icon')).toBe('🧢');
      await check('retry');
      // The person stays still before the camera: the wait ends by itself.
      await atStart();
    }, 120_000);

    it('the face challenge asks for a head turn; a still photo fails it and is asked again, "try 2 of 3"', async () => {
      kiosk.rig.face = 'challenge';
      kiosk.rig.sensor.place({ kind: 'finger', name: FINGER });
      await named('start').tap();
      await kiosk.page.getByText(word('tryOf', { n: 2, of: 3 })).waitFor();
      await kiosk.page.getByText(guidanceText(language, 'face-turn')).waitFor();
      kiosk.rig.sensor.place({ kind: 'none' });
      expect(await kiosk.page.locator('[role="status"] [data-icon]').getAttribute('data-icon')).toBe('🔄');
      await check('face-turn');
      await atStart();
    }, 120_000);

    it("a person may switch language; the next person gets the kiosk's own again", async () => {
      const other = OTHER[language];
      await kiosk.page
        .getByRole('button', { name: /English|中文/ })
        .and(kiosk.page.locator(`[lang="${other}"]`))
        .tap();
      await kiosk.page.getByRole('button', { name: t(other, 'start') }).waitFor();
      expect(await kiosk.page.locator('html').getAttribute('lang')).toBe(other);
      expect(await foreignText(kiosk.page, other)).toEqual([]);
      kiosk.rig.sensor.place({ kind: 'finger', name: FINGER });
      await kiosk.page.getByRole('button', { name: t(other, 'start') }).tap();
      await kiosk.page.getByRole('heading', { name: t(other, 'tasksTitle') }).waitFor();
      kiosk.rig.sensor.place({ kind: 'none' });
      expect(await foreignText(kiosk.page, other)).toEqual([]);
      await kiosk.page.getByRole('button', { name: t(other, 'saveTasks') }).tap();
      await kiosk.page.getByText(t(other, 'checkedIn')).waitFor();
      await kiosk.page.getByRole('button', { name: t(other, 'finish') }).tap();
      await atStart();
      expect(await kiosk.page.locator('html').getAttribute('lang')).toBe(language);
    }, 120_000);
  },
);
