// Worker start-up from a source checkout: self-contained modules run as a bundle (no tsx), rebuilt when a
// source changes; anything that cannot be bundled is left to tsx.
import { once } from 'node:events';
import { mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { startWorker } from '../../runtime/worker.ts';
import { bundledWorker } from '../../runtime/worker-bundle.ts';

const CACHE = fileURLToPath(new URL('../../node_modules/.cache/muster-workers', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'muster-worker-'));
const name = `bundle-test-${process.pid}`;
const entry = join(dir, `${name}.ts`);

async function answer(workerData: number): Promise<unknown> {
  const worker = startWorker(pathToFileURL(entry), { workerData, selfContained: true });
  try {
    const [message] = (await once(worker, 'message')) as unknown[];
    return message;
  } finally {
    await worker.terminate();
  }
}

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  for (const file of readdirSync(CACHE)) if (file.startsWith(name)) rmSync(join(CACHE, file));
});

describe('startWorker from a source checkout', () => {
  it('runs a self-contained module from a bundle and rebuilds it when a source changes', async () => {
    writeFileSync(join(dir, 'scale.ts'), 'export const scale = (n: number): number => n * 2;\n');
    writeFileSync(
      entry,
      "import { parentPort, workerData } from 'node:worker_threads';\nimport { scale } from './scale.ts';\nparentPort?.postMessage(scale(workerData as number));\n",
    );
    const bundle = bundledWorker(entry);
    expect(bundle).toMatch(/\.mjs$/);
    expect(bundledWorker(entry)).toBe(bundle); // unchanged sources: the same bundle, no rebuild
    expect(await answer(21)).toBe(42);

    // A changed source means a rebuild even when its modification time is what it was (coarse clocks, restored mtimes).
    const { mtime } = statSync(join(dir, 'scale.ts'));
    writeFileSync(join(dir, 'scale.ts'), 'export const scale = (n: number): number => n * 3;\n');
    utimesSync(join(dir, 'scale.ts'), mtime, mtime);
    const rebuilt = bundledWorker(entry);
    expect(rebuilt).not.toBe(bundle);
    expect(await answer(21)).toBe(63);

    rmSync(rebuilt ?? ''); // a bundle removed from the cache behind the manifest's back is built again
    expect(bundledWorker(entry)).toBe(rebuilt);
    expect(await answer(1)).toBe(3);
  });

  it('leaves to tsx a module it cannot bundle, and one that finds files relative to itself', () => {
    const broken = join(dir, `${name}-broken.ts`);
    writeFileSync(broken, "import { missing } from './not-there.ts';\nexport const x = missing;\n");
    expect(bundledWorker(broken)).toBeUndefined();
    const relative = join(dir, `${name}-relative.ts`);
    writeFileSync(relative, "export const models = new URL('./models/', import.meta.url);\n");
    expect(bundledWorker(relative)).toBeUndefined();
  });
});
