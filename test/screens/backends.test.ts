// The screens' backends without a browser: staff confirmation when the camera is down, the roster's states at a
// glance, and the CSV export (the kiosk screen's backend: kiosk-session.test.ts).
import { describe, expect, it } from 'vitest';
import type { Roster } from '../../core/api/staff-api.ts';
import { computeBreaches } from '../../core/breach/engine.ts';
import { CheckinWorkflow } from '../../main/kiosk/checkin-workflow.ts';
import { dayRoster } from '../../main/web/attendance.ts';
import { StaffBackend, rosterCsv } from '../../main/web/staff-backend.ts';
import { StaffConfirmations } from '../../main/web/staff-confirmations.ts';
import { parseCheckin } from '../../core/records/checkin.ts';
import { readLogRecords } from '../../main/kiosk/log-records.ts';
import { nextEvent } from '../helpers/wait-for.ts';
import { fakePorts } from '../checkin/support/fake-ports.ts';
import { kioskLog, tempDir } from '../checkin/support/kiosk-log.ts';
import { LogBuilder, at, attemptPayload, checkinPayload, planPayload } from '../checkin/support/log-builder.ts';

const NY = 'America/New_York';

describe('staff confirmation (camera down)', () => {
  it('the kiosk waits for staff; the signed-in staff member who confirms is named on the check-in', async () => {
    const log = kioskLog(tempDir(), 'centre-a/k1', at('2026-03-02 09:30', NY));
    await log.writer.append('plan', planPayload({ subject: 's-alice', start: '2026-03-02' }));
    const confirmations = new StaffConfirmations();
    const staff = new StaffBackend({
      centre: 'centre-a',
      kiosk: 'centre-a/k1',
      store: log.store,
      append: (t, p) => log.writer.append(t, p),
      clock: () => log.now,
      confirmations,
    });
    const changed: unknown[] = [];
    staff.subscribe((m) => changed.push(m));
    const ports = {
      ...fakePorts(log.writer, {
        finger: [{ kind: 'match', subject: 's-alice', score: 140 }],
        devices: { fingerprint: true, camera: false, badge: true },
      }).ports,
      staff: confirmations,
    };
    const workflow = new CheckinWorkflow(ports, {
      centre: 'centre-a',
      kiosk: 'centre-a/k1',
      mode: 'fingerprint-search',
      newAttemptId: () => 'att-1',
    });
    const run = workflow.run();
    const sam = { principal: { user: 'sam', role: 'staff' as const, centres: ['centre-a'] }, kioskScreen: false };
    const handlers = staff.handlers as Record<string, (params: unknown, caller: typeof sam) => unknown>;
    const pending = await nextEvent<{ confirmations: { id: string; subject: string }[] }>(
      (l) =>
        confirmations.onChange(() => {
          l(handlers['staff.pending']?.({}, sam) as { confirmations: { id: string; subject: string }[] });
        }),
      (p) => p.confirmations.length === 1,
      'a confirmation request',
    );
    const request = pending.confirmations[0] as { id: string; subject: string };
    expect(request.subject).toBe('s-alice');
    expect(changed.length).toBeGreaterThan(0);
    expect(() => handlers['staff.confirm']?.({ id: request.id, subject: 's-bob', confirmed: true }, sam)).toThrow(
      /no confirmation/,
    );
    handlers['staff.confirm']?.({ id: request.id, subject: 's-alice', confirmed: true }, sam);
    const outcome = await run;
    expect(outcome.ok).toBe(true);
    const checkin = readLogRecords(log.store).records.find((r) => r.type === 'checkin');
    expect(parseCheckin(checkin?.payload)).toMatchObject({
      subject: 's-alice',
      methods: ['fingerprint', 'staff'],
      staff: 'sam',
    });
    expect(confirmations.pending()).toEqual([]);
    staff.close();
  });

  it('nobody answering in time is a timeout, not a refusal: the person is sent to staff, never a breach', async () => {
    const confirmations = new StaffConfirmations({ timeoutMs: 20 });
    expect(await confirmations.confirm('s-alice')).toEqual({ kind: 'timeout' });
    expect(confirmations.pending()).toEqual([]);
  });
});

describe('roster', () => {
  it("shows each person's state at a glance", () => {
    const b = new LogBuilder();
    const t0 = at('2026-03-01 08:00', NY);
    for (const s of ['on-time', 'late', 'absent', 'failed', 'excused', 'elsewhere']) {
      b.add(
        'centre-a/k1',
        t0,
        'plan',
        planPayload({ subject: s, start: '2026-03-02', centres: s === 'elsewhere' ? ['centre-b'] : ['centre-a'] }),
      );
    }
    b.add('centre-a/k1', at('2026-03-02 09:30', NY), 'checkin', checkinPayload('on-time'));
    b.add('centre-a/k1', at('2026-03-02 12:00', NY), 'checkin', checkinPayload('late'));
    b.add('centre-a/k1', at('2026-03-02 09:40', NY), 'checkin-attempt', attemptPayload('failed', 'mismatch'));
    b.add('centre-a/k1', at('2026-03-02 08:00', NY), 'excuse', {
      subject: 'excused',
      from: '2026-03-02',
      to: '2026-03-02',
      reason: 'hospital',
      staff: 'staff-1',
    });
    const now = at('2026-03-02 14:00', NY);
    const early = dayRoster(
      b.records,
      computeBreaches(b.records, at('2026-03-02 09:31', NY)),
      'centre-a',
      at('2026-03-02 09:31', NY),
    );
    expect(early.rows.find((r) => r.subject === 'absent')?.state).toBe('expected');
    const roster = dayRoster(b.records, computeBreaches(b.records, now), 'centre-a', now);
    expect(roster.day).toBe('2026-03-02');
    expect(Object.fromEntries(roster.rows.map((r) => [r.subject, r.state]))).toEqual({
      'absent': 'breached',
      'excused': 'excused',
      'failed': 'review',
      'late': 'late',
      'on-time': 'checked-in',
    });
    expect(roster.rows.find((r) => r.subject === 'on-time')).toMatchObject({
      window: '09:00-11:00',
      kiosk: 'centre-a/k1',
      checkedInAt: at('2026-03-02 09:30', NY),
    });
    expect(roster.rows.find((r) => r.subject === 'absent')?.breaches[0]).toMatchObject({
      rule: 'missed-checkin',
      status: 'open',
      evidence: [{ origin: 'centre-a/k1', seq: 3 }],
    });
  });

  it('exports CSV that a spreadsheet cannot run as formulas, with a BOM and local times with their offset', () => {
    const roster: Roster = {
      centre: 'centre-a',
      day: '2026-03-02',
      zone: NY,
      at: 0,
      count: { due: 2, checkedIn: 1, excused: 0, breached: 1, open: 0, compliance: 0.5 },
      people: [
        {
          subject: '=cmd',
          state: 'breached',
          window: '09:00-11:00',
          checkedInAt: null,
          kiosk: null,
          breaches: [
            {
              id: 'x',
              parts: [],
              zone: NY,
              rule: 'missed-checkin',
              subject: '=cmd',
              day: '2026-03-02',
              at: 0,
              status: 'open',
              detail: 'a, "b"',
              evidence: [],
              history: [],
            },
          ],
          reviews: [],
        },
        {
          subject: 's-bob',
          state: 'checked-in',
          window: '09:00-11:00',
          checkedInAt: at('2026-03-02 09:20', NY),
          kiosk: 'centre-a/k1',
          breaches: [],
          reviews: [],
        },
      ],
    };
    const csv = rosterCsv(roster);
    expect(csv.startsWith('\uFEFF')).toBe(true);
    const lines = csv.slice(1).split('\r\n');
    expect(lines[0]).toBe('centre,day,zone,subject,state,window,checked_in_at,kiosk,breaches,reviews');
    expect(lines[1]).toBe(`centre-a,2026-03-02,${NY},'=cmd,breached,09:00-11:00,,,missed-checkin:open,`);
    // The window and the check-in read on the same clock: 09:20 local, with New York's winter offset.
    expect(lines[2]).toBe(
      `centre-a,2026-03-02,${NY},s-bob,checked-in,09:00-11:00,2026-03-02T09:20:00-05:00,centre-a/k1,,`,
    );
    // For a reader in Chinese the header is Chinese; the rows stay the same codes and ids.
    const zh = rosterCsv(roster, 'zh-CN').slice(1).split('\r\n');
    expect(zh[0]).toBe('中心,日期,时区,人员编号,状态,报到时段,报到时间,自助机,违规,待复核');
    expect(zh.slice(1)).toEqual(lines.slice(1));
  });
});
