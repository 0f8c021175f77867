// Start-up of the `muster` command as a user runs it (bin/muster.js, the build in dist/, rebuilt first), beside a
// bare `node -e ''` start measured in the same run, interleaved so load drifts hit all alike: `muster --help`
// (goal: at most 3x) and `muster ledger verify` of a 1,000-entry log; and `--help` from the sources through tsx,
// as every command ran before the build.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { percentile } from './report.ts';
import type { Suite } from './suites.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin/muster.js');
const RUNS = 15;

function wallMs(args: readonly string[], input?: string): number {
  const start = performance.now();
  const result = spawnSync(process.execPath, args, { cwd: ROOT, input, stdio: ['pipe', 'ignore', 'pipe'] });
  const ms = performance.now() - start;
  if (result.status !== 0)
    throw new Error(`node ${args.join(' ')} exited ${String(result.status)}: ${result.stderr.toString()}`);
  return ms;
}

export const startupSuite: Suite = {
  name: 'startup',
  run(report) {
    report.add('startup: load average (1 min) at start', loadavg()[0] ?? 0, 'load');
    execFileSync(process.execPath, [join(ROOT, 'bin/run-ts.js'), join(ROOT, 'scripts/build.ts')], {
      cwd: ROOT,
      stdio: 'inherit',
    });
    const dir = mkdtempSync(join(tmpdir(), 'muster-startup-'));
    try {
      const db = join(dir, 'k.db');
      wallMs([BIN, 'ledger', 'init', '--db', db, '--origin', 'center-01/kiosk-1']);
      const lines = Array.from({ length: 999 }, (_, i) =>
        JSON.stringify({
          centre: 'center-01',
          kiosk: 'center-01/kiosk-1',
          device: 'camera',
          state: i % 2 ? 'ok' : 'degraded',
          since: i,
        }),
      );
      wallMs([BIN, 'ledger', 'append', '--db', db, '--type', 'device-health'], `${lines.join('\n')}\n`);
      const runs = {
        node: [] as number[],
        help: [] as number[],
        verify: [] as number[],
        sources: [] as number[],
      };
      for (let i = 0; i < RUNS; i++) {
        runs.node.push(wallMs(['-e', '']));
        runs.help.push(wallMs([BIN, '--help']));
        runs.verify.push(wallMs([BIN, 'ledger', 'verify', '--db', db, '--pubkey', `${db}.key.pub`]));
        if (i < 5) runs.sources.push(wallMs([join(ROOT, 'bin/run-ts.js'), join(ROOT, 'main/cli/main.ts'), '--help']));
      }
      const median = (xs: number[]): number =>
        percentile(
          [...xs].sort((a, b) => a - b),
          50,
        );
      const base = "startup: node -e '' (median)";
      report.add(base, median(runs.node), 'ms');
      report.add('startup: muster --help (built, median)', median(runs.help), 'ms', base);
      report.add('startup: muster ledger verify, 1,000 entries (built)', median(runs.verify), 'ms', base);
      report.add('startup: muster --help from the sources (tsx)', median(runs.sources), 'ms', base);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    return Promise.resolve();
  },
};
