// VC0706 rigs: the real driver against the camera emulator, in process or over a socat PTY pair.
import { Vc0706Camera, type Vc0706Options } from '../../../drivers/camera/vc0706-camera.ts';
import { Vc0706Decoder, type Vc0706Item } from '../../../drivers/camera/vc0706-codec.ts';
import { FrameChannel } from '../../../drivers/frame-channel.ts';
import { Vc0706Emulator } from '../../../hardware/vc0706-emulator.ts';
import { type LinkKind, emulatedLink } from './serial-link.ts';

export interface CameraRig {
  readonly camera: Vc0706Camera;
  readonly emulator: Vc0706Emulator;
  readonly channel: FrameChannel<Vc0706Item>;
  close(): Promise<void>;
}

export type CameraRigFactory = (
  frames: readonly Uint8Array[],
  options?: Vc0706Options,
  timeoutMs?: number,
) => Promise<CameraRig>;

export const mockCameraRig: CameraRigFactory = (frames, options = {}, timeoutMs = 500) =>
  cameraRig('mock', frames, options, timeoutMs);
export const ptyCameraRig: CameraRigFactory = (frames, options = {}, timeoutMs = 1000) =>
  cameraRig('pty', frames, options, timeoutMs);

async function cameraRig(
  kind: LinkKind,
  frames: readonly Uint8Array[],
  options: Vc0706Options,
  timeoutMs: number,
): Promise<CameraRig> {
  const emulator = new Vc0706Emulator({ frames });
  const link = await emulatedLink(kind, emulator, 38400);
  const decoder = new Vc0706Decoder();
  const channel = new FrameChannel(link.transport, decoder, { timeoutMs });
  try {
    const camera = new Vc0706Camera(channel, decoder, { bootTimeoutMs: timeoutMs, ...options });
    return {
      camera,
      emulator,
      channel,
      close: async () => {
        await camera.close();
        await link.close();
      },
    };
  } catch (error) {
    await link.close();
    throw error;
  }
}
