// An unhandled rejection is logged and the process keeps running (Node's default would end it).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const RUN_TS = fileURLToPath(new URL('../../bin/run-ts.js', import.meta.url));
const CHILD = fileURLToPath(new URL('./support/unhandled-rejection.ts', import.meta.url));

describe('reportUnhandledRejections', () => {
  it('logs the rejection as an error record with its code and the process lives on', () => {
    const out = execFileSync(process.execPath, [RUN_TS, CHILD], {
      encoding: 'utf8',
      env: { ...process.env, MUSTER_LOG_FORMAT: 'json', MUSTER_LOG_LEVEL: '' },
    });
    // The logger is loaded at the first rejection, so its record may come before or after the proof of life.
    const lines = out.trimEnd().split('\n');
    expect(lines).toContain('still running');
    expect(JSON.parse(lines.find((line) => line.startsWith('{')) ?? '')).toMatchObject({
      level: 'error',
      component: 'process',
      msg: 'unhandled rejection',
      code: 'store-io',
      err: { message: 'store read failed' },
    });
  });
});
