// A fork a kiosk finds while witnessing a peer reaches HQ as an alert naming the kiosk that reported it, through
// the kiosk's signed heartbeat (net/witness-reports.ts): HQ need not have seen the contradicting checkpoint.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signCheckpoint } from '../../ledger/note.ts';
import { Signer } from '../../ledger/keys.ts';
import type { StoredAlert } from '../../net/alerts.ts';
import { decodeHeartbeat, encodeHeartbeat } from '../../net/heartbeat.ts';
import { HqService } from '../../net/hq/hq-service.ts';
import { SqliteHqStore } from '../../net/hq/sqlite-hq-store.ts';
import { topics } from '../../net/topics.ts';
import { MAX_REPORTS, WitnessReports } from '../../net/witness-reports.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { type BrokerFixture, startBroker } from './support/brokers.ts';
import { TestWorld, worldIds } from './support/nodes.ts';

const BEAT = { kiosk: 'c1/k2', at: 1, version: 't', logSize: 1, backlog: 0, devices: [] };
const REPORT = {
  kind: 'fork',
  origin: 'c1/k1',
  at: 5,
  summary: 'c1/k1: log forked',
  evidence: { reason: 'two roots for size 4' },
} as const;

describe('witness reports in the heartbeat', () => {
  it('round-trip, and a malformed one refuses the heartbeat', () => {
    expect(decodeHeartbeat(encodeHeartbeat({ ...BEAT, witnessed: [REPORT] })).witnessed).toEqual([REPORT]);
    for (const witnessed of [
      {},
      [{ ...REPORT, kind: 'gossip' }],
      [{ ...REPORT, origin: 'not an origin' }],
      [{ ...REPORT, origin: 7 }],
      [{ ...REPORT, evidence: { blob: 'x'.repeat(5000) } }],
      Array(MAX_REPORTS + 1).fill(REPORT),
    ]) {
      expect(() => decodeHeartbeat(Buffer.from(JSON.stringify({ v: 1, ...BEAT, witnessed })))).toThrow(/witness/);
    }
  });

  it('a kiosk keeps the newest report per kind and log, and says which are news', () => {
    const reports = new WitnessReports();
    expect(reports.add(REPORT)).toBe(true);
    expect(reports.add({ ...REPORT, at: 9 })).toBe(false);
    for (let i = 0; i < MAX_REPORTS + 2; i++) reports.add({ ...REPORT, origin: `c1/p${i}` });
    expect(reports.list()).toHaveLength(MAX_REPORTS);
    expect(reports.list().map((r) => r.origin)).not.toContain('c1/k1');
  });
});

describe('a fork seen by a kiosk', () => {
  let broker: BrokerFixture;
  const dir = mkdtempSync(join(tmpdir(), 'muster-witnessed-'));
  beforeAll(async () => {
    broker = await startBroker('mosquitto', [...worldIds(0), 'hq']);
  });
  afterAll(async () => {
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reaches HQ as a fork alert about the peer, naming the kiosk that reported it', async () => {
    const hq = await HqService.start({
      store: SqliteHqStore.open(join(dir, 'hq.db')),
      broker: broker.link('hq'),
      witnessSigner: Signer.generate('hq'),
      checkEveryMs: 3_600_000,
      retryMs: 200,
    });
    const alerts: StoredAlert[] = [];
    hq.events.on('alert', (alert) => alerts.push(alert));
    const world = new TestWorld(broker, 0);
    const [K1, K2] = world.ids;
    try {
      const k1 = await world.kiosk(K1, [], { retryMs: 200 });
      const k2 = await world.kiosk(K2, [K1], { retryMs: 200, heartbeat: { everyMs: 0, version: 'test' } });
      for (let i = 0; i < 3; i++) await k1.node.append('checkin', { subject: `s-${i}` });
      await waitFor(async () => (await k2.node.store.witnessed(K1))?.size === 4, 'k2 to witness k1 at 4');
      await waitFor(async () => (await hq.store.size(K2)) >= 1, "HQ to hold k2's log (its heartbeat key)");
      // k1's key signs a second root for the size k2 witnessed: shown to k2 (and to anyone on the topic), never retained.
      const forked = signCheckpoint(
        { origin: K1, size: 4, root: randomBytes(32), extensions: [] },
        world.keysOf(K1).log,
      );
      await k1.node.link.publish(topics.checkpoint(K1), forked, false);
      await waitFor(() => k2.recorder.of('fork').length > 0, 'k2 to find the fork');
      const reported = await waitFor(
        () => alerts.find((a) => a.evidence.reportedBy === K2),
        'the reported fork alert at HQ',
      );
      expect(reported).toMatchObject({
        kind: 'fork',
        kiosk: K1,
        center: K1.split('/')[0],
        summary: expect.stringMatching(new RegExp(`^reported by ${K2} while witnessing: ${K1}: log forked`)) as unknown,
      });
      expect(reported.evidence.note).toBe(forked);
      expect(k2.node.witnessed.list()).toEqual([expect.objectContaining({ kind: 'fork', origin: K1 })]);
    } finally {
      await world.close();
      await hq.close();
      await hq.store.close();
    }
  });
});
