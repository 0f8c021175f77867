// A re-enrolment (a person's enrolled biometrics replaced, with a second person's approval) reaches HQ as a
// `security` alert naming the person, who enrolled and who approved; a first enrolment raises none. The dashboard's
// alert list can show security alerts alone (hq.alerts kind).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Signer } from '../../ledger/keys.ts';
import { LogWriter } from '../../ledger/log-writer.ts';
import { LedgerStore } from '../../ledger/store.ts';
import type { StoredAlert } from '../../net/alerts.ts';
import { HqBackend } from '../../main/web/hq-backend.ts';
import { HqService } from '../../net/hq/hq-service.ts';
import { SqliteHqStore } from '../../net/hq/sqlite-hq-store.ts';
import { topics } from '../../net/topics.ts';
import { encodeBatch } from '../../net/wire.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { type BrokerFixture, startBroker } from './support/brokers.ts';
import { rawClient } from './support/nodes.ts';

const K1 = 'c1/k1';

describe('re-enrolment at HQ', () => {
  const dir = mkdtempSync(join(tmpdir(), 'muster-hq-reenrol-'));
  const key = Signer.generate(K1);
  let broker: BrokerFixture;
  let hq: HqService;
  const alerts: StoredAlert[] = [];

  beforeAll(async () => {
    broker = await startBroker('aedes', [K1, 'hq']);
    hq = await HqService.start({
      store: SqliteHqStore.open(join(dir, 'hq.db'), { trustedKeys: new Map([[K1, key.verifier.publicKey]]) }),
      broker: broker.link('hq'),
      witnessSigner: Signer.generate('hq'),
      trusted: new Set([K1]),
      checkEveryMs: 3_600_000,
    });
    hq.events.on('alert', (alert) => alerts.push(alert));
  });
  afterAll(async () => {
    await hq.close();
    await hq.store.close();
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('raises one security alert, for the enrolment that replaced biometrics', async () => {
    const store = LedgerStore.open(join(dir, 'k1.db'), { create: true });
    const writer = LogWriter.init(store, K1, key);
    const enrolment = { subject: 'p-1', centre: 'c1', kiosk: K1, methods: ['fingerprint'], staff: 'sam' };
    await writer.append('enrolment', enrolment);
    await writer.append('enrolment', { ...enrolment, replaces: true, approvedBy: 'olga' });
    const leaves = [...store.range(K1, 0, 3)].map((row) => row.leaf);
    store.close();
    const client = await rawClient(broker, K1);
    await client.publishAsync(topics.entries(K1), Buffer.from(encodeBatch({ origin: K1, leaves })), { qos: 1 });
    await client.endAsync();
    await waitFor(async () => (await hq.store.size(K1)) === 3, 'HQ to hold the log');
    const alert = await waitFor(
      () => alerts.find((a) => a.kind === 'security' && a.summary.includes('re-enrolled')),
      'the re-enrolment alert',
    );
    expect(alert).toMatchObject({
      kiosk: K1,
      center: 'c1',
      evidence: { subject: 'p-1', staff: 'sam', approvedBy: 'olga', origin: K1, seq: 2 },
    });
    expect(alert.summary).toBe('p-1 re-enrolled at c1/k1 by sam, approved by olga: their biometrics were replaced');
    expect(alerts.filter((a) => a.summary.includes('re-enrolled'))).toHaveLength(1);
  });

  it('the dashboard lists security alerts alone when asked', async () => {
    await hq.checkFleet();
    await waitFor(
      () => alerts.some((a) => a.kind !== 'security'),
      'an alert of another kind (k1 has sent no heartbeat)',
    );
    const list = new HqBackend({ hq }).handlers['hq.alerts'];
    if (!list) throw new Error('no hq.alerts');
    const officer = { principal: { user: 'olga', role: 'officer' as const, centres: [] }, kioskScreen: false };
    const kinds = async (params: { kind?: string }): Promise<string[]> =>
      [...new Set((await list(params, officer)).alerts.map((a) => a.kind))].sort();
    expect((await kinds({})).length).toBeGreaterThan(1);
    expect(await kinds({ kind: 'security' })).toEqual(['security']);
    expect(await kinds({ kind: 'fork' })).toEqual([]);
  });
});
