// VC0706 rigs: the real driver against the camera emulator, in process or over a socat PTY pair.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Vc0706Camera, type Vc0706Options } from '../../../drivers/camera/vc0706-camera.ts';
import { Vc0706Decoder, type Vc0706Item } from '../../../drivers/camera/vc0706-codec.ts';
import { FrameChannel } from '../../../drivers/frame-channel.ts';
import { SerialTransport } from '../../../drivers/serial-transport.ts';
import { EmulatorBinding } from '../../../hardware/mock-link.ts';
import { attachToSerialPath } from '../../../hardware/pty-link.ts';
import { openPtyPair } from '../../../hardware/pty-pair.ts';
import { Vc0706Emulator } from '../../../hardware/vc0706-emulator.ts';

export interface CameraRig {
  readonly camera: Vc0706Camera;
  readonly emulator: Vc0706Emulator;
  readonly channel: FrameChannel<Vc0706Item>;
  close(): Promise<void>;
}

export type CameraRigFactory = (frames: readonly Uint8Array[], options?: Vc0706Options, timeoutMs?: number) => Promise<CameraRig>;

let counter = 0;

export const mockCameraRig: CameraRigFactory = async (frames, options = {}, timeoutMs = 500) => {
  const emulator = new Vc0706Emulator({ frames });
  const binding = new EmulatorBinding();
  const path = `/dev/serial/by-id/usb-emulated-vc0706-${process.pid}-${++counter}`;
  binding.attach(path, emulator);
  const transport = new SerialTransport({ target: { path }, baudRate: 38400, binding, reconnect: { initialMs: 5, maxMs: 40 } });
  await transport.open();
  return rig(emulator, transport, options, timeoutMs, () => Promise.resolve());
};

export const ptyCameraRig: CameraRigFactory = async (frames, options = {}, timeoutMs = 1000) => {
  const dir = mkdtempSync(join(tmpdir(), 'muster-vc0706-'));
  const pair = await openPtyPair(dir);
  const emulator = new Vc0706Emulator({ frames });
  const attachment = await attachToSerialPath(emulator, pair.device, 38400);
  const transport = new SerialTransport({ target: { path: pair.host }, baudRate: 38400, reconnect: false });
  await transport.open();
  return rig(emulator, transport, options, timeoutMs, async () => {
    await attachment.close();
    await pair.close();
    rmSync(dir, { recursive: true, force: true });
  });
};

function rig(emulator: Vc0706Emulator, transport: SerialTransport, options: Vc0706Options, timeoutMs: number, cleanup: () => Promise<void>): CameraRig {
  const decoder = new Vc0706Decoder();
  const channel = new FrameChannel(transport, decoder, { timeoutMs });
  const camera = new Vc0706Camera(channel, decoder, { bootTimeoutMs: timeoutMs, ...options });
  return {
    camera,
    emulator,
    channel,
    close: async () => {
      await camera.close();
      await cleanup();
    },
  };
}
