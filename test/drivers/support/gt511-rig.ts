// GT-511C3 rigs: the second family's real driver against its emulator, in process or over a socat PTY pair.
import { FrameChannel } from '../../../drivers/frame-channel.ts';
import { Gt511Decoder, type Gt511Item } from '../../../drivers/fingerprint/gt511-codec.ts';
import { Gt511Sensor } from '../../../drivers/fingerprint/gt511-sensor.ts';
import { Gt511Emulator } from '../../../hardware/gt511-emulator.ts';
import type { FingerprintRig } from './fingerprint-contract.ts';
import { type LinkKind, emulatedLink } from './serial-link.ts';

export interface Gt511Rig extends FingerprintRig {
  readonly sensor: Gt511Sensor;
  readonly emulator: Gt511Emulator;
  readonly channel: FrameChannel<Gt511Item>;
}

/** GT-511C3 default: 9600 baud. */
export async function gt511Rig(kind: LinkKind, timeoutMs = kind === 'pty' ? 1000 : 500): Promise<Gt511Rig> {
  const emulator = new Gt511Emulator();
  const link = await emulatedLink(kind, emulator, 9600);
  const decoder = new Gt511Decoder();
  const channel = new FrameChannel(link.transport, decoder, { timeoutMs });
  const sensor = await Gt511Sensor.connect(channel, decoder, { pollMs: 1, slowTimeoutMs: timeoutMs });
  return {
    sensor,
    emulator,
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
