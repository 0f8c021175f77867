// Starts a worker thread on a module of this project, from a source checkout (TypeScript through tsx)
// or from a build (plain JavaScript), so CPU-heavy work (signature checks, face inference) never blocks
// the kiosk's event loop. Callers name the `.ts` module; a build has the `.js` beside where it would be.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

const require = createRequire(import.meta.url);

export function startWorker(moduleUrl: URL, options: WorkerOptions = {}): Worker {
  const built = new URL(moduleUrl.href.replace(/\.ts$/, '.js'));
  if (!moduleUrl.pathname.endsWith('.ts') || (!existsSync(fileURLToPath(moduleUrl)) && existsSync(fileURLToPath(built)))) {
    return new Worker(built, options);
  }
  const tsx = pathToFileURL(join(dirname(require.resolve('tsx/package.json')), 'dist/esm/api/index.mjs')).href;
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(moduleUrl.href)}); });`;
  return new Worker(boot, { ...options, eval: true });
}
