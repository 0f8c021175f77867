// The VC0706 camera contract, in process and on a real PTY: reset and boot text, version, resolution, whole-frame
// capture with integrity checks, resume to the next frame, faults and timeouts.
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { toHex } from '../../core/bytes.ts';
import { VC0706_BOOT_TEXT } from '../../hardware/vc0706-emulator.ts';
import { type CameraRig, type CameraRigFactory, mockCameraRig, ptyCameraRig } from './support/camera-rig.ts';
import { testJpeg } from './support/jpeg.ts';

const FRAMES = [testJpeg(24, 16, 1), testJpeg(16, 16, 2)];
const rigs: CameraRig[] = [];
afterEach(async () => {
  await Promise.all(rigs.splice(0).map((r) => r.close()));
});

function contract(label: string, make: CameraRigFactory): void {
  const open = async (...args: Parameters<CameraRigFactory>): Promise<CameraRig> => {
    const r = await make(...args);
    rigs.push(r);
    return r;
  };

  describe(`VC0706 camera contract: ${label}`, () => {
    it('resets, draining the boot text, and reports its version', async () => {
      const rig = await open(FRAMES);
      expect(await rig.camera.reset()).toBe(VC0706_BOOT_TEXT);
      expect(await rig.camera.version()).toBe('VC0703 1.00');
    });

    it('sets and reads the resolution', async () => {
      const rig = await open(FRAMES);
      await rig.camera.setResolution('160x120');
      expect(await rig.camera.resolution()).toBe('160x120');
    });

    it('captures whole frames, then resumes to the next one', async () => {
      const rig = await open(FRAMES, { chunkSize: 40 });
      expect(toHex(await rig.camera.capture())).toBe(toHex(FRAMES[0] as Uint8Array));
      expect(toHex(await rig.camera.capture())).toBe(toHex(FRAMES[1] as Uint8Array));
    });

    it('rejects a frame that is not a whole JPEG', async () => {
      const truncated = (FRAMES[0] as Uint8Array).slice(0, 200);
      const rig = await open([truncated]);
      await expect(rig.camera.capture()).rejects.toMatchObject({ code: 'device.bad-frame' });
    });

    it('times out on a short chunk and the next capture is whole', async () => {
      const rig = await open(FRAMES, {}, 150);
      rig.emulator.inject('short');
      await expect(rig.camera.capture()).rejects.toMatchObject({ code: 'device.timeout' });
      rig.emulator.nextFrame(0);
      expect(toHex(await rig.camera.capture())).toBe(toHex(FRAMES[0] as Uint8Array));
    });

    // The protocol has no checksum: a corrupted byte is caught only where it breaks framing or the JPEG.
    it('fails fast on a corrupted frame reply and survives stray bytes', async () => {
      const rig = await open(FRAMES);
      await rig.camera.version();
      rig.emulator.inject('stray');
      rig.emulator.inject('stray');
      rig.emulator.inject('checksum');
      await expect(rig.camera.capture()).rejects.toMatchObject({ code: 'device.bad-frame' });
      rig.emulator.nextFrame(0);
      expect(toHex(await rig.camera.capture())).toBe(toHex(FRAMES[0] as Uint8Array));
    });
  });
}

contract('in process', mockCameraRig);
contract('PTY', ptyCameraRig);

describe('VC0706 camera specifics', () => {
  it('fails requests once unplugged', async () => {
    const rig = await mockCameraRig(FRAMES);
    rigs.push(rig);
    rig.emulator.unplug();
    await once(rig.channel, 'disconnected');
    await expect(rig.camera.capture()).rejects.toMatchObject({ code: 'device.disconnected' });
  });

  it('refuses a chunk size that is not a multiple of 8', async () => {
    await expect(mockCameraRig(FRAMES, { chunkSize: 30 })).rejects.toBeInstanceOf(TypeError);
  });
});
