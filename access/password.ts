// Password hashes: scrypt (node:crypto) with a per-user random salt; the parameters travel inside the stored
// string so they can be raised later without invalidating old hashes. Comparison is timing-safe.
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { MusterError } from '../core/errors.ts';

export interface ScryptParams {
  readonly logN: number;
  readonly r: number;
  readonly p: number;
}

/** OWASP's scrypt setting N=2^15, r=8, p=3 (32 MiB, about 0.1 s): slow for a guesser, fine for a sign-in. */
export const DEFAULT_SCRYPT: ScryptParams = { logN: 15, r: 8, p: 3 };
const KEY_BYTES = 32;
const SALT_BYTES = 16;
const MAX_PASSWORD_CHARS = 1024;
export const MIN_PASSWORD_CHARS = 12;

export async function hashPassword(password: string, params: ScryptParams = DEFAULT_SCRYPT): Promise<string> {
  checkPassword(password);
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, params);
  return `scrypt$${params.logN}$${params.r}$${params.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  const parts = stored.split('$');
  const [scheme, logN, r, p, salt, key] = parts;
  if (
    parts.length !== 6 ||
    scheme !== 'scrypt' ||
    logN === undefined ||
    r === undefined ||
    p === undefined ||
    salt === undefined ||
    key === undefined
  ) {
    throw new MusterError('bad-password-hash', 'stored password hash is not scrypt$logN$r$p$salt$key');
  }
  if (password.length > MAX_PASSWORD_CHARS) return false;
  const expected = Buffer.from(key, 'base64');
  const actual = await derive(password, Buffer.from(salt, 'base64'), {
    logN: Number(logN),
    r: Number(r),
    p: Number(p),
  });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

export function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_CHARS)
    throw new MusterError('weak-password', `a password needs at least ${MIN_PASSWORD_CHARS} characters`);
  if (password.length > MAX_PASSWORD_CHARS)
    throw new MusterError('weak-password', `a password has at most ${MAX_PASSWORD_CHARS} characters`);
}

function derive(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  const N = 2 ** params.logN;
  return new Promise((resolve, reject) => {
    scrypt(
      password.normalize('NFC'),
      salt,
      KEY_BYTES,
      { N, r: params.r, p: params.p, maxmem: 256 * N * params.r },
      (error, key) => {
        if (error) reject(new MusterError('bad-password-hash', `scrypt failed: ${error.message}`));
        else resolve(key);
      },
    );
  });
}
