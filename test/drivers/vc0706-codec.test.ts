// VC0706 codec: the request table of hardware-protocols.md as golden vectors, reply framing (boot text, raw frame
// data), and properties over any bytes for both the host's and the emulator's decoder.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../core/bytes.ts';
import {
  FrameControl,
  Vc0706Command,
  Vc0706Decoder,
  Vc0706RequestDecoder,
  readFrameArgs,
  vc0706Reply,
  vc0706Request,
} from '../../drivers/camera/vc0706-codec.ts';
import { DeviceError } from '../../drivers/device-error.ts';

const SEED = 20261129;
const hex = (spaced: string): Uint8Array => fromHex(spaced.replaceAll(' ', ''));
const kinds = (items: ReturnType<Vc0706Decoder['push']>): string[] =>
  items.map((i) => ('frame' in i ? i.frame.kind : i.error.code));

describe('VC0706 golden vectors', () => {
  const cases: ReadonlyArray<readonly [string, Uint8Array, string]> = [
    // 56 | serial 00 | command | arg length | args
    ['reset', vc0706Request(Vc0706Command.reset), '56 00 26 00'],
    ['version', vc0706Request(Vc0706Command.version), '56 00 11 00'],
    // set image size 160x120: 04 01 00 19 then the size code 22
    [
      'set size 160x120',
      vc0706Request(Vc0706Command.setImageSize, [0x04, 0x01, 0x00, 0x19, 0x22]),
      '56 00 31 05 04 01 00 19 22',
    ],
    ['get size', vc0706Request(Vc0706Command.getImageSize, [0x04, 0x01, 0x00, 0x19]), '56 00 30 04 04 01 00 19'],
    // frame control 00: stop the current frame (take the picture); 03 resume
    ['take picture', vc0706Request(Vc0706Command.frameControl, [FrameControl.stopCurrent]), '56 00 36 01 00'],
    ['resume', vc0706Request(Vc0706Command.frameControl, [FrameControl.resume]), '56 00 36 01 03'],
    ['frame length', vc0706Request(Vc0706Command.frameLength, [0x00]), '56 00 34 01 00'],
    // read frame: 0C bytes of args: 00 0A, address 00000020, length 00000020, delay 000A
    [
      'read 32 bytes at 32',
      vc0706Request(Vc0706Command.readFrame, readFrameArgs(32, 32, 10)),
      '56 00 32 0c 00 0a 00000020 00000020 000a',
    ],
    // 76 | serial | command | status 00 | data length 04 | length BE
    ['frame length reply', vc0706Reply(Vc0706Command.frameLength, 0, [0, 0, 0x1f, 0x40]), '76 00 34 00 04 00 00 1f 40'],
  ];
  for (const [name, bytes, expected] of cases) {
    it(name, () => {
      expect(toHex(bytes)).toBe(expected.replaceAll(' ', ''));
    });
  }

  it('decodes a reset reply followed by boot text when told to', () => {
    const decoder = new Vc0706Decoder();
    decoder.expectBoot();
    const boot = Array.from('VC0703 1.00\r\nInit end\r\n', (c) => c.charCodeAt(0));
    expect(kinds(decoder.push(Uint8Array.from([...hex('76 00 26 00 00'), ...boot, ...hex('76 00 11 00 00')])))).toEqual(
      ['reply', 'boot', 'reply'],
    );
  });

  it('decodes a frame read: reply, raw bytes (even ones that look like a reply), reply', () => {
    const decoder = new Vc0706Decoder();
    decoder.expectData(6);
    const items = decoder.push(hex('76 00 32 00 00  ff d8 76 00 32 00  76 00 32 00 00'));
    expect(kinds(items)).toEqual(['reply', 'data', 'reply']);
    const data = items[1];
    expect(data && 'frame' in data && data.frame.kind === 'data' && toHex(data.frame.bytes)).toBe('ffd876003200');
  });

  it('flags an impossible reply header and resyncs', () => {
    expect(kinds(new Vc0706Decoder().push(hex('42 76 00 11 09 00 76 00 11 00 00')))).toEqual([
      'device.noise',
      'device.bad-frame',
      'device.noise',
      'reply',
    ]);
  });
});

describe('VC0706 decoder properties (fast-check, fixed seed)', () => {
  it('never throws and stays bounded on any bytes, armed or not', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.uint8Array({ maxLength: 400 }), fc.constantFrom('none', 'boot', 'data')), {
          maxLength: 20,
        }),
        (steps) => {
          const decoder = new Vc0706Decoder();
          const requests = new Vc0706RequestDecoder();
          for (const [bytes, arm] of steps) {
            if (arm === 'boot') decoder.expectBoot();
            if (arm === 'data') decoder.expectData(64);
            for (const item of [...decoder.push(bytes), ...requests.push(bytes)])
              if ('error' in item) expect(item.error).toBeInstanceOf(DeviceError);
            expect(decoder.buffered).toBeLessThanOrEqual(512 + 69);
            expect(requests.buffered).toBeLessThanOrEqual(4 + 255);
          }
        },
      ),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('round-trips replies and requests however they are split', () => {
    const reply = fc.record({
      command: fc.integer({ min: 0, max: 255 }),
      status: fc.integer({ min: 0, max: 5 }),
      data: fc.uint8Array({ maxLength: 64 }),
    });
    fc.assert(
      fc.property(fc.array(reply, { minLength: 1, maxLength: 6 }), fc.nat(), (replies, cut) => {
        const bytes = Uint8Array.from(replies.flatMap((r) => [...vc0706Reply(r.command, r.status, r.data)]));
        const at = cut % (bytes.length + 1);
        const decoder = new Vc0706Decoder();
        const out = [...decoder.push(bytes.subarray(0, at)), ...decoder.push(bytes.subarray(at))];
        expect(
          out.map((o) =>
            'frame' in o && o.frame.kind === 'reply'
              ? toHex(vc0706Reply(o.frame.command, o.frame.status, o.frame.data))
              : 'x',
          ),
        ).toEqual(replies.map((r) => toHex(vc0706Reply(r.command, r.status, r.data))));
        const requests = new Vc0706RequestDecoder();
        const req = Uint8Array.from(replies.flatMap((r) => [...vc0706Request(r.command, [...r.data])]));
        expect(requests.push(req).filter((o) => 'frame' in o)).toHaveLength(replies.length);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });
});
