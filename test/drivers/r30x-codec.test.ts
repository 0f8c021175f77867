// R30x framing: the worked frames of hardware-protocols.md as golden vectors, then properties over any bytes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../core/bytes.ts';
import { DeviceError } from '../../drivers/device-error.ts';
import {
  Pid,
  R30X_MAX_PAYLOAD,
  R30xDecoder,
  type R30xPacket,
  encodeR30x,
  r30xCommand,
} from '../../drivers/fingerprint/r30x-codec.ts';

const SEED = 20261129;
const MAX_BUFFER = 9 + R30X_MAX_PAYLOAD + 2;

const GOLDEN: ReadonlyArray<readonly [string, Uint8Array, string]> = [
  // header | address | PID command | LEN 3 | GenImg | sum 0005
  ['GenImg', r30xCommand(0x01), 'ef01 ffffffff 01 0003 01 0005'],
  // Img2Tz into char buffer 1
  ['Img2Tz buffer 1', r30xCommand(0x02, [1]), 'ef01 ffffffff 01 0004 02 01 0008'],
  // Search buffer 1, start page 0000, count 00A3
  ['Search 0..A3', r30xCommand(0x04, [1, 0x00, 0x00, 0x00, 0xa3]), 'ef01 ffffffff 01 0008 04 01 0000 00a3 00b1'],
  // VfyPwd with the default password 00000000
  ['VfyPwd 0', r30xCommand(0x13, [0, 0, 0, 0]), 'ef01 ffffffff 01 0007 13 00000000 001b'],
  // Acknowledge (PID 07), confirmation 00
  [
    'Ack OK',
    encodeR30x({ address: 0xffffffff, pid: Pid.ack, payload: Uint8Array.of(0) }),
    'ef01 ffffffff 07 0003 00 000a',
  ],
];

const hex = (spaced: string): Uint8Array => fromHex(spaced.replaceAll(' ', ''));

describe('R30x codec golden vectors', () => {
  for (const [name, encoded, expected] of GOLDEN) {
    it(`encodes ${name}`, () => {
      expect(toHex(encoded)).toBe(expected.replaceAll(' ', ''));
    });
    it(`decodes ${name}`, () => {
      const [item] = new R30xDecoder().push(hex(expected));
      expect(item && 'frame' in item && toHex(encodeR30x(item.frame))).toBe(expected.replaceAll(' ', ''));
    });
  }

  it('resyncs after a stray byte and a false header (EF not followed by 01)', () => {
    const decoder = new R30xDecoder();
    const out = decoder.push(hex(`55 ef 13 ef01ffffffff0700030000 0a`));
    expect(out.map((o) => ('frame' in o ? 'frame' : o.error.code))).toEqual(['device.noise', 'frame']);
  });

  it('reports a bad checksum and finds the next good frame', () => {
    const out = new R30xDecoder().push(hex('ef01 ffffffff 07 0003 00 000b ef01 ffffffff 07 0003 00 000a'));
    expect(out.map((o) => ('frame' in o ? 'frame' : o.error.code))).toEqual([
      'device.bad-checksum',
      'device.noise',
      'frame',
    ]);
  });

  it('rejects an impossible length without waiting for it', () => {
    const out = new R30xDecoder().push(hex('ef01 ffffffff 07 ffff'));
    expect(out.map((o) => ('frame' in o ? 'frame' : o.error.code))).toEqual(['device.bad-frame', 'device.noise']);
  });
});

const packet = fc.record({
  address: fc.integer({ min: 0, max: 0xffffffff }),
  pid: fc.constantFrom(Pid.command, Pid.data, Pid.ack, Pid.endData),
  payload: fc.uint8Array({ maxLength: R30X_MAX_PAYLOAD }),
});

/** Splits bytes at the given cut points, as a tty delivers them. */
function chunks(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let last = 0;
  for (const p of [...points, bytes.length]) {
    out.push(bytes.subarray(last, p));
    last = p;
  }
  return out;
}

function concatAll(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function frames(decoder: R30xDecoder, parts: readonly Uint8Array[]): R30xPacket[] {
  return parts.flatMap((p) => decoder.push(p)).flatMap((o) => ('frame' in o ? [o.frame] : []));
}

describe('R30x decoder properties (fast-check, fixed seed)', () => {
  it('never throws and keeps its buffer bounded on any bytes, in any chunks', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 600 }), { maxLength: 20 }), (parts) => {
        const decoder = new R30xDecoder();
        for (const part of parts) {
          for (const item of decoder.push(part)) if ('error' in item) expect(item.error).toBeInstanceOf(DeviceError);
          expect(decoder.buffered).toBeLessThanOrEqual(MAX_BUFFER);
        }
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('decodes any valid packets exactly, however the bytes are split', () => {
    fc.assert(
      fc.property(
        fc.array(packet, { minLength: 1, maxLength: 5 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        (packets, cuts) => {
          const bytes = concatAll(packets.map(encodeR30x));
          const decoded = frames(new R30xDecoder(), chunks(bytes, cuts));
          expect(decoded.map(encodeR30x).map(toHex)).toEqual(packets.map(encodeR30x).map(toHex));
        },
      ),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('recovers the next good packet after noise or a corrupted payload', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 64 }).map((n) => n.filter((b) => b !== 0xef)),
        packet,
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        packet,
        (noise, bad, at, flip, good) => {
          const corrupted = encodeR30x(bad);
          const index = 9 + (at % (corrupted.length - 9));
          corrupted[index] = (corrupted[index] ?? 0) ^ flip;
          const decoded = frames(new R30xDecoder(), [noise, corrupted, encodeR30x(good)]);
          expect(decoded.map((p) => toHex(encodeR30x(p)))).toContain(toHex(encodeR30x(good)));
          expect(decoded.map((p) => toHex(encodeR30x(p)))).not.toContain(toHex(encodeR30x(bad)));
        },
      ),
      { seed: SEED, numRuns: 200 },
    );
  });
});
