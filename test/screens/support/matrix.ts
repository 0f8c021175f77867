// The Done-when's language × zone matrix: each screen test runs in a zh-CN and an English browser, each on an
// Asia/Shanghai and a UTC clock. The four are contexts of one Chromium, so a file starts its servers once and
// acts once where the seats only watch; a seat acts on its own person where each must act.
import type { Browser, BrowserContext, Page } from 'playwright-core';

export interface Seat {
  readonly locale: 'zh-CN' | 'en-US';
  readonly zone: 'Asia/Shanghai' | 'UTC';
  readonly zh: boolean;
  /** "zh-CN/UTC": in test messages and screenshot names. */
  readonly name: string;
}

export const SEATS: readonly Seat[] = (
  [
    ['zh-CN', 'Asia/Shanghai'],
    ['zh-CN', 'UTC'],
    ['en-US', 'UTC'],
    ['en-US', 'Asia/Shanghai'],
  ] as const
).map(([locale, zone]) => ({ locale, zone, zh: locale === 'zh-CN', name: `${locale}/${zone}` }));

/** What the seat's page says: its Chinese or its English (words or a pattern). */
export function say<T extends string | RegExp>(seat: Seat, zh: T, en: T): T {
  return seat.zh ? zh : en;
}

export interface OpenOptions {
  /** An English seat chose English in this browser before (the choice is stored), so no tap is needed. */
  readonly languageChosen?: boolean;
  /** Runs on the new context before the page opens (init scripts, a fake clock). */
  readonly setup?: (context: BrowserContext) => Promise<void>;
}

/** A page at `url` in a new context with the seat's locale and zone; the context joins `contexts` to be closed. */
export async function openAt(
  browser: Browser,
  contexts: BrowserContext[],
  seat: Seat,
  url: string,
  options: OpenOptions = {},
): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    locale: seat.locale,
    timezoneId: seat.zone,
    acceptDownloads: true,
  });
  contexts.push(context);
  if (options.languageChosen && !seat.zh)
    await context.addInitScript(() => {
      localStorage.setItem('muster.language', 'en');
    });
  await options.setup?.(context);
  const page = await context.newPage();
  // Four seats' pages at once on a loaded CI machine: generous waits (conditions, never sleeps).
  page.setDefaultTimeout(30_000);
  page.setDefaultNavigationTimeout(60_000);
  await page.goto(url);
  return page;
}

/**
 * Signs in on a sign-in form in the browser's language, and waits until the form is gone (signed in): the
 * account's next sign-in, from another seat, must not find this one still in flight (the throttle refuses it).
 */
export async function signIn(page: Page, seat: Seat, user: string, password: string): Promise<void> {
  const passwordField = page.getByLabel(say(seat, '密码', 'Password'));
  await page.getByLabel(say(seat, '用户名', 'User name')).fill(user);
  await passwordField.fill(password);
  await page.getByRole('button', { name: say(seat, '登录', 'Sign in') }).click();
  await passwordField.waitFor({ state: 'detached' });
}

/** Closes the seats' pages (their contexts): pages left open keep refreshing and load the servers. */
export async function closePages(pages: readonly Page[]): Promise<void> {
  for (const page of pages) await page.context().close();
}

/** A centre in China opens in Chinese in any browser: an English seat asks for English, a tap away. */
export async function seatLanguage(page: Page, seat: Seat): Promise<void> {
  if (!seat.zh) await page.getByRole('button', { name: 'English' }).click();
}
