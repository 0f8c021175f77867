// A one-pass decoder for deterministic CBOR that refuses every non-canonical form while it reads, instead of
// decoding with a general decoder and re-encoding to compare (which cost more than the rest of an entry's
// verification but the signature check). It accepts exactly the encodings `encodeCanonical` produces:
// shortest-form integers and lengths, definite lengths, text keys in length-first order without duplicates,
// false/true/null, and floats in the width the encoder picks (the smallest, but for most binary16 subnormals,
// which cborg writes as binary32). test/core/canonical-decoder.test.ts
// proves it agrees with decode-and-re-encode on generated and mutated input and on every binary16 value.
import { MusterError } from './errors.ts';
import type { CborValue } from './cbor-value.ts';

/**
 * For the top-level map: true means check this key's value for canonical form without building it
 * (verifiers that need an entry's envelope but not its payload skip most of the allocation).
 */
/** What a skipped map decodes to: an empty map, so a caller still sees that the value was a map. */
const SKIPPED_MAP: { readonly [key: string]: CborValue } = Object.freeze({});

export type SkipValue = (key: string, before: { readonly [key: string]: CborValue }) => boolean;

const MAX_DEPTH = 16;
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function decodeDeterministic(bytes: Uint8Array, skip?: SkipValue): CborValue {
  const reader = new Reader(bytes, skip);
  const value = reader.value(0, true);
  if (reader.at !== bytes.length) throw malformed('trailing bytes after the value');
  return value;
}

class Reader {
  at = 0;
  /** Made on the first float: most bodies hold none, and integers are read byte by byte. */
  private view: DataView | undefined;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly skip: SkipValue | undefined,
  ) {}

  /** Reads one value; with `build` false it is checked completely but not built (null, or SKIPPED_MAP for a map). */
  value(depth: number, build: boolean): CborValue {
    if (depth > MAX_DEPTH) throw new MusterError('too-deep', `nested deeper than ${MAX_DEPTH}`);
    const initial = this.byte();
    const major = initial >> 5;
    const minor = initial & 0x1f;
    if (major === 7) return this.simple(minor);
    const argument = this.argument(minor);
    switch (major) {
      case 0:
        return argument;
      case 1:
        if (argument === Number.MAX_SAFE_INTEGER) throw malformed('integers outside the safe range are not supported');
        return -1 - argument;
      case 2: {
        const at = this.need(argument);
        // A copy, and a plain Uint8Array even when the input is a Buffer; a value only checked needs no view at all.
        return build ? new Uint8Array(this.bytes.subarray(at, at + argument)) : null;
      }
      case 3:
        return this.text(argument, build);
      case 4: {
        if (!build) {
          for (let i = 0; i < argument; i++) this.value(depth + 1, false);
          return null;
        }
        const items: CborValue[] = [];
        for (let i = 0; i < argument; i++) items.push(this.value(depth + 1, true));
        return items;
      }
      case 5:
        return this.map(argument, depth, build);
      default:
        throw malformed('tags are not allowed');
    }
  }

  private map(count: number, depth: number, build: boolean): { readonly [key: string]: CborValue } {
    const map: { [key: string]: CborValue } = {};
    let previousStart = -1;
    let previousEnd = -1;
    for (let i = 0; i < count; i++) {
      const keyStart = this.at;
      const initial = this.byte();
      if (initial >> 5 !== 3) throw malformed('map keys must be text');
      const key = this.text(this.argument(initial & 0x1f), true);
      if (previousStart >= 0) {
        const order = compareBytes(this.bytes, previousStart, previousEnd, keyStart, this.at);
        if (order === 0) throw malformed(`duplicate map key ${JSON.stringify(key)}`);
        if (order > 0) throw nonCanonical();
      }
      if (key === '__proto__') throw malformed('map key __proto__ is not allowed');
      previousStart = keyStart;
      previousEnd = this.at;
      const value = this.value(depth + 1, build && !(depth === 0 && this.skip?.(key, map)));
      if (build) map[key] = value;
    }
    return build ? map : SKIPPED_MAP;
  }

  /** The argument of an initial byte, refusing any longer form than needed and indefinite lengths. */
  private argument(minor: number): number {
    if (minor < 24) return minor;
    let value: number;
    let least: number;
    if (minor === 24) [value, least] = [this.byte(), 24];
    else if (minor === 25) [value, least] = [this.uint(this.need(2), 2), 0x100];
    else if (minor === 26) [value, least] = [this.uint(this.need(4), 4), 0x10000];
    else if (minor === 27) {
      const at = this.need(8);
      const high = this.uint(at, 4);
      if (high > 0x1fffff) throw malformed('integers outside the safe range are not supported');
      [value, least] = [high * 0x1_0000_0000 + this.uint(at + 4, 4), 0x1_0000_0000];
    } else
      throw malformed(minor === 31 ? 'indefinite lengths are not allowed' : `reserved additional information ${minor}`);
    if (value < least) throw nonCanonical();
    return value;
  }

  private simple(minor: number): CborValue {
    if (minor === 20) return false;
    if (minor === 21) return true;
    if (minor === 22) return null;
    const width = minor === 25 ? 2 : minor === 26 ? 4 : minor === 27 ? 8 : 0;
    if (width === 0) throw malformed(`simple value ${minor} is not allowed`);
    const at = this.need(width);
    this.view ??= new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
    const value =
      width === 2 ? float16(this.uint(at, 2)) : width === 4 ? this.view.getFloat32(at) : this.view.getFloat64(at);
    if (!Number.isFinite(value)) throw malformed('NaN and infinities are not allowed');
    // An integral value is written as an integer, and a float in the smallest width that holds it exactly.
    if (Number.isInteger(value)) {
      if (!Number.isSafeInteger(value)) throw new MusterError('bad-value', 'integer out of safe range');
      throw nonCanonical();
    }
    if (floatWidth(value) !== width) throw nonCanonical();
    return value;
  }

  private text(length: number, build: boolean): string {
    const at = this.need(length);
    const end = at + length;
    const bytes = this.bytes;
    // Short ASCII strings (map keys, ids) are most of what entries hold: read in place, they cost neither a
    // subarray nor a TextDecoder call. Anything else is decoded (and checked as UTF-8) by the TextDecoder.
    if (!build) {
      for (let i = at; i < end; i++) if ((bytes[i] as number) > 0x7f) return decodeUtf8(bytes.subarray(at, end));
      return '';
    }
    if (length <= 32) {
      let text = '';
      for (let i = at; i < end; i++) {
        const b = bytes[i] as number;
        if (b > 0x7f) return decodeUtf8(bytes.subarray(at, end));
        text += String.fromCharCode(b);
      }
      return text;
    }
    return decodeUtf8(bytes.subarray(at, end));
  }

  /** A big-endian unsigned integer of `width` (2 or 4) bytes at `at`, already reserved with need(). */
  private uint(at: number, width: 2 | 4): number {
    let value = 0;
    for (let i = 0; i < width; i++) value = value * 256 + (this.bytes[at + i] as number);
    return value;
  }

  private byte(): number {
    const value = this.bytes[this.at];
    if (value === undefined) throw malformed('truncated');
    this.at++;
    return value;
  }

  /** Reserves `length` bytes and returns where they start. */
  private need(length: number): number {
    const at = this.at;
    if (at + length > this.bytes.length) throw malformed('truncated');
    this.at += length;
    return at;
  }
}

function decodeUtf8(bytes: Uint8Array): string {
  try {
    return utf8Decoder.decode(bytes);
  } catch {
    throw malformed('text is not valid UTF-8');
  }
}

/** IEEE 754 binary16 (DataView.getFloat16 is not in Node 20). */
function float16(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

function compareBytes(bytes: Uint8Array, aStart: number, aEnd: number, bStart: number, bEnd: number): number {
  const length = Math.min(aEnd - aStart, bEnd - bStart);
  for (let i = 0; i < length; i++) {
    const diff = (bytes[aStart + i] as number) - (bytes[bStart + i] as number);
    if (diff !== 0) return diff;
  }
  return aEnd - aStart - (bEnd - bStart);
}

/** Bytes of the smallest IEEE 754 width that holds a finite, non-integral `value` exactly. */
export function floatWidth(value: number): 2 | 4 | 8 {
  if (Math.fround(value) !== value) return 8;
  const magnitude = Math.abs(value);
  // cborg writes a binary16 subnormal only when it is a power of two (it keeps the leading bit alone);
  // matching the encoder matters more than the shortest form here.
  if (magnitude < 2 ** -14) {
    const units = magnitude * 2 ** 24;
    return Number.isInteger(units) && (units & (units - 1)) === 0 ? 2 : 4;
  }
  if (magnitude > 65504) return 4;
  let exponent = Math.floor(Math.log2(magnitude));
  if (2 ** exponent > magnitude) exponent--;
  else if (2 ** (exponent + 1) <= magnitude) exponent++;
  return Number.isInteger(magnitude * 2 ** (10 - exponent)) ? 2 : 4; // 10 fraction bits
}

function malformed(problem: string): MusterError {
  return new MusterError('malformed', `malformed CBOR: ${problem}`);
}

function nonCanonical(): MusterError {
  return new MusterError('non-canonical', 'CBOR is not in deterministic encoding');
}
