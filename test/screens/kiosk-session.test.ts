// The kiosk screen's backend as the workflow's ScreenPort, without a browser: a session from Start to receipt;
// the receipt, failures and notices return to the start by themselves; walking away, Cancel and Call staff at
// every waiting step submit nothing; a device that never answers cannot hold a session; double taps are one
// tap; "try n of m"; the reference number on failures; the start screen's device states.
import { describe, expect, it } from 'vitest';
import type { KioskView } from '../../core/api/kiosk-api.ts';
import type { FaceResult, FingerResult } from '../../core/checkin/checkin-machine.ts';
import { CheckinWorkflow } from '../../main/kiosk/checkin-workflow.ts';
import type { CheckinPorts } from '../../main/kiosk/ports.ts';
import { readLogRecords } from '../../main/kiosk/log-records.ts';
import { KioskScreen, type KioskScreenOptions, type KioskStatus } from '../../main/web/kiosk-screen.ts';
import { StaffConfirmations } from '../../main/web/staff-confirmations.ts';
import { nextEvent, waitFor } from '../helpers/wait-for.ts';
import { fakePorts, type Script } from '../checkin/support/fake-ports.ts';
import { type KioskLog, kioskLog, tempDir } from '../checkin/support/kiosk-log.ts';
import { at, planPayload } from '../checkin/support/log-builder.ts';

const NY = 'America/New_York';
const STUDY = { id: 'study', kind: 'study', module: 'law-1', days: 'reporting' } as const;
const FINGER: FingerResult = { kind: 'match', subject: 's-alice', score: 140 };
const FACE: FaceResult = { kind: 'match', score: 0.3 };
const never = <T>(): Promise<T> => new Promise<T>(() => undefined);

interface Kiosk {
  readonly screen: KioskScreen;
  readonly log: KioskLog;
  readonly attempts: string[];
  view(match: (v: KioskView) => boolean, what: string): Promise<KioskView>;
  call(method: string, params?: unknown): unknown;
  /** The check-in and attempt entries on the log, as `type:outcome`. */
  entries(): string[];
}

async function kiosk(
  script: Script,
  options: KioskScreenOptions = {},
  ports: Partial<CheckinPorts> = {},
  status?: () => KioskStatus,
): Promise<Kiosk> {
  const log = kioskLog(tempDir(), 'centre-a/k1', at('2026-03-02 09:30', NY));
  await log.writer.append('plan', planPayload({ subject: 's-alice', start: '2026-03-02' }));
  const screen = new KioskScreen({
    idleSeconds: 30,
    receiptSeconds: 1,
    failureSeconds: 1,
    noticeSeconds: 1,
    ...options,
  });
  const attempts: string[] = [];
  const workflow = new CheckinWorkflow(
    { ...fakePorts(log.writer, script).ports, ...ports, screen },
    {
      centre: 'centre-a',
      kiosk: 'centre-a/k1',
      mode: 'fingerprint-search',
      newAttemptId: () => {
        attempts.push(`att-${attempts.length + 1}`);
        return attempts.at(-1) ?? '';
      },
    },
  );
  screen.attach(() => workflow.run(), status);
  return {
    screen,
    log,
    attempts,
    view: (match, what) =>
      match(screen.current())
        ? Promise.resolve(screen.current())
        : nextEvent<KioskView>(
            (l) =>
              screen.subscribe((m) => {
                l(m.data as KioskView);
              }),
            match,
            what,
          ),
    call: (method, params = {}) => (screen.handlers as Record<string, (p: unknown) => unknown>)[method]?.(params),
    entries: () =>
      readLogRecords(log.store)
        .records.filter((r) => r.type === 'checkin' || r.type === 'checkin-attempt')
        .map((r) => `${r.type}:${(r.payload as { outcome?: string }).outcome ?? ''}`),
  };
}

const idle = (v: KioskView): boolean => v.phase === 'idle';

describe('kiosk screen backend', () => {
  it('runs a session from Start to receipt, and the receipt closes by itself with a countdown', async () => {
    const k = await kiosk(
      { finger: [FINGER], face: [FACE], due: [STUDY] },
      { taskNames: { 'law-1': { 'zh-CN': '法律第一课', 'en': 'Law, lesson 1' } } },
    );
    const tasks = k.view((v) => v.phase === 'tasks', 'the tasks');
    k.call('kiosk.begin');
    const shown = await tasks;
    expect(shown.tasks).toEqual([
      { id: 'study', kind: 'study', module: 'law-1', names: { 'zh-CN': '法律第一课', 'en': 'Law, lesson 1' } },
    ]);
    expect(shown.countdown).toBe(30);
    expect(() => k.call('kiosk.submitTasks', { completions: [{ task: 'not-today' }] })).toThrow(
      /not one of today's tasks/,
    );
    const done = k.view((v) => v.phase === 'done', 'the receipt');
    k.call('kiosk.submitTasks', { completions: [{ task: 'study' }] });
    const receipt = await done;
    expect(receipt.receipt).toMatchObject({ subject: 's-alice', centre: 'centre-a', kiosk: 'centre-a/k1' });
    expect(receipt.receipt?.qrSvg).toMatch(/^<svg/);
    expect(receipt.countdown).toBe(1);
    // Nobody touches Finish: the receipt goes by itself, and the person with it.
    await k.view(idle, 'the receipt to close by itself');
    expect(JSON.stringify(k.screen.current())).not.toContain('s-alice');
    expect(k.entries()).toEqual(['checkin-attempt:matched', 'checkin-attempt:matched', 'checkin:']);
  });

  it('walking away at every step submits nothing and returns to the start', async () => {
    // Identify: the sensor saw no finger for its whole wait.
    const atFinger = await kiosk({ finger: [{ kind: 'timeout' }] });
    const walked = atFinger.view((v) => v.guidance === 'walked-away', 'the walked-away notice');
    atFinger.call('kiosk.begin');
    expect(await walked).toMatchObject({ phase: 'failed', reference: 'att-1', countdown: 1 });
    await atFinger.view(idle, 'the start screen');
    expect(atFinger.entries()).toEqual(['checkin-attempt:timeout']);

    // Verify: a camera that never answers; main ends the wait itself past the port's bound.
    const atFace = await kiosk({ finger: [FINGER] }, {}, { face: { verify: never, waitMs: 200 } });
    const counting = atFace.view((v) => v.step === 'verify' && v.countdown !== null, 'the face countdown');
    atFace.call('kiosk.begin');
    expect((await counting).countdown).toBe(1);
    await atFace.view((v) => v.guidance === 'walked-away', 'the wait to end');
    await atFace.view(idle, 'the start screen');
    expect(atFace.entries()).toEqual(['checkin-attempt:matched', 'checkin-attempt:timeout']);

    // Tasks: nobody answers; the tasks are never submitted on their behalf, so no check-in is recorded.
    const atTasks = await kiosk({ finger: [FINGER], face: [FACE], due: [STUDY] }, { idleSeconds: 1 });
    atTasks.call('kiosk.begin');
    await atTasks.view((v) => v.guidance === 'walked-away', 'the tasks to time out');
    await atTasks.view(idle, 'the start screen');
    expect(atTasks.entries()).toEqual([
      'checkin-attempt:matched',
      'checkin-attempt:matched',
      'checkin-attempt:timeout',
    ]);
  }, 20_000);

  it('a touch on the tasks screen restarts its countdown', async () => {
    const k = await kiosk({ finger: [FINGER], face: [FACE], due: [STUDY] }, { idleSeconds: 1 });
    k.call('kiosk.begin');
    await k.view((v) => v.phase === 'tasks', 'the tasks');
    const again = k.view((v) => v.phase === 'tasks', 'the tasks again');
    k.call('kiosk.touch');
    expect((await again).countdown).toBe(1);
    await k.view((v) => v.guidance === 'walked-away', 'the tasks to time out after the touch');
  });

  it('Cancel and Call staff at every wait: nothing submitted; Call staff shows the reference number', async () => {
    // Scripts are consumed by a session, so each session gets fresh ones.
    const waits: [string, () => Script, () => Partial<CheckinPorts>, (v: KioskView) => boolean][] = [
      [
        'identify',
        () => ({}),
        () => ({ fingerprint: { identify: never, verify: never, waitMs: 10_000 } }),
        (v) => v.guidance === 'place-finger',
      ],
      [
        'verify',
        () => ({ finger: [FINGER] }),
        () => ({ face: { verify: never } }),
        (v) => v.guidance === 'look-at-camera',
      ],
      [
        'staff',
        () => ({ finger: [FINGER], devices: { fingerprint: true, camera: false, badge: true } }),
        () => ({ staff: new StaffConfirmations({ timeoutMs: 60_000 }) }),
        (v) => v.guidance === 'staff-confirm',
      ],
      ['tasks', () => ({ finger: [FINGER], face: [FACE], due: [STUDY] }), () => ({}), (v) => v.phase === 'tasks'],
    ];
    for (const [where, script, ports, waiting] of waits) {
      for (const staff of [false, true]) {
        const port = ports();
        const k = await kiosk(script(), {}, port);
        const asked = k.view((v) => waiting(v) && v.countdown !== null, `the ${where} wait with its countdown`);
        k.call('kiosk.begin');
        await asked;
        const ended = k.view((v) => v.phase === 'failed', `the session to end at ${where}`);
        k.call('kiosk.cancel', { staff });
        k.call('kiosk.cancel', { staff });
        expect(await ended).toMatchObject({ guidance: staff ? 'staff-called' : 'cancelled', reference: 'att-1' });
        await k.view(idle, 'the start screen');
        expect(
          k.entries().filter((e) => e === 'checkin:'),
          where,
        ).toEqual([]);
        expect(k.entries().at(-1), where).toBe('checkin-attempt:cancelled');
        // A staff confirmation left waiting leaves the staff screens with the person.
        if (port.staff instanceof StaffConfirmations) expect(port.staff.pending()).toEqual([]);
      }
    }
  });

  it('double taps are one tap: one session, one check-in', async () => {
    const k = await kiosk({ finger: [FINGER], face: [FACE], due: [STUDY] });
    const tasks = k.view((v) => v.phase === 'tasks', 'the tasks');
    k.call('kiosk.begin');
    k.call('kiosk.begin');
    await tasks;
    k.call('kiosk.begin');
    const done = k.view((v) => v.phase === 'done', 'the receipt');
    k.call('kiosk.submitTasks', { completions: [{ task: 'study' }] });
    k.call('kiosk.submitTasks', { completions: [] });
    await done;
    k.call('kiosk.reset');
    k.call('kiosk.reset');
    await k.view(idle, 'the start screen');
    expect(k.attempts).toEqual(['att-1']);
    expect(k.entries().filter((e) => e === 'checkin:')).toHaveLength(1);
  });

  it('a retry says "try n of m"; a final failure shows its reference and returns to the start by itself', async () => {
    const mismatch: FaceResult = { kind: 'mismatch', score: 0.7 };
    const k = await kiosk({ finger: [FINGER], face: [mismatch, mismatch, mismatch] });
    const second = k.view((v) => v.try?.n === 2, 'the second try');
    const failed = k.view((v) => v.phase === 'failed', 'the failure');
    k.call('kiosk.begin');
    expect(await second).toMatchObject({ guidance: 'face-again', try: { n: 2, of: 3 } });
    expect(await failed).toMatchObject({ guidance: 'see-staff', reference: 'att-1', countdown: 1 });
    expect(await k.view(idle, 'the start screen by itself')).toMatchObject({
      guidance: null,
      tasks: [],
      receipt: null,
      reference: null,
    });
  });

  it('the start screen shows which devices take a person, kept current between sessions', async () => {
    let available = { fingerprint: true, camera: true, badge: true };
    const k = await kiosk({}, {}, {}, () => ({ available, window: { open: 480, close: 600 } }));
    expect(k.screen.current().kiosk).toMatchObject({ language: 'zh-CN', available, window: { open: 480, close: 600 } });
    available = { fingerprint: false, camera: true, badge: true };
    await waitFor(
      () => !k.screen.current().kiosk.available.fingerprint,
      'the start screen to show the reader unplugged',
    );
    k.screen.close();
  });

  it('a screen that goes away never blocks the kiosk: nothing is submitted for a person who left, the view clears', async () => {
    const k = await kiosk({ finger: [FINGER], face: [FACE], due: [STUDY] }, { idleSeconds: 1 });
    k.call('kiosk.begin');
    await k.view(idle, 'main to end the session on its own');
    expect(k.screen.current().tasks).toEqual([]);
    expect(k.entries().filter((e) => e === 'checkin:')).toEqual([]);
  });
});
