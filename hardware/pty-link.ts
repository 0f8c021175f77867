// Runs an emulator on a real serial path (one end of a socat PTY pair, or a USB-serial adapter looped to a kiosk),
// so the native serialport binding and the kernel tty are exercised. A PTY cannot signal an unplug: an unplugged
// emulator simply goes silent, and the host sees timeouts.
import { SerialTransport } from '../drivers/serial-transport.ts';
import type { SerialEmulator } from './emulator.ts';

export interface SerialAttachment {
  close(): Promise<void>;
}

export async function attachToSerialPath(
  emulator: SerialEmulator,
  path: string,
  baudRate: number,
): Promise<SerialAttachment> {
  const port = new SerialTransport({ target: { path }, baudRate, reconnect: false });
  await port.open();
  const onData = (bytes: Uint8Array): void => {
    emulator.receive(bytes);
  };
  const onOutput = (bytes: Uint8Array): void => {
    port.write(bytes).catch(() => undefined);
  };
  port.on('data', onData);
  emulator.on('output', onOutput);
  return {
    close: async () => {
      emulator.off('output', onOutput);
      port.off('data', onData);
      await port.close();
    },
  };
}
