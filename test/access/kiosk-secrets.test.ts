// The kiosk runtime's secrets and retention: with a secret store (Electron main passes safeStorage's), the
// signing keys and the centre data key of an earlier run (plain 0600 files, the development default) move into
// it, so the log keeps its key and the personal data stays readable while no key is left in the clear; the
// retention job runs in the runtime and erases a person once their retention period has ended.
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SafeStorageSecretStore, type SafeStorageLike } from '../../access/key-store.ts';
import { inProcessDevices } from '../../main/kiosk/emulated-devices.ts';
import { loadKioskConfig } from '../../main/kiosk/kiosk-config.ts';
import { KioskRuntime } from '../../main/kiosk/kiosk-runtime.ts';
import { startEmbeddedBroker } from '../../net/embedded-broker.ts';
import { topicId } from '../../net/topics.ts';

const KIOSK = 'centre-a/k1';

/** A stand-in OS keyring: what reaches the disk is reversed and tagged, never the secret as written. */
const keyring: SafeStorageLike = {
  isEncryptionAvailable: () => true,
  encryptString: (text) => Buffer.concat([Buffer.from('sealed:'), Buffer.from(text).reverse()]),
  decryptString: (data) => {
    if (!data.subarray(0, 7).equals(Buffer.from('sealed:'))) throw new Error('not sealed by this keyring');
    return Buffer.from(data.subarray(7)).reverse().toString();
  },
};

describe('kiosk runtime: secrets and retention', () => {
  const cleanup: (() => unknown)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  it('moves earlier key files into the secret store, keeps its log and data readable, and erases when retention ends', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'muster-kiosk-secrets-'));
    cleanup.push(() => {
      rmSync(dir, { recursive: true, force: true });
    });
    const broker = await startEmbeddedBroker({ port: 0, host: '127.0.0.1', alertPublishers: new Set(['hq']) });
    cleanup.push(() => broker.close());
    const emulated = inProcessDevices(`k${Math.random().toString(36).slice(2)}`);
    cleanup.push(() => emulated.close());
    const file = join(dir, 'kiosk.json');
    writeFileSync(file, JSON.stringify({ centre: 'centre-a', kiosk: KIOSK, dataDir: 'data', broker: { url: broker.url }, devices: { fingerprint: emulated.devices.fingerprint } }));
    const now = { t: Date.parse('2026-03-02T09:00:00Z') };
    const start = (secrets?: SafeStorageSecretStore): Promise<KioskRuntime> =>
      KioskRuntime.start({ config: loadKioskConfig(file), ...(emulated.inProcess ?? {}), clock: () => now.t, reopenMs: 60_000, ...(secrets ? { secrets } : {}) });

    // First run: the development default, plain owner-only key files.
    const before = await start();
    const { seq } = await before.append('checkin', { subject: 'p-1', centre: 'centre-a' });
    before.personal.put('p-1', 'centre-a', { name: 'Pat Example' });
    const dataKey = Buffer.from(before.personal.dataKey('p-1')).toString('hex');
    await before.close();
    const keyFile = join(dir, 'data', `${topicId(KIOSK)}.db.key`);
    expect(existsSync(keyFile)).toBe(true);

    const secretsDir = join(dir, 'data', 'secrets');
    const runtime = await start(new SafeStorageSecretStore(secretsDir, keyring));
    cleanup.push(() => runtime.close());
    expect((await runtime.append('checkin', { subject: 'p-1', centre: 'centre-a' })).seq).toBe(seq + 1);
    expect(Buffer.from(runtime.personal.dataKey('p-1')).toString('hex')).toBe(dataKey);
    expect(existsSync(keyFile)).toBe(false);
    expect(existsSync(keyFile.replace(/\.key$/, '.witness.key'))).toBe(false);
    expect(readdirSync(secretsDir).sort()).toEqual(['centre-key.safe', 'log-signing.key.safe', 'witness-signing.key.safe']);

    runtime.personal.endSupervision('p-1', now.t - 2 * 86_400_000, 86_400_000);
    expect(await runtime.erasure?.runOnce()).toEqual(['p-1']);
    expect(() => runtime.personal.dataKey('p-1')).toThrow();
    const types = [...runtime.ledger.range(KIOSK, 0, runtime.ledger.head(KIOSK).size)].map((r) => r.type);
    expect(types).toContain('erasure');
  });
});
