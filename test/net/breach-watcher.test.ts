// The breach watcher over a real HQ store (SQLite) fed with real signed logs, on a settable clock: a missed
// check-in raised once when the window and grace close, superseded (never deleted) by a late check-in or an
// excuse, a restart raising nothing twice, two watchers on one store raising once, an outage making a review
// item, and officers' actions landing on HQ's own log.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { parseAlertAction } from '../../core/records/alert-action.ts';
import { decodeLeaf } from '../../core/entry.ts';
import { LedgerStore } from '../../ledger/store.ts';
import { AlertDesk } from '../../net/hq/alert-desk.ts';
import type { BreachAlert } from '../../net/hq/breach-alert.ts';
import { openHqLog } from '../../net/hq/hq-log.ts';
import { MIN, at, checkinPayload, healthPayload } from '../checkin/support/log-builder.ts';
import { MemoryLog, rootLogger, setRootLogger } from '../../runtime/logger.ts';
import { CLOSE, ZONE, alertRig as setup, alertWatcher as watcher, closeAfter } from './support/alert-rig.ts';

describe('BreachWatcher', () => {
  it('raises a missed check-in once when window and grace close, supersedes it on a late check-in or an excuse, and a restart raises nothing again', async () => {
    const { store, staff, kiosk, sync } = await setup();
    let now = CLOSE - 1;
    const delivered: BreachAlert[] = [];
    const first = watcher(store, () => now, delivered);
    await first.start();
    expect(delivered).toEqual([]);

    now = CLOSE;
    await first.poke();
    expect(delivered.map((a) => [a.id, a.kind, a.status])).toEqual(
      ['p-1', 'p-2', 'p-3'].map((s) => [`breach:missed-checkin/${s}/2026-03-02`, 'breach', 'open']),
    );
    const missed = delivered[0] as BreachAlert;
    expect(missed).toMatchObject({
      rule: 'missed-checkin',
      subject: 'p-1',
      day: '2026-03-02',
      centres: ['centre-a'],
      firedAt: CLOSE,
      raisedAt: CLOSE,
      finding: 'open',
      version: 1,
    });
    // The evidence names the plan in force, as an entry of the staff log with its leaf hash.
    expect(missed.evidence[0]).toMatchObject({ origin: 'centre-a/staff', seq: 1 });
    expect(missed.evidence[0]?.hash).toMatch(/^[0-9a-f]{64}$/);

    // A restart: the new watcher loads what is stored and raises nothing twice.
    await first.close();
    delivered.length = 0;
    now = CLOSE + 5 * MIN;
    const second = watcher(store, () => now, delivered);
    await second.start();
    expect(delivered).toEqual([]);

    // p-2 checks in late: the missed alert is superseded by the late one, never deleted.
    kiosk.now = CLOSE + 20 * MIN;
    await kiosk.writer.append('checkin', checkinPayload('p-2'));
    // p-3 is excused after the alert.
    staff.now = CLOSE + 21 * MIN;
    await staff.writer.append('excuse', {
      subject: 'p-3',
      from: '2026-03-02',
      to: '2026-03-02',
      rules: [],
      reason: 'medical',
      staff: 'staff-1',
    });
    await sync();
    now = CLOSE + 22 * MIN;
    await second.poke();
    const byId = new Map(delivered.map((a) => [a.id, a]));
    expect(byId.get('breach:missed-checkin/p-2/2026-03-02')).toMatchObject({ status: 'superseded', version: 2 });
    expect(byId.get('breach:missed-checkin/p-2/2026-03-02')?.history.at(-1)?.note).toBe(
      'replaced by late-checkin/p-2/2026-03-02',
    );
    expect(byId.get('breach:late-checkin/p-2/2026-03-02')).toMatchObject({
      kind: 'breach',
      status: 'open',
      firedAt: CLOSE + 20 * MIN,
    });
    const excused = byId.get('breach:missed-checkin/p-3/2026-03-02');
    expect(excused?.status).toBe('superseded');
    expect(excused?.history.at(-1)).toMatchObject({
      event: 'superseded',
      note: 'excused by staff-1: medical',
      ref: { origin: 'centre-a/staff', seq: 4 },
    });
    expect(delivered).toHaveLength(3);
    // Every alert is still stored, superseded ones included.
    expect((await store.breachAlerts({ limit: 100 })).map((a) => `${a.id} ${a.status}`).sort()).toEqual([
      'breach:late-checkin/p-2/2026-03-02 open',
      'breach:missed-checkin/p-1/2026-03-02 open',
      'breach:missed-checkin/p-2/2026-03-02 superseded',
      'breach:missed-checkin/p-3/2026-03-02 superseded',
    ]);
  });

  it('raises what fell due while nothing watched, once even with two watchers on one store', async () => {
    const { store } = await setup();
    const a: BreachAlert[] = [];
    const b: BreachAlert[] = [];
    const now = (): number => CLOSE + 60 * MIN;
    const one = watcher(store, now, a);
    const two = watcher(store, now, b);
    await Promise.all([one.start(), two.start()]);
    expect([...a, ...b].map((x) => x.id).sort()).toEqual(
      ['p-1', 'p-2', 'p-3'].map((s) => `breach:missed-checkin/${s}/2026-03-02`),
    );
    expect(await store.breachAlerts({ limit: 100 })).toHaveLength(3);
  });

  it('keeps running past a stored alert row edited by hand: the list leaves it out with a warning naming it, reading it names it', async () => {
    const { dir, store } = await setup();
    await watcher(store, () => CLOSE, []).start();
    const id = 'breach:missed-checkin/p-2/2026-03-02';
    const raw = new Database(join(dir, 'hq.db'));
    raw.prepare('UPDATE hq_breach_alerts SET body = ? WHERE id = ?').run('{"type":"breach-alert"', id);
    raw.close();
    // The store logs through the process logger: a MemoryLog stands in for it here.
    const processLogger = rootLogger();
    const memory = new MemoryLog();
    setRootLogger(memory.logger);
    try {
      expect((await store.breachAlerts({ limit: 10 })).map((a) => a.subject).sort()).toEqual(['p-1', 'p-3']);
      await expect(store.breachAlert(id)).rejects.toThrow(`stored alert ${id} is not JSON`);
      expect(memory.records).toEqual([
        expect.objectContaining({
          level: 'warn',
          component: 'hq-store',
          alert: id,
          msg: 'stored alert left out of the list',
        }),
      ]);
    } finally {
      setRootLogger(processLogger);
    }
  });

  it('turns a would-be breach into a staff review item when a kiosk of the centre was out of service in the window', async () => {
    const { store, kiosk, sync } = await setup();
    kiosk.now = at('2026-03-02 09:40', ZONE);
    await kiosk.writer.append(
      'device-health',
      healthPayload('centre-a', 'fingerprint', 'disconnected', at('2026-03-02 09:30', ZONE)),
    );
    await sync();
    const delivered: BreachAlert[] = [];
    await watcher(store, () => CLOSE, delivered).start();
    expect(delivered.map((x) => [x.id, x.kind, x.finding])).toEqual(
      ['p-1', 'p-2', 'p-3'].map((s) => [`review:missed-checkin/${s}/2026-03-02`, 'review', 'pending']),
    );
    expect(delivered[0]?.summary).toContain('outage: fingerprint at centre-a/k1 out of service');
    expect(delivered[0]?.evidence.some((e) => e.origin === 'centre-a/k1')).toBe(false);
    expect(await store.breachAlerts({ limit: 100 })).toHaveLength(3);
  });

  it("records an officer's acknowledge, assign and resolve on HQ's own log, the note only as its hash, and refuses bad requests", async () => {
    const { dir, store } = await setup();
    const delivered: BreachAlert[] = [];
    await watcher(store, () => CLOSE, delivered).start();
    const log = openHqLog(join(dir, 'hq.log.db'), 'hq');
    closeAfter(log);
    const desk = new AlertDesk(
      store,
      log,
      (x) => delivered.push(x),
      () => CLOSE + MIN,
    );
    const id = 'breach:missed-checkin/p-1/2026-03-02';
    await desk.act(id, AlertDesk.request('acknowledge', { note: 'calling the person' }, 'officer-1'));
    await desk.act(id, AlertDesk.request('assign', { note: 'home visit', assignee: 'officer-2' }, 'officer-1'));
    const resolved = await desk.act(
      id,
      AlertDesk.request('resolve', { note: 'in hospital; excuse to follow' }, 'officer-2'),
    );
    expect(resolved).toMatchObject({ status: 'resolved', assignee: 'officer-2', version: 4 });
    expect(resolved.history.slice(1).map((h) => [h.event, h.by, h.note, h.ref])).toEqual([
      ['acknowledged', 'officer-1', 'calling the person', { origin: 'hq/log', seq: 1 }],
      ['assigned', 'officer-1', 'home visit', { origin: 'hq/log', seq: 2 }],
      ['resolved', 'officer-2', 'in hospital; excuse to follow', { origin: 'hq/log', seq: 3 }],
    ]);
    expect(await store.breachAlert(id)).toEqual(resolved);
    log.close();
    const ledger = LedgerStore.open(join(dir, 'hq.log.db'), { readonly: true });
    try {
      const entries = [...ledger.range('hq/log', 1, 4)].map((r) => decodeLeaf(r.leaf).body);
      expect(entries.map((e) => e.type)).toEqual(['alert-action', 'alert-action', 'alert-action']);
      const assign = parseAlertAction(entries[1]?.payload);
      expect(assign).toMatchObject({ alert: id, action: 'assign', by: 'officer-1', assignee: 'officer-2' });
      expect(JSON.stringify(entries)).not.toContain('home visit');
    } finally {
      ledger.close();
    }
    expect(() => AlertDesk.request('delete', { note: 'x' }, 'o')).toThrow(/no alert action "delete"/);
    expect(() => AlertDesk.request('resolve', { note: '' }, 'o')).toThrow(/body.note/);
    expect(() => AlertDesk.request('resolve', { note: 'ok', extra: 1 }, 'o')).toThrow(/body.extra: unknown field/);
    expect(() => AlertDesk.request('assign', { note: 'ok' }, 'o')).toThrow(/body.assignee/);
    expect(() => AlertDesk.request('assign', { note: 'ok', assignee: 'a b' }, 'o')).toThrow(
      /body.assignee: expected an id/,
    );
    expect(() => AlertDesk.request('resolve', { note: 'ok', assignee: 'o2' }, 'o')).toThrow(
      /body.assignee: only for assign/,
    );
    expect(() => AlertDesk.request('resolve', { note: ' \n ' }, 'o')).toThrow(/body.note: expected text of 1-500/);
    expect(() => AlertDesk.request('resolve', { note: 'x'.repeat(501) }, 'o')).toThrow(/body.note/);
    expect(() => AlertDesk.request('resolve', [1], 'o')).toThrow(/body: expected an object/);
    await expect(
      desk.act('breach:missed-checkin/nobody/2026-03-02', AlertDesk.request('resolve', { note: 'ok' }, 'o')),
    ).rejects.toThrow(/no breach alert/);
  });
});
