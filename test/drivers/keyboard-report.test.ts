// Keyboard-report decoding: golden reports in hex, the wedge emulator's reports, vendor data mode, and properties.
import { EventEmitter } from 'node:events';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex } from '../../core/bytes.ts';
import { DeviceError } from '../../drivers/device-error.ts';
import type { ByteLink, ByteLinkEvents } from '../../drivers/byte-link.ts';
import {
  DataModeDecoder,
  KeyboardReportDecoder,
  MAX_CARD_CHARS,
  type ReportDecoded,
} from '../../drivers/badge/keyboard-report.ts';
import { StreamReportSource } from '../../drivers/badge/report-source.ts';
import { wedgeReports } from '../../hardware/keyboard-wedge.ts';

const SEED = 20261129;
const cards = (out: readonly ReportDecoded[]): string[] => out.flatMap((o) => ('card' in o ? [o.card.number] : []));
const codes = (out: readonly ReportDecoded[]): string[] => out.flatMap((o) => ('error' in o ? [o.error.code] : []));
const decode = (hexReports: readonly string[], decoder = new KeyboardReportDecoder()): ReportDecoded[] =>
  hexReports.flatMap((h) => decoder.push(fromHex(h.replaceAll(' ', ''))));

describe('keyboard reports (golden)', () => {
  it('types "12" then Enter, with releases', () => {
    expect(
      cards(
        decode([
          '00 00 1e 00 00 00 00 00', // '1' down
          '00 00 00 00 00 00 00 00', // up
          '00 00 1f 00 00 00 00 00', // '2' down
          '00 00 00 00 00 00 00 00',
          '00 00 28 00 00 00 00 00', // Enter
          '00 00 00 00 00 00 00 00',
        ]),
      ),
    ).toEqual(['12']);
  });

  it('counts a held key once and a key that moves slots not at all', () => {
    expect(
      cards(
        decode([
          '00 00 27 00 00 00 00 00', // '0' down
          '00 00 27 00 00 00 00 00', // still held: not a new press
          '00 00 27 1e 00 00 00 00', // '1' pressed while '0' held
          '00 00 1e 27 00 00 00 00', // same keys, reordered: nothing new
          '00 00 58 00 00 00 00 00', // keypad Enter
        ]),
      ),
    ).toEqual(['01']);
  });

  it('reads keypad digits and shifted letters', () => {
    expect(
      cards(
        decode([
          '00 00 59 00 00 00 00 00',
          '00 00 62 00 00 00 00 00',
          '02 00 04 00 00 00 00 00',
          '00 00 05 00 00 00 00 00',
          '00 00 28 00 00 00 00 00',
        ]),
      ),
    ).toEqual(['10Ab']);
  });

  it('drops a partial number on rollover, and a report of the wrong size', () => {
    const out = decode([
      '00 00 1e 00 00 00 00 00',
      '00 00 01 01 01 01 01 01',
      '00 00 1f 00 00 00 00 00',
      '00 00 28 00 00 00 00 00',
      '00 00 00',
    ]);
    expect(cards(out)).toEqual(['2']);
    expect(codes(out)).toEqual(['badge.rollover', 'device.bad-frame']);
  });

  it('ignores Enter with no number and bounds the length', () => {
    const decoder = new KeyboardReportDecoder();
    expect(decode(['00 00 28 00 00 00 00 00'], decoder)).toEqual([]);
    const long = wedgeReports('7'.repeat(MAX_CARD_CHARS + 1));
    const out = long.flatMap((r) => decoder.push(r));
    expect(codes(out)).toEqual(['badge.too-long']);
  });
});

describe('vendor data mode', () => {
  it('reads a UID as upper-case hex and ASCII numbers as text', () => {
    expect(cards(new DataModeDecoder('hex').push(fromHex('04deadbeef000000')))).toEqual(['DEADBEEF']);
    expect(cards(new DataModeDecoder('ascii').push(fromHex('0430303432000000')))).toEqual(['0042']);
    expect(codes(new DataModeDecoder('hex').push(fromHex('09deadbeef')))).toEqual(['device.bad-frame']);
    expect(new DataModeDecoder().push(new Uint8Array(8))).toEqual([]);
  });
});

describe('keyboard decoder properties (fast-check, fixed seed)', () => {
  const card = fc.stringMatching(/^[0-9A-Za-z]{1,20}$/);
  it('decodes whatever the wedge types, in every typing style', () => {
    fc.assert(
      fc.property(
        fc.array(card, { minLength: 1, maxLength: 5 }),
        fc.boolean(),
        fc.boolean(),
        (numbers, keypad, releaseBetweenKeys) => {
          const decoder = new KeyboardReportDecoder();
          const out = numbers
            .flatMap((n) => wedgeReports(n, { keypad, releaseBetweenKeys }))
            .flatMap((r) => decoder.push(r));
          expect(cards(out)).toEqual(numbers);
        },
      ),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('never throws on any reports, in either mode', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 12 }), { maxLength: 100 }), (reports) => {
        const keyboard = new KeyboardReportDecoder();
        const data = new DataModeDecoder('ascii');
        for (const report of reports) {
          for (const item of [...keyboard.push(report), ...data.push(report)]) {
            if ('error' in item) expect(item.error).toBeInstanceOf(DeviceError);
            else expect(item.card.number.length).toBeLessThanOrEqual(MAX_CARD_CHARS);
          }
        }
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
});

describe('stream report reassembly (fast-check, fixed seed)', () => {
  class Tty extends EventEmitter<ByteLinkEvents> implements ByteLink {
    readonly connected = true;
    write(): Promise<void> {
      return Promise.resolve();
    }
    close(): Promise<void> {
      return Promise.resolve();
    }
  }

  it('yields the same 8-byte reports however a tty splits them', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 8, maxLength: 8 }), { maxLength: 20 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (reports, cuts) => {
          const link = new Tty();
          const source = new StreamReportSource(link, 8);
          const seen: string[] = [];
          source.on('data', (r) => seen.push(Buffer.from(r).toString('hex')));
          const bytes = Buffer.concat(reports);
          let last = 0;
          for (const cut of [...new Set(cuts.map((c) => c % (bytes.length + 1)))]
            .sort((a, b) => a - b)
            .concat(bytes.length)) {
            link.emit('data', new Uint8Array(bytes.subarray(last, cut)));
            last = cut;
          }
          expect(seen).toEqual(reports.map((r) => Buffer.from(r).toString('hex')));
        },
      ),
      { seed: SEED, numRuns: 200 },
    );
  });
});
