// Device profiles and the checked-in udev rules generated from them; the camera emulator on the shared face photos.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PROFILES, profileFor, udevRules } from '../../hardware/profiles.ts';
import { Vc0706Emulator } from '../../hardware/vc0706-emulator.ts';
import { mockCameraRig } from '../drivers/support/camera-rig.ts';
import { FACES_DIR } from '../face/camera.ts';

describe('device profiles', () => {
  it('match the checked-in udev rules', () => {
    expect(readFileSync(new URL('../../hardware/udev/99-muster.rules', import.meta.url), 'utf8')).toBe(udevRules());
  });

  it('give each kind a profile with lower-case hex USB ids and the protocol baud rates', () => {
    expect(profileFor('fingerprint').serial).toEqual({ family: 'r30x', baudRate: 57600 });
    expect(profileFor('fingerprint', 'gt511').serial).toEqual({ family: 'gt511', baudRate: 9600 });
    expect(profileFor('camera').serial).toEqual({ family: 'vc0706', baudRate: 38400 });
    for (const profile of PROFILES)
      for (const usb of profile.usb) expect(`${usb.vendorId}:${usb.productId}`).toMatch(/^[0-9a-f]{4}:[0-9a-f]{4}$/);
  });
});

describe('VC0706 emulator on the face photos in test/fixtures', () => {
  it('serves a real photo whole', async () => {
    const frames = Vc0706Emulator.framesFrom(fileURLToPath(FACES_DIR));
    expect(frames.length).toBeGreaterThan(0);
    const smallest = frames.reduce((a, b) => (b.length < a.length ? b : a));
    const rig = await mockCameraRig([smallest], { chunkSize: 4096 });
    try {
      expect(Buffer.compare(await rig.camera.capture(), smallest)).toBe(0);
    } finally {
      await rig.close();
    }
  });
});
