// A kiosk's configuration naming several brokers (a cluster's nodes): `muster kiosk run` tries them in turn, so a
// first node that is down costs a retry, not the kiosk's link to HQ. Here the first URL is a closed port and the
// second a real Mosquitto, with HQ on it; a list with a bad URL is refused naming the entry.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Signer } from '../../ledger/keys.ts';
import { HqService } from '../../net/hq/hq-service.ts';
import { SqliteHqStore } from '../../net/hq/sqlite-hq-store.ts';
import { freePort } from '../helpers/free-port.ts';
import { type MosquittoServer, startMosquitto } from '../helpers/mosquitto.ts';
import { runMuster } from '../helpers/run-muster.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { type MusterProcess, startMuster } from './support/muster-process.ts';

const KIOSK = 'centre-a/k1';
const dir = mkdtempSync(join(tmpdir(), 'muster-kiosk-failover-'));
const passwords = new Map([
  ['hq', 'pw-hq'],
  ['centre-a~k1', 'pw-k1'],
]);
let mosquitto: MosquittoServer;
let hq: HqService | undefined;
let kiosk: MusterProcess | undefined;

function config(name: string, urls: readonly string[]): string {
  writeFileSync(join(dir, 'k1.pw'), passwords.get('centre-a~k1') ?? '', { mode: 0o600 });
  const file = join(dir, name);
  writeFileSync(
    file,
    JSON.stringify({
      centre: 'centre-a',
      kiosk: KIOSK,
      dataDir: `${name}.data`,
      broker: { url: urls, username: 'centre-a~k1', passwordFile: join(dir, 'k1.pw') },
      face: { threshold: 0.42 },
      devices: { fingerprint: { family: 'r30x', path: '/dev/serial/by-id/usb-not-here' } },
    }),
  );
  return file;
}

beforeAll(async () => {
  mosquitto = await startMosquitto({ users: passwords });
});
afterAll(async () => {
  await kiosk?.stop();
  await hq?.close();
  await mosquitto.stop();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('a kiosk configured with several broker URLs', () => {
  it('refuses a list with a bad URL, naming the entry', async () => {
    const run = await runMuster(['kiosk', 'run', '--config', config('bad.json', [mosquitto.url, 'http://hq'])]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('broker.url[1]: expected mqtt://host:port');
    expect((await runMuster(['kiosk', 'run', '--config', config('empty.json', [])])).stderr).toContain(
      'broker.url: expected 1-64 broker URLs',
    );
  });

  it('reaches HQ through the second broker when the first is down', { timeout: 180_000 }, async () => {
    const store = SqliteHqStore.open(join(dir, 'hq.db'));
    hq = await HqService.start({
      store,
      broker: { url: mosquitto.url, username: 'hq', password: passwords.get('hq') ?? '' },
      witnessSigner: Signer.generate('hq'),
      checkEveryMs: 3_600_000,
    });
    const down = `mqtt://127.0.0.1:${await freePort()}`;
    kiosk = await startMuster(
      ['kiosk', 'run', '--config', config('good.json', [down, mosquitto.url]), '--emulate'],
      'muster kiosk run',
    );
    const size = Number(/log size (\d+)/.exec(kiosk.ready)?.[1]);
    expect(size).toBeGreaterThan(0);
    // HQ holds the kiosk's whole log, witnessed: it came over the second URL.
    await waitFor(
      async () => (await store.witnessed(KIOSK))?.size === size,
      'HQ to hold and witness the kiosk log',
      60_000,
    );
  });
});
