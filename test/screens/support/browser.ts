// One Chromium per test file (Debian's, driven by playwright-core), and screenshots kept as test artifacts
// under test-artifacts/screens/ (git-ignored; CI uploads the folder).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type Page, chromium } from 'playwright-core';
import axe from 'axe-core';

export const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'screens');

/** `args`: more Chromium switches (a webcam that plays a video: `--use-file-for-fake-video-capture=FILE.y4m`). */
export function launchBrowser(args: readonly string[] = []): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    // A fake webcam (Chromium's test pattern) that needs no permission prompt, for the webcam capture path.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-dev-shm-usage',
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      ...args,
    ],
  });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

export interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly nodes: number;
}

/** Runs axe-core in the page; returns the serious and critical violations. */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  // evaluate() runs outside the page's CSP, which (rightly) refuses an injected inline script.
  await page.evaluate(axe.source);
  const violations = await page.evaluate(async () => {
    const axe = Reflect.get(window, 'axe') as {
      run: (
        context: Document,
      ) => Promise<{ violations: { id: string; impact: string | null; help: string; nodes: unknown[] }[] }>;
    };
    const result = await axe.run(document);
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}
