// The demo opens its kiosk screen in Electron when the binary is installed. The binary is the one thing mocked:
// a script standing in for it (through the electron package's own ELECTRON_OVERRIDE_DIST_PATH) records how it
// was started.
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { electronBinary, openKioskWindow } from '../../main/demo/kiosk-window.ts';
import { waitFor } from '../helpers/wait-for.ts';

const dir = mkdtempSync(join(tmpdir(), 'muster-electron-'));
afterAll(() => {
  delete process.env.ELECTRON_OVERRIDE_DIST_PATH;
  rmSync(dir, { recursive: true, force: true });
});

describe('kiosk window', () => {
  it('starts the Electron binary on the kiosk screen URL', async () => {
    const record = join(dir, 'started-with');
    writeFileSync(join(dir, 'electron'), `#!/bin/sh\necho "$@" > '${record}'\n`);
    chmodSync(join(dir, 'electron'), 0o755);
    process.env.ELECTRON_OVERRIDE_DIST_PATH = dir;
    expect(electronBinary()).toEqual({ path: join(dir, 'electron') });
    const lines: string[] = [];
    const child = openKioskWindow('http://127.0.0.1:8000/kiosk', (l) => lines.push(l));
    expect(child).toBeDefined();
    const args = await waitFor(() => {
      try {
        return readFileSync(record, 'utf8').trim();
      } catch {
        return undefined;
      }
    }, 'the mock Electron to start');
    expect(args).toBe('http://127.0.0.1:8000/kiosk');
    expect(lines).toEqual([`kiosk screen opened in Electron (${join(dir, 'electron')})`]);
  });
});
