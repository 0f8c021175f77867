// `npm run build` (and `prepare`, so `npm ci` builds): the JavaScript that `muster`, the kiosk and HQ run, in
// dist/. Each module becomes one file with its relative imports pointed at .js (esbuild, per file: the same
// output tsc would emit, since isolatedModules and verbatimModuleSyntax forbid anything needing types; the
// types are checked by `npm run typecheck`). The preload becomes CommonJS, the renderer one bundle, and the CLI
// gets its command manifest. Nothing in dist/ needs esbuild or tsx at run time.
import { type BuildOptions, build, type Plugin } from 'esbuild';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { MANIFEST_FILE, commandManifest } from '../main/cli/command-manifest.ts';
import { rendererBuild } from '../main/web/bundle.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** The layers that run in Node; renderer/ ships only as its bundle. */
const NODE_LAYERS = ['core', 'runtime', 'ledger', 'drivers', 'hardware', 'face', 'net', 'access', 'main'];
const PRELOAD = 'main/electron/preload.cts';

/** Every import stays an import of its own file: relative TypeScript specifiers become their .js output. */
const oneFilePerModule: Plugin = {
  name: 'one-file-per-module',
  setup(b) {
    b.onResolve({ filter: /.*/ }, (args) => {
      if (args.kind === 'entry-point') return undefined;
      return { path: args.path.startsWith('.') ? args.path.replace(/\.ts$/, '.js') : args.path, external: true };
    });
  },
};

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((f) => f.isFile() && f.name.endsWith('.ts') && !f.name.endsWith('.d.ts'))
    .map((f) => relative(ROOT, join(f.parentPath, f.name)));
}

async function buildDist(outDir: string): Promise<void> {
  rmSync(outDir, { recursive: true, force: true });
  const common: BuildOptions = {
    absWorkingDir: ROOT,
    outbase: '.',
    outdir: outDir,
    bundle: true,
    platform: 'node',
    target: 'node20',
    sourcemap: true,
    logLevel: 'warning',
    plugins: [oneFilePerModule],
  };
  await Promise.all([
    build({ ...common, entryPoints: [...NODE_LAYERS.flatMap(sources), 'electron.config.ts'], format: 'esm' }),
    // Sandboxed preloads cannot be ES modules.
    build({ ...common, entryPoints: [PRELOAD], format: 'cjs', outExtension: { '.js': '.cjs' } }),
    build(rendererBuild(join(ROOT, 'renderer'), join(outDir, 'renderer'))),
  ]);
  writeFileSync(join(outDir, 'main/cli', MANIFEST_FILE), `${JSON.stringify(await commandManifest())}\n`);
}

const { values } = parseArgs({ options: { 'out-dir': { type: 'string', default: join(ROOT, 'dist') } }, strict: true });
await buildDist(values['out-dir']);
