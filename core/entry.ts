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

const ORIGIN_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/;

/** Keys that name personal data. The log carries pseudonymous ids and commitments only (ARCHITECTURE.md, "Personal data"). */
const PERSONAL_DATA_KEYS = new Set(
  [
    'name', 'fullname', 'firstname', 'lastname', 'surname', 'givenname', 'familyname',
    'idnumber', 'nationalid', 'ssn', 'passport', 'passportnumber', 'dateofbirth', 'dob', 'birthdate',
    'address', 'homeaddress', 'phone', 'phonenumber', 'email', 'photo', 'image', 'faceimage',
    'facetemplate', 'fingerprinttemplate', 'template', 'descriptor', 'embedding', 'biometric',
  ],
);

export function isEntryType(value: unknown): value is EntryType {
  return typeof value === 'string' && (ENTRY_TYPES as readonly string[]).includes(value);
}

export function checkOrigin(origin: unknown): string {
  if (typeof origin !== 'string' || !ORIGIN_PATTERN.test(origin)) {
    throw new TypeError(`origin: expected 1-128 characters of [A-Za-z0-9._:/-] starting with a letter or digit, got ${JSON.stringify(origin)}`);
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
  if (size > MAX_PAYLOAD_BYTES) throw new MusterError('bad-payload', `payload is ${size} bytes; the limit is ${MAX_PAYLOAD_BYTES}`);
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
        throw new MusterError('personal-data', `${path}.${key}: personal data never goes on the log; use a pseudonymous id or a commitment`);
      }
      findPersonalData(item, `${path}.${key}`);
    }
  }
}

export function encodeBody(body: EntryBody): Uint8Array {
  return encodeCanonical({ ...body });
}

export function encodeLeaf(bodyBytes: Uint8Array, signature: Uint8Array): Uint8Array {
  return encodeCanonical([bodyBytes, signature]);
}

/** Decodes and shape-checks a leaf; throws MusterError('malformed' | 'non-canonical') naming the problem. */
export function decodeLeaf(leaf: Uint8Array): DecodedLeaf {
  if (leaf.length > MAX_LEAF_BYTES) throw new MusterError('malformed', `entry is ${leaf.length} bytes; the limit is ${MAX_LEAF_BYTES}`);
  const outer = decodeCanonical(leaf);
  if (!Array.isArray(outer) || outer.length !== 2 || !(outer[0] instanceof Uint8Array) || !(outer[1] instanceof Uint8Array)) {
    throw new MusterError('malformed', 'entry is not [body bytes, signature]');
  }
  const [bodyBytes, signature] = outer as [Uint8Array, Uint8Array];
  if (signature.length !== 64) throw new MusterError('malformed', `signature is ${signature.length} bytes, expected 64`);
  return { body: checkBody(decodeCanonical(bodyBytes)), bodyBytes, signature };
}

function checkBody(value: CborValue): EntryBody {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array) {
    throw new MusterError('malformed', 'entry body is not a map');
  }
  const body = value as Record<string, CborValue>;
  const keys = Object.keys(body).sort().join(',');
  if (keys !== 'kid,origin,payload,prev,seq,ts,type,v') throw new MusterError('malformed', `entry body has fields ${keys}`);
  if (body.v !== ENTRY_VERSION) throw new MusterError('malformed', `unsupported entry version ${JSON.stringify(body.v)}`);
  try {
    checkOrigin(body.origin);
  } catch (error) {
    throw new MusterError('malformed', (error as Error).message);
  }
  if (!isNonNegativeInteger(body.seq)) throw new MusterError('malformed', 'seq is not a non-negative integer');
  if (!isNonNegativeInteger(body.ts)) throw new MusterError('malformed', 'ts is not a non-negative integer');
  if (!isEntryType(body.type)) throw new MusterError('malformed', `unknown entry type ${JSON.stringify(body.type)}`);
  if (!(body.prev instanceof Uint8Array) || body.prev.length !== 32) throw new MusterError('malformed', 'prev is not a 32-byte hash');
  if (!(body.kid instanceof Uint8Array) || body.kid.length !== 4) throw new MusterError('malformed', 'kid is not a 4-byte key id');
  const payload = body.payload;
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload) || payload instanceof Uint8Array) {
    throw new MusterError('malformed', 'payload is not a map');
  }
  return body as unknown as EntryBody;
}

function isNonNegativeInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
