// The police's agency node follows HQ's registry log over MQTT (`muster hq --agency --registry-pub FILE`), not HQ's
// store or registry file: a kiosk enrolled after the node started is admitted and its whole log fetched (also what it
// published before the registration reached the node), a key revoked after it started is refused there with an
// alert, with HQ down by then, and a registry log under another key is refused.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REGISTRY_ORIGIN } from '../../ledger/key-schedule.ts';
import { Signer } from '../../ledger/keys.ts';
import { LogWriter } from '../../ledger/log-writer.ts';
import { LedgerStore } from '../../ledger/store.ts';
import type { StoredAlert } from '../../net/alerts.ts';
import { HqService } from '../../net/hq/hq-service.ts';
import { SqliteHqStore } from '../../net/hq/sqlite-hq-store.ts';
import { KioskNode } from '../../net/kiosk-node.ts';
import type { ReplicationEvent } from '../../net/replicator.ts';
import { topics } from '../../net/topics.ts';
import { encodeBatch } from '../../net/wire.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { type BrokerFixture, startBroker } from './support/brokers.ts';
import { rawClient } from './support/nodes.ts';

const K1 = 'c1/k1';
const K2 = 'c1/k2';
const ROGUE = 'c9/rogue';

describe('the agency node follows the registry log over MQTT', () => {
  const dir = mkdtempSync(join(tmpdir(), 'muster-agency-registry-'));
  const registrySigner = Signer.generate(REGISTRY_ORIGIN);
  const keys = new Map([K1, K2].map((k) => [k, Signer.generate(k)]));
  const alerts: StoredAlert[] = [];
  const kiosks: KioskNode[] = [];
  let broker: BrokerFixture;
  let registryStore: LedgerStore;
  let registry: LogWriter;
  let hq: HqService | undefined;
  let police: HqService;

  const kiosk = async (origin: string, onEvent?: (event: ReplicationEvent) => void): Promise<KioskNode> => {
    const node = await KioskNode.start({
      ...(onEvent ? { onEvent } : {}),
      storePath: join(dir, `${origin.replace('/', '_')}.db`),
      signer: keys.get(origin) ?? Signer.generate(origin),
      witnessSigner: Signer.generate(origin),
      broker: broker.link(origin),
      peers: [],
      retryMs: 500,
    });
    kiosks.push(node);
    return node;
  };
  const register = (origin: string): Promise<unknown> =>
    registry.append('kiosk-registration', {
      origin,
      centre: 'c1',
      key: keys.get(origin)?.verifier.publicKey ?? new Uint8Array(),
    });

  beforeAll(async () => {
    broker = await startBroker('mosquitto', ['hq', 'police', K1, K2]);
    registryStore = LedgerStore.open(join(dir, 'registry.db'), { create: true });
    registry = LogWriter.init(registryStore, REGISTRY_ORIGIN, registrySigner);
    await register(K1);
    registry.checkpoint();
    hq = await HqService.start({
      store: SqliteHqStore.open(join(dir, 'hq.db')),
      broker: broker.link('hq'),
      witnessSigner: Signer.generate('hq'),
      registry: registryStore,
      checkEveryMs: 3_600_000,
      retryMs: 500,
    });
    // The police know nothing but the registry's public key (from provisioning) and the broker.
    police = await HqService.start({
      store: SqliteHqStore.open(join(dir, 'police.db'), {
        trustedKeys: new Map([[REGISTRY_ORIGIN, registrySigner.verifier.publicKey]]),
      }),
      broker: broker.link('police'),
      nodeId: 'police',
      witnessSigner: Signer.generate('police'),
      agency: true,
      followsRegistry: true,
      checkEveryMs: 3_600_000,
      retryMs: 500,
    });
    police.events.on('alert', (alert) => alerts.push(alert));
    await waitFor(() => police.followedRegistry()?.registered.has(K1), 'the police node to hold the registry');
  }, 60_000);

  afterAll(async () => {
    for (const node of kiosks) await node.close(true);
    await hq?.close();
    await hq?.store.close();
    await police.close();
    await police.store.close();
    registryStore.close();
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('admits a kiosk registered after it started and fetches its whole log', async () => {
    const k1 = await kiosk(K1);
    await k1.append('checkin', { subject: 'p-1', centre: 'c1' });
    await waitFor(async () => (await police.store.size(K1)) === 2, 'the police node to hold k1');

    // k2 publishes entries and its (retained) checkpoint before it is registered: the police node refuses them
    // then; once the registration arrives it must fetch them, since k2 publishes nothing more by itself.
    const published: number[] = [];
    const k2 = await kiosk(K2, (event) => {
      if (event.kind === 'published') published.push(event.size);
    });
    await k2.link.connection();
    await k2.append('checkin', { subject: 'p-2', centre: 'c1' });
    await waitFor(() => published.includes(2), "k2's first checkpoint to go out");
    await k2.append('checkin', { subject: 'p-3', centre: 'c1' });
    await waitFor(
      () => alerts.find((a) => a.kind === 'security' && a.kiosk === K2),
      "the police node to refuse k2's entries while k2 is unregistered",
    );
    await waitFor(() => published.includes(3), "k2's checkpoint of its 3 entries to go out");
    expect(await police.store.size(K2)).toBe(0);
    await register(K2);
    registry.checkpoint();
    await hq?.publishRegistry();
    await waitFor(() => police.followedRegistry()?.registered.has(K2), 'the registration to reach the police node');
    await waitFor(async () => (await police.store.size(K2)) === 3, "the police node to hold k2's whole log");
    expect(alerts.filter((a) => a.kind === 'forgery')).toEqual([]);
    // The genesis key the registration names is the one the police node's copy of k2's log starts with.
    expect((await police.store.verifiers(K2))[0]?.publicKey).toEqual(keys.get(K2)?.verifier.publicKey);
  });

  it('refuses a key revoked after it started, with an alert, HQ down by then', async () => {
    const k1 = kiosks[0] ?? expect.unreachable('k1 not started');
    const fromSeq = await police.store.size(K1);
    await registry.append('key-revocation', {
      origin: K1,
      key: keys.get(K1)?.verifier.publicKey ?? new Uint8Array(),
      fromSeq,
      reason: 'kiosk stolen',
    });
    registry.checkpoint();
    await hq?.publishRegistry();
    await waitFor(() => police.followedRegistry()?.revocations.length === 1, 'the revocation to reach the police node');
    await hq?.close();
    await hq?.store.close();
    hq = undefined;

    await k1.append('checkin', { subject: 'p-forged', centre: 'c1' });
    const alert = await waitFor(
      () => alerts.find((a) => a.kind === 'forgery' && a.kiosk === K1),
      "the police node's alert for the revoked key's entry",
    );
    expect(JSON.stringify(alert.evidence)).toContain(`revoked from entry ${fromSeq}`);
    expect(await police.store.size(K1)).toBe(fromSeq);
    // k2, not revoked, is still taken in.
    const k2 = kiosks[1] ?? expect.unreachable('k2 not started');
    await k2.append('checkin', { subject: 'p-4', centre: 'c1' });
    await waitFor(async () => (await police.store.size(K2)) === 4, 'the police node to take k2 in');
  });

  it('refuses a registry log under another key pushed to its inbox, and admits nothing it names', async () => {
    const forger = Signer.generate(REGISTRY_ORIGIN);
    const store = LedgerStore.open(join(dir, 'forged-registry.db'), { create: true });
    const writer = LogWriter.init(store, REGISTRY_ORIGIN, forger);
    await writer.append('kiosk-registration', {
      origin: ROGUE,
      centre: 'c9',
      key: Signer.generate(ROGUE).verifier.publicKey,
    });
    const leaves = [...store.range(REGISTRY_ORIGIN, 0, 2)].map((row) => row.leaf);
    store.close();
    const insider = await rawClient(broker, K2);
    await insider.publishAsync(topics.inbox('police'), Buffer.from(encodeBatch({ origin: REGISTRY_ORIGIN, leaves })), {
      qos: 1,
    });
    await insider.endAsync();
    await waitFor(
      () => alerts.find((a) => a.kind === 'forgery' && a.kiosk === REGISTRY_ORIGIN),
      'the forged registry refused with an alert',
    );
    expect(police.followedRegistry()?.registered.has(ROGUE)).toBe(false);
    expect(await police.store.size(REGISTRY_ORIGIN)).toBe(4);
  });
});
