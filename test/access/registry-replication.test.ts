// Revocation refused everywhere: HQ publishes its registry log over a real broker (Aedes in process), a kiosk that
// joins later follows it (backfilled from HQ's store, trusting the registry's genesis key from provisioning), and
// once a kiosk's key is revoked, a peer kiosk refuses the revoked kiosk's later entries, not only HQ.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REGISTRY_ORIGIN, readRegistry } from '../../ledger/registry.ts';
import { Signer } from '../../ledger/keys.ts';
import { LogWriter } from '../../ledger/log-writer.ts';
import { LedgerStore } from '../../ledger/store.ts';
import { HqService } from '../../net/hq/hq-service.ts';
import { SqliteHqStore } from '../../net/hq/sqlite-hq-store.ts';
import { KioskNode } from '../../net/kiosk-node.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { Recorder } from '../net/support/nodes.ts';
import { type BrokerFixture, startBroker } from '../net/support/brokers.ts';

const K1 = 'c1/k1';
const K2 = 'c1/k2';

describe('registry over MQTT', () => {
  const closers: (() => unknown)[] = [];
  afterEach(async () => {
    for (const close of closers.reverse())
      await Promise.resolve()
        .then(close)
        .catch(() => undefined);
    closers.length = 0;
  });

  it("a revoked kiosk's later entries are refused by a peer kiosk that follows HQ's registry", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'muster-registry-'));
    closers.push(() => {
      rmSync(dir, { recursive: true, force: true });
    });
    const broker: BrokerFixture = await startBroker('aedes', ['hq', K1, K2]);
    closers.push(() => broker.stop());

    const registrySigner = Signer.generate(REGISTRY_ORIGIN);
    const registryStore = LedgerStore.open(join(dir, 'registry.db'), { create: true });
    closers.push(() => {
      registryStore.close();
    });
    const registry = LogWriter.init(registryStore, REGISTRY_ORIGIN, registrySigner);
    const keys = new Map([K1, K2].map((k) => [k, { log: Signer.generate(k), witness: Signer.generate(k) }]));
    for (const [origin, key] of keys)
      await registry.append('kiosk-registration', { origin, centre: 'c1', key: key.log.verifier.publicKey });
    registry.checkpoint();

    const hq = await HqService.start({
      store: SqliteHqStore.open(join(dir, 'hq.db')),
      broker: broker.link('hq'),
      witnessSigner: Signer.generate('hq'),
      registry: registryStore,
      checkEveryMs: 3_600_000,
      retryMs: 500,
    });
    closers.push(async () => {
      await hq.close();
      await hq.store.close();
    });

    const start = async (
      origin: string,
      peer: string,
      registryKey?: Uint8Array,
    ): Promise<{ node: KioskNode; recorder: Recorder }> => {
      const recorder = new Recorder();
      const key = keys.get(origin) as { log: Signer; witness: Signer };
      const node = await KioskNode.start({
        storePath: join(dir, `${origin.replace('/', '_')}.db`),
        signer: key.log,
        witnessSigner: key.witness,
        broker: broker.link(origin),
        peers: [peer],
        retryMs: 500,
        onEvent: recorder.listener,
        ...(registryKey ? { registryKey } : {}),
      });
      closers.push(() => node.close(true));
      return { node, recorder };
    };
    // The stolen kiosk does not care for the registry; its peer was provisioned with HQ's registry key.
    const stolen = await start(K1, K2);
    const peer = await start(K2, K1, registrySigner.verifier.publicKey);

    // The peer joined after HQ published: it catches up on the registry from the retained checkpoint.
    await waitFor(async () => (await peer.node.store.size(REGISTRY_ORIGIN)) === 3, 'the peer to hold the registry');
    await stolen.node.append('checkin', { subject: 'p-1', centre: 'c1' });
    await stolen.node.append('checkin', { subject: 'p-2', centre: 'c1' });
    await waitFor(async () => (await peer.node.store.size(K1)) === 3, 'the peer to hold k1 up to entry 2');

    await registry.append('key-revocation', {
      origin: K1,
      key: keys.get(K1)?.log.verifier.publicKey ?? new Uint8Array(),
      fromSeq: 3,
      reason: 'kiosk stolen',
    });
    registry.checkpoint();
    await hq.publishRegistry();
    await waitFor(async () => (await peer.node.store.size(REGISTRY_ORIGIN)) === 4, 'the revocation to reach the peer');
    expect(readRegistry(peer.node.store.ledger)?.revocations).toHaveLength(1);

    await stolen.node.append('checkin', { subject: 'p-forged', centre: 'c1' });
    const rejected = await waitFor(
      () => peer.recorder.of('rejected').find((e) => e.origin === K1),
      "the peer to refuse k1's entry 3",
    );
    expect(rejected.rejected[0]?.reason).toMatch(/revoked from entry 3/);
    expect(await peer.node.store.size(K1)).toBe(3);
    expect(await hq.store.size(K1)).toBeLessThanOrEqual(3);
    // HQ's own fleet view does not mistake the registry log for a kiosk.
    await hq.checkFleet();
    expect(hq.fleetView().map((f) => f.kiosk)).not.toContain(REGISTRY_ORIGIN);
  });
});
