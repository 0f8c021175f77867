// The serial transport: opening by USB id, failing list() (no udevadm), missing devices, unplug and replug with
// backoff on a new port object, and close() ending the reconnect loop.
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { BindingInterface } from '@serialport/bindings-cpp';
import { FrameChannel } from '../../drivers/frame-channel.ts';
import { R30xDecoder } from '../../drivers/fingerprint/r30x-codec.ts';
import { R30xSensor } from '../../drivers/fingerprint/r30x-sensor.ts';
import { SerialTransport } from '../../drivers/serial-transport.ts';
import { EmulatorBinding } from '../../hardware/mock-link.ts';
import { attachToSerialPath } from '../../hardware/pty-link.ts';
import { openPtyPair } from '../../hardware/pty-pair.ts';
import { R30xEmulator } from '../../hardware/r30x-emulator.ts';

let n = 0;
const transports: SerialTransport[] = [];
function transport(...args: ConstructorParameters<typeof SerialTransport>): SerialTransport {
  const t = new SerialTransport(...args);
  transports.push(t);
  return t;
}
afterEach(async () => {
  await Promise.all(transports.splice(0).map((t) => t.close()));
});

function emulated(usb?: { vendorId: string; productId: string }): {
  binding: EmulatorBinding;
  emulator: R30xEmulator;
  path: string;
} {
  const binding = new EmulatorBinding();
  const emulator = new R30xEmulator();
  const path = `/dev/ttyUSB-transport-${process.pid}-${++n}`;
  binding.attach(path, emulator, usb);
  return { binding, emulator, path };
}

describe('SerialTransport', () => {
  it('opens by USB vendor and product id, case-insensitively', async () => {
    const { binding } = emulated({ vendorId: '10c4', productId: 'ea60' });
    const t = transport({ target: { vendorId: '10C4', productId: 'EA60' }, baudRate: 57600, binding });
    await t.open();
    expect(t.connected).toBe(true);
  });

  it('rejects with device.not-found when list() fails (no udevadm), and start() keeps trying without crashing', async () => {
    let lists = 0;
    const broken: BindingInterface = {
      list: () => {
        lists++;
        return Promise.reject(new Error('spawn udevadm ENOENT'));
      },
      open: () => Promise.reject(new Error('unreachable')),
    };
    const t = transport({
      target: { vendorId: '10c4', productId: 'ea60' },
      baudRate: 57600,
      binding: broken,
      reconnect: { initialMs: 1, maxMs: 2 },
    });
    await expect(t.open()).rejects.toMatchObject({
      code: 'device.not-found',
      message: expect.stringContaining('udevadm') as unknown,
    });
    t.start();
    await expect.poll(() => lists).toBeGreaterThan(3);
    expect(t.connected).toBe(false);
  });

  it('rejects with device.not-found for a missing path or USB id', async () => {
    const { binding } = emulated();
    await expect(
      transport({ target: { path: '/dev/serial/by-id/absent' }, baudRate: 9600, binding }).open(),
    ).rejects.toMatchObject({ code: 'device.not-found' });
    await expect(
      transport({ target: { vendorId: '0403', productId: '6001' }, baudRate: 9600, binding }).open(),
    ).rejects.toMatchObject({ code: 'device.not-found' });
  });

  it('refuses a bad baud rate at the boundary', () => {
    expect(() => new SerialTransport({ target: { path: '/dev/x' }, baudRate: 0 })).toThrow(TypeError);
  });

  it('reconnects after an unplug on a new port, and stops when closed', async () => {
    const { binding, emulator, path } = emulated();
    const t = transport({ target: { path }, baudRate: 57600, binding, reconnect: { initialMs: 1, maxMs: 4 } });
    await t.open();
    const down = once(t, 'disconnected');
    emulator.unplug();
    const [reason] = (await down) as [{ code: string }];
    expect(reason.code).toBe('device.disconnected');
    await expect(t.write(Uint8Array.of(1))).rejects.toMatchObject({ code: 'device.disconnected' });
    const up = once(t, 'connected');
    emulator.replug();
    await up;
    expect(t.connected).toBe(true);
    await t.close();
    expect(t.connected).toBe(false);
  });

  it('starts in the background and connects once the device appears', async () => {
    const { binding, emulator, path } = emulated();
    emulator.unplug();
    const t = transport({ target: { path }, baudRate: 57600, binding, reconnect: { initialMs: 1, maxMs: 4 } });
    const up = once(t, 'connected');
    t.start();
    emulator.replug();
    await up;
    expect(t.connected).toBe(true);
  });

  it('lists real ports with the native binding or fails with a typed error', async () => {
    const t = transport({ target: { vendorId: 'ffff', productId: 'fffe' }, baudRate: 9600, reconnect: false });
    await expect(t.open()).rejects.toMatchObject({ code: 'device.not-found' });
  });
});

describe('SerialTransport on a real PTY', () => {
  // Killing socat may raise no close event on the host's tty; then the next write fails with EIO, and that is the unplug.
  it('detects a vanished tty on the next request and reconnects on a new port when it comes back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'muster-replug-'));
    const emulator = new R30xEmulator();
    let pair = await openPtyPair(dir);
    let attachment = await attachToSerialPath(emulator, pair.device, 57600);
    const t = transport({ target: { path: pair.host }, baudRate: 57600, reconnect: { initialMs: 5, maxMs: 50 } });
    await t.open();
    const channel = new FrameChannel(t, new R30xDecoder(), { timeoutMs: 1000 });
    const sensor = await R30xSensor.connect(channel);
    try {
      const down = once(channel, 'disconnected');
      await attachment.close();
      await pair.close();
      await expect(sensor.templateCount()).rejects.toMatchObject({ code: 'device.disconnected' });
      await down;
      const up = once(channel, 'connected');
      pair = await openPtyPair(dir);
      attachment = await attachToSerialPath(emulator, pair.device, 57600);
      await up;
      expect(await sensor.templateCount()).toBe(0);
    } finally {
      await attachment.close();
      await pair.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
