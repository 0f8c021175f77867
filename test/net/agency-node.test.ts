// The police's own node (`muster hq --agency --id police`) beside HQ, both processes on one Mosquitto: it follows,
// verifies, stores, witnesses (HQ lists its cosignatures) and judges every kiosk log itself, so rewriting HQ's store behind its back (an edited plan, a
// dropped check-in, the alerts deleted) changes nothing the police see, and police users keep seeing breaches,
// old and new, while HQ is down. Every wait is on an event (a live feed's event, a line a process printed), with
// timeouts for a loaded 2-core CI.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserStore } from '../../access/user-store.ts';
import { Signer, loadOrCreateSigner, writeSignerFile } from '../../ledger/keys.ts';
import type { BreachAlert } from '../../net/hq/breach-alert.ts';
import { KioskNode } from '../../net/kiosk-node.ts';
import { topicId } from '../../net/topics.ts';
import type { Cosignature } from '../../net/hq/other-witnesses.ts';
import { checkinPayload, planFor, planPayload } from '../checkin/support/log-builder.ts';
import { type LiveEvents, liveEvents } from '../helpers/event-stream.ts';
import { type MosquittoServer, startMosquitto } from '../helpers/mosquitto.ts';
import { type MusterProcess, passwordFiles, startMuster } from './support/muster-process.ts';

const STAFF = 'centre-a/staff';
const KIOSK = 'centre-b/k1';
const PASSWORD = 'police-pass-1234';
const dir = mkdtempSync(join(tmpdir(), 'muster-agency-'));
const passwords = new Map(['hq', 'police', topicId(STAFF), topicId(KIOSK)].map((id) => [id, `pw-${id}`]));
const today = new Date().toISOString().slice(0, 10);
const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);

let mosquitto: MosquittoServer;
const nodes = new Map<string, KioskNode>();
let hq: MusterProcess | undefined;
let police: MusterProcess | undefined;
let token = '';
/** Each node's live feed (GET /api/events), opened as it starts. */
const feeds: LiveEvents[] = [];
/** How long one step may take on a loaded 2-core CI (seconds alone; a node's start took over 2 minutes at load 19). */
const STEP_MS = 240_000;

const passwordFile = passwordFiles(dir, passwords);

/**
 * HQ and the police node take the same logs (keys pinned) and the same staff log; each has its own store. HQ knows
 * the police node's witness key, to show its cosignatures beside its own.
 */
function nodeArgs(id: string, db: string): string[] {
  return [
    'hq',
    '--db',
    join(dir, db),
    '--id',
    id,
    '--broker',
    mosquitto.url,
    '--password-file',
    passwordFile(id),
    '--http',
    '0',
    ...[STAFF, KIOSK].flatMap((origin) => ['--trust', join(dir, `${topicId(origin)}.key.pub`)]),
    '--staff-log',
    STAFF,
    ...(id === 'hq' ? ['--cosigner', join(dir, 'police.db.witness.key.pub')] : []),
  ];
}

/** A window today (UTC) that holds the present moment and stays within the day. */
function windowAroundNow(): { open: string; close: string } {
  const hour = new Date().getUTCHours();
  const hh = (h: number): string => `${String(h).padStart(2, '0')}:00`;
  return { open: hh(Math.max(0, hour - 1)), close: hour + 2 > 23 ? '23:59' : hh(hour + 2) };
}

async function startKiosk(origin: string): Promise<KioskNode> {
  const signer = Signer.generate(origin);
  writeSignerFile(join(dir, `${topicId(origin)}.key`), signer);
  const node = await KioskNode.start({
    storePath: join(dir, `${topicId(origin)}.db`),
    signer,
    witnessSigner: Signer.generate(origin),
    broker: { url: mosquitto.url, username: topicId(origin), password: passwords.get(topicId(origin)) ?? '' },
    peers: [],
    retryMs: 500,
  });
  nodes.set(origin, node);
  return node;
}

async function alerts(node: MusterProcess, auth = ''): Promise<BreachAlert[]> {
  const res = await fetch(
    `${node.http}/api/breach-alerts?limit=1000`,
    auth ? { headers: { authorization: `Bearer ${auth}` } } : {},
  );
  expect(res.status).toBe(200);
  return ((await res.json()) as { alerts: BreachAlert[] }).alerts;
}

function found(list: readonly BreachAlert[], rule: string, subject: string): boolean {
  return list.some((a) => a.kind === 'breach' && a.rule === rule && a.subject === subject && a.status === 'open');
}

async function feed(node: MusterProcess, auth = 'none'): Promise<LiveEvents> {
  const events = liveEvents(`${node.http}/api/events`, auth);
  feeds.push(events);
  await events.opened;
  return events;
}

/** A breach alert open on the node's feed (raised, or changed) for this rule and subject. */
function breach(events: LiveEvents, rule: string, subject: string, what: string): Promise<BreachAlert> {
  return events.next<BreachAlert>(
    'breach-alert',
    (a) => a.kind === 'breach' && a.rule === rule && a.subject === subject && a.status === 'open',
    what,
    STEP_MS,
  );
}

beforeAll(async () => {
  mosquitto = await startMosquitto({ users: passwords });
  await startKiosk(STAFF);
  await startKiosk(KIOSK);
  const users = UserStore.open(join(dir, 'police-users.db'), { scrypt: { logN: 10, r: 8, p: 1 } });
  await users.add({ name: 'pia', role: 'police', password: PASSWORD });
  users.close();
  // The police node's witness key, made before either node starts so HQ can pin it (the node loads it).
  loadOrCreateSigner(join(dir, 'police.db.witness.key'), 'police');
  hq = await startMuster(nodeArgs('hq', 'hq.db'), 'muster hq', STEP_MS);
  police = await startMuster(
    [...nodeArgs('police', 'police.db'), '--agency', '--users', join(dir, 'police-users.db')],
    'the police node',
    STEP_MS,
  );
  const session = await fetch(`${police.http}/api/session`, {
    method: 'POST',
    body: JSON.stringify({ user: 'pia', password: PASSWORD }),
  });
  token = ((await session.json()) as { token: string }).token;
}, 3 * STEP_MS);

afterAll(async () => {
  for (const events of feeds) events.close();
  await hq?.stop('SIGKILL');
  await police?.stop('SIGKILL');
  for (const node of nodes.values()) await node.close(true);
  await mosquitto.stop();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('an independent police node', () => {
  it(
    "judges from its own store: HQ's store rewritten or HQ down, police users still see every breach",
    { timeout: 900_000 },
    async () => {
      const staff = nodes.get(STAFF) ?? expect.unreachable('no staff log');
      const kiosk = nodes.get(KIOSK) ?? expect.unreachable('no kiosk');
      const hqNode = hq ?? expect.unreachable('no hq');
      const policeNode = police ?? expect.unreachable('no police node');
      // Opened before anything is appended: every alert and cosignature from here on is on them.
      const hqFeed = await feed(hqNode);
      const policeFeed = await feed(policeNode, token);
      // p-1 missed yesterday's window; p-2, assigned to centre-a all day today, checks in at centre-b (wrong centre),
      // then someone else checks in there (so the dropped check-in leaves a hole, not a shorter log).
      await planFor(staff, 'p-1', yesterday);
      await staff.append(
        'plan',
        planPayload({ subject: 'p-2', zone: 'UTC', start: today, end: today, ...windowAroundNow(), grace: 0, late: 0 }),
      );
      const dropped = await kiosk.store.size(KIOSK);
      await kiosk.append('checkin', checkinPayload('p-2', 'centre-b'));
      await kiosk.append('checkin', checkinPayload('p-3', 'centre-b'));
      for (const [events, node] of [
        [hqFeed, 'HQ'],
        [policeFeed, 'the police node'],
      ] as const) {
        await breach(events, 'missed-checkin', 'p-1', `${node} to raise p-1's missed check-in`);
        await breach(events, 'wrong-centre', 'p-2', `${node} to raise p-2's wrong-centre check-in`);
      }
      expect(policeNode.output()).toContain('agency node police ready');
      // The police node witnesses every log itself: HQ lists its cosignature of the kiosk's log, matching HQ's copy
      // (also when it came before HQ held the entries it covers: HQ judges it once it holds them).
      const size = await kiosk.store.size(KIOSK);
      await hqFeed.next<{ origin: string; cosignature: Cosignature }>(
        'cosignature',
        ({ origin, cosignature: c }) => origin === KIOSK && c.witness === 'police' && c.size === size && c.matchesHq,
        "HQ to list the police node's cosignature of the kiosk log",
        STEP_MS,
      );
      const listed = (
        (await (await fetch(`${hqNode.http}/api/logs`)).json()) as {
          logs: { origin: string; cosignatures: Cosignature[] }[];
        }
      ).logs.find((l) => l.origin === KIOSK)?.cosignatures;
      expect(listed).toEqual([expect.objectContaining({ witness: 'police', size, matchesHq: true })]);

      // HQ goes down; someone rewrites its store: p-1's plan now names someone else, p-2's check-in is gone, and so
      // are HQ's alerts.
      await hqNode.stop('SIGINT');
      const db = new Database(join(dir, 'hq.db'));
      const plan = db
        .prepare('SELECT seq, leaf FROM entries WHERE origin = ? AND type = ? ORDER BY seq LIMIT 1')
        .get(STAFF, 'plan') as { seq: number; leaf: Buffer };
      const edited = Buffer.from(plan.leaf.toString('latin1').replace('p-1', 'p-9'), 'latin1');
      expect(edited.equals(plan.leaf)).toBe(false);
      db.prepare('UPDATE entries SET leaf = ? WHERE origin = ? AND seq = ?').run(edited, STAFF, plan.seq);
      expect(db.prepare('DELETE FROM entries WHERE origin = ? AND seq = ?').run(KIOSK, dropped).changes).toBe(1);
      db.prepare('DELETE FROM hq_breach_alerts').run();
      db.close();

      // While HQ is down the police still see both breaches, and a new one (p-4 missed yesterday) is raised too.
      await planFor(staff, 'p-4', yesterday);
      await breach(policeFeed, 'missed-checkin', 'p-4', 'the police node to raise p-4 while HQ is down');
      const seen = await alerts(policeNode, token);
      expect(found(seen, 'missed-checkin', 'p-1') && found(seen, 'wrong-centre', 'p-2')).toBe(true);
      // Without a session the police node's API refuses (its users, its screens).
      expect((await fetch(`${policeNode.http}/api/breach-alerts`)).status).toBe(401);

      // HQ back on its rewritten store: its own verifier withholds the edited and the holed logs, so HQ shows none of
      // the three; the police node, which never depended on HQ's store, shows all three.
      hq = await startMuster(nodeArgs('hq', 'hq.db'), 'muster hq again', STEP_MS);
      const again = hq;
      const againFeed = await feed(again);
      const staffSize = await staff.store.size(STAFF);
      // Caught up already, or at the stored entries that bring it there.
      const stored = (
        (await (await fetch(`${again.http}/api/logs`)).json()) as { logs: { origin: string; size: number }[] }
      ).logs.find((l) => l.origin === STAFF)?.size;
      if (stored !== staffSize)
        await againFeed.next<{ origin: string; size: number }>(
          'entries',
          (e) => e.origin === STAFF && e.size === staffSize,
          'HQ to catch up with the staff log',
          STEP_MS,
        );
      await again.printed('withheld', 'HQ to report the entries that no longer verify', STEP_MS);
      const hqSees = await alerts(again);
      expect(['p-1', 'p-4'].filter((s) => found(hqSees, 'missed-checkin', s))).toEqual([]);
      expect(found(hqSees, 'wrong-centre', 'p-2')).toBe(false);
      const policeSees = await alerts(policeNode, token);
      expect(['p-1', 'p-4'].filter((s) => found(policeSees, 'missed-checkin', s))).toEqual(['p-1', 'p-4']);
      expect(found(policeSees, 'wrong-centre', 'p-2')).toBe(true);
      // And its own store holds every entry of the kiosk's log, the check-in HQ lost included.
      const policeDb = new Database(join(dir, 'police.db'), { readonly: true });
      const held = policeDb.prepare('SELECT COUNT(*) AS n FROM entries WHERE origin = ?').get(KIOSK) as { n: number };
      policeDb.close();
      expect(held.n).toBe(await kiosk.store.size(KIOSK));
    },
  );
});
