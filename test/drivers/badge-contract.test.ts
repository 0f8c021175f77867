// The badge reader contract, with the keyboard-wedge emulator as the report source in process (standing in for
// node-hid, which needs a physical USB device) and on a real PTY (reports written to a tty, framed at 8 bytes).
import { mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Outcome } from '../../drivers/frame-channel.ts';
import { BadgeReader } from '../../drivers/badge/badge-reader.ts';
import { openHidSource } from '../../drivers/badge/node-hid-source.ts';
import { StreamReportSource } from '../../drivers/badge/report-source.ts';
import { SerialTransport } from '../../drivers/serial-transport.ts';
import { KeyboardWedge } from '../../hardware/keyboard-wedge.ts';
import { openPtyPair } from '../../hardware/pty-pair.ts';
import { attachWedgeToSerialPath } from '../../hardware/wedge-link.ts';

interface BadgeRig {
  readonly reader: BadgeReader;
  readonly wedge: KeyboardWedge;
  close(): Promise<void>;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function inProcess(keypad = false): Promise<BadgeRig> {
  const wedge = new KeyboardWedge({ keypad });
  const reader = new BadgeReader({ open: () => wedge.open(), reconnect: { initialMs: 1, maxMs: 4 } });
  await reader.open();
  return { reader, wedge, close: () => reader.close() };
}

async function overPty(keypad = false): Promise<BadgeRig> {
  const dir = mkdtempSync(join(tmpdir(), 'muster-badge-'));
  const pair = await openPtyPair(dir);
  const wedge = new KeyboardWedge({ keypad, releaseBetweenKeys: false });
  const attachment = await attachWedgeToSerialPath(wedge, pair.device);
  const reader = new BadgeReader({
    open: async () => {
      const link = new SerialTransport({ target: { path: pair.host }, baudRate: 115_200, reconnect: false });
      await link.open();
      return new StreamReportSource(link, 8);
    },
    reconnect: false,
  });
  await reader.open();
  return {
    reader,
    wedge,
    close: async () => {
      await reader.close();
      await attachment.close();
      await pair.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

for (const [label, make] of [
  ['in process', inProcess],
  ['PTY', overPty],
] as const) {
  describe(`badge reader contract: ${label}`, () => {
    it('reads tapped cards in order', async () => {
      const rig = await make();
      cleanups.push(() => rig.close());
      const seen: string[] = [];
      const third = new Promise<void>((resolve) => {
        rig.reader.on('card', (card) => {
          seen.push(card.number);
          if (seen.length === 3) resolve();
        });
      });
      rig.wedge.tap('0012345678');
      rig.wedge.tap('0012345678');
      rig.wedge.tap('A7F3');
      await third;
      expect(seen).toEqual(['0012345678', '0012345678', 'A7F3']);
    });

    it('reads keypad-typed numbers', async () => {
      const rig = await make(true);
      cleanups.push(() => rig.close());
      const next = rig.reader.nextCard(2000);
      rig.wedge.tap('9081726354');
      expect((await next).number).toBe('9081726354');
    });

    it('reports a rollover as a failed read, then reads the next card', async () => {
      const rig = await make();
      cleanups.push(() => rig.close());
      const failed = once(rig.reader, 'outcome') as Promise<[Outcome]>;
      rig.wedge.rollover();
      const [outcome] = await failed;
      expect(outcome).toMatchObject({ ok: false, error: { code: 'badge.rollover' } });
      const next = rig.reader.nextCard(2000);
      rig.wedge.tap('55');
      expect((await next).number).toBe('55');
    });
  });
}

describe('badge reader specifics', () => {
  it('reconnects once the reader pulled out is plugged back in', async () => {
    const rig = await inProcess();
    cleanups.push(() => rig.close());
    const down = once(rig.reader, 'disconnected');
    let connected = false;
    const up = new Promise<void>((resolve) =>
      rig.reader.once('connected', () => {
        connected = true;
        resolve();
      }),
    );
    rig.wedge.unplug();
    await down;
    // Unplugged, the reader cannot be opened: the reconnect keeps failing.
    await expect(rig.wedge.open()).rejects.toThrow(/no such HID device/);
    expect(connected).toBe(false);
    rig.wedge.replug();
    await up;
    const next = rig.reader.nextCard(2000);
    rig.wedge.tap('42');
    expect((await next).number).toBe('42');
  });

  it('times out waiting for a card', async () => {
    const rig = await inProcess();
    cleanups.push(() => rig.close());
    await expect(rig.reader.nextCard(5)).rejects.toMatchObject({ code: 'device.timeout' });
  });

  it('reports a missing USB reader as device.not-found (node-hid, no device here)', async () => {
    await expect(openHidSource({ vendorId: 0xffff, productId: 0xfffe })).rejects.toMatchObject({
      code: 'device.not-found',
    });
    const reader = new BadgeReader({ open: () => openHidSource({ path: '/dev/hidraw-absent' }), reconnect: false });
    await expect(reader.open()).rejects.toMatchObject({ code: 'device.not-found' });
  });
});
