// Starts a worker thread on a module of this project, from a source checkout (TypeScript through tsx)
// or from a build (plain JavaScript), so CPU-heavy work (signature checks, face inference) never blocks
// the kiosk's event loop. Callers name the `.ts` module; a build has the `.js` beside where it would be.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { bundledWorker } from './worker-bundle.ts';

const require = createRequire(import.meta.url);

export interface StartOptions extends WorkerOptions {
  /**
   * The module and everything it imports find no file relative to themselves (no `import.meta`): from a source
   * checkout it then runs as one bundled JavaScript file instead of through tsx, and starts in about a quarter
   * of the time (fsck and HQ's verify pool start workers for work measured in seconds).
   */
  readonly selfContained?: boolean;
}

export function startWorker(moduleUrl: URL, options: StartOptions = {}): Worker {
  const { selfContained = false, ...workerOptions } = options;
  const built = new URL(moduleUrl.href.replace(/\.ts$/, '.js'));
  if (
    !moduleUrl.pathname.endsWith('.ts') ||
    (!existsSync(fileURLToPath(moduleUrl)) && existsSync(fileURLToPath(built)))
  ) {
    return new Worker(built, workerOptions);
  }
  const bundle = selfContained ? bundledWorker(fileURLToPath(moduleUrl)) : undefined;
  if (bundle) return new Worker(pathToFileURL(bundle), workerOptions);
  const tsx = pathToFileURL(join(dirname(require.resolve('tsx/package.json')), 'dist/esm/api/index.mjs')).href;
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(moduleUrl.href)}); });`;
  return new Worker(boot, { ...workerOptions, eval: true });
}
