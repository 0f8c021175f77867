// `npm run build` into a temp folder, then the compiled `muster` run the way bin/muster.js runs it, with an
// import hook that fails the process if it loads what must not ship or must not load yet: tsx, esbuild and
// TypeScript never; for --help, no command module at all.
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as Bundle from '../../main/web/bundle.ts';
import { MUSTER_FROM_SOURCES } from '../helpers/run-muster.ts';

const ROOT = join(import.meta.dirname, '../..');
// Inside the checkout, where the compiled modules find the packages they import (node_modules/ above them).
const CACHE = join(ROOT, 'node_modules/.cache');
mkdirSync(CACHE, { recursive: true });
const dir = mkdtempSync(join(CACHE, 'muster-build-'));
const DIST = join(dir, 'dist');
const DEV_ONLY = String.raw`/node_modules/(tsx|esbuild|typescript|@esbuild)/`;

/** An --import that refuses to load any module whose URL matches `pattern`, so the process fails loudly. */
function denyImports(pattern: string): string {
  const hooks = `let deny; export function initialize(data) { deny = new RegExp(data); }
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  if (deny.test(resolved.url)) throw new Error('must not load ' + resolved.url);
  return resolved;
}`;
  const register = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hooks)}`)}, { data: ${JSON.stringify(pattern)} });`;
  return `data:text/javascript,${encodeURIComponent(register)}`;
}

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function compiled(args: readonly string[], deny: string, stdin?: string): Promise<Run> {
  const child = promisify(execFile)(
    process.execPath,
    ['--import', denyImports(deny), join(DIST, 'main/cli/main.js'), ...args],
    { cwd: dir },
  );
  if (stdin !== undefined) child.child.stdin?.end(stdin);
  return child.then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: unknown) => {
      const failed = error as Run;
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    },
  );
}

beforeAll(async () => {
  await promisify(execFile)(
    process.execPath,
    [join(ROOT, 'bin/run-ts.js'), join(ROOT, 'scripts/build.ts'), '--out-dir', DIST],
    { cwd: ROOT },
  );
}, 180_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('the build', () => {
  it('compiles every Node layer, the preload as CommonJS, the renderer as a bundle per screen and the command manifest', () => {
    for (const file of [
      'main/cli/main.js',
      'main/cli/commands.json',
      'ledger/verify-worker.js',
      'face/face-worker.js',
      'main/electron/main.js',
      'main/electron/preload.cjs',
      'renderer/kiosk.js',
      'renderer/staff.js',
      'renderer/hq.js',
      'renderer/demo.js',
      'renderer/style.css',
    ]) {
      expect(existsSync(join(DIST, file)), file).toBe(true);
    }
    expect(existsSync(join(DIST, 'renderer/main.js'))).toBe(false);
  });

  it('runs --help from the manifest without loading any command module, tsx or esbuild', async () => {
    const run = await compiled(['--help'], `${DEV_ONLY}|-commands\\.js$`);
    expect(run).toMatchObject({ code: 0 });
    expect(run.stdout).toMatch(/ledger verify/);
    expect(run.stdout).toMatch(/demo/);
    const help = await compiled(['ledger', 'verify', '--help'], `${DEV_ONLY}|-commands\\.js$`);
    expect(help).toMatchObject({ code: 0 });
    expect(help.stdout).toMatch(/^Usage: muster ledger verify/);
    const unknown = await compiled(['frobnicate', 'export', '--help'], `${DEV_ONLY}|-commands\\.js$`);
    expect(unknown).toMatchObject({ code: 2 });
    expect(unknown.stderr).toMatch(/unknown command "frobnicate export"/);
  });

  it('runs a command by loading only its module: a log of 1,000 entries is written and verified with worker threads, no tsx or esbuild', async () => {
    const db = join(dir, 'k.db');
    const notOthers = `${DEV_ONLY}|/(face|device|demo|kiosk|net|access|checkin)-commands\\.js$`;
    expect(await compiled(['ledger', 'init', '--db', db, '--origin', 'center-01/kiosk-1'], notOthers)).toMatchObject({
      code: 0,
    });
    const lines = Array.from({ length: 999 }, (_, i) =>
      JSON.stringify({
        centre: 'center-01',
        kiosk: 'center-01/kiosk-1',
        device: 'camera',
        state: i % 2 ? 'ok' : 'degraded',
        since: i,
      }),
    ).join('\n');
    expect(
      await compiled(['ledger', 'append', '--db', db, '--type', 'device-health'], notOthers, `${lines}\n`),
    ).toMatchObject({ code: 0 });
    const verified = await compiled(['ledger', 'verify', '--db', db, '--pubkey', `${db}.key.pub`], notOthers);
    expect(verified).toMatchObject({ code: 0 });
    expect(verified.stdout).toMatch(/^ok 1000 entries/);
    // Three processes, one signing 999 entries: over 30 s on a loaded 2-core host.
  }, 180_000);

  it('serves the renderer from the bundle built beside it, without esbuild', async () => {
    const { rendererBundle } = (await import(pathToFileURL(join(DIST, 'main/web/bundle.js')).href)) as typeof Bundle;
    const bundle = await rendererBundle();
    expect(bundle.screens.kiosk).toMatch(/startKioskScreen/);
    expect(bundle.css.length).toBeGreaterThan(0);
    // A page loads only its own screen's code: HQ's charts are in HQ's script, not in the kiosk's.
    expect(bundle.screens.hq).toMatch(/node_modules\/echarts\//);
    expect(bundle.screens.kiosk).not.toMatch(/echarts|startHqDashboard|startStaffScreen/);
    expect(bundle.screens.kiosk.length * 5).toBeLessThan(bundle.screens.hq.length);
  });

  it('starts a kiosk the way a deployed one starts (muster kiosk run), serving the screen from the bundle built beside it, without esbuild or tsx', async () => {
    const config = join(dir, 'kiosk.json');
    writeFileSync(
      config,
      JSON.stringify({
        centre: 'centre-01',
        kiosk: 'centre-01/kiosk-1',
        dataDir: join(dir, 'kiosk-data'),
        // Nobody listens there: the kiosk starts offline.
        broker: { url: 'mqtt://127.0.0.1:9' },
        devices: { fingerprint: { family: 'r30x', path: '/dev/ttyUSB0' }, camera: { path: '/dev/ttyUSB1' } },
      }),
    );
    const kiosk = spawn(
      process.execPath,
      [
        '--import',
        denyImports(DEV_ONLY),
        join(DIST, 'main/cli/main.js'),
        ...['kiosk', 'run', '--config', config, '--web', '0', '--emulate'],
      ],
      { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const exited = once(kiosk, 'exit');
    try {
      let url: string | undefined;
      for await (const line of createInterface({ input: kiosk.stdout })) {
        url = /^kiosk \S+ ready: .*kiosk screen (\S+)$/.exec(line)?.[1];
        if (url) break;
      }
      expect(url).toBeDefined();
      const served = await fetch(new URL('/assets/kiosk.js', url));
      expect(served.status).toBe(200);
      expect(await served.text()).toBe(readFileSync(join(DIST, 'renderer/kiosk.js'), 'utf8'));
    } finally {
      kiosk.kill('SIGTERM');
      const [code] = (await exited) as [number | null];
      // A clean stop: it loaded nothing it must not (the hook would have failed it), and closed its parts.
      expect(code).toBe(0);
    }
  }, 120_000);

  it('leaves the sources runnable without a build (npm run muster)', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [...MUSTER_FROM_SOURCES, '--help']);
    expect(stdout).toMatch(/ledger verify/);
  });
});
