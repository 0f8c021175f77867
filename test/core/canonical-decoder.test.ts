// The one-pass decoder must accept exactly what decode-and-re-encode accepts (the definition of canonical
// it replaced), with the same values: checked on generated values, on mutations of their encodings and on
// random bytes, with fixed seeds.
import { decode } from 'cborg';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesEqual, fromHex } from '../../core/bytes.ts';
import { type CborValue, decodeCanonical, encodeCanonical } from '../../core/canonical.ts';
import { floatWidth } from '../../core/canonical-decoder.ts';

const SEED = 20261129;

/**
 * The reference: a general decoder, then re-encode and compare. Its text decoder drops a leading byte
 * order mark, so it refuses strings starting with U+FEFF that the encoder itself produces; the one-pass
 * decoder keeps them (tested below), and the comparisons leave such input out.
 */
function referenceDecode(bytes: Uint8Array): CborValue {
  const value = decode(bytes, {
    strict: true,
    allowIndefinite: false,
    allowUndefined: false,
    allowNaN: false,
    allowInfinity: false,
    allowBigInt: false,
    rejectDuplicateMapKeys: true,
  }) as CborValue;
  if (!bytesEqual(encodeCanonical(value), bytes)) throw new Error('non-canonical');
  return value;
}

function outcome(
  decoder: (bytes: Uint8Array) => CborValue,
  bytes: Uint8Array,
): { ok: true; value: CborValue } | { ok: false } {
  try {
    return { ok: true, value: decoder(bytes) };
  } catch {
    return { ok: false };
  }
}

/** Numbers the encoder takes: no -0 (it encodes as 0), no integers beyond the safe range. */
function encodable(x: number): boolean {
  return !Object.is(x, -0) && (!Number.isInteger(x) || Number.isSafeInteger(x));
}

const BOM = [0xef, 0xbb, 0xbf] as const;
function hasBom(bytes: Uint8Array): boolean {
  return bytes.some((b, i) => b === BOM[0] && bytes[i + 1] === BOM[1] && bytes[i + 2] === BOM[2]);
}

const key = fc.oneof(
  fc.string({ maxLength: 6 }),
  fc.string({ unit: 'grapheme', maxLength: 4 }),
  fc.constantFrom('v', 'ts', 'seq', 'kid', 'prev'),
);
const scalar = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.maxSafeInteger(),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter(encodable),
  fc.float({ noNaN: true, noDefaultInfinity: true }).filter(encodable),
  fc.string({ unit: 'binary', maxLength: 40 }).filter((s) => !/\p{Surrogate}/u.test(s) && !s.includes('\ufeff')),
  fc.uint8Array({ maxLength: 40 }),
);
const { value } = fc.letrec<{ value: CborValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('value'), { maxLength: 4 }),
    fc
      .dictionary(key, tie('value'), { maxKeys: 5, noNullPrototype: true })
      .filter((d) => !Object.hasOwn(d, '__proto__')) as fc.Arbitrary<CborValue>,
  ),
}));

const mutation = fc.tuple(fc.nat(), fc.nat(255), fc.constantFrom('flip', 'insert', 'delete', 'truncate'));

function mutate(bytes: Uint8Array, [at, byte, kind]: [number, number, string]): Uint8Array {
  const i = bytes.length === 0 ? 0 : at % bytes.length;
  if (kind === 'flip') return Uint8Array.from(bytes, (b, j) => (j === i ? b ^ (1 + (byte % 255)) : b));
  if (kind === 'insert') return Uint8Array.from([...bytes.subarray(0, i), byte, ...bytes.subarray(i)]);
  if (kind === 'delete') return Uint8Array.from([...bytes.subarray(0, i), ...bytes.subarray(i + 1)]);
  return bytes.subarray(0, i);
}

describe('one-pass canonical decoder (fast-check, fixed seed)', () => {
  it('decodes every canonical encoding back to its value', () => {
    fc.assert(
      fc.property(value, (v) => {
        expect(decodeCanonical(encodeCanonical(v))).toEqual(v);
      }),
      { seed: SEED, numRuns: 1000 },
    );
  });

  it('accepts a mutated encoding exactly when decode-and-re-encode does, with the same value', () => {
    fc.assert(
      fc.property(value, fc.array(mutation, { minLength: 1, maxLength: 3 }), (v, mutations) => {
        const bytes = mutations.reduce(mutate, encodeCanonical(v));
        fc.pre(!hasBom(bytes));
        const ours = outcome(decodeCanonical, bytes);
        const reference = outcome(referenceDecode, bytes);
        expect(ours.ok).toBe(reference.ok);
        if (ours.ok && reference.ok) expect(ours.value).toEqual(reference.value);
      }),
      { seed: SEED, numRuns: 3000 },
    );
  });

  it('agrees with decode-and-re-encode on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 24 }), (bytes) => {
        expect(outcome(decodeCanonical, bytes).ok).toBe(outcome(referenceDecode, bytes).ok);
      }),
      { seed: SEED, numRuns: 5000 },
    );
  });

  it.each([
    ['float32 where float16 suffices (1.5)', 'fa3fc00000'],
    ['integer-valued float (1.0 as float16)', 'f93c00'],
    ['negative zero', 'f98000'],
    ['float16 subnormal that is canonical', 'f90001'],
    ['-2^53 (outside the safe range)', '3b001fffffffffffff'],
    ['2^53 (outside the safe range)', '1b0020000000000000'],
    ['text key __proto__', 'a1695f5f70726f746f5f5ff6'],
    ['integer map key', 'a10101'],
    ['invalid UTF-8', '62c328'],
  ])('%s: same verdict as decode-and-re-encode', (_name, hex) => {
    const bytes = fromHex(hex);
    const ours = outcome(decodeCanonical, bytes);
    const reference = outcome(referenceDecode, bytes);
    if (hex === 'a1695f5f70726f746f5f5ff6') expect(ours.ok).toBe(false);
    else expect(ours).toEqual(reference);
  });

  it("picks the encoder's float width for every binary16 value and for generated floats", () => {
    const widthOf = (x: number) => encodeCanonical(x).length - 1;
    let checked = 0;
    for (let bits = 0; bits < 0x10000; bits++) {
      const x = decode(Uint8Array.of(0xf9, bits >> 8, bits & 0xff), { allowNaN: true, allowInfinity: true }) as number;
      if (!Number.isFinite(x) || Number.isInteger(x)) continue;
      expect(floatWidth(x), `binary16 ${bits.toString(16)}`).toBe(widthOf(x));
      checked++;
    }
    expect(checked).toBeGreaterThan(40_000);
    fc.assert(
      fc.property(
        fc.oneof(fc.float(), fc.double()).filter((x) => Number.isFinite(x) && !Number.isInteger(x)),
        (x) => {
          expect(floatWidth(x)).toBe(widthOf(x));
        },
      ),
      { seed: SEED, numRuns: 20_000 },
    );
  });

  it('keeps a leading byte order mark, so every string the encoder writes decodes', () => {
    expect(decodeCanonical(encodeCanonical({ note: '\ufeffhello' }))).toEqual({ note: '\ufeffhello' });
  });
});
