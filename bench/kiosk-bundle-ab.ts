// The kiosk's start screen drawn from its own script (renderer/entries/kiosk.ts, served as /assets/kiosk.js)
// against the same page given one script holding every screen's code, as the single renderer bundle did before
// 2026-12-04 (HQ's charts included), interleaved on one running kiosk, each load in a fresh browser context.
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Browser } from 'playwright-core';
import { rendererBuild } from '../main/web/bundle.ts';

const RENDERER = fileURLToPath(new URL('../renderer', import.meta.url));

/** Every screen in one module, the kiosk's mounted: the old bundle's code (nothing left out by tree-shaking). */
const ALL_SCREENS = `
import { mountScreen } from './mount-screen.ts';
import { startKioskScreen } from './kiosk/kiosk-screen.ts';
import { startStaffScreen } from './staff/staff-screen.ts';
import { startHqDashboard } from './hq/hq-dashboard.ts';
import { startDemoPanel } from './demo/demo-panel.ts';
const screens = { kiosk: startKioskScreen, staff: startStaffScreen, hq: startHqDashboard, demo: startDemoPanel };
mountScreen(screens.kiosk);
`;

export interface BundleAB {
  /** Page load to the Start button, with the kiosk's own script. */
  readonly own: readonly number[];
  /** The same with every screen's code in its place. */
  readonly all: readonly number[];
  readonly ownBytes: number;
  readonly allBytes: number;
}

async function allScreensScript(): Promise<string> {
  // The renderer's own options, with this one module in place of its entry points.
  const { entryPoints: _entries, entryNames: _names, outdir: _outdir, ...options } = rendererBuild(RENDERER, '/bundle');
  const result = await build({
    ...options,
    stdin: { contents: ALL_SCREENS, resolveDir: RENDERER, sourcefile: 'all-screens.ts', loader: 'ts' },
    write: false,
  });
  const file = result.outputFiles[0];
  if (!file) throw new Error('esbuild produced no bundle of every screen');
  return file.text;
}

export async function bundleAB(browser: Browser, kioskUrl: string, rounds: number): Promise<BundleAB> {
  const all = await allScreensScript();
  const own: number[] = [];
  const allTimes: number[] = [];
  for (let i = 0; i < rounds; i++)
    for (const kind of ['own', 'all'] as const) {
      const context = await browser.newContext({ viewport: { width: 1080, height: 1920 } });
      try {
        const page = await context.newPage();
        if (kind === 'all')
          await page.route('**/assets/kiosk.js', (route) =>
            route.fulfill({ contentType: 'text/javascript; charset=utf-8', body: all }),
          );
        const started = performance.now();
        await page.goto(kioskUrl);
        await page.locator('button.huge').waitFor({ timeout: 60_000 });
        (kind === 'own' ? own : allTimes).push(performance.now() - started);
      } finally {
        await context.close();
      }
    }
  const ownScript = await (await fetch(new URL('/assets/kiosk.js', kioskUrl))).text();
  return { own, all: allTimes, ownBytes: Buffer.byteLength(ownScript), allBytes: Buffer.byteLength(all) };
}
