// The breach watcher's other triggers, over a real SQLite HQ store and real signed logs: a task falling overdue
// (raised by the watcher's own timer, nobody poking it), a staff review turning a suspected impersonation into a
// breach (and clearing it later), a late check-in with nothing raised before it, and contests. A contest's outcome
// names the breach's fate (core/records/staff-decisions.ts): `dismissed` means the person's contest succeeded
// and the breach is withdrawn, so the alert is superseded with the contest's reason; `upheld` means the breach
// stands, so the alert stays, its finding `upheld`. Nothing is ever deleted.
import { describe, expect, it } from 'vitest';
import { dayWindow } from '../../core/breach/day-window.ts';
import { parsePlan } from '../../core/records/plan.ts';
import { parseDay } from '../../core/time/civil-day.ts';
import type { BreachAlert } from '../../net/hq/breach-alert.ts';
import { MIN, at, attemptPayload, checkinPayload, planPayload } from '../checkin/support/log-builder.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { CLOSE, ZONE, alertRig, alertWatcher } from './support/alert-rig.ts';

const DAY = '2026-03-02';

/** The stored alert, as delivered last. */
function latest(delivered: readonly BreachAlert[], id: string): BreachAlert | undefined {
  return delivered.filter((a) => a.id === id).at(-1);
}

describe('BreachWatcher triggers', () => {
  it('raises an overdue task at its deadline by its own timer, once', async () => {
    const plan = planPayload({
      subject: 'p-task',
      zone: ZONE,
      start: DAY,
      late: 120,
      tasks: [{ id: 't-study', kind: 'study', module: 'm-1' }],
    });
    const { store, kiosk, sync } = await alertRig([plan]);
    // On time, but the study module is not done.
    kiosk.now = at(`${DAY} 09:30`, ZONE);
    await kiosk.writer.append('checkin', checkinPayload('p-task'));
    await sync();
    const deadline = dayWindow(parsePlan(plan), parseDay(DAY) as number).taskDeadline;
    // HQ's clock runs in real time, 1.5 s before the deadline: only the timer can raise the alert.
    const offset = deadline - 1_500 - Date.now();
    const delivered: BreachAlert[] = [];
    await alertWatcher(store, () => Date.now() + offset, delivered).start();
    expect(delivered).toEqual([]);
    const id = `breach:task-not-done/p-task/${DAY}/t-study`;
    const alert = await waitFor(() => latest(delivered, id), 'the overdue task alert', 10_000);
    expect(alert).toMatchObject({
      kind: 'breach',
      rule: 'task-not-done',
      subject: 'p-task',
      day: DAY,
      firedAt: deadline,
      status: 'open',
      version: 1,
    });
    expect(alert.raisedAt).toBeGreaterThanOrEqual(deadline);
    expect(alert.evidence.map((e) => e.origin)).toEqual(['centre-a/staff']);
    expect(await store.breachAlerts({ limit: 10 })).toEqual([alert]);
  });

  it('raises a suspected impersonation when staff decide the review is a breach, and supersedes it when they clear it', async () => {
    const { store, staff, kiosk, sync } = await alertRig();
    let now = at(`${DAY} 09:40`, ZONE);
    const delivered: BreachAlert[] = [];
    const watcher = alertWatcher(store, () => now, delivered);
    await watcher.start();
    // Fingerprint identified p-1, the face said mismatch: a review item, never an alert by itself.
    kiosk.now = at(`${DAY} 09:30`, ZONE);
    await kiosk.writer.append('checkin-attempt', attemptPayload('p-1', 'mismatch'));
    await sync();
    await watcher.poke();
    expect(delivered).toEqual([]);
    staff.now = at(`${DAY} 09:50`, ZONE);
    const review = await staff.writer.append('review', {
      item: `suspected-impersonation/p-1/${DAY}`,
      subject: 'p-1',
      day: DAY,
      decision: 'breach',
      reason: 'identity-doubt',
      staff: 'staff-2',
    });
    await sync();
    now = at(`${DAY} 09:51`, ZONE);
    await watcher.poke();
    const id = `breach:suspected-impersonation/p-1/${DAY}`;
    expect(delivered.map((a) => a.id)).toEqual([id]);
    expect(latest(delivered, id)).toMatchObject({
      kind: 'breach',
      rule: 'suspected-impersonation',
      status: 'open',
      firedAt: staff.now,
      raisedAt: now,
    });
    expect(latest(delivered, id)?.evidence.map((e) => [e.origin, e.seq])).toContainEqual([
      'centre-a/staff',
      review.seq,
    ]);
    // A second look clears it (a false reject): the alert is superseded with the staff's reason, never deleted.
    staff.now = at(`${DAY} 10:05`, ZONE);
    const cleared = await staff.writer.append('review', {
      item: `suspected-impersonation/p-1/${DAY}`,
      subject: 'p-1',
      day: DAY,
      decision: 'cleared',
      reason: 'identity-confirmed',
      staff: 'staff-3',
    });
    await sync();
    now = at(`${DAY} 10:06`, ZONE);
    await watcher.poke();
    const superseded = latest(delivered, id);
    expect(superseded).toMatchObject({ status: 'superseded', version: 2 });
    expect(superseded?.history.at(-1)).toMatchObject({
      event: 'superseded',
      by: 'hq',
      ref: { origin: 'centre-a/staff', seq: cleared.seq },
    });
    expect(superseded?.history.at(-1)?.note).toContain('identity-confirmed');
    expect(await store.breachAlert(id)).toEqual(superseded);
  });

  it('raises a late check-in when it lands, with nothing raised before it', async () => {
    const { store, kiosk, sync } = await alertRig();
    const delivered: BreachAlert[] = [];
    let now = CLOSE - MIN;
    const watcher = alertWatcher(store, () => now, delivered);
    await watcher.start();
    // The check-in lands (replicated) before HQ's pass at the close: no missed alert, straight to late.
    kiosk.now = CLOSE + 10 * MIN;
    await kiosk.writer.append('checkin', checkinPayload('p-1'));
    await sync();
    now = CLOSE + 10 * MIN + 2_000;
    await watcher.poke();
    const late = latest(delivered, `breach:late-checkin/p-1/${DAY}`);
    expect(late).toMatchObject({ kind: 'breach', status: 'open', firedAt: CLOSE + 10 * MIN, version: 1 });
    expect(late?.evidence.map((e) => e.origin)).toEqual(['centre-a/staff', 'centre-a/k1']);
    expect(delivered.filter((a) => a.subject === 'p-1')).toEqual([late]);
  });

  it('follows a contest: contested keeps the alert open, a dismissed breach supersedes it with the reason, an upheld one stands', async () => {
    const { store, staff, sync } = await alertRig();
    let now = CLOSE;
    const delivered: BreachAlert[] = [];
    const watcher = alertWatcher(store, () => now, delivered);
    await watcher.start();
    const won = `breach:missed-checkin/p-1/${DAY}`;
    const lost = `breach:missed-checkin/p-2/${DAY}`;
    expect(latest(delivered, won)?.status).toBe('open');
    const contest = (
      subject: string,
      action: 'open' | 'resolve',
      reason: string,
      outcome?: 'upheld' | 'dismissed',
    ): Promise<{ seq: number }> =>
      staff.writer.append('contest', {
        breach: `missed-checkin/${subject}/${DAY}`,
        subject,
        day: DAY,
        action,
        ...(outcome ? { outcome } : {}),
        reason,
        staff: 'staff-1',
      });
    staff.now = CLOSE + 30 * MIN;
    await contest('p-1', 'open', 'device-fault');
    await contest('p-2', 'open', 'other');
    await sync();
    now = CLOSE + 31 * MIN;
    await watcher.poke();
    for (const id of [won, lost]) {
      expect(latest(delivered, id)).toMatchObject({ status: 'open', finding: 'contested', version: 2 });
      expect(latest(delivered, id)?.history.at(-1)).toMatchObject({ event: 'updated', by: 'hq' });
    }
    staff.now = CLOSE + 60 * MIN;
    const dismissed = await contest('p-1', 'resolve', 'evidence-checked', 'dismissed');
    await contest('p-2', 'resolve', 'no-excuse', 'upheld');
    await sync();
    now = CLOSE + 61 * MIN;
    await watcher.poke();
    // The contest succeeded: the breach is withdrawn, the alert superseded with the staff's reason and the entry.
    expect(latest(delivered, won)).toMatchObject({ status: 'superseded', finding: 'contested', version: 3 });
    expect(latest(delivered, won)?.history.at(-1)).toMatchObject({
      event: 'superseded',
      ref: { origin: 'centre-a/staff', seq: dismissed.seq },
    });
    expect(latest(delivered, won)?.history.at(-1)?.note).toMatch(/^contest dismissed \(staff-1\): .*evidence-checked/);
    // The contest failed: the breach stands, the alert stays open with its finding upheld.
    expect(latest(delivered, lost)).toMatchObject({ status: 'open', finding: 'upheld', version: 3 });
    expect(latest(delivered, lost)?.history.at(-1)?.note).toMatch(/contest upheld \(staff-1\): .*no-excuse/);
    expect(
      (await store.breachAlerts({ limit: 10 })).map((a) => `${a.subject} ${a.status} ${a.finding}`).sort(),
    ).toEqual(['p-1 superseded contested', 'p-2 open upheld', 'p-3 open open']);
  });
});
