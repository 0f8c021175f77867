// Opening devices from configuration: each family comes up behind its interface, with a health source the
// registry can track; a missing HID reader is a typed error.
import { afterEach, describe, expect, it } from 'vitest';
import { DeviceRegistry } from '../../drivers/device-registry.ts';
import { openBadgeReader, openCamera, openFingerprintSensor } from '../../drivers/open-device.ts';
import type { SerialEmulator } from '../../hardware/emulator.ts';
import { Gt511Emulator } from '../../hardware/gt511-emulator.ts';
import { EmulatorBinding } from '../../hardware/mock-link.ts';
import { R30xEmulator } from '../../hardware/r30x-emulator.ts';
import { Vc0706Emulator } from '../../hardware/vc0706-emulator.ts';
import { testJpeg } from './support/jpeg.ts';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

let n = 0;
function on(emulator: SerialEmulator): { binding: EmulatorBinding; target: { path: string } } {
  const binding = new EmulatorBinding();
  const path = `/dev/serial/by-id/usb-open-device-${process.pid}-${++n}`;
  binding.attach(path, emulator);
  return { binding, target: { path } };
}

describe('openFingerprintSensor / openCamera / openBadgeReader', () => {
  it('opens both fingerprint families and a camera, tracked by one registry', async () => {
    const registry = new DeviceRegistry();
    const r30x = await openFingerprintSensor({
      family: 'r30x',
      model: 'R503',
      ...on(new R30xEmulator({ model: 'R503' })),
    });
    const gt511 = await openFingerprintSensor({ family: 'gt511', ...on(new Gt511Emulator()) });
    const jpeg = testJpeg(8, 8, 3);
    const camera = await openCamera({ camera: { chunkSize: 64 }, ...on(new Vc0706Emulator({ frames: [jpeg] })) });
    closers.push(
      () => r30x.device.close(),
      () => gt511.device.close(),
      () => camera.device.close(),
    );
    registry.track('fp-a', 'fingerprint', r30x.health);
    registry.track('fp-b', 'fingerprint', gt511.health);
    registry.track('cam', 'camera', camera.health);
    expect([r30x.device.info.family, r30x.device.info.hasLed, gt511.device.info.family]).toEqual([
      'r30x',
      true,
      'gt511',
    ]);
    expect(await camera.device.capture()).toEqual(jpeg);
    expect(registry.all().map((h) => h.state)).toEqual(['ok', 'ok', 'ok']);
  });

  it('reports a reader that is not there as device.not-found', async () => {
    await expect(
      openBadgeReader({ target: { vendorId: 0xffff, productId: 0xfffd }, reconnect: false }),
    ).rejects.toMatchObject({ code: 'device.not-found' });
  });
});
