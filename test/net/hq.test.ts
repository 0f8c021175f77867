// `muster hq` as a library: the service on a real broker, its HTTP/SSE API, alerts on the alerts topic,
// fleet health on a fake clock, and the breach engine's hook.
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { request } from 'node:http';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EntryBody } from '../../core/entry.ts';
import { Signer } from '../../ledger/keys.ts';
import type { StoredAlert } from '../../net/alerts.ts';
import { type HqHttp, startHqHttp } from '../../net/hq/hq-http.ts';
import { HqService } from '../../net/hq/hq-service.ts';
import { SqliteHqStore } from '../../net/hq/sqlite-hq-store.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { BROKERS, type BrokerFixture, startBroker } from './support/brokers.ts';
import { TestWorld, allWorldIds } from './support/nodes.ts';

const WORLDS = 5;

async function get(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe.each(BROKERS)('HQ over %s', (kind) => {
  let broker: BrokerFixture;
  let hq: HqService;
  let http: HqHttp;
  let now = Date.UTC(2026, 5, 1);
  let worlds = 0;
  const published: StoredAlert[] = [];
  let listener: mqtt.MqttClient;
  const dir = mkdtempSync(join(tmpdir(), 'muster-hq-'));

  beforeAll(async () => {
    broker = await startBroker(kind, [...allWorldIds(WORLDS), 'hq']);
    hq = await HqService.start({
      store: SqliteHqStore.open(join(dir, 'hq.db')),
      broker: broker.link('hq'),
      witnessSigner: Signer.generate('hq'),
      clock: () => now,
      policy: { offlineAfterMs: 60_000, maxSkewMs: 60_000, maxBacklog: 100 },
      checkEveryMs: 3_600_000,
      retryMs: 1000,
    });
    http = await startHqHttp(hq, 0);
    const link = broker.link('w0/k3');
    listener = await mqtt.connectAsync(link.url, {
      clientId: 'w0~k3',
      username: link.username ?? '',
      password: link.password ?? '',
      protocolVersion: 4,
    });
    listener.on('message', (_topic, payload) => published.push(JSON.parse(payload.toString()) as StoredAlert));
    await listener.subscribeAsync('muster/v1/alerts/#', { qos: 1 });
  });
  afterAll(async () => {
    await listener.endAsync();
    await http.close();
    await hq.close();
    await hq.store.close();
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves verified logs over HTTP, pushes live updates over SSE and feeds the breach engine', async () => {
    const w = new TestWorld(broker, worlds++);
    const [K1] = w.ids;
    const fed: EntryBody[] = [];
    const stop = hq.onEntries((origin, entries) => {
      if (origin === K1) fed.push(...entries);
    });
    const frames: string[] = [];
    const sse = request(`${http.url}/api/events`);
    sse.on('response', (res) => res.on('data', (chunk: Buffer) => frames.push(chunk.toString())));
    sse.end();
    try {
      await waitFor(() => frames.length > 0, 'the SSE stream to open');
      const k1 = await w.kiosk(K1, []);
      for (let i = 0; i < 3; i++) await k1.node.append('checkin', { subject: `s${i}`, center: 'w0' });
      await waitFor(async () => (await hq.store.size(K1)) === 4, 'HQ to hold k1');
      const logs = await get(`${http.url}/api/logs`);
      expect(logs.body.logs).toContainEqual(expect.objectContaining({ origin: K1, size: 4, conflicts: 0 }));
      const entries = await get(`${http.url}/api/logs/${encodeURIComponent(K1)}/entries?from=1&limit=2`);
      expect(entries.body.entries).toMatchObject([{ seq: 1, type: 'checkin', payload: { subject: 's0' } }, { seq: 2 }]);
      await waitFor(() => frames.join('').includes(`"origin":"${K1}","size":4`), 'an SSE entries event');
      await waitFor(() => fed.length === 4, 'the breach feed to see every entry');
      expect(fed.map((e) => e.seq)).toEqual([0, 1, 2, 3]);
      await waitFor(
        async () => (await get(`${http.url}/api/logs/${encodeURIComponent(K1)}/checkpoint`)).status === 200,
        'a witnessed checkpoint',
      );

      const breach = await hq.reportBreach({
        kiosk: K1,
        subject: 's1',
        rule: 'missed-checkin',
        summary: 's1 missed a check-in',
        entries: [{ origin: K1, seq: 2 }],
      });
      await waitFor(
        () => published.some((a) => a.id === breach.id && a.kind === 'breach'),
        'the breach alert on the alerts topic',
      );
      await waitFor(() => frames.join('').includes('event: alert'), 'an SSE alert event');

      expect((await get(`${http.url}/api/logs/${encodeURIComponent(K1)}/entries?from=-1`)).status).toBe(400);
      expect(await get(`${http.url}/api/alerts?limit=ten`)).toEqual({
        status: 400,
        body: { ok: false, error: { code: 'bad-request', message: 'query.limit: expected a non-negative integer' } },
      });
      // A parameter given twice is refused, not read as either value.
      expect((await get(`${http.url}/api/logs/${encodeURIComponent(K1)}/entries?from=1&from=2`)).status).toBe(400);
      expect((await get(`${http.url}/api/breach-alerts?centre=${encodeURIComponent('a b')}`)).status).toBe(400);
      expect((await get(`${http.url}/api/alerts?limit=2&unrelated=x`)).status).toBe(200);
      expect((await get(`${http.url}/api/logs/${encodeURIComponent('bad origin')}/entries`)).status).toBe(400);
      expect((await get(`${http.url}/api/logs/${encodeURIComponent('nope/x')}/entries`)).status).toBe(404);
      expect((await get(`${http.url}/api/nothing`)).status).toBe(404);
      expect((await fetch(`${http.url}/api/logs`, { method: 'POST', body: 'x' })).status).toBe(405);
    } finally {
      stop();
      sse.destroy();
      await w.close();
    }
  });

  it('raises a rollback alert naming the kiosk, with both signed checkpoints as evidence, when a kiosk is restored from a backup', async () => {
    const w = new TestWorld(broker, worlds++);
    const [K1] = w.ids;
    const file = join(w.dir, `${K1.replace('/', '_')}.db`);
    const k1 = await w.kiosk(K1, []);
    for (let i = 0; i < 3; i++) await k1.node.append('checkin', { subject: `s${i}` });
    k1.node.writer.store.db.exec(`VACUUM INTO '${file}.bak'`);
    for (let i = 0; i < 3; i++) await k1.node.append('checkin', { subject: `t${i}` });
    await waitFor(async () => (await hq.store.witnessed(K1))?.size === 7, 'HQ to witness k1 at 7');
    await k1.node.close();
    for (const suffix of ['-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
    copyFileSync(`${file}.bak`, file);
    const restored = await w.kiosk(K1, []);
    await restored.node.append('checkin', { subject: 'other' });
    const alert = await waitFor(
      () => published.find((a) => a.kind === 'rollback' && a.kiosk === K1),
      'a rollback alert on the alerts topic',
    );
    expect(alert.center).toBe(K1.split('/')[0]);
    expect(String(alert.evidence.witnessedNote)).toContain(`${K1}\n7\n`);
    expect(String(alert.evidence.note)).toContain(`${K1}\n5\n`);
    await w.close();
  });

  it('marks a kiosk offline when its heartbeats stop and degraded when a device fails, on HQ clock', async () => {
    const w = new TestWorld(broker, worlds++);
    const [K1] = w.ids;
    let devices: { id: string; state: 'ok' | 'failing' }[] = [{ id: 'finger-1', state: 'ok' }];
    const k1 = await w.kiosk(K1, [], {
      clock: () => now,
      heartbeat: { everyMs: 0, version: '0.1.0', devices: () => devices },
    });
    await k1.node.link.connection();
    // Heartbeats are signed by the log key: HQ judges one once it holds the log that names the key.
    await waitFor(async () => (await hq.store.size(K1)) === 1, 'HQ to hold the genesis');
    expect(await k1.node.publishHeartbeat()).toMatchObject({ kiosk: K1, logSize: 1, backlog: 0, version: '0.1.0' });
    await waitFor(() => hq.fleetView().find((k) => k.kiosk === K1)?.state === 'online', 'k1 online');
    now += 2 * 3_600_000;
    await hq.checkFleet();
    expect(hq.fleetView().find((k) => k.kiosk === K1)?.state).toBe('offline');
    await waitFor(() => published.some((a) => a.kind === 'offline' && a.kiosk === K1), 'an offline alert');
    devices = [{ id: 'finger-1', state: 'failing' }];
    await k1.node.publishHeartbeat();
    await waitFor(() => hq.fleetView().find((k) => k.kiosk === K1)?.state === 'degraded', 'k1 degraded');
    const kiosks = await get(`${http.url}/api/kiosks`);
    expect(kiosks.body.kiosks).toContainEqual(
      expect.objectContaining({ kiosk: K1, state: 'degraded', reasons: ['finger-1 is failing'] }),
    );
    await waitFor(() => published.some((a) => a.kind === 'degraded' && a.kiosk === K1), 'a degraded alert');
    await w.close();
  });

  it("marks a kiosk degraded when its entries show its clock stepped back, though its heartbeat's clock looks right", async () => {
    const w = new TestWorld(broker, worlds++);
    const [K1] = w.ids;
    let kioskNow = now;
    const k1 = await w.kiosk(K1, [], { clock: () => kioskNow, heartbeat: { everyMs: 0, version: '0.1.0' } });
    // HQ knows the log first: entries it fetches by backfill say nothing about the kiosk's clock.
    await waitFor(async () => (await hq.store.size(K1)) === 1, 'HQ to hold the genesis');
    for (let i = 0; i < 3; i++) await k1.node.append('checkin', { subject: `s${i}` });
    kioskNow = now - 10 * 60_000;
    for (let i = 0; i < 2; i++) await k1.node.append('checkin', { subject: `t${i}` });
    await waitFor(async () => (await hq.store.size(K1)) === 6, 'HQ to hold k1');
    kioskNow = now;
    await k1.node.publishHeartbeat();
    const degraded = await waitFor(
      () => hq.fleetView().find((k) => k.kiosk === K1 && k.state === 'degraded'),
      'k1 degraded',
    );
    expect(degraded.reasons).toEqual(['entry times: clock stepped back 1 time(s)']);
    await waitFor(() => published.some((a) => a.kind === 'degraded' && a.kiosk === K1), 'a degraded alert');
    await w.close();
  });
});
