// Source checkouts only: a worker module bundled by esbuild into one JavaScript file, so the worker starts
// without tsx, whose loader thread and per-import round trips make up most of a worker's start-up (`npm run
// bench -- --only ledger`, "fsck worker start-up"). Bundles live in
// node_modules/.cache/muster-workers, where the packages they import resolve, with a manifest of the sources
// they were built from (by content, not modification time: a coarse or restored mtime must never run old
// code). Anything unexpected (a read-only checkout, a failed build, a graph that reads files relative to
// itself) returns undefined, remembered for the process, and the caller falls back to tsx.
import type * as Esbuild from 'esbuild';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const CACHE = join(ROOT, 'node_modules', '.cache', 'muster-workers');

interface Manifest {
  readonly esbuild: string;
  readonly bundle: string;
  /** Every source file of the bundle with the SHA-256 of its content. */
  readonly sources: Record<string, string>;
}

/** Entries that could not be bundled in this process: each worker start must not pay for a failed build again. */
const unbundleable = new Set<string>();

export function bundledWorker(entry: string): string | undefined {
  if (unbundleable.has(entry)) return undefined;
  const tools = esbuild();
  if (!tools) {
    unbundleable.add(entry);
    return undefined;
  }
  const { buildSync, version } = tools;
  const manifestFile = join(CACHE, `${basename(entry, '.ts')}-${digest(entry).slice(0, 12)}.json`);
  let previous: string | undefined;
  try {
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as Manifest;
    previous = manifest.bundle;
    const fresh =
      manifest.esbuild === version &&
      Object.entries(manifest.sources).every(([file, hash]) => digest(readFileSync(file)) === hash);
    if (fresh && existsSync(manifest.bundle)) return manifest.bundle;
  } catch {
    // No bundle yet, or a source is gone: build one.
  }
  try {
    mkdirSync(CACHE, { recursive: true });
    const result = buildSync({
      entryPoints: [entry],
      absWorkingDir: ROOT,
      bundle: true,
      platform: 'node',
      format: 'esm',
      packages: 'external',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const code = result.outputFiles[0]?.text;
    // A module that finds files relative to itself would look for them beside the bundle instead.
    if (code === undefined || code.includes('import.meta')) throw new Error('not self-contained');
    const bundle = join(CACHE, `${basename(entry, '.ts')}-${digest(code).slice(0, 16)}.mjs`);
    const sources = Object.fromEntries(
      Object.keys(result.metafile.inputs).map((input) => [
        resolve(ROOT, input),
        digest(readFileSync(resolve(ROOT, input))),
      ]),
    );
    // Written aside and renamed: test files run in parallel processes that may build the same bundle.
    const unique = `.${process.pid}.${Date.now()}.tmp`;
    writeFileSync(bundle + unique, code);
    renameSync(bundle + unique, bundle);
    writeFileSync(manifestFile + unique, JSON.stringify({ esbuild: version, bundle, sources } satisfies Manifest));
    renameSync(manifestFile + unique, manifestFile);
    if (previous && previous !== bundle) rmSync(previous, { force: true });
    return bundle;
  } catch {
    unbundleable.add(entry);
    return undefined;
  }
}

/** esbuild is a devDependency: loaded only when a worker starts from the sources, where it is installed. */
function esbuild(): typeof Esbuild | undefined {
  try {
    return createRequire(import.meta.url)('esbuild') as typeof Esbuild;
  } catch {
    return undefined;
  }
}

function digest(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
