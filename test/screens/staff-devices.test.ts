// Device health of every kiosk of a centre on the staff screen, in Chromium: two kiosk runtimes of one centre on
// real Mosquitto, each a replication peer of the other, on emulated devices. Kiosk 1's staff screen shows kiosk
// 2 from its signed heartbeats: an unplugged and replugged sensor there shows within seconds, without a reload,
// and a kiosk no longer heard from is labelled stale. zh-CN and English, in an Asia/Shanghai and a UTC browser;
// times are the centre's.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserStore } from '../../access/user-store.ts';
import { type EmulatedDevices, inProcessDevices } from '../../main/kiosk/emulated-devices.ts';
import { loadKioskConfig } from '../../main/kiosk/kiosk-config.ts';
import { KioskRuntime } from '../../main/kiosk/kiosk-runtime.ts';
import { kioskScreens } from '../../main/kiosk/kiosk-screens.ts';
import type { WebServer } from '../../main/web/web-server.ts';
import { Signer } from '../../ledger/keys.ts';
import { signHeartbeat } from '../../net/heartbeat.ts';
import { topicId, topics } from '../../net/topics.ts';
import { type MosquittoServer, startMosquitto } from '../helpers/mosquitto.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { launchBrowser } from './support/browser.ts';
import { SEATS, type Seat, openAt, say, seatLanguage, signIn } from './support/matrix.ts';
import { untranslated } from './support/untranslated.ts';

const CENTRE = 'centre-a';
const K1 = 'centre-a/k1';
const K2 = 'centre-a/k2';
const PASSWORD = 'devices screen password';

// The replugged sensor reopens on the driver's jittered backoff and shows at the next heartbeat: 10-14 s at
// times on a quiet host, more on a loaded CI, so each wait gets its own generous bound (no timing assertion).
// A kiosk turning stale or heard from again shows at the screen's next device poll (every 5 s) after the next
// heartbeat: the same bound, not 10 s, which left that poll a margin of under 2x.
const PEER_WAIT_MS = 45_000;

describe('device health of every kiosk of the centre, live', () => {
  const stops: (() => Promise<void> | void)[] = [];
  let broker: MosquittoServer;
  let browser: Browser;
  let web: WebServer;
  let k1: KioskRuntime;
  let k2: KioskRuntime;
  let passwords: Map<string, string>;
  let devices2: EmulatedDevices;
  /** Added to kiosk 1's clock: time passes there without waiting. */
  let skew = 0;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'muster-staff-devices-'));
    stops.push(() => {
      rmSync(dir, { recursive: true, force: true });
    });
    passwords = new Map([K1, K2].map((k) => [topicId(k), randomBytes(12).toString('hex')]));
    broker = await startMosquitto({ users: passwords });
    stops.push(() => broker.stop());
    browser = await launchBrowser();
    stops.push(() => browser.close());

    const start = async (kiosk: string, peer: string, clock: () => number) => {
      const emulated = inProcessDevices(`${topicId(kiosk)}-${randomBytes(3).toString('hex')}`);
      stops.push(() => emulated.close());
      const file = join(dir, `${topicId(kiosk)}.json`);
      writeFileSync(
        file,
        JSON.stringify({
          centre: CENTRE,
          kiosk,
          peers: [peer],
          zone: 'Asia/Shanghai',
          dataDir: topicId(kiosk),
          broker: { url: broker.url },
          // No camera: the face worker is not what this is about.
          devices: { fingerprint: emulated.devices.fingerprint, badge: emulated.devices.badge },
        }),
      );
      const config = loadKioskConfig(file);
      const screens = kioskScreens(config);
      const runtime = await KioskRuntime.start({
        config,
        clock,
        brokerPassword: passwords.get(topicId(kiosk)) ?? '',
        ...(emulated.inProcess ?? {}),
        screen: screens.screen,
        staff: screens.staff,
        onAlert: screens.onAlert,
        heartbeatMs: 1000,
      });
      stops.push(() => runtime.close());
      return { runtime, emulated, screens };
    };
    const one = await start(K1, K2, () => Date.now() + skew);
    const two = await start(K2, K1, Date.now);
    k1 = one.runtime;
    k2 = two.runtime;
    devices2 = two.emulated;

    const users = UserStore.open(join(dir, 'users.db'), { scrypt: { logN: 10, r: 8, p: 1 } });
    stops.push(() => {
      users.close();
    });
    await users.add({ name: 'sam', role: 'staff', password: PASSWORD, centres: [CENTRE] });
    // Port 0: the server binds a free port itself (one picked here and bound later could be taken meanwhile).
    web = await one.screens.serve(one.runtime, 0, users);
    stops.push(() => web.close());
  }, 120_000);

  afterAll(async () => {
    for (const c of contexts) await c.close();
    for (const stop of stops.reverse()) await stop();
  });

  async function staffScreen(seat: Seat): Promise<Page> {
    const page = await openAt(browser, contexts, seat, web.urls.staff ?? '');
    await signIn(page, seat, 'sam', PASSWORD);
    // A centre in China opens in Chinese; English is a tap away.
    await seatLanguage(page, seat);
    return page;
  }

  const peerDevice = (page: Page, device: string, state: string) =>
    page.locator(`table[data-kiosk="${K2}"] tr[data-device="${device}"][data-state="${state}"]`);

  const pages: { page: Page; zh: boolean }[] = [];

  it('lists both kiosks of the centre, the other one from its heartbeats, in both languages and browser zones', async () => {
    for (const seat of SEATS) {
      const page = await staffScreen(seat);
      const { zh } = seat;
      pages.push({ page, zh });
      await page.locator(`table[data-kiosk="${K1}"] tr[data-device="fingerprint"][data-state="ok"]`).waitFor();
      await peerDevice(page, 'fingerprint', 'ok').waitFor();
      await peerDevice(page, 'badge', 'ok').waitFor();
      const caption = page.locator(`table[data-kiosk="${K2}"][data-stale="false"] caption`);
      expect(await caption.textContent()).toContain(say(seat, '最近心跳', 'last heartbeat'));
      // The centre's zone, whatever the browser's.
      expect(await page.locator('section.devices').textContent()).toContain('UTC+08:00');
      if (zh) expect(await untranslated(page)).toEqual([]);
    }
  });

  it(
    'a sensor unplugged at the other kiosk shows as disconnected within seconds, its replug as working, without a reload',
    async () => {
      devices2.fingerprint.unplug();
      for (const { page, zh } of pages) {
        await peerDevice(page, 'fingerprint', 'disconnected').waitFor({ timeout: PEER_WAIT_MS });
        expect(await peerDevice(page, 'fingerprint', 'disconnected').textContent()).toContain(
          zh ? '已断开' : 'disconnected',
        );
      }
      devices2.fingerprint.replug();
      for (const { page, zh } of pages) {
        await peerDevice(page, 'fingerprint', 'ok').waitFor({ timeout: PEER_WAIT_MS });
        expect(await peerDevice(page, 'fingerprint', 'ok').textContent()).toContain(zh ? '正常' : 'working');
      }
    },
    4 * PEER_WAIT_MS,
  );

  it("a heartbeat on the other kiosk's topic that its key did not sign, or that is malformed, changes nothing", async () => {
    // Published with kiosk 2's broker password (as a thief of that password could): only its log key counts.
    const client = await mqtt.connectAsync(broker.url, {
      username: topicId(K2),
      password: passwords.get(topicId(K2)) ?? '',
      clientId: `forger-${randomBytes(3).toString('hex')}`,
    });
    const forged = signHeartbeat(
      {
        kiosk: K2,
        // Far ahead: were it taken, every genuine heartbeat after it would look older and be dropped.
        at: Date.now() + 60_000,
        version: 'forged',
        logSize: 1,
        backlog: 0,
        devices: [{ id: 'fingerprint', state: 'failing' }],
      },
      (m) => Signer.generate(K2).sign(m),
    );
    const published = Date.now();
    await client.publishAsync(topics.health(K2), forged, { qos: 1 });
    await client.publishAsync(topics.health(K2), Buffer.from('{"body": 1}'), { qos: 1 });
    await client.endAsync();
    // Two genuine heartbeats later, kiosk 2 is still shown as it is.
    await waitFor(
      () => (k1.peerHealth.list()[0]?.lastSeen ?? 0) > published + 1500,
      'genuine heartbeats after the forged one',
    );
    expect(k1.peerHealth.list()[0]?.devices).toContainEqual({ id: 'fingerprint', state: 'ok' });
    for (const { page } of pages) {
      await peerDevice(page, 'fingerprint', 'ok').waitFor();
      expect(await peerDevice(page, 'fingerprint', 'failing').count()).toBe(0);
    }
  });

  it('a kiosk no longer heard from is labelled stale, saying since when, not shown as working', async () => {
    await k2.setOnline(false);
    // Kiosk 1 lives on for two minutes without another heartbeat from kiosk 2.
    skew = 120_000;
    for (const { page, zh } of pages) {
      const caption = page.locator(`table[data-kiosk="${K2}"][data-stale="true"] caption`);
      await caption.waitFor({ timeout: PEER_WAIT_MS });
      expect(await caption.textContent()).toContain(zh ? '起未收到心跳' : 'no heartbeat since');
      if (zh) expect(await untranslated(page)).toEqual([]);
    }
    // Back online: heard from again, no longer stale.
    await k2.setOnline(true);
    skew = 0;
    await waitFor(() => k2.online, 'kiosk 2 back online');
    for (const { page } of pages)
      await page.locator(`table[data-kiosk="${K2}"][data-stale="false"]`).waitFor({ timeout: PEER_WAIT_MS });
  });
});
