// Puts a keyboard-wedge emulator on a serial path: each 8-byte report is written to the tty, where the host reads
// them back with StreamReportSource. Used by `muster emulate badge` and the badge PTY tests.
import { SerialTransport } from '../drivers/serial-transport.ts';
import type { KeyboardWedge } from './keyboard-wedge.ts';
import type { SerialAttachment } from './pty-link.ts';

export async function attachWedgeToSerialPath(wedge: KeyboardWedge, path: string): Promise<SerialAttachment> {
  const port = new SerialTransport({ target: { path }, baudRate: 115_200, reconnect: false });
  await port.open();
  const onReport = (report: Uint8Array): void => {
    port.write(report).catch(() => undefined);
  };
  wedge.on('data', onReport);
  return {
    close: async () => {
      wedge.off('data', onReport);
      await port.close();
    },
  };
}
