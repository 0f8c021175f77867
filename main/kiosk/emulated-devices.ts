// A kiosk's three devices as emulators (hardware/), for the demo, tests and trying a kiosk without hardware:
// an R30x fingerprint sensor, a VC0706 camera and a keyboard-wedge badge reader. In process they sit behind a
// serialport binding and a report source the runtime is handed; on ttys (socat PTY pairs) the kiosk opens them
// by path from its configuration, exactly as it would open the real ones.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BindingInterface } from '@serialport/bindings-cpp';
import jpeg from 'jpeg-js';
import type { ReportSource } from '../../drivers/badge/report-source.ts';
import { DEFAULT_BAUD } from '../../drivers/open-device.ts';
import { KeyboardWedge } from '../../hardware/keyboard-wedge.ts';
import type { EmulatorTiming } from '../../hardware/emulator.ts';
import { EmulatorBinding } from '../../hardware/mock-link.ts';
import { type SerialAttachment, attachToSerialPath } from '../../hardware/pty-link.ts';
import { openPtyPair, type PtyPair } from '../../hardware/pty-pair.ts';
import { R30xEmulator } from '../../hardware/r30x-emulator.ts';
import { Vc0706Emulator } from '../../hardware/vc0706-emulator.ts';
import type { Resolution } from '../../drivers/camera/vc0706-codec.ts';
import { shrinkJpeg } from '../../face/jpeg.ts';
import { attachWedgeToSerialPath } from '../../hardware/wedge-link.ts';

export interface EmulatedDevices {
  readonly fingerprint: R30xEmulator;
  readonly camera: Vc0706Emulator;
  readonly badge: KeyboardWedge;
  /** The configuration's `devices` section that finds these emulators. */
  readonly devices: Record<string, unknown>;
  /** In process only: what KioskRuntime needs to reach them (binding, badgeSource). */
  readonly inProcess?: { readonly binding: BindingInterface; readonly badgeSource: () => Promise<ReportSource> };
  close(): Promise<void>;
}

/** A plain grey frame with nobody in it, served until a face is set. */
export const BLANK_FRAME = new Uint8Array(
  jpeg.encode({ width: 64, height: 48, data: new Uint8Array(64 * 48 * 4).fill(128) }, 80).data,
);

/**
 * Emulators behind a serialport binding in this process; `name` keeps their paths apart from other kiosks'.
 * `timing`: the modules' real processing times and wire speeds (the benchmark); none by default.
 */
export function inProcessDevices(
  name: string,
  timing?: { readonly fingerprint: EmulatorTiming; readonly camera: EmulatorTiming },
): EmulatedDevices {
  const fingerprint = new R30xEmulator(timing ? { timing: timing.fingerprint } : {});
  const camera = new Vc0706Emulator({
    frames: [BLANK_FRAME],
    scale: scaleFrame,
    ...(timing ? { timing: timing.camera } : {}),
  });
  const badge = new KeyboardWedge();
  const binding = new EmulatorBinding();
  const sensorPath = `/dev/serial/by-id/usb-muster-emulated-${name}-fingerprint`;
  const cameraPath = `/dev/serial/by-id/usb-muster-emulated-${name}-camera`;
  binding.attach(sensorPath, fingerprint);
  binding.attach(cameraPath, camera);
  return {
    fingerprint,
    camera,
    badge,
    devices: {
      fingerprint: { family: 'r30x', path: sensorPath },
      camera: { path: cameraPath, resolution: '320x240' },
      badge: { hid: { path: `/dev/muster-emulated-${name}-badge` } },
    },
    inProcess: { binding, badgeSource: () => badge.open() },
    close: () => Promise.resolve(),
  };
}

/** Emulators on socat PTY pairs: the kiosk opens the host ends by path, through the native serialport binding. */
export async function ptyDevices(): Promise<EmulatedDevices> {
  const dir = mkdtempSync(join(tmpdir(), 'muster-kiosk-tty-'));
  const pairs: PtyPair[] = [];
  const attachments: SerialAttachment[] = [];
  const close = async (): Promise<void> => {
    for (const a of attachments.splice(0)) await a.close().catch(() => undefined);
    for (const p of pairs.splice(0)) await p.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // No pacing at the baud rate: a 40 KB frame at 38400 baud takes ten seconds, which says nothing new here.
    const fingerprint = new R30xEmulator();
    const camera = new Vc0706Emulator({ frames: [BLANK_FRAME] });
    const badge = new KeyboardWedge();
    const [sensorTty, cameraTty, badgeTty] = [
      await openPtyPair(dir, 'fingerprint'),
      await openPtyPair(dir, 'camera'),
      await openPtyPair(dir, 'badge'),
    ];
    pairs.push(sensorTty, cameraTty, badgeTty);
    attachments.push(await attachToSerialPath(fingerprint, sensorTty.device, DEFAULT_BAUD.r30x));
    attachments.push(await attachToSerialPath(camera, cameraTty.device, DEFAULT_BAUD.vc0706));
    attachments.push(await attachWedgeToSerialPath(badge, badgeTty.device));
    return {
      fingerprint,
      camera,
      badge,
      devices: {
        fingerprint: { family: 'r30x', path: sensorTty.host },
        camera: { path: cameraTty.host, chunkSize: 4096 },
        badge: { tty: badgeTty.host },
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** What a VC0706 set to a smaller image size sends: the emulated frame scaled down and re-encoded. */
function scaleFrame(frame: Uint8Array, resolution: Resolution): Uint8Array {
  const [width, height] = resolution.split('x').map(Number) as [number, number];
  return shrinkJpeg(frame, width, height);
}
