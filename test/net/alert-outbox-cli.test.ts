// The breach alerts' outbox, with a real crash: `muster hq` raises a missed check-in while it cannot reach the
// broker (the alert is stored, on the API, but not yet on the alerts topic), is killed with SIGKILL, and started
// again with the broker there: the alert is published then, once; a later clean restart publishes it no more.
// HQ's store is filled beforehand with a centre's staff log (plans), so no other node is needed. The windows closed
// before HQ starts (its first pass judges everyone at the current time), so no test waits for a clock minute.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import type { BreachAlert } from '../../net/hq/breach-alert.ts';
import { SqliteHqStore } from '../../net/hq/sqlite-hq-store.ts';
import { kioskLog } from '../checkin/support/kiosk-log.ts';
import { MIN, closingPlanPayload, utcDay } from '../checkin/support/log-builder.ts';
import { freePort } from '../helpers/free-port.ts';
import { type MosquittoServer, startMosquitto } from '../helpers/mosquitto.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { type MusterProcess, passwordFiles, startMuster } from './support/muster-process.ts';

const dir = mkdtempSync(join(tmpdir(), 'muster-alert-outbox-'));
const users = new Map([
  ['hq', 'pw-hq'],
  ['police', 'pw-police'],
]);
const running: (MusterProcess | MosquittoServer | mqtt.MqttClient)[] = [];

afterAll(async () => {
  for (const r of running.reverse()) await ('endAsync' in r ? r.endAsync() : r.stop());
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('breach alert outbox across an HQ crash', () => {
  it(
    'publishes an alert stored but not published before a SIGKILL at the next start, once',
    { timeout: 240_000 },
    async () => {
      const mosquitto = await startMosquitto({ users });
      running.push(mosquitto);
      const received: BreachAlert[] = [];
      const police = await mqtt.connectAsync(mosquitto.url, {
        username: 'police',
        password: 'pw-police',
        clientId: 'police-outbox',
        clean: false,
      });
      running.push(police);
      police.on('message', (_topic, payload) => {
        received.push(JSON.parse(payload.toString()) as BreachAlert);
      });
      await police.subscribeAsync('muster/v1/alerts/centre-a', { qos: 1 });

      // A window that closed at least a minute ago; p-after's plan, for the same window, reaches HQ's store only
      // before the last start.
      const close = Math.floor(Date.now() / MIN) * MIN - MIN;
      const staff = kioskLog(dir, 'centre-a/staff', Date.now());
      const fillStore = async (): Promise<void> => {
        const store = SqliteHqStore.open(join(dir, 'hq.db'));
        await store.ingest(
          'centre-a/staff',
          [...staff.store.range('centre-a/staff', 0, staff.store.head('centre-a/staff').size)].map((r) => r.leaf),
          'test',
        );
        await store.close();
      };
      await staff.writer.append('plan', closingPlanPayload('p-crash', close));
      await fillStore();
      const passwordFile = passwordFiles(dir, users)('hq');
      const hqArgs = (broker: string): string[] => [
        'hq',
        '--db',
        join(dir, 'hq.db'),
        '--broker',
        broker,
        '--password-file',
        passwordFile,
        '--http',
        '0',
        '--trust',
        staff.pub,
        '--staff-log',
        'centre-a/staff',
      ];
      const alerts = async (hq: MusterProcess): Promise<BreachAlert[]> =>
        ((await (await fetch(`${hq.http}/api/breach-alerts`)).json()) as { alerts: BreachAlert[] }).alerts;
      const id = `breach:missed-checkin/p-crash/${utcDay(close - 60 * MIN)}`;

      // HQ without its broker (nothing listens there): it raises the alert but cannot publish it.
      const unreachable = `mqtt://127.0.0.1:${await freePort()}`;
      const cut = await startMuster(hqArgs(unreachable), 'muster hq without a broker');
      running.push(cut);
      const stored = await waitFor(
        async () => (await alerts(cut)).find((a) => a.id === id),
        'the alert stored',
        30_000,
      );
      expect(stored).toMatchObject({ version: 1, status: 'open', firedAt: close });
      await cut.stop('SIGKILL');
      expect(received).toEqual([]);

      // Back with the broker: the alert goes out from the outbox.
      const back = await startMuster(hqArgs(mosquitto.url), 'muster hq with its broker');
      running.push(back);
      await waitFor(() => received.some((a) => a.id === id), 'the alert on the topic after the restart', 30_000);
      expect(received.filter((a) => a.id === id)).toEqual([stored]);

      // A clean restart publishes nothing again. p-after's alert, raised by that start's first pass and so
      // published after whatever the outbox still held (QoS 1, one publisher), shows all of it has arrived.
      await back.stop('SIGINT');
      await staff.writer.append('plan', closingPlanPayload('p-after', close));
      await fillStore();
      staff.store.close();
      const again = await startMuster(hqArgs(mosquitto.url), 'muster hq again');
      running.push(again);
      const id2 = `breach:missed-checkin/p-after/${utcDay(close - 60 * MIN)}`;
      await waitFor(() => received.some((a) => a.id === id2), 'the second alert', 30_000);
      expect(received.map((a) => `${a.id} v${a.version}`)).toEqual([`${id} v1`, `${id2} v1`]);
      expect((await alerts(again)).map((a) => `${a.id} v${a.version}`).sort()).toEqual(
        [`${id} v1`, `${id2} v1`].sort(),
      );
    },
  );
});
