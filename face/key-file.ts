// The CLI's template data key: 32 random bytes in a file only its owner can read. On a kiosk the key comes
// from the key store instead; this is for `muster face enroll` on a workstation.
import { randomBytes } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { MusterError } from '../core/errors.ts';

const KEY_BYTES = 32;

/** Reads the key, creating it (mode 0600) when the file does not exist. Refuses a key others can read. */
export async function readOrCreateKeyFile(path: string): Promise<Uint8Array> {
  try {
    await writeFile(path, randomBytes(KEY_BYTES), { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST')
      throw new MusterError('key-file-unwritable', `cannot create key file ${path}`, { cause: error });
  }
  return readKeyFile(path);
}

export async function readKeyFile(path: string): Promise<Uint8Array> {
  let mode: number;
  let key: Buffer;
  try {
    mode = (await stat(path)).mode;
    key = await readFile(path);
  } catch (error) {
    throw new MusterError('key-file-unreadable', `cannot read key file ${path}`, { cause: error });
  }
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    throw new MusterError(
      'key-file-exposed',
      `key file ${path} is readable by others (mode ${(mode & 0o777).toString(8)}); chmod 600 it`,
    );
  }
  if (key.length !== KEY_BYTES)
    throw new MusterError('key-file-invalid', `key file ${path} holds ${key.length} bytes, not ${KEY_BYTES}`);
  return new Uint8Array(key);
}
