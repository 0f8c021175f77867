// A kiosk's offline episode is one alert, on either store (issue 20: alerts deduplicated by a deterministic id): HQ
// restarted during the episode does not raise it again, an alert HQ failed to store is raised at the next check, and
// the kiosk back and silent again is a new episode. The episode is named by the kiosk and its last heartbeat's signed
// time (HqService episodeKey); before, the fleet's alerts were stored without a key and judged from memory only.
// And one kiosk's failed alert leaves the others judged in the same check. A degraded episode is one alert too, on
// the police's own node restarted in the middle of it (its store its agency's only record of what it raised).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Signer } from '../../ledger/keys.ts';
import { HqService } from '../../net/hq/hq-service.ts';
import type { HqStore } from '../../net/hq/hq-store.ts';
import { PostgresHqStore } from '../../net/hq/postgres-hq-store.ts';
import { SqliteHqStore } from '../../net/hq/sqlite-hq-store.ts';
import { KioskNode } from '../../net/kiosk-node.ts';
import { type PostgresServer, startPostgres } from '../helpers/postgres.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { type BrokerFixture, startBroker } from './support/brokers.ts';

const STORES = ['sqlite', 'postgres'] as const;
/** Longer than the default policy's 90 s without a heartbeat. */
const SILENCE = 120_000;

describe.each(STORES)('offline alerts once per episode on %s', (kind) => {
  const dir = mkdtempSync(join(tmpdir(), 'muster-fleet-once-'));
  const kiosk = `${kind === 'sqlite' ? 'c1' : 'c2'}/k1`;
  const key = Signer.generate(kiosk);
  // The second test's two kiosks, apart from the first's log on a shared PostgreSQL.
  const [first, other] = ['k2', 'k3'].map((k) => `${kind === 'sqlite' ? 'c1' : 'c2'}/${k}`) as [string, string];
  const [firstKey, otherKey] = [Signer.generate(first), Signer.generate(other)];
  /** The third test's kiosk, whose camera fails, and the police node watching it. */
  const degraded = `${kind === 'sqlite' ? 'c1' : 'c2'}/k4`;
  const degradedKey = Signer.generate(degraded);
  let broker: BrokerFixture;
  let postgres: PostgresServer | undefined;
  beforeAll(async () => {
    broker = await startBroker('aedes', [kiosk, first, other, degraded, 'hq', 'police']);
    if (kind === 'postgres') postgres = await startPostgres();
  }, 120_000);
  afterAll(async () => {
    await broker.stop();
    await postgres?.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it('raises an episode once across a restart, again after a failed store, and a new episode anew', async () => {
    const trustedKeys = new Map([[kiosk, key.verifier.publicKey]]);
    const opened: HqStore =
      kind === 'sqlite'
        ? SqliteHqStore.open(join(dir, 'hq.db'), { trustedKeys })
        : await PostgresHqStore.open(postgres?.url ?? '', { trustedKeys });
    // The store as HQ sees it: the next fleet alert's write can be made to fail, as a crash before the commit would.
    let failNext = false;
    const store = Object.create(opened) as HqStore;
    store.recordAlertOnce = (alert, onceKey) => {
      if (failNext && (alert.kind === 'offline' || alert.kind === 'degraded')) {
        failNext = false;
        return Promise.reject(new Error('store unreachable'));
      }
      return opened.recordAlertOnce(alert, onceKey);
    };
    const now = { t: Date.now() };
    const start = (): Promise<HqService> =>
      HqService.start({
        store,
        broker: broker.link('hq'),
        witnessSigner: Signer.generate('hq'),
        trusted: new Set([kiosk]),
        clock: () => now.t,
        checkEveryMs: 3_600_000,
      });
    let hq = await start();
    // Its heartbeats signed at HQ's simulated time, so a later one is fresh and silence is a clock step.
    const node = await KioskNode.start({
      storePath: join(dir, 'kiosk.db'),
      signer: key,
      witnessSigner: Signer.generate(kiosk),
      broker: broker.link(kiosk),
      peers: [],
      clock: () => now.t,
      heartbeat: { everyMs: 0, version: 'test' },
    });
    try {
      const state = (): string | undefined => hq.fleetView().find((k) => k.kiosk === kiosk)?.state;
      const offlineAlerts = async (): Promise<number> =>
        (await opened.alerts(0, 100)).filter((a) => a.kind === 'offline' && a.kiosk === kiosk).length;
      const heartbeat = async (): Promise<void> => {
        const beat = await node.publishHeartbeat();
        await waitFor(() => state() === 'online', `${kiosk} online from its heartbeat at ${beat?.at}`);
      };
      await node.append('checkin', { subject: 'p-1' });
      await waitFor(async () => (await opened.size(kiosk)) === 2, 'HQ to hold the kiosk log');

      await heartbeat();
      now.t += SILENCE;
      await hq.checkFleet();
      expect(state()).toBe('offline');
      expect(await offlineAlerts()).toBe(1);

      // HQ restarted during the episode: judged offline again at start, not raised again.
      await hq.close();
      hq = await start();
      expect(state()).toBe('offline');
      await hq.checkFleet();
      expect(await offlineAlerts()).toBe(1);

      // Back, then silent again: a new episode. Its alert not stored the first time is raised at the next check.
      now.t += 1000;
      await heartbeat();
      now.t += SILENCE;
      failNext = true;
      await expect(hq.checkFleet()).rejects.toThrow('store unreachable');
      expect(await offlineAlerts()).toBe(1);
      await hq.checkFleet();
      expect(state()).toBe('offline');
      expect(await offlineAlerts()).toBe(2);
    } finally {
      await hq.close();
      await node.close(true);
      await opened.close();
    }
  }, 120_000);

  it('a failed alert for one kiosk leaves the others judged in the same check', async () => {
    const trustedKeys = new Map([
      [first, firstKey.verifier.publicKey],
      [other, otherKey.verifier.publicKey],
    ]);
    const opened: HqStore =
      kind === 'sqlite'
        ? SqliteHqStore.open(join(dir, 'hq-two.db'), { trustedKeys })
        : await PostgresHqStore.open(postgres?.url ?? '', { trustedKeys });
    // Whichever kiosk is judged first in the check below has its alert's write fail.
    let failNext = false;
    const store = Object.create(opened) as HqStore;
    store.recordAlertOnce = (alert, onceKey) => {
      // The first test's kiosk's retained heartbeat comes too (and may turn offline here): never the one failed.
      if (failNext && alert.kind === 'offline' && alert.kiosk !== kiosk) {
        failNext = false;
        return Promise.reject(new Error('store unreachable'));
      }
      return opened.recordAlertOnce(alert, onceKey);
    };
    const now = { t: Date.now() };
    const hq = await HqService.start({
      store,
      broker: broker.link('hq'),
      witnessSigner: Signer.generate('hq'),
      trusted: new Set([first, other]),
      clock: () => now.t,
      checkEveryMs: 3_600_000,
    });
    const pairs: [string, Signer][] = [
      [first, firstKey],
      [other, otherKey],
    ];
    const nodes = await Promise.all(
      pairs.map(([id, signer]) =>
        KioskNode.start({
          storePath: join(dir, `${id.replace('/', '-')}.db`),
          signer,
          witnessSigner: Signer.generate(id),
          broker: broker.link(id),
          peers: [],
          clock: () => now.t,
          heartbeat: { everyMs: 0, version: 'test' },
        }),
      ),
    );
    try {
      const offline = async (id: string): Promise<number> =>
        (await opened.alerts(0, 100)).filter((a) => a.kind === 'offline' && a.kiosk === id && a.at === now.t).length;
      for (const node of nodes) await node.append('checkin', { subject: 'p-1' });
      await waitFor(
        async () => (await opened.size(first)) === 2 && (await opened.size(other)) === 2,
        'HQ to hold both kiosk logs',
      );
      for (const node of nodes) await node.publishHeartbeat();
      await waitFor(
        () =>
          hq.fleetView().filter((k) => (k.kiosk === first || k.kiosk === other) && k.state === 'online').length === 2,
        'both kiosks online from their heartbeats',
      );
      now.t += SILENCE;
      failNext = true;
      await expect(hq.checkFleet()).rejects.toThrow('store unreachable');
      // One kiosk's alert failed; the other's was stored in the same check, not at the next one.
      expect((await offline(first)) + (await offline(other))).toBe(1);
      await hq.checkFleet();
      expect(await offline(first)).toBe(1);
      expect(await offline(other)).toBe(1);
    } finally {
      await hq.close();
      for (const node of nodes) await node.close(true);
      await opened.close();
    }
  }, 120_000);

  it('a degraded episode is one alert on a police node restarted in it, and a new episode another', async () => {
    const store: HqStore =
      kind === 'sqlite'
        ? SqliteHqStore.open(join(dir, 'police.db'), {
            trustedKeys: new Map([[degraded, degradedKey.verifier.publicKey]]),
          })
        : await PostgresHqStore.open(postgres?.url ?? '', {
            trustedKeys: new Map([[degraded, degradedKey.verifier.publicKey]]),
          });
    const now = { t: Date.now() };
    const start = (): Promise<HqService> =>
      HqService.start({
        store,
        broker: broker.link('police'),
        nodeId: 'police',
        agency: true,
        witnessSigner: Signer.generate('police'),
        trusted: new Set([degraded]),
        clock: () => now.t,
        checkEveryMs: 3_600_000,
      });
    let police = await start();
    let camera: 'ok' | 'failing' = 'failing';
    const node = await KioskNode.start({
      storePath: join(dir, 'degraded.db'),
      signer: degradedKey,
      witnessSigner: Signer.generate(degraded),
      broker: broker.link(degraded),
      peers: [],
      clock: () => now.t,
      heartbeat: { everyMs: 0, version: 'test', devices: () => [{ id: 'camera', state: camera }] },
    });
    try {
      const state = (): string | undefined => police.fleetView().find((k) => k.kiosk === degraded)?.state;
      const degradedAlerts = async (): Promise<number> =>
        (await store.alerts(0, 100)).filter((a) => a.kind === 'degraded' && a.kiosk === degraded).length;
      const heartbeat = async (judged: string): Promise<void> => {
        now.t += 1000;
        const beat = await node.publishHeartbeat();
        await waitFor(
          async () => state() === judged && (await store.heartbeats()).get(degraded)?.heartbeat.at === beat?.at,
          `${degraded} ${judged} from its heartbeat at ${beat?.at}`,
        );
      };
      await node.append('checkin', { subject: 'p-1' });
      await waitFor(async () => (await store.size(degraded)) === 2, 'the police node to hold the kiosk log');
      await heartbeat('degraded');
      await waitFor(async () => (await degradedAlerts()) === 1, 'the degraded alert');
      await heartbeat('degraded');

      // Restarted in the episode: it judges the kiosk degraded again (the stored heartbeat, then the retained one).
      await police.close();
      police = await start();
      expect(state()).toBe('degraded');
      await heartbeat('degraded');
      expect(await degradedAlerts()).toBe(1);

      // Recovered, then degraded again: a new episode.
      camera = 'ok';
      await heartbeat('online');
      camera = 'failing';
      await heartbeat('degraded');
      await waitFor(async () => (await degradedAlerts()) === 2, "the new episode's alert");
    } finally {
      await police.close();
      await node.close(true);
      await store.close();
    }
  }, 120_000);
});
