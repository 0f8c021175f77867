// The demo panel in Chromium against the real demo centre, in both languages: a newcomer plays p-0007 with the
// panel's buttons (their finger on kiosk-1's emulated R30x sensor, their face before its emulated camera), checks
// in from the kiosk screen, then unplugs and replugs the fingerprint reader and watches the kiosk's start screen
// say so, and moves the demo clock on. The other control lines (`muster demo` reads the same on stdin) reach
// kiosk-1: each device unplugged and replugged, a person's card, an impostor's face, help. Outside the demo the
// panel and its API are not served at all.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KioskLanguage, KioskView } from '../../core/api/kiosk-api.ts';
import { SCREEN_SECRET_HEADER, SCREEN_SECRET_PARAM } from '../../core/api/session-api.ts';
import { DemoCenter } from '../../main/demo/demo-center.ts';
import { ZONE } from '../../main/demo/scripted-day.ts';
import type { ApiBackend } from '../../main/web/api-service.ts';
import { startWebServer } from '../../main/web/web-server.ts';
import { DEMO_STRINGS } from '../../renderer/demo/demo-strings.ts';
import { t } from '../../renderer/kiosk/kiosk-text.ts';
import { launchBrowser, seriousViolations } from './support/browser.ts';
import { kioskShot } from './support/kiosk-page.ts';
import { untranslated } from './support/untranslated.ts';
import { waitFor } from '../helpers/wait-for.ts';

const UI_TIMEOUT = 120_000;
const PERSON = 'p-0007';

describe('the demo panel plays a parolee on the emulated kiosks', () => {
  const dir = mkdtempSync(join(tmpdir(), 'muster-demo-panel-'));
  let center: DemoCenter;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    const starting = DemoCenter.start({
      dataDir: dir,
      fresh: true,
      people: 7,
      day: '2026-12-01',
      durationS: 1,
      httpPort: 0,
      mqttPort: 0,
      webPort: 0,
      say: () => undefined,
    });
    [center, browser] = await Promise.all([starting, launchBrowser()]);
    // The day enrols everyone on both kiosks; p-0007 then plays from the panel.
    await center.runDay();
    // The demo day's face tries take the blink challenge's four frames each: minutes on a loaded machine.
  }, 600_000);
  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser.close();
    await center.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function open(url: string | undefined, language: KioskLanguage, width = 1280, height = 900): Promise<Page> {
    if (url === undefined) throw new Error('the demo serves no such screen');
    const context = await browser.newContext({ viewport: { width, height }, timezoneId: ZONE });
    contexts.push(context);
    await context.addInitScript((l) => {
      localStorage.setItem('muster.language', l);
    }, language);
    const page = await context.newPage();
    page.setDefaultTimeout(UI_TIMEOUT);
    await page.goto(url);
    return page;
  }

  it.each(['zh-CN', 'en'] as const)(
    'in %s: p-0007 checks in through the panel; an unplugged reader shows on the kiosk screen until it is replugged',
    { timeout: 300_000 },
    async (language) => {
      const word = (key: keyof typeof DEMO_STRINGS): string => DEMO_STRINGS[key][language];
      const panel = await open(center.urls.demo, language);
      const kiosk = await open(center.urls.kiosk, language, 1080, 1920);
      await panel.getByRole('heading', { name: word('title') }).waitFor();
      expect(await panel.locator('#demo-person').inputValue()).toBe(PERSON);
      const done = panel.locator('.demo-log li[data-ok="true"]');
      const press = async (name: string): Promise<void> => {
        const before = await done.count();
        await panel.getByRole('button', { name, exact: true }).click();
        await expect.poll(() => done.count(), { timeout: UI_TIMEOUT }).toBe(before + 1);
      };

      // The kiosk speaks Chinese (the demo centre is in China); the English person switches for themselves.
      const kioskWord = (key: Parameters<typeof t>[1]): string => t(language, key);
      await kiosk.getByRole('button', { name: t('zh-CN', 'start') }).waitFor();
      const toLanguage = async (): Promise<void> => {
        if (language === 'en') await kiosk.getByRole('button', { name: /English/ }).click();
        await kiosk.getByRole('button', { name: kioskWord('start') }).waitFor();
      };
      await toLanguage();

      await press(word('fingerOn'));
      await press(word('faceOwn'));
      await kioskShot(panel, `demo-panel-${language}`);
      await kiosk.getByRole('button', { name: kioskWord('start') }).click();
      await kiosk.getByRole('heading', { name: kioskWord('tasksTitle') }).waitFor();
      await press(word('fingerOff'));
      await kiosk.getByRole('button', { name: kioskWord('saveTasks') }).click();
      await kiosk.getByText(kioskWord('checkedIn')).waitFor();
      expect(await kiosk.locator('.receipt dd').first().textContent()).toBe(PERSON);
      await kiosk.getByRole('button', { name: kioskWord('finish') }).click();

      // The fingerprint reader unplugged from the panel: the start screen offers the card and the camera only.
      await press(word('unplug').replace('{device}', word('device_fingerprint')));
      await toLanguage();
      await kiosk.getByText(kioskWord('onlyOne')).waitFor();
      expect(await kiosk.locator('.methods li').allTextContents()).toEqual([
        `💳${kioskWord('useBadge')}`,
        `📷${kioskWord('useCamera')}`,
      ]);
      await kioskShot(kiosk, `demo-panel-${language}-kiosk-fingerprint-unplugged`);
      await press(word('replug').replace('{device}', word('device_fingerprint')));
      await kiosk.getByText(kioskWord('onlyOne')).waitFor({ state: 'detached' });
      expect(await kiosk.locator('.methods li').allTextContents()).toEqual([
        `👆${kioskWord('useFinger')}`,
        `📷${kioskWord('useCamera')}`,
      ]);

      // The demo clock moves on by the button's minutes.
      const now = Number(await panel.locator('.demo-clock').getAttribute('data-now'));
      await press(word('plusMinutes').replace('{n}', '30'));
      expect(Number(await panel.locator('.demo-clock').getAttribute('data-now'))).toBe(now + 30 * 60_000);

      // A bad control line typed into the panel is answered, never thrown: the panel keeps working.
      await panel.locator('#demo-line').fill('unplug 9 camera');
      await panel.getByRole('button', { name: word('send') }).click();
      await panel.locator('.demo-log li[data-ok="false"]').first().waitFor();
      expect(await panel.locator('.demo-log li[data-ok="false"] .demo-reply').first().textContent()).toContain(
        'unknown kiosk',
      );

      if (language === 'zh-CN') expect(await untranslated(panel)).toEqual([]);
      expect(await seriousViolations(panel)).toEqual([]);
    },
  );

  it('the panel needs the secret from its printed URL', async () => {
    const url = new URL(center.urls.demo ?? '');
    const call = (headers: Record<string, string>) =>
      fetch(`${url.origin}/api/call`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ method: 'demo.control', params: { line: 'unplug 1 camera' } }),
      });
    expect((await call({})).status).toBe(403);
    const secret = new URLSearchParams(url.hash.slice(1)).get(SCREEN_SECRET_PARAM) ?? '';
    const answer = (await (await call({ [SCREEN_SECRET_HEADER]: secret })).json()) as { result: { ok: boolean } };
    expect(answer.result.ok).toBe(true);
    expect(await center.control('replug 1 camera')).toMatch(/^ok/);
  });

  it("the other control lines reach kiosk-1: each device unplugged and replugged, a person's card, an impostor's face, help", async () => {
    const url = new URL(center.urls.kiosk ?? '');
    const secret = new URLSearchParams(url.hash.slice(1)).get(SCREEN_SECRET_PARAM) ?? '';
    const call = async (method: string, params: object = {}): Promise<unknown> => {
      const response = await fetch(`${url.origin}/api/call`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [SCREEN_SECRET_HEADER]: secret },
        body: JSON.stringify({ method, params }),
      });
      return ((await response.json()) as { result: unknown }).result;
    };
    const until = (test: (view: KioskView) => boolean, what: string): Promise<unknown> =>
      waitFor(async () => test((await call('kiosk.view')) as KioskView), what, UI_TIMEOUT);
    expect(await center.control('help')).toContain('unplug|replug KIOSK fingerprint|camera|badge');
    for (const device of ['camera', 'badge', 'fingerprint'] as const) {
      expect(await center.control(`unplug 1 ${device}`)).toMatch(/^ok/);
      await until((v) => !v.kiosk.available[device], `the start screen to show the ${device} unplugged`);
      if (device === 'fingerprint') break;
      expect(await center.control(`replug 1 ${device}`)).toMatch(/^ok/);
      await until((v) => v.kiosk.available[device], `the start screen to show the ${device} back`);
    }
    // The reader unplugged, the kiosk asks for a card: p-0003's identifies them, and someone else's face is refused.
    expect(await center.control('face 1 impostor')).toMatch(/^ok/);
    await call('kiosk.begin');
    await until((v) => v.guidance === 'finger-badge-instead', 'the kiosk to ask for a card');
    expect(await center.control('card 1 p-0003')).toMatch(/^ok/);
    await until((v) => v.step === 'verify', "p-0003's card to identify them");
    // Refused: the next try (its guidance may already be the challenge's), or after three the person sees staff.
    await until(
      (v) => (v.step === 'verify' && (v.try?.n ?? 1) >= 2) || v.guidance === 'see-staff',
      "the impostor's face refused",
    );
    expect(await center.control('face 1 none')).toMatch(/^ok/);
    await call('kiosk.cancel', { staff: false });
    await until((v) => v.phase === 'failed', 'the check-in ended');
    await call('kiosk.reset');
    expect(await center.control('replug 1 fingerprint')).toMatch(/^ok/);
    await until((v) => v.phase === 'idle' && v.kiosk.available.fingerprint, 'the start screen with the reader back');
  }, 300_000);
});

describe('outside the demo', () => {
  it('a kiosk process serves no demo panel and refuses its calls, even from its own screen', async () => {
    const kiosk: ApiBackend = { handlers: {} };
    const bare = await startWebServer({ kiosk, port: 0 });
    // A demo backend handed to a process without a kiosk screen is not served either.
    const web = await startWebServer({ hq: { handlers: {} }, demo: { handlers: {} }, port: 0 });
    try {
      expect(bare.urls.demo).toBeUndefined();
      expect(web.urls.demo).toBeUndefined();
      expect((await fetch(`${web.url}/demo`)).status).toBe(404);
      expect((await fetch(`${bare.url}/demo`)).status).toBe(404);
      const secret = new URLSearchParams(new URL(bare.urls.kiosk ?? '').hash.slice(1)).get(SCREEN_SECRET_PARAM) ?? '';
      const response = await fetch(`${bare.url}/api/call`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [SCREEN_SECRET_HEADER]: secret },
        body: JSON.stringify({ method: 'demo.control', params: { line: 'finger 1 p-0007' } }),
      });
      expect(response.status).toBe(404);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('not-found');
    } finally {
      await web.close();
      await bare.close();
    }
  });
});
