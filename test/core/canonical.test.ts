import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../core/bytes.ts';
import { decodeCanonical, encodeCanonical } from '../../core/canonical.ts';

// Golden vectors: RFC 8949 Appendix A examples that are already in core deterministic form,
// plus map-key ordering from §4.2.1 (bytewise on the encoded keys, so "b" < "aa").
const GOLDEN: Array<[string, unknown, string]> = [
  ['zero', 0, '00'],
  ['23', 23, '17'],
  ['24', 24, '1818'],
  ['1000', 1000, '1903e8'],
  ['1000000', 1000000, '1a000f4240'],
  ['-1', -1, '20'],
  ['-1000', -1000, '3903e7'],
  ['1.5 (shortest float)', 1.5, 'f93e00'],
  ['1.1 (needs float64)', 1.1, 'fb3ff199999999999a'],
  ['false', false, 'f4'],
  ['null', null, 'f6'],
  ['empty bytes', new Uint8Array(), '40'],
  ['bytes', fromHex('01020304'), '4401020304'],
  ['text', 'IETF', '6449455446'],
  ['unicode', '\u00fc', '62c3bc'],
  ['array', [1, [2, 3], [4, 5]], '8301820203820405'],
  ['map order (encoded keys bytewise: "b" before "aa")', { aa: 1, b: 2 }, 'a261620262616101'],
  ['nested map', { a: 1, b: [2, 3] }, 'a26161016162820203'],
];

describe('deterministic CBOR', () => {
  it.each(GOLDEN)('encodes %s to its golden bytes and back', (_name, value, hex) => {
    const bytes = encodeCanonical(value as never);
    expect(toHex(bytes)).toBe(hex);
    expect(decodeCanonical(bytes)).toEqual(value);
  });

  it.each([
    ['non-minimal integer', '1817'],
    ['non-minimal length', '780149'],
    ['unsorted map keys', 'a2616202616101'],
    ['indefinite-length array', '9f0102ff'],
    ['float64 where float16 suffices', 'fb3ff8000000000000'],
    ['undefined', 'f7'],
    ['NaN', 'f97e00'],
    ['duplicate map keys', 'a2616101616102'],
    ['truncated', '8301'],
    ['tagged value', 'c11a514b67b0'],
  ])('refuses %s', (_name, hex) => {
    expect(() => decodeCanonical(fromHex(hex))).toThrow(/CBOR/);
  });

  it('refuses values it cannot encode deterministically', () => {
    expect(() => encodeCanonical({ a: Number.NaN })).toThrow(/finite/);
    expect(() => encodeCanonical({ a: 2 ** 60 })).toThrow(/safe range/);
    expect(() => encodeCanonical({ a: new Date() } as never)).toThrow(/cannot be encoded/);
    let deep: unknown = 1;
    for (let i = 0; i < 40; i++) deep = [deep];
    expect(() => encodeCanonical(deep as never)).toThrow(/deeper/);
  });
});
