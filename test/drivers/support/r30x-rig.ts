// R30x rigs: the real driver, transport and channel against the emulator, in process or over a socat PTY pair.
import { FrameChannel } from '../../../drivers/frame-channel.ts';
import { R30xDecoder, type R30xPacket } from '../../../drivers/fingerprint/r30x-codec.ts';
import { R30xSensor } from '../../../drivers/fingerprint/r30x-sensor.ts';
import type { SerialTransport } from '../../../drivers/serial-transport.ts';
import { R30xEmulator, type R30xEmulatorOptions } from '../../../hardware/r30x-emulator.ts';
import type { FingerprintRig } from './fingerprint-contract.ts';
import { type LinkKind, emulatedLink } from './serial-link.ts';

export interface R30xRig extends FingerprintRig {
  readonly sensor: R30xSensor;
  readonly emulator: R30xEmulator;
  readonly transport: SerialTransport;
  readonly channel: FrameChannel<R30xPacket>;
}

export const mockR30xRig = (options: R30xEmulatorOptions = {}, timeoutMs = 500): Promise<R30xRig> =>
  r30xRig('mock', options, timeoutMs);
export const ptyR30xRig = (options: R30xEmulatorOptions = {}, timeoutMs = 1000): Promise<R30xRig> =>
  r30xRig('pty', options, timeoutMs);

async function r30xRig(kind: LinkKind, options: R30xEmulatorOptions, timeoutMs: number): Promise<R30xRig> {
  const emulator = new R30xEmulator(options);
  const link = await emulatedLink(kind, emulator, 57600);
  const channel = new FrameChannel(link.transport, new R30xDecoder(), { timeoutMs });
  const sensor = await R30xSensor.connect(channel, {
    model: options.model ?? 'R307',
    pollMs: 1,
    slowTimeoutMs: timeoutMs,
  });
  return {
    sensor,
    emulator,
    transport: link.transport,
    channel,
    place: (finger) => {
      emulator.finger = finger;
    },
    close: async () => {
      await sensor.close();
      await link.close();
    },
  };
}
