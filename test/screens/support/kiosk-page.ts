// The kiosk page in Chromium: opened on the kiosk's screens (a touch screen, in a given zone), and the checks
// every state must pass: touch targets of at least 120 px, no text under 32 px, the whole screen in the window (a
// kiosk has no scrolling: the header, every button and the countdown in view), one centred action per step, no
// word of the other language (an untranslated string fails the test), and a screenshot of each state: kept with
// the test artifacts, or in the README's docs/screens/kiosk/ when MUSTER_KIOSK_SHOTS names it (a plain test run
// must not rewrite tracked files).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import type { KioskLanguage } from '../../../core/api/kiosk-api.ts';
import { t } from '../../../renderer/kiosk/kiosk-text.ts';
import { seriousViolations } from './browser.ts';

/** The kiosk's two screens: the portrait touch screen it is designed for first, and a landscape one. */
export const KIOSK_VIEWPORTS = [
  { name: '1080x1920', width: 1080, height: 1920 },
  { name: '1280x800', width: 1280, height: 800 },
] as const;

/** Generous: the machines running these tests are shared and often loaded. */
export const UI_TIMEOUT = 30_000;

/** A kiosk page and the name of its screen's size (in test messages and screenshot names). */
export interface KioskPage {
  readonly name: string;
  readonly page: Page;
}

/**
 * The kiosk at `url` on a touch screen of `viewport`'s size whose clock runs in `zone` (the centre's, or another
 * to show every time on screen is still the centre's); `setup` runs on the context before the page opens.
 */
export async function openKioskPage(
  browser: Browser,
  url: string,
  viewport: { readonly width: number; readonly height: number },
  zone: string,
  setup?: (context: BrowserContext) => Promise<void>,
): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: viewport.width, height: viewport.height },
    timezoneId: zone,
    hasTouch: true,
  });
  await setup?.(context);
  const page = await context.newPage();
  page.setDefaultTimeout(UI_TIMEOUT);
  await page.goto(url);
  return page;
}

/** The button with the kiosk's word for `word` in `language`. */
export function kioskButton(page: Page, language: KioskLanguage, word: Parameters<typeof t>[1]): Locator {
  return page.getByRole('button', { name: t(language, word) });
}

/** What a state is checked for beyond the rest, in `checkKioskState`. */
export interface StateChecks {
  /** A wait: a countdown, with Cancel and Call staff. */
  readonly wait?: boolean;
  readonly countdown?: boolean;
  /** axe-core clean, and a screenshot. */
  readonly shot?: boolean;
}

/**
 * What every state passes on each page: fits the window, sizes, centring, no word of the other language; and
 * what `o` asks for.
 */
export async function checkKioskState(
  pages: readonly KioskPage[],
  language: KioskLanguage,
  state: string,
  o: StateChecks = {},
): Promise<void> {
  for (const { name, page } of pages) {
    const at = `${state} at ${name}`;
    await page.evaluate(() => document.fonts.ready);
    expect(await layoutProblems(page), at).toEqual([]);
    expect(await centringProblems(page), at).toEqual([]);
    expect(await foreignText(page, language), at).toEqual([]);
    if (o.wait || o.countdown) expect(await page.locator('.countdown').textContent(), at).toMatch(/\d/);
    if (o.wait) {
      expect(await kioskButton(page, language, 'cancel').isVisible(), at).toBe(true);
      expect(await kioskButton(page, language, 'callStaff').isVisible(), at).toBe(true);
    }
    if (o.shot) {
      expect(await seriousViolations(page), at).toEqual([]);
      await kioskShot(page, `${language}-${name}-${state}`);
    }
  }
}

export const KIOSK_SHOTS = process.env.MUSTER_KIOSK_SHOTS ?? join(process.cwd(), 'test-artifacts', 'screens', 'kiosk');

export async function kioskShot(page: Page, name: string): Promise<void> {
  mkdirSync(KIOSK_SHOTS, { recursive: true });
  await page.screenshot({ path: join(KIOSK_SHOTS, `${name}.jpg`), type: 'jpeg', quality: 60 });
}

export interface LayoutProblem {
  readonly what: string;
  readonly text: string;
  readonly size: string;
}

/**
 * Visible touch targets under 120x120 px, visible text under 32 px, and a screen taller or wider than the window
 * or any button, status line or countdown outside it (at 1280x800 the tasks' buttons once sat below the fold).
 */
export function layoutProblems(page: Page): Promise<LayoutProblem[]> {
  return page.evaluate(() => {
    const problems: { what: string; text: string; size: string }[] = [];
    const visible = (el: Element): boolean => {
      const r = el.getBoundingClientRect();
      return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden';
    };
    const doc = document.scrollingElement ?? document.documentElement;
    if (doc.scrollHeight > innerHeight + 1 || doc.scrollWidth > innerWidth + 1)
      problems.push({ what: 'scroll', text: 'the screen', size: `${doc.scrollWidth}x${doc.scrollHeight}` });
    for (const el of document.querySelectorAll('#app h1, #app button, #app [role=status], #app .countdown')) {
      const r = el.getBoundingClientRect();
      if (visible(el) && (r.top < -1 || r.left < -1 || r.bottom > innerHeight + 1 || r.right > innerWidth + 1))
        problems.push({
          what: 'off-screen',
          text: el.textContent.trim(),
          size: `${Math.round(r.left)},${Math.round(r.top)} ${Math.round(r.width)}x${Math.round(r.height)}`,
        });
    }
    for (const el of document.querySelectorAll('#app button, #app label, #app a, #app input:not([type=checkbox])')) {
      if (!visible(el)) continue;
      const r = el.getBoundingClientRect();
      if (r.width < 120 || r.height < 120)
        problems.push({
          what: 'target',
          text: el.textContent.trim(),
          size: `${Math.round(r.width)}x${Math.round(r.height)}`,
        });
    }
    const walker = document.createTreeWalker(document.getElementById('app') ?? document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = (node.textContent ?? '').trim();
      const el = node.parentElement;
      if (text === '' || !el || !visible(el)) continue;
      const size = Number.parseFloat(getComputedStyle(el).fontSize);
      if (size < 32) problems.push({ what: 'text', text, size: `${size}px` });
    }
    return problems;
  });
}

/** At most one primary action; the step's content centred in the height below the header; each row of buttons centred. */
export function centringProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    const shown = (el: Element): boolean => el.getBoundingClientRect().height > 0;
    const primaries = [...document.querySelectorAll('#app button.primary')].filter(shown);
    if (primaries.length > 1) problems.push(`${primaries.length} primary actions`);
    const body = document.querySelector('.kiosk-body');
    if (!body) return [...problems, 'no step on screen'];
    const span = (els: Element[]): { top: number; bottom: number; left: number; right: number } => {
      const rects = els.filter(shown).map((el) => el.getBoundingClientRect());
      return {
        top: Math.min(...rects.map((r) => r.top)),
        bottom: Math.max(...rects.map((r) => r.bottom)),
        left: Math.min(...rects.map((r) => r.left)),
        right: Math.max(...rects.map((r) => r.right)),
      };
    };
    const box = body.getBoundingClientRect();
    const content = span([...body.children]);
    const above = Math.round(content.top - box.top);
    const below = Math.round(box.bottom - content.bottom);
    if (Math.abs(above - below) > 2)
      problems.push(`content ${above} px below the header, ${below} px above the bottom`);
    const width = document.documentElement.clientWidth;
    for (const row of body.querySelectorAll('.actions')) {
      const buttons = span([...row.querySelectorAll('button')]);
      const left = Math.round(buttons.left);
      const right = Math.round(width - buttons.right);
      if (Math.abs(left - right) > 2) problems.push(`actions ${left} px from the left, ${right} px from the right`);
    }
    return problems;
  });
}

/**
 * Visible text in the wrong language: Latin words in the Chinese screen, Chinese characters in the English one.
 * Ids (marked translate="no": person, record, reference) and the language switch's names (each marked with its
 * own lang) are not text to translate; the page title is.
 */
export async function foreignText(page: Page, language: KioskLanguage): Promise<string[]> {
  const texts = await page.evaluate(() => {
    const out: string[] = [document.title];
    const walker = document.createTreeWalker(document.getElementById('app') ?? document.body, NodeFilter.SHOW_TEXT);
    const pageLang = document.documentElement.lang;
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const el = node.parentElement;
      if (
        !el ||
        el.closest('[translate="no"]') ||
        (el.closest('[lang]')?.getAttribute('lang') ?? pageLang) !== pageLang
      )
        continue;
      const text = (node.textContent ?? '').trim();
      if (text !== '') out.push(text);
    }
    for (const el of document.querySelectorAll('#app [alt], #app [aria-label]'))
      out.push(el.getAttribute('alt') ?? el.getAttribute('aria-label') ?? '');
    return out;
  });
  const foreign = language === 'zh-CN' ? /[A-Za-z]{2,}/ : /[\u3400-\u9fff]/;
  return texts.filter((text) => foreign.test(text));
}
