// The serial camera's image size: set from the kiosk configuration when the camera opens, and honoured by the
// emulator, which sends its frames scaled to that size (so a check-in's frame costs the wire what a 320x240
// frame costs, about a third of a 640x480 one). Real VC0706 bytes over the emulator binding, the real driver.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openCamera } from '../../drivers/open-device.ts';
import { jpegSize, shrinkJpeg } from '../../face/jpeg.ts';
import { inProcessDevices } from '../../main/kiosk/emulated-devices.ts';
import { parseKioskConfig } from '../../main/kiosk/kiosk-config.ts';
import { EmulatorBinding } from '../../hardware/mock-link.ts';
import { Vc0706Emulator } from '../../hardware/vc0706-emulator.ts';
import { FACES_DIR, encode, kioskFrame, decode } from '../face/camera.ts';

const KIOSK = { centre: 'c', kiosk: 'c/k', dataDir: 'data', broker: { url: 'mqtt://127.0.0.1:1883' } };
const frame = encode(kioskFrame(decode(readFileSync(new URL('obama_1.jpg', FACES_DIR)))), 88);

describe('the serial camera at a configured image size', () => {
  it('sends a 320x240 JPEG, about a third of the bytes, once the kiosk sets that size; 640x480 is the frame as given', async () => {
    const devices = inProcessDevices(`resolution-${process.pid}`);
    devices.camera.setFrames([frame]);
    const binding = devices.inProcess?.binding;
    const settings = parseKioskConfig({ ...KIOSK, devices: devices.devices }, 'kiosk.json', '/tmp').devices.camera;
    if (!binding || !settings) throw new Error('the emulated kiosk has no in-process camera');
    expect(settings.resolution).toBe('320x240');
    const small = await openCamera({ target: settings.target, resolution: settings.resolution ?? '640x480', binding });
    const bytes = await small.device.capture();
    expect(jpegSize(bytes)).toEqual({ width: 320, height: 240 });
    expect(bytes.length).toBeLessThan(frame.length / 2);
    expect(await small.device.resolution()).toBe('320x240');
    await small.device.setResolution('640x480');
    expect(await small.device.capture()).toEqual(frame);
    await small.device.close();
  });

  it('without a scaler serves the frames as given at every size', async () => {
    const binding = new EmulatorBinding();
    const path = `/dev/serial/by-id/usb-resolution-${process.pid}-plain`;
    binding.attach(path, new Vc0706Emulator({ frames: [frame] }));
    const camera = await openCamera({ target: { path }, resolution: '160x120', binding });
    expect(await camera.device.capture()).toEqual(frame);
    await camera.device.close();
  });

  it('never enlarges a frame smaller than the size asked for', () => {
    const tiny = shrinkJpeg(frame, 160, 120);
    expect(jpegSize(tiny)).toEqual({ width: 160, height: 120 });
    expect(shrinkJpeg(tiny, 320, 240)).toBe(tiny);
  });

  it('reads the size from the kiosk configuration and refuses one the module does not have', () => {
    const config = (resolution: unknown): unknown => ({
      ...KIOSK,
      devices: { fingerprint: { family: 'r30x', path: '/dev/ttyUSB0' }, camera: { path: '/dev/ttyUSB1', resolution } },
    });
    expect(parseKioskConfig(config('320x240'), 'kiosk.json', '/tmp').devices.camera).toMatchObject({
      resolution: '320x240',
    });
    expect(() => parseKioskConfig(config('1920x1080'), 'kiosk.json', '/tmp')).toThrow(/devices\.camera\.resolution/);
  });
});
