// An unhandled rejection is reported and the process keeps running (Node's default would end it).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const RUN_TS = fileURLToPath(new URL('../../bin/run-ts.js', import.meta.url));
const CHILD = fileURLToPath(new URL('./support/unhandled-rejection.ts', import.meta.url));

describe('reportUnhandledRejections', () => {
  it('reports the rejection and the process lives on', () => {
    const out = execFileSync(process.execPath, [RUN_TS, CHILD], { encoding: 'utf8' });
    expect(out).toBe('reported: store read failed\nstill running\n');
  });
});
