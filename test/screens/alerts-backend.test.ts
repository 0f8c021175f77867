// The screens' breach-alert methods (main/web/alert-handlers.ts) over a real SQLite HQ store and HQ's own log:
// each caller sees only the alerts of their centres (a parolee their own), an officer's action lands on the alert
// and on HQ's log and reaches the screens as hq.changed, staff of another centre cannot act.
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { EventMessage } from '../../core/api/api.ts';
import type { Principal } from '../../core/access/roles.ts';
import { alertsBackend } from '../../main/web/alert-handlers.ts';
import { AlertDesk } from '../../net/hq/alert-desk.ts';
import type { BreachAlert } from '../../net/hq/breach-alert.ts';
import { openHqLog } from '../../net/hq/hq-log.ts';
import type { HqEvents } from '../../net/hq/hq-service.ts';
import { SqliteHqStore } from '../../net/hq/sqlite-hq-store.ts';

const dir = mkdtempSync(join(tmpdir(), 'muster-alerts-backend-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function alert(subject: string, centre: string): BreachAlert {
  return {
    v: 1,
    type: 'breach-alert',
    id: `breach:missed-checkin/${subject}/2026-12-03`,
    kind: 'breach',
    rule: 'missed-checkin',
    subject,
    day: '2026-12-03',
    centres: [centre],
    firedAt: 1,
    raisedAt: 2,
    summary: 'no check-in in the window',
    evidence: [{ origin: `${centre}/staff`, seq: 1, hash: 'ab'.repeat(32) }],
    finding: 'open',
    status: 'open',
    assignee: null,
    version: 1,
    history: [{ at: 2, event: 'raised', by: 'hq', note: 'no check-in in the window' }],
  };
}

const as = (principal: Principal) => ({ principal, kioskScreen: false });

describe('breach alerts on the screens', () => {
  it("lists per caller scope and lets an officer act, on HQ's log, with a live update", async () => {
    const store = SqliteHqStore.open(join(dir, 'hq.db'));
    const log = openHqLog(join(dir, 'hq.log.db'), 'hq');
    try {
      await store.applyAlertChanges([
        { alert: alert('p-1', 'c1'), expectedVersion: null },
        { alert: alert('p-2', 'c2'), expectedVersion: null },
      ]);
      const events = new EventEmitter<HqEvents>();
      const backend = alertsBackend(
        { events },
        store,
        new AlertDesk(store, log, (a) => events.emit('breach-alert', a)),
      );
      const list = backend.handlers['hq.breachAlerts'];
      const act = backend.handlers['hq.alertAction'];
      if (!list || !act) throw new Error('handlers missing');
      const ids = async (p: Principal, centre?: string): Promise<string[]> =>
        (await list(centre === undefined ? {} : { centre }, as(p))).alerts.map((a) => a.subject);
      expect((await ids({ user: 'o', role: 'officer', centres: [] })).sort()).toEqual(['p-1', 'p-2']);
      expect(await ids({ user: 's', role: 'staff', centres: ['c1'] })).toEqual(['p-1']);
      expect(await ids({ user: 'pa', role: 'parolee', centres: [], subject: 'p-2' })).toEqual(['p-2']);
      expect(await ids({ user: 'o', role: 'officer', centres: [] }, 'c2')).toEqual(['p-2']);

      const seen: EventMessage[] = [];
      const stop = backend.subscribe?.((m) => seen.push(m));
      const { alert: acted } = await act(
        { id: alert('p-1', 'c1').id, action: 'assign', note: 'home visit', assignee: 'officer-2' },
        as({ user: 'officer-1', role: 'officer', centres: [] }),
      );
      expect(acted).toMatchObject({ status: 'assigned', assignee: 'officer-2', version: 2 });
      expect(acted.history.at(-1)).toMatchObject({
        event: 'assigned',
        by: 'officer-1',
        note: 'home visit',
        ref: { origin: 'hq/log', seq: 1 },
      });
      expect(seen.map((m) => m.event)).toEqual(['hq.changed']);
      stop?.();
      await expect(
        act(
          { id: alert('p-2', 'c2').id, action: 'resolve', note: 'x' },
          as({ user: 's', role: 'staff', centres: ['c1'] }),
        ),
      ).rejects.toThrow(/no breach alert/);
      await expect(
        act(
          { id: alert('p-1', 'c1').id, action: 'resolve', note: 'x' },
          as({ user: 'po', role: 'police', centres: [] }),
        ),
      ).rejects.toThrow(/may not act/);
      expect((await store.breachAlert(alert('p-1', 'c1').id))?.version).toBe(2);
    } finally {
      log.close();
      await store.close();
    }
  });
});
