// The renderer, bundled at server start with esbuild (no build step for a clone): one ES module and one
// stylesheet, held in memory and served as /assets/app.js and /assets/app.css. Bundled once per process.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export interface RendererBundle {
  readonly js: string;
  readonly css: string;
}

/** The renderer's sources: beside main/ in a clone, one level up from dist/main/ in a build or a package. */
const RENDERER = ['../../renderer/', '../../../renderer/'].map((p) => fileURLToPath(new URL(p, import.meta.url))).find((dir) => existsSync(`${dir}main.ts`)) ?? fileURLToPath(new URL('../../renderer/', import.meta.url));
let bundled: Promise<RendererBundle> | undefined;

export function rendererBundle(): Promise<RendererBundle> {
  bundled ??= bundle().catch((error: unknown) => {
    bundled = undefined;
    throw error;
  });
  return bundled;
}

async function bundle(): Promise<RendererBundle> {
  const result = await build({
    entryPoints: { app: `${RENDERER}main.ts`, style: `${RENDERER}styles.css` },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'chrome120',
    write: false,
    outdir: '/bundle',
    legalComments: 'none',
    logLevel: 'silent',
  });
  const file = (name: string): string => {
    const out = result.outputFiles.find((f) => f.path.endsWith(name));
    if (!out) throw new Error(`esbuild produced no ${name}`);
    return out.text;
  };
  return { js: file('/app.js'), css: file('/style.css') };
}
