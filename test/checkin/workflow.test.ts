// The whole check-in end to end with in-process fake devices: the workflow writes signed entries to a real
// kiosk log, the receipt verifies offline, and the breach engine over the same store gives the verdict the
// issue asks for (device faults excuse, biometric failures go to review, impostors are flagged).
import { describe, expect, it } from 'vitest';
import { computeBreaches } from '../../core/breach/engine.ts';
import { parseCheckinAttempt } from '../../core/records/checkin.ts';
import type { TaskSpec } from '../../core/records/plan.ts';
import { decodeLeaf } from '../../core/entry.ts';
import { CheckinWorkflow } from '../../main/kiosk/checkin-workflow.ts';
import { readLogRecords } from '../../main/kiosk/log-records.ts';
import { verifyReceipt } from '../../main/kiosk/receipt.ts';
import { readVerifierFile } from '../../ledger/keys.ts';
import { linkError } from '../../drivers/device-error.ts';
import { type KioskLog, kioskLog, tempDir } from './support/kiosk-log.ts';
import { fakePorts, type Script } from './support/fake-ports.ts';
import { at, planPayload } from './support/log-builder.ts';

const NY = 'America/New_York';
const STUDY: TaskSpec = { id: 't-study', kind: 'study', module: 'm-1', days: 'reporting' };

async function session(script: Script): Promise<{
  kiosk: KioskLog;
  outcome: Awaited<ReturnType<CheckinWorkflow['run']>>;
  shown: string[];
  tasksShown: unknown[];
}> {
  const kiosk = kioskLog(tempDir(), 'centre-a/k1', at('2026-03-01 12:00', NY));
  await kiosk.writer.append(
    'plan',
    planPayload({ subject: 's-1', start: '2026-03-02', tasks: [{ id: STUDY.id, kind: 'study', module: 'm-1' }] }),
  );
  kiosk.now = at('2026-03-02 09:30', NY);
  const fakes = fakePorts(kiosk.writer, script);
  let n = 0;
  const workflow = new CheckinWorkflow(fakes.ports, {
    centre: 'centre-a',
    kiosk: 'centre-a/k1',
    mode: 'fingerprint-search',
    newAttemptId: () => `att-${++n}`,
  });
  const outcome = await workflow.run();
  return { kiosk, outcome, shown: fakes.shown, tasksShown: fakes.tasksShown };
}

function verdict(kiosk: KioskLog): { breaches: string[]; reviews: string[] } {
  const { records } = readLogRecords(kiosk.store);
  const report = computeBreaches(records, at('2026-03-03 00:30', NY));
  expect(report.problems).toEqual([]);
  return {
    breaches: report.breaches.map((b) => `${b.rule} ${b.status}`),
    reviews: report.reviews.map((r) => `${r.reason} ${r.status}`),
  };
}

function attempts(kiosk: KioskLog): string[] {
  const rows = [...kiosk.store.range('centre-a/k1', 0, kiosk.store.head('centre-a/k1').size)].filter(
    (row) => row.type === 'checkin-attempt',
  );
  return rows.map((row) => {
    const a = parseCheckinAttempt(decodeLeaf(row.leaf).body.payload);
    return `${a.method}/${a.outcome}${a.fault === undefined ? '' : ` ${a.fault}`}`;
  });
}

/** The staff member each signed attempt names. */
function staffNamed(kiosk: KioskLog): (string | undefined)[] {
  return [...kiosk.store.range('centre-a/k1', 0, kiosk.store.head('centre-a/k1').size)]
    .filter((row) => row.type === 'checkin-attempt')
    .map((row) => parseCheckinAttempt(decodeLeaf(row.leaf).body.payload).staff);
}

const match = { kind: 'match', subject: 's-1', score: 140 } as const;

describe('check-in workflow with fake devices', () => {
  it('happy path: entries on the log, tasks shown, a receipt that verifies with the pinned key, no breach', async () => {
    const { kiosk, outcome, shown, tasksShown } = await session({
      finger: [match],
      face: [{ kind: 'match', score: 0.28 }],
      due: [STUDY],
      done: [{ task: 't-study' }],
    });
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    expect(shown).toEqual(['place-finger', 'look-at-camera', 'tasks', 'recording', 'receipt']);
    expect(tasksShown).toEqual([[STUDY]]);
    expect(attempts(kiosk)).toEqual(['fingerprint/matched', 'face/matched']);
    const checkin = decodeLeaf(kiosk.store.entry('centre-a/k1', outcome.seq)?.leaf ?? new Uint8Array()).body;
    expect(checkin.type).toBe('checkin');
    expect(checkin.payload).toMatchObject({
      subject: 's-1',
      methods: ['fingerprint', 'face'],
      attempt: 'att-1',
      tasks: [{ task: 't-study' }],
    });
    // No biometric data on the log: scores and decisions only.
    expect(JSON.stringify(checkin.payload)).not.toMatch(/template|image|descriptor/);
    const check = verifyReceipt(outcome.receipt, readVerifierFile(kiosk.pub));
    expect(check).toMatchObject({ ok: true, pinned: true });
    expect(verdict(kiosk)).toEqual({ breaches: [], reviews: [] });
  });

  it('fingerprint reader throws its typed device error: the fault and its code are logged, badge + face checks the person in', async () => {
    const { kiosk, outcome, shown } = await session({
      finger: [linkError('device.disconnected', 'serial port gone')],
      badge: [{ kind: 'known', subject: 's-1' }],
      face: [{ kind: 'match', score: 0.3 }],
      done: [{ task: 't-study' }],
    });
    expect(outcome.ok).toBe(true);
    expect(shown).toContain('finger-badge-instead');
    expect(attempts(kiosk)).toEqual(['fingerprint/device-down device.disconnected', 'badge/matched', 'face/matched']);
    expect(verdict(kiosk)).toEqual({ breaches: [], reviews: [] });
  });

  it('a bug in Muster (a TypeError) is an internal error: logged with its code, the person sent to staff, never excused, on the review queue', async () => {
    const { kiosk, outcome, shown } = await session({
      finger: [match],
      face: [new TypeError("Cannot read properties of undefined (reading 'descriptor')")],
    });
    expect(outcome.ok).toBe(false);
    expect(shown.at(-1)).toBe('see-staff');
    expect(attempts(kiosk)).toEqual(['fingerprint/matched', 'face/internal-error TypeError']);
    // Were it taken for a device fault, the missed day would be excused.
    expect(verdict(kiosk)).toEqual({
      breaches: ['missed-checkin open', 'task-not-done open'],
      reviews: ['internal-error pending'],
    });
  });

  it('a bug before anyone is identified is on the log with its code too', async () => {
    const { kiosk, outcome } = await session({ finger: [new RangeError('bad page')] });
    expect(outcome.ok).toBe(false);
    expect(attempts(kiosk)).toEqual(['fingerprint/internal-error RangeError']);
    expect(verdict(kiosk).breaches).toEqual(['missed-checkin open', 'task-not-done open']);
  });

  it('camera down: fingerprint + staff confirmation', async () => {
    const { kiosk, outcome } = await session({
      devices: { fingerprint: true, camera: false, badge: true },
      finger: [match],
      staff: [{ kind: 'confirmed', staff: 'staff-9' }],
      done: [{ task: 't-study' }],
    });
    expect(outcome.ok).toBe(true);
    expect(attempts(kiosk)).toEqual(['fingerprint/matched', 'staff/matched']);
    expect(verdict(kiosk)).toEqual({ breaches: [], reviews: [] });
  });

  it('camera down, staff never answer or refuse: a timeout, or a no-match naming who refused, on the signed log', async () => {
    const noShow = await session({ devices: { fingerprint: true, camera: false, badge: true }, finger: [match] });
    expect(noShow.outcome.ok).toBe(false);
    expect(noShow.shown.at(-1)).toBe('see-staff');
    expect(attempts(noShow.kiosk)).toEqual(['fingerprint/matched', 'staff/timeout']);
    expect(verdict(noShow.kiosk).breaches).toEqual([]);

    const refused = await session({
      devices: { fingerprint: true, camera: false, badge: true },
      finger: [match],
      staff: [{ kind: 'refused', staff: 'staff-9' }],
    });
    expect(refused.outcome.ok).toBe(false);
    expect(attempts(refused.kiosk)).toEqual(['fingerprint/matched', 'staff/no-match']);
    expect(staffNamed(refused.kiosk)).toEqual([undefined, 'staff-9']);
    expect(verdict(refused.kiosk).breaches).toEqual([]);
  });

  it('every device down: the person is sent to staff and the missed day is excused as a device fault', async () => {
    const { kiosk, outcome, shown } = await session({
      devices: { fingerprint: false, camera: false, badge: true },
      badge: [{ kind: 'known', subject: 's-1' }],
    });
    expect(outcome.ok).toBe(false);
    expect(shown.at(-1)).toBe('devices-down');
    expect(verdict(kiosk)).toEqual({ breaches: ['missed-checkin excused', 'task-not-done excused'], reviews: [] });
  });

  it('a face that keeps failing quality checks: see staff, staff review, no breach', async () => {
    const poor = { kind: 'poor-quality' } as const;
    const { kiosk, outcome } = await session({ finger: [match], face: [poor, { kind: 'liveness-failed' }, poor] });
    expect(outcome.ok).toBe(false);
    expect(attempts(kiosk)).toEqual([
      'fingerprint/matched',
      'face/poor-quality',
      'face/liveness-failed',
      'face/poor-quality',
    ]);
    expect(verdict(kiosk)).toEqual({
      breaches: [],
      reviews: ['verification-failed pending', 'repeated-failed-verification pending'],
    });
  });

  it("fingerprint matched but the face is someone else's: one suspected-impersonation review, no breach", async () => {
    const other = { kind: 'mismatch', score: 0.92 } as const;
    const { kiosk, outcome } = await session({ finger: [match], face: [other, other, other] });
    expect(outcome.ok).toBe(false);
    // A false reject must never silently become a breach: staff decide, for the missed day and the face alike.
    expect(verdict(kiosk)).toEqual({
      breaches: [],
      reviews: [
        'verification-failed pending',
        'suspected-impersonation pending',
        'repeated-failed-verification pending',
      ],
    });
  });

  it('a finger the sensor cannot read falls back to the badge, so failures are attributable', async () => {
    const { kiosk, outcome } = await session({
      finger: [{ kind: 'no-match' }, { kind: 'no-match' }, { kind: 'poor-quality' }],
      badge: [{ kind: 'known', subject: 's-1' }],
      face: [{ kind: 'match', score: 0.3 }],
      done: [{ task: 't-study' }],
    });
    expect(outcome.ok).toBe(true);
    expect(attempts(kiosk)).toEqual([
      'fingerprint/no-match',
      'fingerprint/no-match',
      'fingerprint/poor-quality',
      'badge/matched',
      'face/matched',
    ]);
    expect(verdict(kiosk)).toEqual({ breaches: [], reviews: [] });
  });
});
