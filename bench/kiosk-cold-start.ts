// A kiosk's cold start in a process of its own, as a deployed kiosk starts (bench/kiosk.bench.ts): `muster kiosk
// run --emulate --web 0` from the build (bin/muster.js) or from the sources (tsx), timed from the spawn to its
// ready line (log, devices, face worker started, screens served) and to the start screen drawn in Chromium.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { Browser } from 'playwright-core';

export interface ColdStart {
  /** Spawn to the `ready` line. */
  readonly readyMs: number;
  /** Spawn to the start screen drawn (its Start button visible). */
  readonly drawnMs: number;
}

const READY = /^kiosk \S+ ready: .*kiosk screen (\S+?)(?:,|$)/;

export async function coldStart(args: readonly string[], cwd: string, browser: Browser): Promise<ColdStart> {
  const started = performance.now();
  const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const page = await browser.newPage({ viewport: { width: 1080, height: 1920 } });
  try {
    const url = await readyUrl(child, () => stderr);
    const readyMs = performance.now() - started;
    await page.goto(url);
    await page.locator('button.huge').waitFor({ timeout: 60_000 });
    return { readyMs, drawnMs: performance.now() - started };
  } finally {
    await page.close();
    await stop(child);
  }
}

function readyUrl(child: ChildProcess, stderr: () => string): Promise<string> {
  return new Promise((resolve, reject) => {
    if (!child.stdout) throw new Error('no stdout');
    const lines = createInterface({ input: child.stdout });
    const timer = setTimeout(() => {
      reject(new Error(`no ready line in 120 s: ${stderr()}`));
    }, 120_000);
    lines.on('line', (line) => {
      const url = READY.exec(line)?.[1];
      if (url === undefined) return;
      clearTimeout(timer);
      resolve(url);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`kiosk exited ${String(code)} before ready: ${stderr()}`));
    });
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  await exited;
  clearTimeout(killer);
}
