// Voice and sound on the kiosk screen, in Chromium (renderer/kiosk/kiosk-voice.ts): with `screen.voice` on, a
// rising tone on each new step and a falling one on a failure, and the guidance read aloud in the person's
// language with a voice of that language; with it off, silence. The browser's audio output and speech engine
// are recorders installed before the page loads (the machine has neither a sound card nor voices); what is
// checked is what the screen asks of them.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KioskLanguage } from '../../core/api/kiosk-api.ts';
import { guidanceText, t } from '../../renderer/kiosk/kiosk-text.ts';
import { launchBrowser } from './support/browser.ts';
import { type KioskRig, startKioskRig } from './support/kiosk-rig.ts';

interface Heard {
  readonly tones: readonly number[];
  readonly spoken: readonly { readonly text: string; readonly lang: string }[];
}

/** Replaces AudioContext and speechSynthesis with recorders: each tone's first frequency, each utterance. */
function installRecorders(): void {
  const heard = { tones: [] as number[], spoken: [] as { text: string; lang: string }[] };
  const param = (record: boolean): object => ({
    setValueAtTime: (value: number) => {
      if (record) heard.tones.push(value);
    },
    linearRampToValueAtTime: () => undefined,
    exponentialRampToValueAtTime: () => undefined,
  });
  const node = (): object => ({ connect: (next: object) => next, start: () => undefined, stop: () => undefined });
  class RecordingAudioContext {
    currentTime = 0;
    destination = {};
    createOscillator(): object {
      return { ...node(), frequency: param(true) };
    }
    createGain(): object {
      return { ...node(), gain: param(false) };
    }
  }
  class Utterance {
    voice: unknown = null;
    lang = '';
    constructor(readonly text: string) {}
  }
  const voices = [
    { lang: 'en-US', name: 'English' },
    { lang: 'zh-CN', name: 'Chinese' },
  ];
  const replacements = {
    heard,
    AudioContext: RecordingAudioContext,
    SpeechSynthesisUtterance: Utterance,
    speechSynthesis: {
      getVoices: () => voices,
      cancel: () => undefined,
      speak: (u: Utterance) => heard.spoken.push({ text: u.text, lang: u.lang }),
    },
  };
  // speechSynthesis is a read-only accessor: an own property shadows it.
  for (const [name, value] of Object.entries(replacements))
    Object.defineProperty(window, name, { value, configurable: true, writable: true });
}

describe.each<[KioskLanguage, boolean]>([
  ['zh-CN', true],
  ['en', true],
  ['zh-CN', false],
])('kiosk voice in %s, screen.voice %s', (language, voice) => {
  let rig: KioskRig;
  let browser: Browser;
  let page: Page;
  const heard = (): Promise<Heard> => page.evaluate(() => Reflect.get(window, 'heard') as Heard);

  beforeAll(async () => {
    [rig, browser] = await Promise.all([startKioskRig(language, { voice }), launchBrowser()]);
    const context = await browser.newContext({
      viewport: { width: 1080, height: 1920 },
      timezoneId: 'UTC',
      hasTouch: true,
    });
    await context.addInitScript(installRecorders);
    page = await context.newPage();
    page.setDefaultTimeout(30_000);
    await page.goto(rig.url);
  }, 120_000);
  afterAll(async () => {
    await browser.close();
    await rig.close();
  });

  it(
    voice ? "sounds a tone and reads each step aloud in the kiosk's language" : 'stays silent',
    async () => {
      await page.getByRole('button', { name: t(language, 'start') }).tap();
      await page.locator('[data-pictogram="finger"]').waitFor();
      await page.getByRole('button', { name: t(language, 'cancel') }).tap();
      await page.locator('.phase-failed').waitFor();
      const { tones, spoken } = await heard();
      if (!voice) {
        expect({ tones, spoken }).toEqual({ tones: [], spoken: [] });
        return;
      }
      // A rising tone (660 Hz up) for each step, a falling one (520 Hz down) for the failure screen.
      expect(tones[0]).toBe(660);
      expect(tones.at(-1)).toBe(520);
      expect(spoken[0]).toEqual({
        text: guidanceText(language, 'place-finger'),
        lang: language === 'en' ? 'en-US' : 'zh-CN',
      });
      expect(spoken.at(-1)).toEqual({
        text: guidanceText(language, 'cancelled'),
        lang: language === 'en' ? 'en-US' : 'zh-CN',
      });
    },
    90_000,
  );
});
