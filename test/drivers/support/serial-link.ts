// Puts an emulator behind a real SerialTransport, either in process (binding-mock) or on a socat PTY pair (native
// binding, kernel ttys). Every driver rig builds on this, so each contract suite runs on both links.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialTransport } from '../../../drivers/serial-transport.ts';
import type { SerialEmulator } from '../../../hardware/emulator.ts';
import { EmulatorBinding } from '../../../hardware/mock-link.ts';
import { attachToSerialPath } from '../../../hardware/pty-link.ts';
import { openPtyPair } from '../../../hardware/pty-pair.ts';

export interface EmulatedLink {
  readonly transport: SerialTransport;
  /** Closes the host transport, the emulator's side and (for a PTY) socat. */
  close(): Promise<void>;
}

export type LinkKind = 'mock' | 'pty';

let counter = 0;

export async function emulatedLink(kind: LinkKind, emulator: SerialEmulator, baudRate: number): Promise<EmulatedLink> {
  if (kind === 'mock') {
    const binding = new EmulatorBinding();
    const path = `/dev/serial/by-id/usb-emulated-${process.pid}-${++counter}`;
    binding.attach(path, emulator);
    const transport = new SerialTransport({
      target: { path },
      baudRate,
      binding,
      reconnect: { initialMs: 5, maxMs: 40 },
    });
    await transport.open();
    return { transport, close: () => transport.close() };
  }
  const dir = mkdtempSync(join(tmpdir(), 'muster-pty-'));
  const pair = await openPtyPair(dir);
  const attachment = await attachToSerialPath(emulator, pair.device, baudRate);
  const transport = new SerialTransport({ target: { path: pair.host }, baudRate, reconnect: false });
  await transport.open();
  return {
    transport,
    close: async () => {
      await transport.close();
      await attachment.close();
      await pair.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
