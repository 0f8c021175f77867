// The check-in state machine, path by path: each row feeds events and checks the states passed through, the
// attempts logged and the guidance shown.
import { describe, expect, it } from 'vitest';
import {
  type CheckinEvent,
  type CheckinState,
  type DeviceAvailability,
  IDLE,
  MAX_TRIES,
  step,
} from '../../core/checkin/checkin-machine.ts';
import { GUIDANCE } from '../../core/checkin/guidance.ts';

const ALL: DeviceAvailability = { fingerprint: true, camera: true, badge: true };
const finger = (subject = 's-1', score = 150): CheckinEvent => ({
  type: 'finger',
  result: { kind: 'match', subject, score },
});
const face = (score = 0.3): CheckinEvent => ({ type: 'face', result: { kind: 'match', score } });
const tasks: CheckinEvent = { type: 'tasks', completions: [{ task: 't-1' }] };

interface Trace {
  readonly states: string[];
  readonly attempts: string[];
  readonly guidance: string[];
  readonly checkin?: unknown;
  readonly final: CheckinState;
}

function run(events: readonly CheckinEvent[], start: CheckinState = IDLE): Trace {
  let state = start;
  const trace = {
    states: [] as string[],
    attempts: [] as string[],
    guidance: [] as string[],
    checkin: undefined as unknown,
  };
  for (const event of events) {
    const next = step(state, event);
    state = next.state;
    trace.states.push(state.kind);
    for (const e of next.effects) {
      if (e.kind === 'guide') trace.guidance.push(e.guidance);
      else if (e.kind === 'log-attempt')
        trace.attempts.push(
          `${e.attempt.step}/${e.attempt.method}/${e.attempt.outcome}#${e.attempt.try}${e.attempt.subject ? ` ${e.attempt.subject}` : ''}${e.attempt.identifiedBy ? ` by ${e.attempt.identifiedBy}` : ''}`,
        );
      else trace.checkin = e.checkin;
    }
  }
  return { ...trace, final: state };
}

const begin = (
  devices: DeviceAvailability = ALL,
  mode: 'fingerprint-search' | 'badge-then-finger' = 'fingerprint-search',
): CheckinEvent => ({ type: 'begin', mode, devices });

describe('check-in state machine', () => {
  it('happy path: fingerprint 1:N, face 1:1, tasks, receipt', () => {
    const t = run([begin(), finger(), face(), tasks, { type: 'recorded', seq: 9 }, { type: 'done' }]);
    expect(t.states).toEqual(['identify', 'face', 'tasks', 'recording', 'receipt', 'idle']);
    expect(t.attempts).toEqual(['identify/fingerprint/matched#1 s-1', 'verify/face/matched#1 s-1 by fingerprint']);
    expect(t.guidance).toEqual(['place-finger', 'look-at-camera', 'tasks', 'recording', 'receipt']);
    expect(t.checkin).toEqual({
      subject: 's-1',
      methods: ['fingerprint', 'face'],
      fingerprintScore: 150,
      faceScore: 0.3,
      tasks: [{ task: 't-1' }],
    });
  });

  it('badge + fingerprint 1:1, then face', () => {
    const t = run([
      begin(ALL, 'badge-then-finger'),
      { type: 'badge', result: { kind: 'known', subject: 's-1' } },
      finger(),
      face(),
      tasks,
    ]);
    expect(t.states).toEqual(['identify', 'badge-finger', 'face', 'tasks', 'recording']);
    expect(t.attempts).toEqual([
      'identify/badge/matched#1 s-1',
      'identify/fingerprint/matched#1 s-1 by badge',
      'verify/face/matched#1 s-1 by fingerprint',
    ]);
    expect(t.checkin).toMatchObject({ methods: ['badge', 'fingerprint', 'face'] });
  });

  it('badge + a finger that belongs to someone else is a mismatch, retried', () => {
    const t = run([
      begin(ALL, 'badge-then-finger'),
      { type: 'badge', result: { kind: 'known', subject: 's-1' } },
      finger('s-2'),
    ]);
    expect(t.final).toMatchObject({ kind: 'badge-finger', tries: 1 });
    expect(t.attempts.at(-1)).toBe('identify/fingerprint/mismatch#1 s-1 by badge');
    expect(t.guidance.at(-1)).toBe('finger-again');
  });

  it('an unread finger is retried with guidance, then the badge identifies the person', () => {
    const poor: CheckinEvent = { type: 'finger', result: { kind: 'poor-quality' } };
    const none: CheckinEvent = { type: 'finger', result: { kind: 'no-match' } };
    const t = run([
      begin(),
      poor,
      none,
      none,
      { type: 'badge', result: { kind: 'known', subject: 's-1' } },
      face(),
      tasks,
    ]);
    expect(t.guidance.slice(0, 4)).toEqual(['place-finger', 'finger-still', 'finger-again', 'finger-unread-badge']);
    expect(t.checkin).toMatchObject({ methods: ['badge', 'face'] });
  });

  it('retries with guidance, then sends the person to staff after MAX_TRIES when there is no badge reader', () => {
    const poor: CheckinEvent = { type: 'finger', result: { kind: 'poor-quality' } };
    const none: CheckinEvent = { type: 'finger', result: { kind: 'no-match' } };
    const t = run([begin({ ...ALL, badge: false }), poor, none, none]);
    expect(MAX_TRIES).toBe(3);
    expect(t.guidance).toEqual(['place-finger', 'finger-still', 'finger-again', 'see-staff']);
    expect(t.final).toEqual({ kind: 'failed', guidance: 'see-staff' });
    expect(t.attempts).toEqual([
      'identify/fingerprint/poor-quality#1',
      'identify/fingerprint/no-match#2',
      'identify/fingerprint/no-match#3',
    ]);
  });

  it.each([
    ['poor-quality', 'face-light'],
    ['liveness-failed', 'face-move'],
  ] as const)('face %s is retried with %s', (kind, guidance) => {
    const t = run([begin(), finger(), { type: 'face', result: { kind } }, face()]);
    expect(t.guidance).toContain(guidance);
    expect(t.final.kind).toBe('tasks');
  });

  it('a face mismatch is logged with its score, for the impersonation rule', () => {
    const t = run([begin(), finger(), { type: 'face', result: { kind: 'mismatch', score: 0.9 } }]);
    expect(t.attempts.at(-1)).toBe('verify/face/mismatch#1 s-1 by fingerprint');
    expect(t.guidance.at(-1)).toBe('face-again');
  });

  it('fingerprint down at the start: badge + face', () => {
    const t = run([
      begin({ ...ALL, fingerprint: false }),
      { type: 'badge', result: { kind: 'known', subject: 's-1' } },
      face(),
      tasks,
    ]);
    expect(t.guidance[0]).toBe('finger-badge-instead');
    expect(t.checkin).toMatchObject({ methods: ['badge', 'face'] });
  });

  it('fingerprint fails mid-session: the fault is logged and the kiosk falls back to badge + face', () => {
    const t = run([
      begin(),
      { type: 'finger', result: { kind: 'device-down' } },
      { type: 'badge', result: { kind: 'known', subject: 's-1' } },
      face(),
      tasks,
    ]);
    expect(t.attempts[0]).toBe('identify/fingerprint/device-down#1');
    expect(t.states).toEqual(['identify', 'identify', 'face', 'tasks', 'recording']);
    expect(t.checkin).toMatchObject({ methods: ['badge', 'face'] });
  });

  it('camera down: fingerprint + staff confirmation', () => {
    const t = run([
      begin({ ...ALL, camera: false }),
      finger(),
      { type: 'staff', result: { kind: 'confirmed', staff: 'staff-7' } },
      tasks,
    ]);
    expect(t.states).toEqual(['identify', 'staff-confirm', 'tasks', 'recording']);
    expect(t.checkin).toMatchObject({ methods: ['fingerprint', 'staff'], staff: 'staff-7' });
    expect(t.attempts.at(-1)).toBe('confirm/staff/matched#1 s-1');
  });

  it('camera fails during the face step: the fault is logged, staff confirm', () => {
    const t = run([
      begin(),
      finger(),
      { type: 'face', result: { kind: 'device-down' } },
      { type: 'staff', result: { kind: 'confirmed', staff: 'staff-7' } },
      tasks,
    ]);
    expect(t.attempts).toContain('verify/face/device-down#1 s-1 by fingerprint');
    expect(t.checkin).toMatchObject({ methods: ['fingerprint', 'staff'] });
  });

  it('staff who refuse the person: no-match naming them on the signed attempt, and the person sent to staff', () => {
    const waiting = step(step(IDLE, begin({ ...ALL, camera: false })).state, finger()).state;
    const refused = step(waiting, { type: 'staff', result: { kind: 'refused', staff: 'staff-7' } });
    expect(refused.state).toEqual({ kind: 'failed', guidance: 'see-staff' });
    expect(refused.effects[0]).toEqual({
      kind: 'log-attempt',
      attempt: { step: 'confirm', method: 'staff', outcome: 'no-match', try: 1, subject: 's-1', staff: 'staff-7' },
    });
  });

  it('staff who never answer: a timeout, never read as staff refusing the person; the person sent to staff', () => {
    const t = run([begin({ ...ALL, camera: false }), finger(), { type: 'staff', result: { kind: 'timeout' } }]);
    expect(t.attempts.at(-1)).toBe('confirm/staff/timeout#1 s-1');
    expect(t.guidance.at(-1)).toBe('see-staff');
    expect(t.final).toEqual({ kind: 'failed', guidance: 'see-staff' });
  });

  it('fingerprint and camera down: a badge alone is never enough; logged as a device fault', () => {
    const t = run([
      begin({ fingerprint: false, camera: false, badge: true }),
      { type: 'badge', result: { kind: 'known', subject: 's-1' } },
    ]);
    expect(t.final).toEqual({ kind: 'failed', guidance: 'devices-down' });
    expect(t.attempts.at(-1)).toBe('verify/face/device-down#1 s-1 by badge');
  });

  it('no identification device at all: device fault, see staff', () => {
    const t = run([begin({ fingerprint: false, camera: true, badge: false })]);
    expect(t.final).toEqual({ kind: 'failed', guidance: 'devices-down' });
    expect(t.attempts).toEqual(['identify/fingerprint/device-down#1']);
  });

  it('a retry says which try of how many starts', () => {
    const poor: CheckinEvent = { type: 'finger', result: { kind: 'poor-quality' } };
    const tries: (number | undefined)[] = [];
    let state = IDLE;
    for (const event of [begin(), poor, poor]) {
      const next = step(state, event);
      state = next.state;
      for (const e of next.effects) if (e.kind === 'guide') tries.push(e.try);
    }
    expect(tries).toEqual([undefined, 2, 3]);
  });

  it('nobody at the device for its whole wait means the person walked away: idle, nothing recorded, the wait logged as a timeout', () => {
    const none = { kind: 'timeout' } as const;
    const atFinger = run([begin(), { type: 'finger', result: none }]);
    expect(atFinger).toMatchObject({
      final: IDLE,
      guidance: ['place-finger', 'walked-away'],
      attempts: ['identify/fingerprint/timeout#1'],
    });
    const atBadge = run([begin({ ...ALL, fingerprint: false }), { type: 'badge', result: none }]);
    expect(atBadge).toMatchObject({ final: IDLE, attempts: ['identify/badge/timeout#1'] });
    const atFace = run([begin(), finger(), { type: 'face', result: none }]);
    expect(atFace).toMatchObject({ final: IDLE, checkin: undefined });
    expect(atFace.attempts.at(-1)).toBe('verify/face/timeout#1 s-1 by fingerprint');
    const atBadgeFinger = run([
      begin(ALL, 'badge-then-finger'),
      { type: 'badge', result: { kind: 'known', subject: 's-1' } },
      { type: 'finger', result: none },
    ]);
    expect(atBadgeFinger.attempts.at(-1)).toBe('identify/fingerprint/timeout#1 s-1 by badge');
  });

  it('cancel and call staff at every waiting step: nothing recorded, the waiting step logged as cancelled', () => {
    const waits: [string, CheckinEvent[], string][] = [
      ['identify', [begin()], 'identify/fingerprint/cancelled#1'],
      ['badge', [begin({ ...ALL, fingerprint: false })], 'identify/badge/cancelled#1'],
      ['face', [begin(), finger()], 'verify/face/cancelled#1 s-1 by fingerprint'],
      ['staff', [begin({ ...ALL, camera: false }), finger()], 'confirm/staff/cancelled#1 s-1'],
      ['tasks', [begin(), finger(), face()], 'confirm/face/cancelled#1 s-1'],
    ];
    for (const [, events, logged] of waits) {
      const cancelled = run([...events, { type: 'cancel', reason: 'cancelled' }]);
      expect(cancelled).toMatchObject({ final: IDLE, checkin: undefined });
      expect(cancelled.attempts.at(-1)).toBe(logged);
      expect(cancelled.guidance.at(-1)).toBe('cancelled');
      const called = run([...events, { type: 'cancel', reason: 'call-staff' }]);
      expect(called.final).toEqual({ kind: 'failed', guidance: 'staff-called' });
      expect(called.checkin).toBeUndefined();
    }
  });

  it('cancel returns to idle from any waiting state; stray events change nothing', () => {
    expect(run([begin(), finger(), { type: 'cancel' }]).final).toBe(IDLE);
    // Once the check-in is being recorded it is too late to cancel.
    expect(run([begin(), finger(), face(), tasks, { type: 'cancel' }]).final).toEqual({ kind: 'recording' });
    const stray = run([begin(), face()]);
    expect(stray.final).toMatchObject({ kind: 'identify', tries: 0 });
    expect(run([{ type: 'recorded', seq: 1 }]).final).toBe(IDLE);
  });

  it('every guidance code has text, and final failures never speak of a breach against the person', () => {
    for (const text of Object.values(GUIDANCE)) expect(text.length).toBeGreaterThan(5);
    expect(GUIDANCE['see-staff']).toContain('not recorded as a breach');
    expect(GUIDANCE['devices-down']).toContain('not a breach');
  });
});
