// The renderer as one ES module and one stylesheet, served as /assets/app.js and /assets/app.css. A build
// (`npm run build`) bundles it once (rendererBuild) into dist/renderer/, which a compiled process reads, so a
// kiosk ships no bundler; from the sources (development, tests) esbuild bundles it in memory at first use.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { BuildOptions } from 'esbuild';

export interface RendererBundle {
  readonly js: string;
  readonly css: string;
  /** The static evidence verifier's script (main/evidence/verify-page.ts inlines it into one HTML file). */
  readonly verifyPage: string;
}

/** The bundle's file names in a build's renderer folder. */
export const BUNDLE_FILES = { js: 'app.js', css: 'style.css', verifyPage: 'verify-page.js' } as const;

/** How the renderer is bundled, at build time and from the sources alike: `outdir` receives app.js and style.css. */
export function rendererBuild(rendererDir: string, outdir: string): BuildOptions {
  return {
    entryPoints: {
      'app': `${rendererDir}/main.ts`,
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
  const [js, css, verifyPage] = await Promise.all(
    [BUNDLE_FILES.js, BUNDLE_FILES.css, BUNDLE_FILES.verifyPage].map((name) => readFile(`${RENDERER}/${name}`, 'utf8')),
  );
  return { js: js ?? '', css: css ?? '', verifyPage: verifyPage ?? '' };
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
  return { js: file(BUNDLE_FILES.js), css: file(BUNDLE_FILES.css), verifyPage: file(BUNDLE_FILES.verifyPage) };
}
