// Breach alerts end to end, as processes: `muster hq` on a real Mosquitto, two `muster kiosk run` kiosks (centre-a
// on emulated devices; centre-b whose fingerprint sensor is missing, so it logs an outage), and a centre's staff
// log served by a headless `muster kiosk` node, its plans and decisions written with `muster ledger append`. The
// plans' window closes a few seconds after everything is up. No demo code.
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Signer, writeSignerFile } from '../../ledger/keys.ts';
import type { BreachAlert } from '../../net/hq/breach-alert.ts';
import { MIN, closingPlanPayload, utcDay } from '../checkin/support/log-builder.ts';
import { type EventStream, openEventStream } from '../helpers/event-stream.ts';
import { type MosquittoServer, startMosquitto } from '../helpers/mosquitto.ts';
import { MUSTER_FROM_SOURCES, runMuster } from '../helpers/run-muster.ts';
import { passwordFiles } from './support/muster-process.ts';
import { waitFor } from '../helpers/wait-for.ts';

const dir = mkdtempSync(join(tmpdir(), 'muster-breach-alerts-'));
const NODES = ['hq', 'centre-a~k1', 'centre-b~k1', 'centre-a~staff', 'police'];
const users = new Map(NODES.map((n) => [n, `pw-${n}`]));
const validate = new Ajv2020({ allErrors: true }).compile(
  JSON.parse(readFileSync(new URL('../../deploy/mqtt/breach-alert.schema.json', import.meta.url), 'utf8')) as object,
);

interface Proc {
  readonly child: ChildProcess;
  output: string;
  stop(): Promise<void>;
}

/** Starts a muster command from the sources and waits for its ready line. */
async function start(args: readonly string[], what: string): Promise<Proc & { ready: string }> {
  const child = spawn(process.execPath, [...MUSTER_FROM_SOURCES, ...args], { stdio: 'pipe' });
  const proc = { child, output: '' };
  child.stdout.on('data', (chunk: Buffer) => (proc.output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (proc.output += chunk.toString()));
  const exited = once(child, 'exit');
  const ready = await waitFor(
    () => (child.exitCode !== null ? 'exited' : proc.output.split('\n').find((l) => l.includes(' ready: '))),
    `${what} to be ready`,
    120_000,
  );
  if (ready === 'exited') throw new Error(`${what} exited ${child.exitCode}: ${proc.output}`);
  return Object.assign(proc, {
    ready,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGINT');
        await exited;
      }
    },
  });
}

const password = passwordFiles(dir, users);

let mosquitto: MosquittoServer | undefined;
let brokerUrl = '';
let hq: (Proc & { ready: string }) | undefined;
let hqUrl = '';
let staffNode: Proc | undefined;
const kiosks: Proc[] = [];
let subscriber: mqtt.MqttClient | undefined;
const published: BreachAlert[] = [];
let sse: EventStream;
/** The first window closes here; the second (for the restart) a minute later. */
let close = 0;
let close2 = 0;
let day = '';
let day2 = '';
const staffDb = join(dir, 'staff.db');

/** Every log's key is pinned (--trust) and the staff log's decisions count (--staff-log). */
function hqArgs(): string[] {
  const trust = [`${staffDb}.key.pub`, ...['centre-a', 'centre-b'].map((c) => `${kioskKey(c)}.pub`)].flatMap((f) => [
    '--trust',
    f,
  ]);
  return [
    'hq',
    '--db',
    join(dir, 'hq.db'),
    '--broker',
    brokerUrl,
    '--password-file',
    password('hq'),
    '--http',
    '0',
    ...trust,
    '--staff-log',
    'centre-a/staff',
  ];
}

/** Where `muster kiosk run` keeps its log key: made here first, so HQ can pin it. */
function kioskKey(centre: string): string {
  return join(dir, `${centre}.data`, `${centre}~k1.db.key`);
}

async function startHq(): Promise<void> {
  hq = await start(hqArgs(), 'muster hq');
  hqUrl = /http (http:\/\/\S+?)(,|$)/.exec(hq.ready)?.[1] ?? '';
}

async function startStaffNode(): Promise<void> {
  staffNode = await start(
    [
      'kiosk',
      '--db',
      staffDb,
      '--origin',
      'centre-a/staff',
      '--broker',
      brokerUrl,
      '--password-file',
      password('centre-a~staff'),
    ],
    'staff log node',
  );
}

async function append(type: string, payloads: readonly unknown[]): Promise<void> {
  const run = await runMuster(
    ['ledger', 'append', '--db', staffDb, '--type', type],
    payloads.map((p) => JSON.stringify(p)).join('\n'),
  );
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
}

async function api(path: string): Promise<BreachAlert[]> {
  const res = await fetch(`${hqUrl}${path}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { alerts: BreachAlert[] }).alerts;
}

function kioskConfig(centre: string, devices: Record<string, unknown>): string {
  const file = join(dir, `${centre}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      centre,
      kiosk: `${centre}/k1`,
      dataDir: join(dir, `${centre}.data`),
      broker: { url: brokerUrl, username: `${centre}~k1`, passwordFile: password(`${centre}~k1`) },
      face: { threshold: 0.42 },
      devices,
    }),
  );
  return file;
}

/** Published versions of one alert, in arrival order. */
function versions(id: string): BreachAlert[] {
  return published.filter((a) => a.id === id);
}

beforeAll(async () => {
  mosquitto = await startMosquitto({ users });
  brokerUrl = mosquitto.url;
  subscriber = await mqtt.connectAsync(brokerUrl, {
    username: 'police',
    password: users.get('police') ?? '',
    clientId: 'police-alerts',
    clean: false,
  });
  subscriber.on('message', (_topic, payload) => {
    const value = JSON.parse(payload.toString()) as { type?: string };
    if (value.type !== 'breach-alert') return;
    expect(validate(value), JSON.stringify(validate.errors)).toBe(true);
    published.push(value as BreachAlert);
  });
  await subscriber.subscribeAsync('muster/v1/alerts/+', { qos: 1 });
  expect((await runMuster(['ledger', 'init', '--db', staffDb, '--origin', 'centre-a/staff'])).code).toBe(0);
  for (const centre of ['centre-a', 'centre-b']) {
    mkdirSync(join(dir, `${centre}.data`), { mode: 0o700 });
    writeSignerFile(kioskKey(centre), Signer.generate(`${centre}/k1`));
  }
  await startHq();
  sse = openEventStream(`${hqUrl}/api/events`, 'none');
  kiosks.push(
    await start(
      [
        'kiosk',
        'run',
        '--config',
        kioskConfig('centre-a', { fingerprint: { family: 'r30x', path: '/dev/serial/by-id/usb-not-here' } }),
        '--emulate',
      ],
      'kiosk centre-a/k1',
    ),
    await start(
      [
        'kiosk',
        'run',
        '--config',
        kioskConfig('centre-b', { fingerprint: { family: 'r30x', path: join(dir, 'no-such-sensor') } }),
      ],
      'kiosk centre-b/k1',
    ),
  );
  // Everything is up: the window closes at the next minute at least 20 seconds away.
  close = Math.ceil((Date.now() + 20_000) / MIN) * MIN;
  close2 = close + MIN;
  day = utcDay(close - 60 * MIN);
  day2 = utcDay(close2 - 60 * MIN);
  await append('plan', [
    closingPlanPayload('p-missed', close),
    closingPlanPayload('p-late', close),
    closingPlanPayload('p-excused', close),
    closingPlanPayload('p-outage', close, 'centre-b'),
    closingPlanPayload('p-restart', close2),
  ]);
  await startStaffNode();
}, 300_000);

afterAll(async () => {
  await staffNode?.stop();
  for (const k of kiosks) await k.stop();
  await hq?.stop();
  await subscriber?.endAsync();
  await mosquitto?.stop();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('breach alerts from muster hq', () => {
  it(
    'raises the missed check-in on the API, on SSE and on the MQTT alerts topic within 5 s of the window closing',
    { timeout: 180_000 },
    async () => {
      const id = `breach:missed-checkin/p-missed/${day}`;
      const within = (): number => Math.max(1, close + 5_000 - Date.now());
      // Nothing before the window closes.
      expect(published.filter((a) => a.id === id)).toEqual([]);
      await waitFor(() => Date.now() >= close, 'the window to close', close - Date.now() + 1_000);
      const fromApi = await waitFor(
        async () => (await api('/api/breach-alerts?centre=centre-a')).find((a) => a.id === id),
        'the alert on the API',
        within(),
      );
      await waitFor(() => versions(id).length > 0, 'the alert on MQTT', within());
      await waitFor(() => sse.frames.join('').includes(`"id":"${id}"`), 'the alert on SSE', within());
      expect(fromApi.raisedAt - close).toBeLessThan(5_000);
      expect(fromApi).toMatchObject({
        kind: 'breach',
        rule: 'missed-checkin',
        subject: 'p-missed',
        day,
        centres: ['centre-a'],
        status: 'open',
        finding: 'open',
        version: 1,
        firedAt: close,
      });
      expect(fromApi.evidence[0]).toMatchObject({ origin: 'centre-a/staff', seq: 1 });
      expect(versions(id)).toEqual([fromApi]);
      expect(sse.frames.join('')).toContain('event: breach-alert');
    },
  );

  it('turns the missed check-in at a centre whose kiosk was out of service into a staff review item, no breach', async () => {
    const review = await waitFor(
      async () => (await api('/api/breach-alerts?centre=centre-b')).find((a) => a.subject === 'p-outage'),
      'the review item',
    );
    expect(review).toMatchObject({
      id: `review:missed-checkin/p-outage/${day}`,
      kind: 'review',
      finding: 'pending',
      status: 'open',
    });
    expect(review.summary).toMatch(/outage: fingerprint at centre-b\/k1 out of service/);
    expect((await api('/api/breach-alerts')).filter((a) => a.subject === 'p-outage').map((a) => a.id)).toEqual([
      review.id,
    ]);
  });

  it(
    'supersedes the missed check-in on a late check-in, and on an excuse after the alert, with the reason',
    { timeout: 180_000 },
    async () => {
      await waitFor(
        () =>
          versions(`breach:missed-checkin/p-late/${day}`).length > 0 &&
          versions(`breach:missed-checkin/p-excused/${day}`).length > 0,
        'both missed alerts',
      );
      await staffNode?.stop();
      await append('checkin', [
        {
          subject: 'p-late',
          centre: 'centre-a',
          kiosk: 'centre-a/k1',
          attempt: 'late-1',
          methods: ['staff', 'badge'],
          staff: 'staff-2',
          tasks: [],
        },
      ]);
      await append('excuse', [
        { subject: 'p-excused', from: day, to: day, rules: [], reason: 'medical', staff: 'staff-1' },
      ]);
      await startStaffNode();
      const late = await waitFor(
        () => versions(`breach:late-checkin/p-late/${day}`)[0],
        'the late check-in alert',
        30_000,
      );
      expect(late).toMatchObject({ kind: 'breach', rule: 'late-checkin', status: 'open' });
      expect(late.evidence.map((e) => e.seq)).toEqual([2, 6]);
      const missedLate = await waitFor(
        () => versions(`breach:missed-checkin/p-late/${day}`).find((a) => a.status === 'superseded'),
        'the missed alert superseded',
      );
      expect(missedLate.history.at(-1)?.note).toBe(`replaced by late-checkin/p-late/${day}`);
      const excused = await waitFor(
        () => versions(`breach:missed-checkin/p-excused/${day}`).find((a) => a.status === 'superseded'),
        'the excused alert superseded',
      );
      expect(excused.history.at(-1)).toMatchObject({
        event: 'superseded',
        note: 'excused by staff-1: medical',
        ref: { origin: 'centre-a/staff', seq: 7 },
      });
      // Superseded, not deleted.
      expect(
        (await api('/api/breach-alerts?centre=centre-a'))
          .filter((a) => a.status === 'superseded')
          .map((a) => a.subject)
          .sort(),
      ).toEqual(['p-excused', 'p-late']);
    },
  );

  it('lets an officer acknowledge, assign and resolve with a note, refusing bad requests', async () => {
    const id = `breach:missed-checkin/p-missed/${day}`;
    const post = (action: string, body: unknown, type = 'application/json'): Promise<Response> =>
      fetch(`${hqUrl}/api/breach-alerts/${encodeURIComponent(id)}/${action}`, {
        method: 'POST',
        headers: { 'content-type': type },
        body: JSON.stringify(body),
      });
    expect((await post('acknowledge', { note: 'calling the person' })).status).toBe(200);
    expect((await post('assign', { note: 'home visit', assignee: 'officer-2' })).status).toBe(200);
    const res = await post('resolve', { note: 'seen at home, unwell' });
    const { alert } = (await res.json()) as { alert: BreachAlert };
    expect(alert).toMatchObject({ status: 'resolved', assignee: 'officer-2', version: 4 });
    expect(alert.history.slice(1).map((h) => [h.event, h.note, h.ref])).toEqual([
      ['acknowledged', 'calling the person', { origin: 'hq/log', seq: 1 }],
      ['assigned', 'home visit', { origin: 'hq/log', seq: 2 }],
      ['resolved', 'seen at home, unwell', { origin: 'hq/log', seq: 3 }],
    ]);
    const onTopic = await waitFor(() => versions(id).find((a) => a.version === 4), 'the resolved alert on MQTT');
    // Every node may read the topic: an officer's note goes out as its hash only.
    expect(onTopic.history.slice(1).map((h) => h.note)).toEqual(
      ['calling the person', 'home visit', 'seen at home, unwell'].map(
        (n) => `sha256:${createHash('sha256').update(n).digest('hex')}`,
      ),
    );
    const refused = [
      await post('resolve', { note: '' }),
      await post('delete', { note: 'x' }),
      await post('resolve', { note: 'x' }, 'text/plain'),
      await post('assign', { note: 'x' }),
    ];
    // A body that is not JSON is 415 (unsupported media type), from the shared HTTP layer.
    expect(refused.map((r) => r.status)).toEqual([400, 404, 415, 400]);
    const missing = await fetch(
      `${hqUrl}/api/breach-alerts/${encodeURIComponent('breach:missed-checkin/nobody/2020-01-01')}/resolve`,
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"note":"x"}' },
    );
    expect(missing.status).toBe(404);
    expect((await fetch(`${hqUrl}/api/breach-alerts/${encodeURIComponent('../etc')}`)).status).toBe(400);
    expect(hq?.child.exitCode).toBeNull();
  });

  it(
    'raises an alert that fell due while HQ was down exactly once, across restarts',
    { timeout: 180_000 },
    async () => {
      const id = `breach:missed-checkin/p-restart/${day2}`;
      expect(Date.now()).toBeLessThan(close2);
      expect(versions(id)).toEqual([]);
      // HQ holds the plans (genesis and five plans of the staff log) before it goes down.
      await waitFor(
        async () =>
          ((await (await fetch(`${hqUrl}/api/logs`)).json()) as { logs: { origin: string; size: number }[] }).logs.some(
            (l) => l.origin === 'centre-a/staff' && l.size >= 6,
          ),
        'the plans at HQ',
      );
      await hq?.stop();
      await waitFor(
        () => Date.now() > close2 + 2_000,
        'the second window to close while HQ is down',
        close2 + 10_000 - Date.now(),
      );
      await startHq();
      // The watcher's first pass ran before the ready line: the alert is there and published, once.
      const raised = (await api('/api/breach-alerts')).filter((a) => a.id === id);
      expect(raised).toHaveLength(1);
      expect(raised[0]).toMatchObject({ version: 1, firedAt: close2, day: day2 });
      await waitFor(() => versions(id).length > 0, 'the alert on MQTT after the restart');
      await hq?.stop();
      await startHq();
      // A second restart raises nothing: the same alerts, the same versions, nothing more published for it.
      expect((await api('/api/breach-alerts')).filter((a) => a.id === id)).toEqual(raised);
      const before = published.length;
      await waitFor(async () => (await fetch(`${hqUrl}/api/logs`)).ok, 'HQ answering');
      expect(published.slice(before).filter((a) => a.version === 1)).toEqual([]);
      expect(versions(id)).toHaveLength(1);
    },
  );
});
