// HQ stores only the logs it knows (the registry's kiosks, or pinned ones as in the demo): a node holding a broker
// password that publishes a whole new log, on the inbox or on its own topic, gets nothing stored and a security
// alert that names the log and, where the broker proves it, the publisher.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Signer } from '../../ledger/keys.ts';
import type { StoredAlert } from '../../net/alerts.ts';
import { HqService } from '../../net/hq/hq-service.ts';
import { SqliteHqStore } from '../../net/hq/sqlite-hq-store.ts';
import { topics } from '../../net/topics.ts';
import { encodeBatch } from '../../net/wire.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { type BrokerFixture, startBroker } from './support/brokers.ts';
import { rawClient, scratchLog } from './support/nodes.ts';

const KNOWN = 'c1/k1';
const INSIDER = 'c1/k2';
const STRANGER = 'c9/rogue';

describe('HQ admits only registered or pinned logs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'muster-admission-'));
  let broker: BrokerFixture;
  let hq: HqService;
  const alerts: StoredAlert[] = [];

  beforeAll(async () => {
    broker = await startBroker('aedes', [KNOWN, INSIDER, 'hq']);
    const known = Signer.generate(KNOWN);
    hq = await HqService.start({
      store: SqliteHqStore.open(join(dir, 'hq.db'), { trustedKeys: new Map([[KNOWN, known.verifier.publicKey]]) }),
      broker: broker.link('hq'),
      witnessSigner: Signer.generate('hq'),
      trusted: new Set([KNOWN]),
      checkEveryMs: 3_600_000,
      retryMs: 500,
    });
    hq.events.on('alert', (alert) => alerts.push(alert));
    // The pinned kiosk's log arrives and is stored, so the refusals below are about admission, not a dead link.
    const client = await rawClient(broker, KNOWN);
    await client.publishAsync(
      topics.entries(KNOWN),
      Buffer.from(encodeBatch({ origin: KNOWN, leaves: await scratchLog(dir, known, 3) })),
      { qos: 1 },
    );
    await client.endAsync();
    await waitFor(async () => (await hq.store.size(KNOWN)) === 4, 'HQ to store the pinned kiosk log');
  });
  afterAll(async () => {
    await hq.close();
    await hq.store.close();
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a new log pushed to its inbox by an insider, with a security alert naming the log', async () => {
    const insider = await rawClient(broker, INSIDER);
    const leaves = await scratchLog(dir, Signer.generate(STRANGER), 5);
    await insider.publishAsync(topics.inbox('hq'), Buffer.from(encodeBatch({ origin: STRANGER, leaves })), { qos: 1 });
    await insider.endAsync();
    const alert = await waitFor(
      () => alerts.find((a) => a.kind === 'security' && a.kiosk === STRANGER),
      'a security alert for the unknown log',
    );
    expect(alert.summary).toContain(STRANGER);
    expect(await hq.store.size(STRANGER)).toBe(0);
    expect(await hq.store.origins()).not.toContain(STRANGER);
  });

  it("refuses the insider's own unregistered log on its own topic, naming it as the publisher", async () => {
    const insider = await rawClient(broker, INSIDER);
    await insider.publishAsync(
      topics.entries(INSIDER),
      Buffer.from(encodeBatch({ origin: INSIDER, leaves: await scratchLog(dir, Signer.generate(INSIDER), 2) })),
      { qos: 1 },
    );
    await insider.endAsync();
    const alert = await waitFor(
      () => alerts.find((a) => a.kind === 'security' && a.kiosk === INSIDER),
      'a security alert for the unregistered kiosk',
    );
    expect(alert.evidence).toMatchObject({ origin: INSIDER, publisher: 'c1~k2' });
    expect(await hq.store.size(INSIDER)).toBe(0);
  });
});
