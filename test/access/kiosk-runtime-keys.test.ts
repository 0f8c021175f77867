// The kiosk runtime's keys, on real signed logs, an embedded broker (Aedes in process) and emulated devices:
// - it never signs with a revoked key: configured with HQ's registry public key (`registryPub`), it follows HQ's
//   registry; once HQ revokes its key, appends are refused with 'key-revoked', reported once, and it keeps running;
// - with a secret store (Electron main passes safeStorage's), the signing keys and the centre data key of an
//   earlier run (plain 0600 files, the development default) move into it, so the log keeps its key and personal
//   data stays readable while no key is left in the clear; the retention job runs in the runtime.
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SafeStorageSecretStore, type SafeStorageLike } from '../../access/key-store.ts';
import { REGISTRY_ORIGIN } from '../../ledger/key-schedule.ts';
import { Signer, loadOrCreateSigner } from '../../ledger/keys.ts';
import { LogWriter } from '../../ledger/log-writer.ts';
import { LedgerStore } from '../../ledger/store.ts';
import { inProcessDevices } from '../../main/kiosk/emulated-devices.ts';
import { loadKioskConfig } from '../../main/kiosk/kiosk-config.ts';
import { KioskRuntime, type KioskRuntimeOptions } from '../../main/kiosk/kiosk-runtime.ts';
import { type EmbeddedBroker, startEmbeddedBroker } from '../../net/embedded-broker.ts';
import { HqService } from '../../net/hq/hq-service.ts';
import { SqliteHqStore } from '../../net/hq/sqlite-hq-store.ts';
import { topicId } from '../../net/topics.ts';
import { MemoryLog } from '../../runtime/logger.ts';
import { waitFor } from '../helpers/wait-for.ts';

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

describe('kiosk runtime: keys', () => {
  const cleanup: (() => unknown)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  /** A temp dir, a broker and a kiosk configuration with a fingerprint sensor only (no camera: no face worker). */
  async function setup(config: Record<string, unknown> = {}): Promise<{
    dir: string;
    broker: EmbeddedBroker;
    start: (options?: Partial<KioskRuntimeOptions>) => Promise<KioskRuntime>;
  }> {
    const dir = mkdtempSync(join(tmpdir(), 'muster-kiosk-keys-'));
    cleanup.push(() => {
      rmSync(dir, { recursive: true, force: true });
    });
    const broker = await startEmbeddedBroker({ port: 0, host: '127.0.0.1', alertPublishers: new Set(['hq']) });
    cleanup.push(() => broker.close());
    const emulated = inProcessDevices(`k${Math.random().toString(36).slice(2)}`);
    cleanup.push(() => emulated.close());
    const file = join(dir, 'kiosk.json');
    writeFileSync(
      file,
      JSON.stringify({
        centre: 'centre-a',
        kiosk: KIOSK,
        dataDir: 'data',
        broker: { url: broker.url },
        devices: { fingerprint: emulated.devices.fingerprint },
        ...config,
      }),
    );
    const start = (options: Partial<KioskRuntimeOptions> = {}): Promise<KioskRuntime> =>
      KioskRuntime.start({
        config: loadKioskConfig(file),
        ...(emulated.inProcess ?? {}),
        reopen: { initialMs: 60_000, maxMs: 60_000, jitter: 0 },
        ...options,
      });
    return { dir, broker, start };
  }

  it("refuses to sign once HQ's registry revokes its key, says so once, and keeps running", async () => {
    const { dir, broker, start } = await setup({ registryPub: 'registry.key.pub' });
    const registrySigner = loadOrCreateSigner(join(dir, 'registry.key'), REGISTRY_ORIGIN).signer;
    const registryStore = LedgerStore.open(join(dir, 'registry.db'), { create: true });
    cleanup.push(() => {
      registryStore.close();
    });
    const registry = LogWriter.init(registryStore, REGISTRY_ORIGIN, registrySigner);
    registry.checkpoint();
    const hq = await HqService.start({
      store: SqliteHqStore.open(join(dir, 'hq.db')),
      broker: { url: broker.url },
      witnessSigner: Signer.generate('hq'),
      registry: registryStore,
      checkEveryMs: 3_600_000,
    });
    cleanup.push(async () => {
      await hq.close();
      await hq.store.close();
    });
    const memory = new MemoryLog();
    const runtime = await start({ logger: memory.logger });
    cleanup.push(() => runtime.close());
    const node = runtime.kioskNode;
    if (!node) throw new Error('the runtime has no replication node');
    await waitFor(async () => (await node.store.size(REGISTRY_ORIGIN)) === 1, "the kiosk to follow HQ's registry");

    const { seq } = await runtime.append('checkin', { subject: 'p-1', centre: 'centre-a' });
    await registry.append('key-revocation', {
      origin: KIOSK,
      key: node.writer.verifier.publicKey,
      fromSeq: seq + 1,
      reason: 'kiosk stolen',
    });
    registry.checkpoint();
    await hq.publishRegistry();
    await waitFor(async () => (await node.store.size(REGISTRY_ORIGIN)) === 2, 'the revocation to reach the kiosk');

    for (const subject of ['p-2', 'p-3']) {
      await expect(runtime.append('checkin', { subject, centre: 'centre-a' })).rejects.toMatchObject({
        code: 'key-revoked',
      });
    }
    expect(node.store.ledger.head(KIOSK).size).toBe(seq + 1);
    expect(runtime.keyRevoked).toMatch(/revoked from entry/);
    expect(memory.at('error').filter((r) => r.msg.includes('revoked'))).toEqual([
      expect.objectContaining({ kiosk: KIOSK, err: expect.objectContaining({ code: 'key-revoked' }) as unknown }),
    ]);
    expect(runtime.devices().length).toBeGreaterThan(0);
  });

  it('moves earlier key files into the secret store, keeps its log and data readable, and erases when retention ends', async () => {
    const { dir, start } = await setup();
    const now = Date.parse('2026-03-02T09:00:00Z');
    // First run: the development default, plain owner-only key files.
    const before = await start({ clock: () => now });
    const { seq } = await before.append('checkin', { subject: 'p-1', centre: 'centre-a' });
    before.personal.put('p-1', 'centre-a', { name: 'Pat Example' });
    const dataKey = Buffer.from(before.personal.dataKey('p-1')).toString('hex');
    await before.close();
    const keyFile = join(dir, 'data', `${topicId(KIOSK)}.db.key`);
    expect(existsSync(keyFile)).toBe(true);

    const secretsDir = join(dir, 'data', 'secrets');
    const runtime = await start({ clock: () => now, secrets: new SafeStorageSecretStore(secretsDir, keyring) });
    cleanup.push(() => runtime.close());
    expect((await runtime.append('checkin', { subject: 'p-1', centre: 'centre-a' })).seq).toBe(seq + 1);
    expect(Buffer.from(runtime.personal.dataKey('p-1')).toString('hex')).toBe(dataKey);
    expect(existsSync(keyFile)).toBe(false);
    expect(existsSync(keyFile.replace(/\.key$/, '.witness.key'))).toBe(false);
    expect(readdirSync(secretsDir).sort()).toEqual([
      'badge-key.safe',
      'centre-key.safe',
      'log-signing.key.safe',
      'witness-signing.key.safe',
    ]);

    runtime.personal.endSupervision('p-1', now - 2 * 86_400_000, 86_400_000);
    expect(await runtime.erasure.runOnce()).toEqual(['p-1']);
    expect(() => runtime.personal.dataKey('p-1')).toThrow();
    const types = [...runtime.ledger.range(KIOSK, 0, runtime.ledger.head(KIOSK).size)].map((r) => r.type);
    expect(types).toContain('erasure');
  });
});
