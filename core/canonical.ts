// Deterministic CBOR (RFC 8949 §4.2.1, core deterministic encoding) for everything that is hashed or signed.
// One value has exactly one encoding: decoding refuses input that is not already canonical,
// so two nodes can never disagree about the bytes behind a leaf hash.
import { encode } from 'cborg';
import { decodeDeterministic, type SkipValue } from './canonical-decoder.ts';
import type { CborValue } from './cbor-value.ts';
import { MusterError } from './errors.ts';

export type { CborValue } from './cbor-value.ts';

/** Bound on nesting so hostile input cannot exhaust the stack. */
const MAX_DEPTH = 16;

export function encodeCanonical(value: CborValue): Uint8Array {
  checkEncodable(value, 0, '$');
  // Map keys here are always text strings. For text keys, RFC 7049's length-first order (cborg's default)
  // and RFC 8949's bytewise order of the encoded keys agree, because the key's header encodes its length;
  // the default sorter is twice as fast. The golden vectors in test/core and test/ledger pin the bytes.
  return encode(value);
}

/** Decodes bytes that must be the canonical encoding of a value; throws MusterError('non-canonical' | 'malformed' | 'too-deep'). */
export function decodeCanonical(bytes: Uint8Array, skip?: SkipValue): CborValue {
  return decodeDeterministic(bytes, skip);
}

function checkEncodable(value: unknown, depth: number, path: string): void {
  if (depth > MAX_DEPTH) throw new MusterError('too-deep', `${path}: nested deeper than ${MAX_DEPTH}`);
  if (value === null || typeof value === 'boolean' || typeof value === 'string' || value instanceof Uint8Array) return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new MusterError('bad-value', `${path}: numbers must be finite`);
    if (Number.isInteger(value) && !Number.isSafeInteger(value))
      throw new MusterError('bad-value', `${path}: integer out of safe range`);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      checkEncodable(item, depth + 1, `${path}[${i}]`);
    });
    return;
  }
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [key, item] of Object.entries(value as Record<string, unknown>))
      checkEncodable(item, depth + 1, `${path}.${key}`);
    return;
  }
  throw new MusterError('bad-value', `${path}: ${typeof value} cannot be encoded`);
}
