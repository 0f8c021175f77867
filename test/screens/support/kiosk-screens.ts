// A describe block's kiosk: its rig (kiosk-rig.ts), one Chromium and the kiosk page on the kiosk's screens, started
// before the block's tests and closed after them; after each test the kiosk is back at the start with every device
// in, on every page. Call `kioskScreens` in the describe's body: it registers the hooks.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { KioskLanguage } from '../../../core/api/kiosk-api.ts';
import { launchBrowser } from './browser.ts';
import { KIOSK_VIEWPORTS, type KioskPage, openKioskPage } from './kiosk-page.ts';
import { type KioskRig, type KioskRigOptions, ZONE, startKioskRig } from './kiosk-rig.ts';

export interface KioskScreens {
  readonly rig: KioskRig;
  /** Each screen's page, in the order of `viewports`. */
  readonly pages: readonly KioskPage[];
  /** The first screen's page: the one a person taps. */
  readonly page: Page;
  /** The browsers' clock zone. */
  readonly zone: string;
  /** `see` on each page in turn. */
  onEach(see: (page: Page) => Promise<unknown>): Promise<void>;
}

export interface KioskScreensOptions extends KioskRigOptions {
  /** The screens' sizes: both of the kiosk's (`KIOSK_VIEWPORTS`, 1080x1920 first) unless given. */
  readonly viewports?: readonly { readonly name: string; readonly width: number; readonly height: number }[];
  /** The browsers' clock zone, asked for when the pages open: the centre's unless given. */
  readonly zone?: () => string;
  /** Runs on the rig before the pages open. */
  readonly prepare?: (rig: KioskRig) => void;
  /** Runs on each page's context before the page opens (init scripts). */
  readonly setup?: (context: BrowserContext) => Promise<void>;
}

export function kioskScreens(language: KioskLanguage, options: KioskScreensOptions = {}): KioskScreens {
  const { viewports = KIOSK_VIEWPORTS, zone = () => ZONE, prepare, setup, ...rigOptions } = options;
  let rig: KioskRig | undefined;
  let browser: Browser | undefined;
  let pages: KioskPage[] = [];
  let browserZone = ZONE;

  beforeAll(async () => {
    [rig, browser] = await Promise.all([startKioskRig(language, rigOptions), launchBrowser()]);
    prepare?.(rig);
    browserZone = zone();
    for (const viewport of viewports)
      pages.push({ name: viewport.name, page: await openKioskPage(browser, rig.url, viewport, browserZone, setup) });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await rig?.close();
    pages = [];
  });
  afterEach(async () => {
    await rig?.reset(pages.map(({ page }) => page));
  }, 60_000);

  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the kiosk screens start in beforeAll');
    return value;
  };
  return {
    get rig() {
      return started(rig);
    },
    get pages() {
      return pages;
    },
    get page() {
      return started(pages[0]?.page);
    },
    get zone() {
      return browserZone;
    },
    onEach: async (see) => {
      for (const { page } of pages) await see(page);
    },
  };
}
