// Key stores: owner-only files by default; Electron safeStorage in production (the electron module is mocked:
// the one part of Electron these tests stand in for, as the house rules allow).
import { chmodSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import {
  FileSecretStore,
  SafeStorageSecretStore,
  dataKey,
  electronSafeStorage,
  signingKey,
} from '../../access/key-store.ts';
import { tempDir } from '../ledger/fixtures.ts';

// A stand-in keyring: XOR with a per-"machine" pad, enough to show that only ciphertext reaches the disk.
const pad = Buffer.alloc(256, 0x5a);
const fakeSafeStorage = {
  available: true,
  isEncryptionAvailable(): boolean {
    return this.available;
  },
  encryptString(text: string): Buffer {
    return Buffer.from(Buffer.from(`v10${text}`).map((b, i) => b ^ (pad[i % pad.length] ?? 0)));
  },
  decryptString(data: Buffer): string {
    const text = Buffer.from(data.map((b, i) => b ^ (pad[i % pad.length] ?? 0))).toString();
    if (!text.startsWith('v10'))
      throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
    return text.slice(3);
  },
};
vi.mock('electron', () => ({ safeStorage: fakeSafeStorage }));

describe('key stores', () => {
  it('file store: 0600 files, refuses exposed ones, never overwrites', () => {
    const dir = tempDir();
    const store = new FileSecretStore(join(dir, 'keys'));
    const key = dataKey(store, 'centre-data');
    expect(dataKey(store, 'centre-data')).toEqual(key);
    expect(statSync(join(dir, 'keys', 'centre-data')).mode & 0o777).toBe(0o600);
    expect(() => {
      store.put('centre-data', new Uint8Array(32));
    }).toThrow(expect.objectContaining({ code: 'key-exists' }));
    chmodSync(join(dir, 'keys', 'centre-data'), 0o644);
    expect(() => store.get('centre-data')).toThrow(expect.objectContaining({ code: 'key-permissions' }));
  });

  it('safeStorage store: only ciphertext on disk, and the signing key round-trips', async () => {
    const dir = tempDir();
    const store = new SafeStorageSecretStore(dir, await electronSafeStorage());
    const { signer, created } = signingKey(store, 'log-signing', 'centre-01/kiosk-1');
    expect(created).toBe(true);
    const again = signingKey(store, 'log-signing', 'centre-01/kiosk-1');
    expect(again.created).toBe(false);
    expect(again.signer.verifier.encode()).toBe(signer.verifier.encode());
    const onDisk = readdirSync(dir).map((f) => readFileSync(join(dir, f)));
    expect(onDisk).toHaveLength(1);
    expect(onDisk[0]?.toString('latin1')).not.toContain('PRIVATE+KEY');
    expect(() => signingKey(store, 'log-signing', 'centre-01/kiosk-2')).toThrow(
      expect.objectContaining({ code: 'bad-key' }),
    );
    fakeSafeStorage.available = false;
    expect(() => new SafeStorageSecretStore(dir, fakeSafeStorage)).toThrow(
      expect.objectContaining({ code: 'no-keyring' }),
    );
    fakeSafeStorage.available = true;
  });
});
