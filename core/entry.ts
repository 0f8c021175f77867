// The log entry: a versioned record in deterministic CBOR, signed by the kiosk key.
//
//   body = { v: 1, origin, seq, ts, type, prev, kid, payload }      (CBOR map, core deterministic)
//   leaf = [ body bytes, Ed25519 signature ]                           (CBOR array of two byte strings)
//   signature over  "muster/entry/v1" || 0x00 || body bytes
//
// The body travels as bytes inside the leaf so a verifier checks the signature over exactly the bytes
// that were signed; the body must still be canonical, so each entry has one encoding and one leaf hash.
import { utf8 } from './bytes.ts';
import { type CborValue, decodeCanonical, encodeCanonical } from './canonical.ts';
import { MusterError } from './errors.ts';

export const ENTRY_VERSION = 1;
export const ENTRY_SIGNATURE_DOMAIN = utf8('muster/entry/v1\0');

export const ENTRY_TYPES = [
  'genesis',
  'key-rotation',
  'key-revocation',
  'kiosk-registration',
  'witness-registration',
  'checkin-attempt',
  'checkin',
  'enrolment',
  'plan',
  'task',
  'excuse',
  'review',
  'breach',
  'contest',
  'device-health',
  'access',
  'erasure',
  'alert-action',
  'evidence-export',
] as const;
export type EntryType = (typeof ENTRY_TYPES)[number];

export type Payload = { readonly [key: string]: CborValue };

export interface EntryBody {
  readonly v: typeof ENTRY_VERSION;
  readonly origin: string;
  readonly seq: number;
  /** Kiosk wall-clock time, milliseconds since the Unix epoch. */
  readonly ts: number;
  readonly type: EntryType;
  /** Leaf hash of the entry before this one; 32 zero bytes for seq 0. */
  readonly prev: Uint8Array;
  /** C2SP key id (4 bytes) of the key that signed this entry. */
  readonly kid: Uint8Array;
  readonly payload: Payload;
}

export interface DecodedLeaf {
  readonly body: EntryBody;
  readonly bodyBytes: Uint8Array;
  readonly signature: Uint8Array;
}

export const MAX_PAYLOAD_BYTES = 8 * 1024;
export const MAX_LEAF_BYTES = MAX_PAYLOAD_BYTES + 512;
export const ZERO_HASH = new Uint8Array(32);

export const ORIGIN_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/;

/** Keys that name personal data. The log carries pseudonymous ids and commitments only (ARCHITECTURE.md, "Personal data"). */
const PERSONAL_DATA_KEYS = new Set([
  'name',
  'fullname',
  'firstname',
  'lastname',
  'surname',
  'givenname',
  'familyname',
  'idnumber',
  'nationalid',
  'ssn',
  'passport',
  'passportnumber',
  'dateofbirth',
  'dob',
  'birthdate',
  'address',
  'homeaddress',
  'phone',
  'phonenumber',
  'email',
  'photo',
  'image',
  'faceimage',
  'facetemplate',
  'fingerprinttemplate',
  'template',
  'descriptor',
  'embedding',
  'biometric',
]);

export function isEntryType(value: unknown): value is EntryType {
  return typeof value === 'string' && (ENTRY_TYPES as readonly string[]).includes(value);
}

export function checkOrigin(origin: unknown): string {
  if (typeof origin !== 'string' || !ORIGIN_PATTERN.test(origin)) {
    throw new TypeError(
      `origin: expected 1-128 characters of [A-Za-z0-9._:/-] starting with a letter or digit, got ${JSON.stringify(origin)}`,
    );
  }
  return origin;
}

/** Validates a payload before it is signed: a plain object, bounded, with no field that names personal data. */
export function checkPayload(payload: unknown): Payload {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload) || payload instanceof Uint8Array) {
    throw new MusterError('bad-payload', 'payload must be an object');
  }
  findPersonalData(payload, '$');
  const size = encodeCanonical(payload as Payload).length;
  if (size > MAX_PAYLOAD_BYTES)
    throw new MusterError('bad-payload', `payload is ${size} bytes; the limit is ${MAX_PAYLOAD_BYTES}`);
  return payload as Payload;
}

function findPersonalData(value: unknown, path: string): void {
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      findPersonalData(item, `${path}[${i}]`);
    });
  } else if (typeof value === 'object' && value !== null && !(value instanceof Uint8Array)) {
    for (const [key, item] of Object.entries(value)) {
      if (PERSONAL_DATA_KEYS.has(key.toLowerCase().replace(/[_-]/g, ''))) {
        throw new MusterError(
          'personal-data',
          `${path}.${key}: personal data never goes on the log; use a pseudonymous id or a commitment`,
        );
      }
      findPersonalData(item, `${path}.${key}`);
    }
  }
}

export function encodeBody(body: EntryBody): Uint8Array {
  return encodeCanonical({ ...body });
}

// The leaf is always the same shape, a CBOR array of two byte strings, so it is framed by hand: decoding it
// with a general CBOR decoder and re-encoding it to check canonical form cost more than the rest of a
// verification but the signature check (fsck reads every leaf).
const ARRAY_OF_TWO = 0x82;
const SIGNATURE_HEADER = [0x58, 0x40] as const;

export function encodeLeaf(bodyBytes: Uint8Array, signature: Uint8Array): Uint8Array {
  const header = byteStringHeader(bodyBytes.length);
  const leaf = new Uint8Array(1 + header.length + bodyBytes.length + 2 + signature.length);
  leaf[0] = ARRAY_OF_TWO;
  leaf.set(header, 1);
  leaf.set(bodyBytes, 1 + header.length);
  leaf.set(byteStringHeader(signature.length), 1 + header.length + bodyBytes.length);
  leaf.set(signature, leaf.length - signature.length);
  return leaf;
}

/** Shortest-form CBOR header of a byte string (major type 2) of `length` bytes. */
function byteStringHeader(length: number): Uint8Array {
  if (length < 24) return Uint8Array.of(0x40 + length);
  if (length < 0x100) return Uint8Array.of(0x58, length);
  if (length < 0x10000) return Uint8Array.of(0x59, length >> 8, length & 0xff);
  throw new MusterError('malformed', `byte string of ${length} bytes is too long for an entry`);
}

/** Reads a canonical byte-string header at `at`: [content start, content length]. */
function readByteString(leaf: Uint8Array, at: number): [number, number] {
  const first = leaf[at];
  if (first === undefined || first < 0x40 || first > 0x59)
    throw new MusterError('malformed', 'entry is not [body bytes, signature]');
  if (first < 0x58) return [at + 1, first - 0x40];
  if (first === 0x58) {
    const length = leaf[at + 1] ?? -1;
    if (length < 24) throw new MusterError('non-canonical', 'CBOR is not in deterministic encoding');
    return [at + 2, length];
  }
  const length = ((leaf[at + 1] ?? 0) << 8) | (leaf[at + 2] ?? 0);
  if (at + 2 >= leaf.length) throw new MusterError('malformed', 'malformed CBOR: truncated entry');
  if (length < 0x100) throw new MusterError('non-canonical', 'CBOR is not in deterministic encoding');
  return [at + 3, length];
}

/** Entry types whose payload names keys: verifiers always need these payloads. */
const KEY_ENTRY_TYPES: ReadonlySet<string> = new Set([
  'genesis',
  'key-rotation',
  'key-revocation',
  'kiosk-registration',
  'witness-registration',
]);

/**
 * Decodes and shape-checks a leaf; throws MusterError('malformed' | 'non-canonical') naming the problem.
 * `payloads: 'key-entries'` checks every payload's encoding but builds only those of key entries (the others
 * come back empty): for fsck, which verifies the envelope of every entry and reads no other payload.
 */
export function decodeLeaf(leaf: Uint8Array, payloads: 'all' | 'key-entries' = 'all'): DecodedLeaf {
  if (leaf.length > MAX_LEAF_BYTES)
    throw new MusterError('malformed', `entry is ${leaf.length} bytes; the limit is ${MAX_LEAF_BYTES}`);
  if (leaf[0] !== ARRAY_OF_TWO) throw new MusterError('malformed', 'entry is not [body bytes, signature]');
  const [bodyStart, bodyLength] = readByteString(leaf, 1);
  const sigAt = bodyStart + bodyLength;
  if (sigAt > leaf.length) throw new MusterError('malformed', 'malformed CBOR: truncated entry');
  const [sigStart, sigLength] = readByteString(leaf, sigAt);
  if (sigLength !== 64 || leaf[sigAt] !== SIGNATURE_HEADER[0] || leaf[sigAt + 1] !== SIGNATURE_HEADER[1]) {
    throw new MusterError('malformed', `signature is ${sigLength} bytes, expected 64`);
  }
  if (sigStart + sigLength !== leaf.length)
    throw new MusterError('malformed', 'malformed CBOR: entry has trailing or missing bytes');
  const bodyBytes = leaf.subarray(bodyStart, sigAt);
  const skip = payloads === 'all' ? undefined : skipOrdinaryPayload;
  const body = checkBody(decodeCanonical(bodyBytes, skip));
  return { body, bodyBytes, signature: leaf.subarray(sigStart) };
}

// Canonical key order puts `type` before `payload`, so the type is known when the payload is reached.
function skipOrdinaryPayload(key: string, before: { readonly [key: string]: CborValue }): boolean {
  return key === 'payload' && !(typeof before.type === 'string' && KEY_ENTRY_TYPES.has(before.type));
}

const BODY_KEYS = 'v,ts,kid,seq,prev,type,origin,payload';

function checkBody(value: CborValue): EntryBody {
  if (!isMap(value)) throw new MusterError('malformed', 'entry body is not a map');
  // Keys arrive in canonical order (the decoder refuses any other), so no sort is needed.
  const keys = Object.keys(value).join(',');
  if (keys !== BODY_KEYS)
    throw new MusterError('malformed', `entry body has fields ${Object.keys(value).sort().join(',')}`);
  const { v, origin, seq, ts, type, prev, kid, payload } = value;
  if (v !== ENTRY_VERSION) throw new MusterError('malformed', `unsupported entry version ${JSON.stringify(v)}`);
  let checkedOrigin: string;
  try {
    checkedOrigin = checkOrigin(origin);
  } catch (error) {
    throw new MusterError('malformed', (error as Error).message);
  }
  if (!isNonNegativeInteger(seq)) throw new MusterError('malformed', 'seq is not a non-negative integer');
  if (!isNonNegativeInteger(ts)) throw new MusterError('malformed', 'ts is not a non-negative integer');
  if (!isEntryType(type)) throw new MusterError('malformed', `unknown entry type ${JSON.stringify(type)}`);
  if (!(prev instanceof Uint8Array) || prev.length !== 32)
    throw new MusterError('malformed', 'prev is not a 32-byte hash');
  if (!(kid instanceof Uint8Array) || kid.length !== 4)
    throw new MusterError('malformed', 'kid is not a 4-byte key id');
  if (!isMap(payload)) throw new MusterError('malformed', 'payload is not a map');
  return { v, origin: checkedOrigin, seq, ts, type, prev, kid, payload };
}

function isMap(value: CborValue | undefined): value is Payload {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

function isNonNegativeInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
