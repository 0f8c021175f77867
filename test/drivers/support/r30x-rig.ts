// R30x rigs: the real driver, transport and channel against the emulator, in process or over a socat PTY pair.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FrameChannel } from '../../../drivers/frame-channel.ts';
import { R30xDecoder, type R30xPacket } from '../../../drivers/fingerprint/r30x-codec.ts';
import { R30xSensor } from '../../../drivers/fingerprint/r30x-sensor.ts';
import { SerialTransport } from '../../../drivers/serial-transport.ts';
import { EmulatorBinding } from '../../../hardware/mock-link.ts';
import { attachToSerialPath } from '../../../hardware/pty-link.ts';
import { openPtyPair } from '../../../hardware/pty-pair.ts';
import { R30xEmulator, type R30xEmulatorOptions } from '../../../hardware/r30x-emulator.ts';
import type { FingerprintRig } from './fingerprint-contract.ts';

export interface R30xRig extends FingerprintRig {
  readonly sensor: R30xSensor;
  readonly emulator: R30xEmulator;
  readonly transport: SerialTransport;
  readonly channel: FrameChannel<R30xPacket>;
}

let counter = 0;

export async function mockR30xRig(options: R30xEmulatorOptions = {}, timeoutMs = 500): Promise<R30xRig> {
  const emulator = new R30xEmulator(options);
  const binding = new EmulatorBinding();
  const path = `/dev/serial/by-id/usb-emulated-r30x-${process.pid}-${++counter}`;
  binding.attach(path, emulator);
  const transport = new SerialTransport({ target: { path }, baudRate: 57600, binding, reconnect: { initialMs: 5, maxMs: 40 } });
  await transport.open();
  return rig(emulator, transport, timeoutMs, options, () => Promise.resolve());
}

export async function ptyR30xRig(options: R30xEmulatorOptions = {}, timeoutMs = 1000): Promise<R30xRig> {
  const dir = mkdtempSync(join(tmpdir(), 'muster-r30x-'));
  const pair = await openPtyPair(dir);
  const emulator = new R30xEmulator(options);
  const attachment = await attachToSerialPath(emulator, pair.device, 57600);
  const transport = new SerialTransport({ target: { path: pair.host }, baudRate: 57600, reconnect: false });
  await transport.open();
  return rig(emulator, transport, timeoutMs, options, async () => {
    await attachment.close();
    await pair.close();
    rmSync(dir, { recursive: true, force: true });
  });
}

async function rig(emulator: R30xEmulator, transport: SerialTransport, timeoutMs: number, options: R30xEmulatorOptions, cleanup: () => Promise<void>): Promise<R30xRig> {
  const channel = new FrameChannel(transport, new R30xDecoder(), { timeoutMs });
  const sensor = await R30xSensor.connect(channel, { model: options.model ?? 'R307', pollMs: 1, slowTimeoutMs: timeoutMs });
  return {
    sensor,
    emulator,
    transport,
    channel,
    place: (finger) => { emulator.finger = finger; },
    close: async () => {
      await sensor.close();
      await cleanup();
    },
  };
}
