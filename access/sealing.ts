// AES-256-GCM with associated data: every ciphertext is bound to what it is (a person's data key, one field
// of one person), so a row copied onto another person or field fails to open instead of decrypting.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { MusterError, badArgument } from '../core/errors.ts';

export const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** iv || ciphertext || tag */
export function seal(key: Uint8Array, plaintext: Uint8Array, aad: string): Buffer {
  checkKey(key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  return Buffer.concat([iv, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
}

export function open(key: Uint8Array, sealed: Uint8Array, aad: string): Buffer {
  checkKey(key);
  if (sealed.length < IV_BYTES + TAG_BYTES)
    throw new MusterError('unsealable', `${aad.split('\n')[0] ?? 'data'}: sealed data is too short`);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    return Buffer.concat([decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)), decipher.final()]);
  } catch (error) {
    throw new MusterError(
      'unsealable',
      `${aad.split('\n')[0] ?? 'data'} does not open under this key (wrong key, or altered)`,
      { cause: error },
    );
  }
}

function checkKey(key: Uint8Array): void {
  if (!(key instanceof Uint8Array) || key.length !== KEY_BYTES) badArgument('key', `${KEY_BYTES} bytes`, key);
}
