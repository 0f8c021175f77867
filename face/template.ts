// Enrolment templates: the descriptors of at least three captures (never the photos), sealed with AES-256-GCM
// under a key from the caller (the kiosk key store). The log never sees a template, only its commitment:
// SHA-256 over a random salt and the descriptor bytes, so the log can prove which template was enrolled
// without revealing anything about the face.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { fromBase64, toBase64, utf8 } from '../core/bytes.ts';
import { decodeCanonical, encodeCanonical } from '../core/canonical.ts';
import { MusterError, badArgument } from '../core/errors.ts';
import {
  BASE64,
  type Parsed,
  SHA256,
  bytes,
  list,
  map,
  oneOf,
  recordParser,
  text,
} from '../core/records/record-schema.ts';
import { DESCRIPTOR_LENGTH } from './match.ts';

export const TEMPLATE_FORMAT = 'muster-face-template/1';
export const MIN_ENROLMENT_CAPTURES = 3;
/** More than any enrolment takes; bounds what a plaintext may hold. */
const MAX_TEMPLATE_CAPTURES = 1000;
const KEY_BYTES = 32;
const IV_BYTES = 12;
const SALT_BYTES = 32;
const COMMITMENT_DOMAIN = utf8('muster face template commitment v1\n');

export interface FaceTemplate {
  readonly subjectId: string;
  readonly descriptors: readonly Float32Array[];
  /** Salt behind the commitment; kept inside the ciphertext. */
  readonly salt: Uint8Array;
  readonly createdAt: string;
}

/** The file on disk: JSON, everything but the commitment encrypted. */
const SEALED_TEMPLATE = map({
  format: oneOf([TEMPLATE_FORMAT]),
  subjectId: text(200),
  /** Hex SHA-256; what the log records for the enrolment. */
  commitment: SHA256,
  iv: BASE64,
  ciphertext: BASE64,
  tag: BASE64,
});

export type SealedTemplate = Parsed<typeof SEALED_TEMPLATE>;

/** Inside the ciphertext (canonical CBOR): the descriptors as little-endian float32 bytes. */
const PLAINTEXT = map({
  subjectId: text(200),
  createdAt: text(64),
  salt: bytes(SALT_BYTES),
  descriptors: list(bytes(DESCRIPTOR_LENGTH * 4), MAX_TEMPLATE_CAPTURES),
});

export function createTemplate(
  subjectId: string,
  descriptors: readonly Float32Array[],
  now: Date = new Date(),
): FaceTemplate {
  if (subjectId === '' || subjectId.length > 200)
    badArgument('subjectId', 'a non-empty id of at most 200 characters', subjectId);
  if (descriptors.length < MIN_ENROLMENT_CAPTURES) {
    throw new MusterError(
      'enrolment-too-few-captures',
      `enrolment needs at least ${MIN_ENROLMENT_CAPTURES} usable captures, got ${descriptors.length}`,
    );
  }
  for (const d of descriptors)
    if (d.length !== DESCRIPTOR_LENGTH) badArgument('descriptors', `${DESCRIPTOR_LENGTH} floats each`, d.length);
  return {
    subjectId,
    descriptors: descriptors.map((d) => Float32Array.from(d)),
    salt: new Uint8Array(randomBytes(SALT_BYTES)),
    createdAt: now.toISOString(),
  };
}

export function templateCommitment(template: FaceTemplate): string {
  const hash = createHash('sha256').update(COMMITMENT_DOMAIN).update(template.salt);
  for (const d of template.descriptors) hash.update(descriptorBytes(d));
  return hash.digest('hex');
}

export function sealTemplate(template: FaceTemplate, key: Uint8Array): SealedTemplate {
  checkKey(key);
  const plaintext = encodeCanonical({
    subjectId: template.subjectId,
    createdAt: template.createdAt,
    salt: template.salt,
    descriptors: template.descriptors.map(descriptorBytes),
  });
  const iv = new Uint8Array(randomBytes(IV_BYTES));
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const commitment = templateCommitment(template);
  cipher.setAAD(associatedData(template.subjectId, commitment));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return {
    format: TEMPLATE_FORMAT,
    subjectId: template.subjectId,
    commitment,
    iv: toBase64(iv),
    ciphertext: toBase64(ciphertext),
    tag: toBase64(cipher.getAuthTag()),
  };
}

/** Decrypts and checks a sealed template; any change to the file or a wrong key is MusterError('template-invalid'). */
export function openTemplate(sealed: SealedTemplate, key: Uint8Array): FaceTemplate {
  checkKey(key);
  let plaintext: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, fromBase64(sealed.iv));
    decipher.setAAD(associatedData(sealed.subjectId, sealed.commitment));
    decipher.setAuthTag(fromBase64(sealed.tag));
    plaintext = Buffer.concat([decipher.update(fromBase64(sealed.ciphertext)), decipher.final()]);
  } catch (error) {
    throw invalid('template does not decrypt under this key (wrong key or the file was altered)', error);
  }
  const value = decodeCanonical(plaintext);
  const template = readPlaintext(value);
  if (template.subjectId !== sealed.subjectId || templateCommitment(template) !== sealed.commitment)
    throw invalid('template contents do not match its commitment');
  return template;
}

const sealedTemplate = templateInvalid(recordParser(SEALED_TEMPLATE, 'template file'));
const plaintext = templateInvalid(recordParser(PLAINTEXT, 'template plaintext'));

export function parseSealedTemplate(json: string): SealedTemplate {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw invalid('template file is not JSON', error);
  }
  return sealedTemplate(value);
}

function readPlaintext(value: unknown): FaceTemplate {
  const { subjectId, createdAt, salt, descriptors } = plaintext(value);
  return { subjectId, createdAt, salt, descriptors: descriptors.map(bytesToDescriptor) };
}

/** The record parser, its refusal (naming the field) told as template-invalid. */
function templateInvalid<T>(parse: (value: unknown) => T): (value: unknown) => T {
  return (value) => {
    try {
      return parse(value);
    } catch (error) {
      if (error instanceof MusterError) throw invalid(error.message, error);
      throw error;
    }
  };
}

/** Little-endian float32, whatever the host's byte order. */
function descriptorBytes(descriptor: Float32Array): Uint8Array {
  const out = new Uint8Array(descriptor.length * 4);
  const view = new DataView(out.buffer);
  descriptor.forEach((v, i) => {
    view.setFloat32(i * 4, v, true);
  });
  return out;
}

function bytesToDescriptor(bytes: Uint8Array): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Float32Array.from({ length: bytes.length / 4 }, (_, i) => view.getFloat32(i * 4, true));
}

function associatedData(subjectId: string, commitment: string): Uint8Array {
  return utf8(`${TEMPLATE_FORMAT}\n${subjectId}\n${commitment}`);
}

function checkKey(key: Uint8Array): void {
  if (!(key instanceof Uint8Array) || key.length !== KEY_BYTES) badArgument('key', `${KEY_BYTES} bytes`, key);
}

function invalid(message: string, cause?: unknown): MusterError {
  return new MusterError('template-invalid', message, cause === undefined ? {} : { cause });
}
