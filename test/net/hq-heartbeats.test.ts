// Heartbeats are signed by the kiosk's log key and judged by their signed time: a heartbeat for a kiosk HQ does
// not know adds no fleet row (a security alert instead), an unsigned or wrongly signed one changes nothing, and a
// retained or replayed old one does not make a dead kiosk "online".
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Signer } from '../../ledger/keys.ts';
import type { StoredAlert } from '../../net/alerts.ts';
import {
  DEFAULT_FLEET_POLICY,
  type Heartbeat,
  encodeHeartbeat,
  kioskState,
  signHeartbeat,
} from '../../net/heartbeat.ts';
import { HqService } from '../../net/hq/hq-service.ts';
import { SqliteHqStore } from '../../net/hq/sqlite-hq-store.ts';
import { topics } from '../../net/topics.ts';
import { encodeBatch } from '../../net/wire.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { type BrokerFixture, startBroker } from './support/brokers.ts';
import { rawClient, scratchLog } from './support/nodes.ts';

const K1 = 'c1/k1';
const STRANGER = 'c1/k9';
// Real time: the scratch log's entries carry it, and HQ judges the kiosk's clock by them.
const NOW = Date.now();

const beat = (kiosk: string, at: number): Heartbeat => ({
  kiosk,
  at,
  version: 'test',
  logSize: 1,
  backlog: 0,
  devices: [],
});

describe('signed heartbeats at HQ', () => {
  const dir = mkdtempSync(join(tmpdir(), 'muster-heartbeats-'));
  const key = Signer.generate(K1);
  let broker: BrokerFixture;
  let hq: HqService;
  const alerts: StoredAlert[] = [];

  const publish = async (as: string, payload: Buffer): Promise<void> => {
    const client = await rawClient(broker, as);
    await client.publishAsync(topics.health(as), payload, { qos: 1, retain: true });
    await client.endAsync();
  };
  const state = (kiosk: string): string | undefined => hq.fleetView().find((k) => k.kiosk === kiosk)?.state;

  beforeAll(async () => {
    broker = await startBroker('aedes', [K1, STRANGER, 'hq']);
    hq = await HqService.start({
      store: SqliteHqStore.open(join(dir, 'hq.db'), { trustedKeys: new Map([[K1, key.verifier.publicKey]]) }),
      broker: broker.link('hq'),
      witnessSigner: Signer.generate('hq'),
      trusted: new Set([K1]),
      clock: () => NOW,
      checkEveryMs: 3_600_000,
    });
    hq.events.on('alert', (alert) => alerts.push(alert));
    const client = await rawClient(broker, K1);
    await client.publishAsync(
      topics.entries(K1),
      Buffer.from(encodeBatch({ origin: K1, leaves: await scratchLog(dir, key, 1) })),
      { qos: 1 },
    );
    await client.endAsync();
    await waitFor(async () => (await hq.store.size(K1)) === 2, 'HQ to hold k1');
    await hq.checkFleet();
    expect(state(K1)).toBe('offline');
  });
  afterAll(async () => {
    await hq.close();
    await hq.store.close();
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('ignores a heartbeat for a kiosk it does not know: a security alert, no fleet row', async () => {
    await publish(
      STRANGER,
      signHeartbeat(beat(STRANGER, NOW), (m) => Signer.generate(STRANGER).sign(m)),
    );
    const alert = await waitFor(
      () => alerts.find((a) => a.kind === 'security' && a.kiosk === STRANGER),
      'a security alert for the unknown kiosk',
    );
    expect(alert.summary).toContain('not a registered kiosk');
    expect(state(STRANGER)).toBeUndefined();
    expect(alerts.some((a) => a.kind === 'degraded' && a.kiosk === STRANGER)).toBe(false);
  });

  it('an unsigned heartbeat, or one signed by another key, leaves a dead kiosk offline', async () => {
    await publish(K1, encodeHeartbeat(beat(K1, NOW)));
    await publish(
      K1,
      signHeartbeat(beat(K1, NOW), (m) => Signer.generate(K1).sign(m)),
    );
    const alert = await waitFor(
      () => alerts.find((a) => a.kind === 'security' && a.kiosk === K1),
      'a security alert for the forged heartbeat',
    );
    expect(alert.summary).toContain('signature does not verify');
    expect(state(K1)).toBe('offline');
  });

  it('a correctly signed but old heartbeat (retained, replayed) is not fresh; a fresh one is', async () => {
    await publish(
      K1,
      signHeartbeat(beat(K1, NOW - 10 * 60_000), (m) => key.sign(m)),
    );
    await waitFor(async () => (await hq.store.heartbeats()).has(K1), 'HQ to record the old heartbeat');
    await hq.checkFleet();
    expect(state(K1)).toBe('offline');
    await publish(
      K1,
      signHeartbeat(beat(K1, NOW - 1000), (m) => key.sign(m)),
    );
    await waitFor(() => state(K1) === 'online', 'k1 online from a fresh signed heartbeat');
    // The old one again (a replay) changes nothing.
    await publish(
      K1,
      signHeartbeat(beat(K1, NOW - 10 * 60_000), (m) => key.sign(m)),
    );
    await hq.checkFleet();
    expect(state(K1)).toBe('online');
  });

  it('judges freshness by the signed time, bounded by arrival', () => {
    const policy = DEFAULT_FLEET_POLICY;
    expect(kioskState({ heartbeat: beat(K1, NOW - 600_000), receivedAt: NOW }, NOW, policy).state).toBe('offline');
    expect(kioskState({ heartbeat: beat(K1, NOW + 3_600_000), receivedAt: NOW - 600_000 }, NOW, policy).state).toBe(
      'offline',
    );
    expect(kioskState({ heartbeat: beat(K1, NOW - 1000), receivedAt: NOW }, NOW, policy).state).toBe('online');
  });
});
