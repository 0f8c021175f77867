// The renderer as one ES module per screen and one stylesheet, served as /assets/<screen>.js and /assets/app.css:
// a page loads only its own screen's code (the kiosk's start screen 0.15 MB, not 2 MB with HQ's charts). A build
// (`npm run build`) bundles them once (rendererBuild) into dist/renderer/, which a compiled process reads, so a
// kiosk ships no bundler; from the sources (development, tests) esbuild bundles them in memory at first use.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { BuildOptions } from 'esbuild';
import { SCREENS, type Screen } from './pages.ts';

export interface RendererBundle {
  /** Each screen's script (renderer/entries/<screen>.ts). */
  readonly screens: { readonly [S in Screen]: string };
  readonly css: string;
  /** The static evidence verifier's script (main/evidence/verify-page.ts inlines it into one HTML file). */
  readonly verifyPage: string;
}

/** The bundle's file names in a build's renderer folder, besides each screen's `<screen>.js`. */
export const BUNDLE_FILES = { css: 'style.css', verifyPage: 'verify-page.js' } as const;

/** How the renderer is bundled, at build time and from the sources alike: `outdir` receives <screen>.js and style.css. */
export function rendererBuild(rendererDir: string, outdir: string): BuildOptions {
  return {
    entryPoints: {
      ...Object.fromEntries(SCREENS.map((screen) => [screen, `${rendererDir}/entries/${screen}.ts`])),
      'style': `${rendererDir}/styles.css`,
      'verify-page': `${rendererDir}/evidence/verify-page.ts`,
    },
    entryNames: '[name]',
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'chrome120',
    outdir,
    legalComments: 'none',
    logLevel: 'silent',
  };
}

// Beside main/ in both layouts: renderer/ sources in a checkout, dist/renderer/ (the bundle) in a build.
const RENDERER = fileURLToPath(new URL('../../renderer', import.meta.url));
const COMPILED = import.meta.url.endsWith('.js');
let bundled: Promise<RendererBundle> | undefined;

export function rendererBundle(): Promise<RendererBundle> {
  bundled ??= (COMPILED ? readBuilt() : bundleSources()).catch((error: unknown) => {
    bundled = undefined;
    throw error;
  });
  return bundled;
}

async function readBuilt(): Promise<RendererBundle> {
  const read = (name: string): Promise<string> => readFile(`${RENDERER}/${name}`, 'utf8');
  const [css, verifyPage, kiosk, staff, hq, demo] = await Promise.all([
    read(BUNDLE_FILES.css),
    read(BUNDLE_FILES.verifyPage),
    ...byScreen((screen) => read(`${screen}.js`)),
  ]);
  return { screens: { kiosk, staff, hq, demo }, css, verifyPage };
}

/** One value per screen, in the order kiosk, staff, hq, demo (a new screen fails to compile until it is added). */
function byScreen<T>(of: (screen: Screen) => T): [T, T, T, T] {
  return [of('kiosk'), of('staff'), of('hq'), of('demo')];
}

async function bundleSources(): Promise<RendererBundle> {
  // Development only: esbuild is a devDependency, loaded when the sources run.
  const { build } = await import('esbuild');
  const result = await build({ ...rendererBuild(RENDERER, '/bundle'), write: false });
  const file = (name: string): string => {
    const out = result.outputFiles.find((f) => f.path.endsWith(`/${name}`));
    if (!out) throw new Error(`esbuild produced no ${name}`);
    return out.text;
  };
  const [kiosk, staff, hq, demo] = byScreen((screen) => file(`${screen}.js`));
  return {
    screens: { kiosk, staff, hq, demo },
    css: file(BUNDLE_FILES.css),
    verifyPage: file(BUNDLE_FILES.verifyPage),
  };
}
