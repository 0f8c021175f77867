// A child-process entry point bundled once per test file (esbuild, the transform tsx itself uses), so each of the
// many children a crash or strace test starts is a plain `node FILE.mjs`: through tsx a child's start cost a second
// or more (two under strace), paid again by every child.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');

/**
 * Registers the file's hooks: bundles `entry` (a path from the repository root) before all its tests and removes
 * the bundle after them. The bundle sits in the checkout (node_modules/.cache), so the packages it leaves external
 * (native addons among them) resolve as they do from the sources. Returns the bundle's path, once built.
 */
export function bundledChild(entry: string): () => string {
  let outfile: string | undefined;
  beforeAll(async () => {
    const cache = join(ROOT, 'node_modules/.cache');
    mkdirSync(cache, { recursive: true });
    const dir = mkdtempSync(join(cache, 'muster-child-'));
    outfile = join(dir, `${basename(entry, '.ts')}.mjs`);
    await build({
      entryPoints: [join(ROOT, entry)],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      packages: 'external',
      logLevel: 'warning',
    });
  }, 60_000);
  afterAll(() => {
    if (outfile) rmSync(dirname(outfile), { recursive: true, force: true });
  });
  return () => {
    if (!outfile) throw new Error(`${entry} is used before its beforeAll bundled it`);
    return outfile;
  };
}
