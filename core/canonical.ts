// Deterministic CBOR (RFC 8949 §4.2.1, core deterministic encoding) for everything that is hashed or signed.
// One value has exactly one encoding: decoding re-encodes and refuses input that is not already canonical,
// so two nodes can never disagree about the bytes behind a leaf hash.
import { decode, encode } from 'cborg';
import { bytesEqual } from './bytes.ts';
import { MusterError } from './errors.ts';

export type CborValue = null | boolean | number | string | Uint8Array | readonly CborValue[] | { readonly [key: string]: CborValue };

const DECODE_OPTIONS = {
  strict: true,
  allowIndefinite: false,
  allowUndefined: false,
  allowNaN: false,
  allowInfinity: false,
  allowBigInt: false,
  rejectDuplicateMapKeys: true,
} as const;

/** Bound on nesting so hostile input cannot exhaust the stack. */
const MAX_DEPTH = 16;

export function encodeCanonical(value: CborValue): Uint8Array {
  checkEncodable(value, 0, '$');
  // Map keys here are always text strings. For text keys, RFC 7049's length-first order (cborg's default)
  // and RFC 8949's bytewise order of the encoded keys agree, because the key's header encodes its length;
  // the default sorter is twice as fast. The golden vectors in test/core and test/ledger pin the bytes.
  return encode(value);
}

/** Decodes bytes that must be the canonical encoding of a value; throws MusterError('non-canonical' | 'malformed'). */
export function decodeCanonical(bytes: Uint8Array): CborValue {
  let value: unknown;
  try {
    value = decode(bytes, DECODE_OPTIONS);
  } catch (error) {
    throw new MusterError('malformed', `malformed CBOR: ${error instanceof Error ? error.message : String(error)}`);
  }
  const reencoded = encodeCanonical(value as CborValue);
  if (!bytesEqual(reencoded, bytes)) throw new MusterError('non-canonical', 'CBOR is not in deterministic encoding');
  return value as CborValue;
}

function checkEncodable(value: unknown, depth: number, path: string): void {
  if (depth > MAX_DEPTH) throw new MusterError('too-deep', `${path}: nested deeper than ${MAX_DEPTH}`);
  if (value === null || typeof value === 'boolean' || typeof value === 'string' || value instanceof Uint8Array) return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new MusterError('bad-value', `${path}: numbers must be finite`);
    if (Number.isInteger(value) && !Number.isSafeInteger(value)) throw new MusterError('bad-value', `${path}: integer out of safe range`);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      checkEncodable(item, depth + 1, `${path}[${i}]`);
    });
    return;
  }
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) checkEncodable(item, depth + 1, `${path}.${key}`);
    return;
  }
  throw new MusterError('bad-value', `${path}: ${typeof value} cannot be encoded`);
}
