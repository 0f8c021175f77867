// A kiosk never signs with a revoked key: the kiosk runtime, configured with HQ's registry public key
// (`registryPub`), follows HQ's registry over a real broker (Aedes in process); once HQ revokes the kiosk's key,
// its appends are refused with 'key-revoked', reported once on the runtime's log, and the runtime keeps running.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REGISTRY_ORIGIN } from '../../ledger/key-schedule.ts';
import { Signer, loadOrCreateSigner } from '../../ledger/keys.ts';
import { LogWriter } from '../../ledger/log-writer.ts';
import { LedgerStore } from '../../ledger/store.ts';
import { inProcessDevices } from '../../main/kiosk/emulated-devices.ts';
import { loadKioskConfig } from '../../main/kiosk/kiosk-config.ts';
import { KioskRuntime } from '../../main/kiosk/kiosk-runtime.ts';
import { startEmbeddedBroker } from '../../net/embedded-broker.ts';
import { HqService } from '../../net/hq/hq-service.ts';
import { SqliteHqStore } from '../../net/hq/sqlite-hq-store.ts';
import { waitFor } from '../helpers/wait-for.ts';

const KIOSK = 'centre-a/k1';

describe('kiosk runtime under a revoked key', () => {
  const cleanup: (() => unknown)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  it("refuses to sign once HQ's registry revokes its key, says so once, and keeps running", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'muster-revoked-'));
    cleanup.push(() => {
      rmSync(dir, { recursive: true, force: true });
    });
    const broker = await startEmbeddedBroker({ port: 0, host: '127.0.0.1', alertPublishers: new Set(['hq']) });
    cleanup.push(() => broker.close());
    const registrySigner = loadOrCreateSigner(join(dir, 'registry.key'), REGISTRY_ORIGIN).signer;
    const registryStore = LedgerStore.open(join(dir, 'registry.db'), { create: true });
    cleanup.push(() => {
      registryStore.close();
    });
    const registry = LogWriter.init(registryStore, REGISTRY_ORIGIN, registrySigner);
    registry.checkpoint();
    const hq = await HqService.start({ store: SqliteHqStore.open(join(dir, 'hq.db')), broker: { url: broker.url }, witnessSigner: Signer.generate('hq'), registry: registryStore, checkEveryMs: 3_600_000 });
    cleanup.push(async () => {
      await hq.close();
      await hq.store.close();
    });

    const emulated = inProcessDevices(`k${Math.random().toString(36).slice(2)}`);
    cleanup.push(() => emulated.close());
    const file = join(dir, 'kiosk.json');
    // A fingerprint sensor only: no camera, so no face worker is needed here.
    writeFileSync(file, JSON.stringify({ centre: 'centre-a', kiosk: KIOSK, dataDir: 'data', registryPub: 'registry.key.pub', broker: { url: broker.url }, devices: { fingerprint: emulated.devices.fingerprint } }));
    const lines: string[] = [];
    const runtime = await KioskRuntime.start({ config: loadKioskConfig(file), ...(emulated.inProcess ?? {}), log: (line) => lines.push(line), reopenMs: 60_000 });
    cleanup.push(() => runtime.close());
    const node = runtime.kioskNode;
    if (!node) throw new Error('the runtime has no replication node');
    await waitFor(async () => (await node.store.size(REGISTRY_ORIGIN)) === 1, "the kiosk to follow HQ's registry");

    const { seq } = await runtime.append('checkin', { subject: 'p-1', centre: 'centre-a' });
    await registry.append('key-revocation', { origin: KIOSK, key: node.writer.verifier.publicKey, fromSeq: seq + 1, reason: 'kiosk stolen' });
    registry.checkpoint();
    await hq.publishRegistry();
    await waitFor(async () => (await node.store.size(REGISTRY_ORIGIN)) === 2, 'the revocation to reach the kiosk');

    for (const subject of ['p-2', 'p-3']) {
      await expect(runtime.append('checkin', { subject, centre: 'centre-a' })).rejects.toMatchObject({ code: 'key-revoked' });
    }
    expect(node.store.ledger.head(KIOSK).size).toBe(seq + 1);
    expect(runtime.keyRevoked).toMatch(/revoked from entry/);
    expect(lines.filter((l) => l.includes('revoked'))).toHaveLength(1);
    expect(runtime.devices().length).toBeGreaterThan(0);
  });
});
