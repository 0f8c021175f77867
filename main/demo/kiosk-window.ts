// Opens the demo's kiosk screen in Electron when the Electron binary is installed (it is not by default: the
// install step denies its download script). Without it the kiosk screen is one browser tab among the others.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { errorMessage } from '../../core/errors.ts';

/** The Electron binary's path, or undefined with the reason it is missing. */
export function electronBinary(): { readonly path?: string; readonly missing?: string } {
  try {
    // The electron package's main module is the path of the binary it downloaded, or throws when it did not.
    const path = createRequire(import.meta.url)('electron') as unknown;
    if (typeof path === 'string' && existsSync(path)) return { path };
    return { missing: 'the Electron binary is not downloaded' };
  } catch (error) {
    // The package is there but its binary was never downloaded (npm ci skips Electron's install script here).
    return {
      missing: /failed to install/i.test(errorMessage(error))
        ? 'the Electron binary is not downloaded'
        : errorMessage(error),
    };
  }
}

/** Starts Electron on the kiosk screen's URL; the caller stops it with the demo. */
export function openKioskWindow(url: string, say: (line: string) => void): ChildProcess | undefined {
  const binary = electronBinary();
  if (!binary.path) {
    say(`Electron not available (${binary.missing}): open the kiosk screen in a browser`);
    return undefined;
  }
  const child = spawn(binary.path, [url], { stdio: 'ignore' });
  child.on('error', (error) => {
    say(`could not start Electron: ${error.message}`);
  });
  say(`kiosk screen opened in Electron (${binary.path})`);
  return child;
}
