// Source checkouts only: a worker module bundled by esbuild into one JavaScript file, so the worker starts
// without tsx (whose loader thread and per-import round trips cost ~0.3 s per worker). Bundles live in
// node_modules/.cache/muster-workers, where the packages they import resolve, with a manifest of the sources
// they were built from; a source that changed since means a rebuild. Anything unexpected (a read-only
// checkout, a failed build) returns undefined and the caller falls back to tsx.
import { buildSync } from 'esbuild';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const CACHE = join(ROOT, 'node_modules', '.cache', 'muster-workers');

interface Manifest {
  readonly bundle: string;
  /** Every source file of the bundle with its modification time. */
  readonly sources: Record<string, number>;
}

export function bundledWorker(entry: string): string | undefined {
  const manifestFile = join(CACHE, `${basename(entry, '.ts')}-${createHash('sha256').update(entry).digest('hex').slice(0, 12)}.json`);
  let previous: string | undefined;
  try {
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as Manifest;
    previous = manifest.bundle;
    const fresh = Object.entries(manifest.sources).every(([file, mtime]) => statSync(file).mtimeMs === mtime);
    if (fresh && existsSync(manifest.bundle)) return manifest.bundle;
  } catch {
    // No bundle yet, or a source is gone: build one.
  }
  try {
    const result = buildSync({ entryPoints: [entry], absWorkingDir: ROOT, bundle: true, platform: 'node', format: 'esm', packages: 'external', write: false, metafile: true, logLevel: 'silent' });
    const code = result.outputFiles[0]?.contents;
    if (!code) return undefined;
    const bundle = join(CACHE, `${basename(entry, '.ts')}-${createHash('sha256').update(code).digest('hex').slice(0, 16)}.mjs`);
    const sources = Object.fromEntries(Object.keys(result.metafile.inputs).map((input) => [resolve(ROOT, input), statSync(resolve(ROOT, input)).mtimeMs]));
    mkdirSync(CACHE, { recursive: true });
    // Written aside and renamed: test files run in parallel processes that may build the same bundle.
    const unique = `.${process.pid}.${Date.now()}.tmp`;
    writeFileSync(bundle + unique, code);
    renameSync(bundle + unique, bundle);
    writeFileSync(manifestFile + unique, JSON.stringify({ bundle, sources } satisfies Manifest));
    renameSync(manifestFile + unique, manifestFile);
    if (previous && previous !== bundle) rmSync(previous, { force: true });
    return bundle;
  } catch {
    return undefined;
  }
}
