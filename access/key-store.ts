// Where a machine keeps its secrets (the log signing key, the centre data key): never in a database and never
// sent anywhere. Development default: owner-only files (0600, refused when others can read them). Production
// kiosk: Electron safeStorage, which encrypts with a key the OS keyring holds (libsecret/kwallet on Linux,
// Keychain, DPAPI), so a copied disk image yields only ciphertext.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MusterError, errorMessage } from '../core/errors.ts';
import { Signer, readSignerFile } from '../ledger/keys.ts';

const NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

export interface SecretStore {
  /** Where the secrets live, for messages. */
  readonly where: string;
  get(name: string): Uint8Array | undefined;
  /** Refuses to overwrite: a key is replaced only by rotation, under a new name. */
  put(name: string, secret: Uint8Array): void;
}

/** The subset of Electron's safeStorage this uses (so tests can stand in for it). */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
}

export class FileSecretStore implements SecretStore {
  constructor(readonly where: string) {
    mkdirSync(where, { recursive: true, mode: 0o700 });
  }

  get(name: string): Uint8Array | undefined {
    const path = this.path(name);
    if (!existsSync(path)) return undefined;
    const mode = statSync(path).mode;
    if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
      throw new MusterError(
        'key-permissions',
        `key file ${path} is readable by others (mode ${(mode & 0o777).toString(8)}); chmod 600 it`,
      );
    }
    return new Uint8Array(readFileSync(path));
  }

  put(name: string, secret: Uint8Array): void {
    const path = this.path(name);
    try {
      writeFileSync(path, secret, { mode: 0o600, flag: 'wx' });
    } catch (error) {
      throw new MusterError('key-exists', `cannot write key file ${path}: ${errorMessage(error)}`);
    }
    chmodSync(path, 0o600);
  }

  /** Deletes a secret's file (after it moved into a sealed store). */
  remove(name: string): void {
    rmSync(this.path(name), { force: true });
  }

  private path(name: string): string {
    if (!NAME.test(name))
      throw new TypeError(`name: expected a key name matching ${NAME.source}, got ${JSON.stringify(name)}`);
    return join(this.where, name);
  }
}

/** Secrets sealed by the OS keyring through safeStorage; the files beside them hold only ciphertext. */
export class SafeStorageSecretStore implements SecretStore {
  private readonly files: FileSecretStore;

  constructor(
    dir: string,
    private readonly safeStorage: SafeStorageLike,
  ) {
    if (!safeStorage.isEncryptionAvailable()) {
      throw new MusterError(
        'no-keyring',
        'safeStorage has no OS keyring to encrypt with; refusing to keep keys in the clear',
      );
    }
    this.files = new FileSecretStore(dir);
  }

  get where(): string {
    return `${this.files.where} (safeStorage)`;
  }

  get(name: string): Uint8Array | undefined {
    const sealed = this.files.get(`${name}.safe`);
    if (!sealed) {
      // Kept as a plain owner-only file before safeStorage was used (the development default): sealed now, the
      // clear copy deleted, so the machine keeps its keys (and the data they wrap stays readable).
      const plain = this.files.get(name);
      if (plain) {
        this.put(name, plain);
        this.files.remove(name);
      }
      return plain;
    }
    try {
      return new Uint8Array(Buffer.from(this.safeStorage.decryptString(Buffer.from(sealed)), 'base64'));
    } catch (error) {
      throw new MusterError(
        'key-unreadable',
        `${name}: safeStorage cannot decrypt it (another user or machine?): ${errorMessage(error)}`,
      );
    }
  }

  put(name: string, secret: Uint8Array): void {
    this.files.put(`${name}.safe`, this.safeStorage.encryptString(Buffer.from(secret).toString('base64')));
  }
}

/** Electron's safeStorage, in the Electron main process after `app` is ready. */
export async function electronSafeStorage(): Promise<SafeStorageLike> {
  // Electron's CommonJS exports arrive as named exports or (bundled) under `default`.
  const electron: { safeStorage?: SafeStorageLike; default?: { safeStorage?: SafeStorageLike } } =
    await import('electron');
  const safeStorage = electron.safeStorage ?? electron.default?.safeStorage;
  if (!safeStorage) throw new MusterError('no-keyring', 'safeStorage is available only in the Electron main process');
  return safeStorage;
}

/** The centre data key's name in a machine's secret store: the kiosk and `muster pii` both use it. */
export const CENTRE_KEY_NAME = 'centre-key';

/** A 32-byte symmetric key (the centre data key), made on first use. */
export function dataKey(store: SecretStore, name: string): Uint8Array {
  const existing = store.get(name);
  if (existing) {
    if (existing.length !== 32)
      throw new MusterError('bad-key', `${name} in ${store.where} holds ${existing.length} bytes, not 32`);
    return existing;
  }
  const key = new Uint8Array(randomBytes(32));
  store.put(name, key);
  return key;
}

/** The log signing key named `origin`, made on first use; only its public half ever leaves the store. */
export function signingKey(store: SecretStore, name: string, origin: string): { signer: Signer; created: boolean } {
  const existing = store.get(name);
  if (existing) {
    const signer = Signer.parse(Buffer.from(existing).toString('utf8'));
    if (signer.name !== origin)
      throw new MusterError('bad-key', `${name} in ${store.where} is the key of ${signer.name}, not ${origin}`);
    return { signer, created: false };
  }
  const signer = Signer.generate(origin);
  store.put(name, Buffer.from(signer.encodeSecret(), 'utf8'));
  return { signer, created: true };
}

/**
 * The signing key named `origin` from the store; a 0600 key file left from before the store was used (the
 * development default) is moved into it first, so the log keeps its key and the key no longer lies in the clear.
 */
export function adoptedSigningKey(store: SecretStore, name: string, origin: string, keyFile: string): Signer {
  if (store.get(name) === undefined && existsSync(keyFile)) {
    const signer = readSignerFile(keyFile);
    if (signer.name !== origin)
      throw new MusterError('bad-key', `key file ${keyFile} is the key of ${signer.name}, not ${origin}`);
    store.put(name, Buffer.from(signer.encodeSecret(), 'utf8'));
    rmSync(keyFile);
  }
  return signingKey(store, name, origin).signer;
}
