// The presence cue (core/checkin/presence.ts, main/kiosk/presence-watch.ts): a long wait ends as a walk-away
// (cancelled, reason absent, nothing submitted, never a breach) once the devices show nobody there, sooner than
// the wait's own bound; never while a finger is on the real sensor (R30x driver against its emulator), a face is
// in the camera's frames or the screen is touched; and a camera that cannot tell is never taken for nobody.
// Kiosk time is simulated: each poll of the sensor is 100 ms of it, so the windows are judged without sleeps.
import { afterEach, describe, expect, it } from 'vitest';
import type { KioskView } from '../../core/api/kiosk-api.ts';
import { computeBreaches } from '../../core/breach/engine.ts';
import { PresenceWindow } from '../../core/checkin/presence.ts';
import { parseCheckinAttempt } from '../../core/records/checkin.ts';
import type { PresenceReading } from '../../core/checkin/presence.ts';
import { CheckinWorkflow, type CheckinOutcome, type WorkflowOptions } from '../../main/kiosk/checkin-workflow.ts';
import { sensorFingerprintPort } from '../../main/kiosk/fingerprint-port.ts';
import { readLogRecords } from '../../main/kiosk/log-records.ts';
import type { CheckinPorts } from '../../main/kiosk/ports.ts';
import type { PresenceOptions } from '../../main/kiosk/presence-watch.ts';
import { KioskScreen } from '../../main/web/kiosk-screen.ts';
import { StaffConfirmations } from '../../main/web/staff-confirmations.ts';
import { type R30xRig, mockR30xRig } from '../drivers/support/r30x-rig.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { fakePorts, type Script } from './support/fake-ports.ts';
import { type KioskLog, kioskLog, tempDir } from './support/kiosk-log.ts';
import { at, planPayload } from './support/log-builder.ts';

const NY = 'America/New_York';
const TIMES = { presenceMs: 400, idleMs: 1000 };
const POLL_TICK_MS = 100;
const never = <T>(): Promise<T> => new Promise<T>(() => undefined);

/** centre-a/k1's log with s-alice's plan from 2 March, the kiosk's clock at 09:30 that morning. */
async function aliceKiosk(): Promise<KioskLog> {
  const kiosk = kioskLog(tempDir(), 'centre-a/k1', at('2026-03-01 12:00', NY));
  await kiosk.writer.append('plan', planPayload({ subject: 's-alice', start: '2026-03-02' }));
  kiosk.now = at('2026-03-02 09:30', NY);
  return kiosk;
}

/** The workflow at centre-a/k1, identifying by fingerprint, its one session `attempt`. */
function atK1(attempt: string, presence?: PresenceOptions): WorkflowOptions {
  return {
    centre: 'centre-a',
    kiosk: 'centre-a/k1',
    mode: 'fingerprint-search',
    newAttemptId: () => attempt,
    ...(presence && { presence }),
  };
}

describe('the presence window', () => {
  it('a working camera seeing no face for the window, with nothing else seen, is a walk-away', () => {
    const w = new PresenceWindow(TIMES, 0);
    for (let t = 0; t <= 300; t += 100) w.read('face', false, t);
    expect(w.absent(300)).toBe(false);
    w.read('face', false, 400);
    expect(w.absent(400)).toBe(true);
  });

  it('a touch, a finger or a face restarts the window', () => {
    const w = new PresenceWindow(TIMES, 0);
    for (let t = 0; t <= 900; t += 100) {
      w.read('face', false, t);
      if (t === 300) w.read('touch', true, t);
      if (t === 600) w.read('finger', true, t);
    }
    expect(w.absent(900)).toBe(false);
    w.read('face', true, 950);
    w.read('face', false, 1000);
    expect(w.absent(1300)).toBe(false);
  });

  it('a camera that cannot tell, or stopped answering, is no evidence: only the idle time ends the wait', () => {
    const down = new PresenceWindow(TIMES, 0);
    for (let t = 0; t < 1000; t += 100) down.read('face', t % 200 === 0 ? false : null, t);
    expect(down.absent(999)).toBe(false);
    expect(down.absent(1000)).toBe(true);

    const hung = new PresenceWindow({ ...TIMES, idleMs: 60_000, freshMs: 500 }, 0);
    hung.read('face', false, 0);
    hung.read('face', false, 200);
    expect(hung.absent(800)).toBe(false);
  });

  it('a finger off the sensor is no evidence of absence (nobody is asked to keep one there)', () => {
    const w = new PresenceWindow(TIMES, 0);
    for (let t = 0; t < 1000; t += 100) w.read('finger', false, t);
    expect(w.absent(999)).toBe(false);
  });
});

describe('the presence cue on the long waits, with the R30x emulator', () => {
  const rigs: R30xRig[] = [];
  afterEach(async () => {
    for (const rig of rigs.splice(0)) await rig.close();
  });

  interface Session {
    readonly rig: R30xRig;
    readonly kiosk: KioskLog;
    readonly shown: string[];
    /** Settles with the session's outcome. */
    readonly outcome: Promise<CheckinOutcome>;
    readonly ended: () => boolean;
    /** Simulated kiosk time, advanced by each poll of the sensor. */
    readonly now: () => number;
    readonly polls: () => number;
    readonly staffAborted: () => boolean;
    readonly touch: () => void;
    /** What the camera sees on each frame the watch asks for. */
    camera: PresenceReading;
  }

  /** `hangTasks`: the person never answers the tasks (only the presence cue or the idle time ends them). */
  async function start(script: Script, hangTasks = false): Promise<Session> {
    const rig = await mockR30xRig();
    rigs.push(rig);
    rig.emulator.enrolDirect('alice-right-index', 7);
    const kiosk = await aliceKiosk();
    const fakes = fakePorts(kiosk.writer, script);
    let now = 0;
    let polls = 0;
    let staffAborted = false;
    let touched: (() => void) | undefined;
    let ended = false;
    const session: { camera: PresenceReading } = { camera: null };
    const workflow = new CheckinWorkflow(
      {
        ...fakes.ports,
        fingerprint: sensorFingerprintPort(rig.sensor, {
          subjectOf: (page) => (page === 7 ? 's-alice' : undefined),
          fingerTimeoutMs: 500,
        }),
        staff: {
          // Staff never come: only the presence cue can end this wait.
          confirm: (_subject, signal) =>
            new Promise((resolve) => {
              signal?.addEventListener('abort', () => {
                staffAborted = true;
                resolve({ kind: 'timeout' });
              });
            }),
        },
        screen: {
          ...fakes.ports.screen,
          ...(hangTasks ? { tasks: () => never() } : {}),
          touches: (listener) => {
            touched = listener;
            return () => {
              touched = undefined;
            };
          },
        },
        presence: {
          finger: async () => {
            const on = await rig.sensor.fingerPresent();
            polls++;
            now += POLL_TICK_MS;
            return on;
          },
          face: () => Promise.resolve(session.camera),
        },
      },
      atK1('att-1', { ...TIMES, pollMs: 5, clock: () => now }),
    );
    rig.place({ kind: 'finger', name: 'alice-right-index' });
    const outcome = workflow.run().finally(() => {
      ended = true;
    });
    return Object.assign(session, {
      rig,
      kiosk,
      shown: fakes.shown,
      outcome,
      ended: () => ended,
      now: () => now,
      polls: () => polls,
      staffAborted: () => staffAborted,
      touch: () => touched?.(),
    });
  }

  /** Waits until `ms` more of kiosk time went by in polls (the wait was watched that long). */
  async function watched(s: Session, ms: number): Promise<void> {
    const until = s.polls() + ms / POLL_TICK_MS;
    await waitFor(() => s.polls() >= until || s.ended(), `${ms} ms of polls`);
  }

  function attempts(kiosk: KioskLog): string[] {
    return readLogRecords(kiosk.store)
      .records.filter((r) => r.type === 'checkin-attempt' || r.type === 'checkin')
      .map((r) => {
        if (r.type === 'checkin') return 'checkin';
        const a = parseCheckinAttempt(r.payload);
        return `${a.step}/${a.method}/${a.outcome}`;
      });
  }

  it('camera down, waiting for staff: a finger kept on the sensor holds the wait; lifted, the session ends a walk-away at the idle time, not the staff wait', async () => {
    const s = await start({ devices: { fingerprint: true, camera: false, badge: true } });
    await waitFor(() => s.shown.includes('staff-confirm'), 'the staff-confirm step');
    // Three idle times with the finger on the glass, the camera unable to tell.
    await watched(s, 3 * TIMES.idleMs);
    expect(s.ended()).toBe(false);
    s.rig.place({ kind: 'none' });
    const lifted = s.now();
    const outcome = await s.outcome;
    expect(outcome.ok).toBe(false);
    expect(outcome.guidance.at(-1)).toBe('walked-away');
    expect(s.staffAborted()).toBe(true);
    // No face evidence (camera down): the idle time, not the shorter presence window.
    expect(s.now() - lifted).toBeGreaterThanOrEqual(TIMES.idleMs);
    expect(attempts(s.kiosk)).toEqual(['identify/fingerprint/matched', 'confirm/staff/timeout']);
  });

  it('the tasks: a face in the frames or touches hold the wait; nobody in the frames ends it after the presence window, nothing submitted, never a breach', async () => {
    const s = await start({ face: [{ kind: 'match', score: 0.3 }] }, true);
    await waitFor(() => s.shown.includes('tasks'), 'the tasks step');
    s.rig.place({ kind: 'none' });
    s.camera = true;
    await watched(s, 3 * TIMES.idleMs);
    expect(s.ended()).toBe(false);
    // Out of the camera's view, but touching the screen: longer than both windows.
    s.camera = false;
    for (let i = 0; i < 10; i++) {
      s.touch();
      await watched(s, TIMES.presenceMs / 2);
    }
    expect(s.ended()).toBe(false);
    const left = s.now();
    const outcome = await s.outcome;
    expect(outcome.guidance.at(-1)).toBe('walked-away');
    // Sooner than the idle time: the camera saw nobody.
    expect(s.now() - left).toBeLessThan(TIMES.idleMs);
    expect(attempts(s.kiosk)).toEqual(['identify/fingerprint/matched', 'verify/face/matched', 'confirm/face/timeout']);
    // The person comes back and checks in: the walk-away is no breach and nothing for review.
    const again = fakePorts(s.kiosk.writer, {
      finger: [{ kind: 'match', subject: 's-alice', score: 140 }],
      face: [{ kind: 'match', score: 0.3 }],
    });
    const back = await new CheckinWorkflow(again.ports, atK1('att-2')).run();
    expect(back.ok).toBe(true);
    const report = computeBreaches(readLogRecords(s.kiosk.store).records, at('2026-03-03 00:30', NY));
    expect(report.breaches).toEqual([]);
    expect(report.reviews).toEqual([]);
  });
});

describe('the countdown of a wait the presence cue can end', () => {
  /** When the view's countdown runs out, on the kiosk's clock. */
  const ends = (v: KioskView): number => v.now + (v.countdown ?? 0) * 1000;
  const idleMs = 60_000;

  /**
   * s-alice's session on the real kiosk screen, started by its Start, on the test's `clock`, with the presence cue
   * (a 15 s window, `idleMs` idle): her finger matches, the other devices answer from `script` and `ports`.
   */
  async function onScreen(
    clock: () => number,
    script: Script,
    ports: Partial<CheckinPorts>,
  ): Promise<{ readonly screen: KioskScreen; readonly handlers: Record<string, (params: unknown) => unknown> }> {
    const kiosk = await aliceKiosk();
    const screen = new KioskScreen({ idleSeconds: idleMs / 1000, clock });
    const fakes = fakePorts(kiosk.writer, { finger: [{ kind: 'match', subject: 's-alice', score: 140 }], ...script });
    const workflow = new CheckinWorkflow(
      { ...fakes.ports, screen, ...ports },
      atK1('att-1', { presenceMs: 15_000, idleMs, clock }),
    );
    screen.attach(() => workflow.run());
    const handlers = screen.handlers as Record<string, (params: unknown) => unknown>;
    handlers['kiosk.begin']?.({});
    return { screen, handlers };
  }

  it('camera down, waiting for staff: the screen counts down to the idle time, not the five-minute staff wait, and a touch restarts it', async () => {
    let now = 1_000_000;
    const clock = (): number => now;
    const staff = new StaffConfirmations({ clock });
    const { screen, handlers } = await onScreen(
      clock,
      { devices: { fingerprint: true, camera: false, badge: true } },
      { staff },
    );
    await waitFor(() => staff.pending().length === 1, 'the staff request');
    const waiting = screen.current();
    expect(waiting).toMatchObject({ phase: 'active', guidance: 'staff-confirm' });
    expect(staff.waitMs).toBe(300_000);
    // Nobody seen for the idle time ends this wait: that is what the person is shown.
    expect(ends(waiting)).toBe(now + idleMs);

    now += 20_000;
    handlers['kiosk.touch']?.({});
    const touched = screen.current();
    expect(touched.guidance).toBe('staff-confirm');
    expect(ends(touched)).toBe(now + idleMs);
    expect(ends(touched) - ends(waiting)).toBe(20_000);

    handlers['kiosk.cancel']?.({ staff: false });
    await waitFor(() => screen.current().phase === 'failed', 'the session to end');
    expect(staff.pending()).toEqual([]);
    screen.close();
  });

  it("the face challenge: a movement's words and the serial camera's stills keep counting down to the wait's current end, the sooner of the face wait and the idle end since the last touch", async () => {
    let now = 1_000_000;
    const clock = (): number => now;
    const faceWaitMs = 70_000;
    let asked = false;
    const { screen, handlers } = await onScreen(
      clock,
      {},
      {
        face: {
          waitMs: faceWaitMs,
          verify: () => {
            asked = true;
            return never();
          },
        },
      },
    );
    await waitFor(() => asked, 'the face step');
    const start = now;
    /** What the screen counts down from when the view comes: the seconds left to the end, at the view's time. */
    const left = (v: KioskView): { at: number; seconds: number | null } => ({ at: v.now, seconds: v.countdown });
    expect(screen.current()).toMatchObject({ phase: 'active', step: 'verify', guidance: 'look-at-camera' });
    // Nobody seen for the idle time ends the wait before the face step's own 70 s.
    expect(left(screen.current())).toEqual({ at: start, seconds: 60 });

    // A touch 5 s in moves the idle end to start + 65 s; the movement's words 5 s later count down to it.
    now += 5_000;
    handlers['kiosk.touch']?.({});
    now += 5_000;
    screen.prompt('face-turn');
    expect(screen.current().guidance).toBe('face-turn');
    expect(left(screen.current())).toEqual({ at: now, seconds: 55 });

    // A touch 20 s in: the idle end (start + 80 s) is past the face wait's own end (start + 70 s), which shows.
    now += 10_000;
    handlers['kiosk.touch']?.({});
    now += 10_000;
    screen.still(new Uint8Array([0xff, 0xd8, 0xff, 0xd9]));
    expect(screen.current()).toMatchObject({ guidance: 'face-turn', still: 'data:image/jpeg;base64,/9j/2Q==' });
    expect(left(screen.current())).toEqual({ at: now, seconds: 40 });
    now += 2_500;
    screen.prompt('face-blink');
    expect(left(screen.current())).toEqual({ at: now, seconds: 38 });

    handlers['kiosk.cancel']?.({ staff: false });
    await waitFor(() => screen.current().phase === 'failed', 'the session to end');
    screen.close();
  });
});
