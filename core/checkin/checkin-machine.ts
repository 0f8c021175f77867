// The kiosk check-in as an explicit state machine. Pure: `step(state, event)` returns the next state and the
// effects for the orchestrator to carry out (log an attempt, show guidance, record the check-in). It never
// touches a device, so every path (retries, fallbacks, give-ups) is testable without one.
//
//   idle ──begin──▶ identify(finger 1:N | badge) ──▶ [badge-finger (1:1)] ──▶ face (1:1 + liveness) ──▶ tasks
//        ──▶ recording ──▶ receipt                          camera down: face ──▶ staff-confirm ──▶ tasks
//   fingerprint down or unread: identify(badge) ──▶ face      too many tries or no usable device: failed
//   any waiting state ──cancel──▶ idle (or failed, when the person called staff); a device that saw nobody for
//   its whole wait (timeout) means the person walked away: idle, nothing submitted.
import type { AttemptOutcome, Checkin, CheckinAttempt, CheckinMethod, TaskCompletion } from '../records/checkin.ts';
import type { GuidanceCode } from './guidance.ts';

/** Tries per step before the person is sent to staff. */
export const MAX_TRIES = 3;

export interface DeviceAvailability {
  readonly fingerprint: boolean;
  readonly camera: boolean;
  readonly badge: boolean;
}

/** How this kiosk identifies people when every device works. */
export type IdentifyMode = 'fingerprint-search' | 'badge-then-finger';

export interface Identity {
  readonly subject: string;
  /** The methods that identified the person so far, in order. */
  readonly methods: readonly CheckinMethod[];
  readonly fingerprintScore?: number;
}

export type CheckinState =
  | { readonly kind: 'idle' }
  | {
      readonly kind: 'identify';
      readonly method: 'fingerprint' | 'badge';
      readonly tries: number;
      readonly devices: DeviceAvailability;
    }
  | {
      readonly kind: 'badge-finger';
      readonly identity: Identity;
      readonly tries: number;
      readonly devices: DeviceAvailability;
    }
  | { readonly kind: 'face'; readonly identity: Identity; readonly tries: number; readonly devices: DeviceAvailability }
  | { readonly kind: 'staff-confirm'; readonly identity: Identity }
  | {
      readonly kind: 'tasks';
      readonly identity: Identity;
      readonly verifiedBy: CheckinMethod;
      readonly faceScore?: number;
      readonly staff?: string;
    }
  | { readonly kind: 'recording' }
  | { readonly kind: 'receipt'; readonly seq: number }
  | { readonly kind: 'failed'; readonly guidance: GuidanceCode };

export type FingerResult =
  | { readonly kind: 'match'; readonly subject: string; readonly score: number }
  | { readonly kind: 'no-match' | 'poor-quality' | 'timeout' | 'device-down' };

export type BadgeResult =
  { readonly kind: 'known'; readonly subject: string } | { readonly kind: 'unknown-badge' | 'timeout' | 'device-down' };

export type FaceResult =
  | { readonly kind: 'match'; readonly score: number }
  | { readonly kind: 'mismatch'; readonly score: number }
  | { readonly kind: 'poor-quality' | 'liveness-failed' | 'timeout' | 'device-down' };

/**
 * Staff's answer to a confirmation request, naming the staff member who confirmed or refused the person; timeout:
 * nobody answered in time (or the request was withdrawn), which says nothing about the person.
 */
export type StaffAnswer =
  { readonly kind: 'confirmed' | 'refused'; readonly staff: string } | { readonly kind: 'timeout' };

/** Why a session ends early: the Cancel button, nobody there any more, or the Call staff button. */
export type CancelReason = 'cancelled' | 'absent' | 'call-staff';

export type CheckinEvent =
  | { readonly type: 'begin'; readonly mode: IdentifyMode; readonly devices: DeviceAvailability }
  | { readonly type: 'finger'; readonly result: FingerResult }
  | { readonly type: 'badge'; readonly result: BadgeResult }
  | { readonly type: 'face'; readonly result: FaceResult }
  | { readonly type: 'staff'; readonly result: StaffAnswer }
  | { readonly type: 'tasks'; readonly completions: readonly TaskCompletion[] }
  | { readonly type: 'recorded'; readonly seq: number }
  | { readonly type: 'cancel'; readonly reason?: CancelReason }
  | { readonly type: 'done' };

/** A checkin-attempt entry's step fields; the orchestrator adds attempt id, centre and kiosk. */
export type AttemptRecord = Omit<CheckinAttempt, 'attempt' | 'centre' | 'kiosk'>;

/** A checkin entry's fields; the orchestrator adds centre, kiosk and attempt id. */
export type CheckinRecord = Omit<Checkin, 'centre' | 'kiosk' | 'attempt'>;

export type Effect =
  | { readonly kind: 'log-attempt'; readonly attempt: AttemptRecord }
  /** `try`: the try about to start, on a retry (of MAX_TRIES), so the screen can say "try 2 of 3". */
  | { readonly kind: 'guide'; readonly guidance: GuidanceCode; readonly try?: number }
  | { readonly kind: 'record-checkin'; readonly checkin: CheckinRecord };

export interface Step {
  readonly state: CheckinState;
  readonly effects: readonly Effect[];
}

export const IDLE: CheckinState = { kind: 'idle' };

export function step(state: CheckinState, event: CheckinEvent): Step {
  if (event.type === 'cancel' && state.kind !== 'idle' && state.kind !== 'recording')
    return cancel(state, event.reason ?? 'cancelled');
  switch (state.kind) {
    case 'idle':
      return event.type === 'begin' ? begin(event.mode, event.devices) : stay(state);
    case 'identify':
      if (state.method === 'fingerprint' && event.type === 'finger') return identifyFinger(state, event.result);
      if (state.method === 'badge' && event.type === 'badge') return identifyBadge(state, event.result);
      return stay(state);
    case 'badge-finger':
      return event.type === 'finger' ? confirmFinger(state, event.result) : stay(state);
    case 'face':
      return event.type === 'face' ? verifyFace(state, event.result) : stay(state);
    case 'staff-confirm':
      if (event.type !== 'staff') return stay(state);
      if (event.result.kind === 'refused')
        return failed('see-staff', {
          step: 'confirm',
          method: 'staff',
          outcome: 'no-match',
          try: 1,
          subject: state.identity.subject,
          staff: event.result.staff,
        });
      // Nobody answered: a staff no-show, never staff rejecting the person. They are sent to staff all the same.
      if (event.result.kind === 'timeout')
        return failed('see-staff', {
          step: 'confirm',
          method: 'staff',
          outcome: 'timeout',
          try: 1,
          subject: state.identity.subject,
        });
      return {
        state: { kind: 'tasks', identity: state.identity, verifiedBy: 'staff', staff: event.result.staff },
        effects: [
          attempt({ step: 'confirm', method: 'staff', outcome: 'matched', try: 1, subject: state.identity.subject }),
          guide('tasks'),
        ],
      };
    case 'tasks': {
      if (event.type !== 'tasks') return stay(state);
      const { identity } = state;
      const checkin: CheckinRecord = {
        subject: identity.subject,
        methods: [...identity.methods, state.verifiedBy],
        ...(identity.fingerprintScore === undefined ? {} : { fingerprintScore: identity.fingerprintScore }),
        ...(state.faceScore === undefined ? {} : { faceScore: state.faceScore }),
        ...(state.staff === undefined ? {} : { staff: state.staff }),
        tasks: event.completions,
      };
      return { state: { kind: 'recording' }, effects: [{ kind: 'record-checkin', checkin }, guide('recording')] };
    }
    case 'recording':
      return event.type === 'recorded'
        ? { state: { kind: 'receipt', seq: event.seq }, effects: [guide('receipt')] }
        : stay(state);
    case 'receipt':
    case 'failed':
      return event.type === 'done' ? stay(IDLE) : stay(state);
  }
}

function begin(mode: IdentifyMode, devices: DeviceAvailability): Step {
  if (mode === 'fingerprint-search' && devices.fingerprint)
    return to({ kind: 'identify', method: 'fingerprint', tries: 0, devices }, 'place-finger');
  if (devices.badge)
    return to(
      { kind: 'identify', method: 'badge', tries: 0, devices },
      devices.fingerprint ? 'tap-badge' : 'finger-badge-instead',
    );
  return failed('devices-down', {
    step: 'identify',
    method: devices.fingerprint ? 'badge' : 'fingerprint',
    outcome: 'device-down',
    try: 1,
  });
}

function identifyFinger(state: Extract<CheckinState, { kind: 'identify' }>, result: FingerResult): Step {
  const tries = state.tries + 1;
  if (result.kind === 'match') {
    const identity: Identity = { subject: result.subject, methods: ['fingerprint'], fingerprintScore: result.score };
    const record = attempt({
      step: 'identify',
      method: 'fingerprint',
      outcome: 'matched',
      try: tries,
      subject: result.subject,
      score: result.score,
    });
    return then(record, toVerify(identity, state.devices));
  }
  if (result.kind === 'device-down') {
    const devices = { ...state.devices, fingerprint: false };
    const record = attempt({ step: 'identify', method: 'fingerprint', outcome: 'device-down', try: tries });
    return then(record, begin('fingerprint-search', devices));
  }
  if (result.kind === 'timeout') return cancel(state, 'absent');
  const record = attempt({ step: 'identify', method: 'fingerprint', outcome: result.kind, try: tries });
  if (tries >= MAX_TRIES) {
    // An unread finger names nobody, so nothing would reach staff review: badge + face makes the rest
    // attributable. The sensor is left out for the rest of this session only.
    if (state.devices.badge) {
      return then(
        record,
        to(
          { kind: 'identify', method: 'badge', tries: 0, devices: { ...state.devices, fingerprint: false } },
          'finger-unread-badge',
        ),
      );
    }
    return then(record, failed('see-staff'));
  }
  return {
    state: { ...state, tries },
    effects: [record, guide(result.kind === 'no-match' ? 'finger-again' : 'finger-still', tries + 1)],
  };
}

function identifyBadge(state: Extract<CheckinState, { kind: 'identify' }>, result: BadgeResult): Step {
  const tries = state.tries + 1;
  if (result.kind === 'known') {
    const identity: Identity = { subject: result.subject, methods: ['badge'] };
    const record = attempt({
      step: 'identify',
      method: 'badge',
      outcome: 'matched',
      try: tries,
      subject: result.subject,
    });
    if (state.devices.fingerprint)
      return then(record, to({ kind: 'badge-finger', identity, tries: 0, devices: state.devices }, 'place-finger'));
    // Fingerprint down: badge + face. A badge alone is never enough, so no camera means staff.
    if (state.devices.camera)
      return then(record, to({ kind: 'face', identity, tries: 0, devices: state.devices }, 'look-at-camera'));
    return then(
      record,
      failed('devices-down', {
        step: 'verify',
        method: 'face',
        outcome: 'device-down',
        try: 1,
        subject: result.subject,
        identifiedBy: 'badge',
      }),
    );
  }
  if (result.kind === 'device-down') {
    return then(
      attempt({ step: 'identify', method: 'badge', outcome: 'device-down', try: tries }),
      failed('devices-down'),
    );
  }
  if (result.kind === 'timeout') return cancel(state, 'absent');
  const record = attempt({ step: 'identify', method: 'badge', outcome: result.kind, try: tries });
  if (tries >= MAX_TRIES) return then(record, failed('see-staff'));
  return { state: { ...state, tries }, effects: [record, guide('badge-unknown', tries + 1)] };
}

function confirmFinger(state: Extract<CheckinState, { kind: 'badge-finger' }>, result: FingerResult): Step {
  const tries = state.tries + 1;
  const subject = state.identity.subject;
  if (result.kind === 'match' && result.subject === subject) {
    const identity: Identity = { subject, methods: ['badge', 'fingerprint'], fingerprintScore: result.score };
    const record = attempt({
      step: 'identify',
      method: 'fingerprint',
      outcome: 'matched',
      try: tries,
      subject,
      identifiedBy: 'badge',
      score: result.score,
    });
    return then(record, toVerify(identity, state.devices));
  }
  if (result.kind === 'device-down') {
    // Fingerprint down: badge + face.
    const devices = { ...state.devices, fingerprint: false };
    const record = attempt({
      step: 'identify',
      method: 'fingerprint',
      outcome: 'device-down',
      try: tries,
      subject,
      identifiedBy: 'badge',
    });
    if (devices.camera)
      return then(record, to({ kind: 'face', identity: state.identity, tries: 0, devices }, 'look-at-camera'));
    return then(record, failed('devices-down'));
  }
  if (result.kind === 'timeout') return cancel(state, 'absent');
  const outcome: AttemptOutcome = result.kind === 'match' ? 'mismatch' : result.kind;
  const record = attempt({
    step: 'identify',
    method: 'fingerprint',
    outcome,
    try: tries,
    subject,
    identifiedBy: 'badge',
    ...(result.kind === 'match' ? { score: result.score } : {}),
  });
  if (tries >= MAX_TRIES) return then(record, failed('see-staff'));
  return {
    state: { ...state, tries },
    effects: [record, guide(outcome === 'poor-quality' ? 'finger-still' : 'finger-again', tries + 1)],
  };
}

function toVerify(identity: Identity, devices: DeviceAvailability): Step {
  if (devices.camera) return to({ kind: 'face', identity, tries: 0, devices }, 'look-at-camera');
  return to({ kind: 'staff-confirm', identity }, 'staff-confirm');
}

function verifyFace(state: Extract<CheckinState, { kind: 'face' }>, result: FaceResult): Step {
  const tries = state.tries + 1;
  const { identity } = state;
  const identifiedBy = identity.methods.at(-1) ?? 'badge';
  const base = {
    step: 'verify' as const,
    method: 'face' as const,
    try: tries,
    subject: identity.subject,
    identifiedBy,
  };
  if (result.kind === 'match') {
    return then(
      attempt({ ...base, outcome: 'matched', score: result.score }),
      to({ kind: 'tasks', identity, verifiedBy: 'face', faceScore: result.score }, 'tasks'),
    );
  }
  if (result.kind === 'device-down') {
    const record = attempt({ ...base, outcome: 'device-down' });
    // Camera down: fingerprint + staff confirmation; a badge alone is not enough.
    if (identity.methods.includes('fingerprint'))
      return then(record, to({ kind: 'staff-confirm', identity }, 'staff-confirm'));
    return then(record, failed('devices-down'));
  }
  if (result.kind === 'timeout') return cancel(state, 'absent');
  const record = attempt({
    ...base,
    outcome: result.kind,
    ...(result.kind === 'mismatch' ? { score: result.score } : {}),
  });
  if (tries >= MAX_TRIES) return then(record, failed('see-staff'));
  const guidance: GuidanceCode =
    result.kind === 'liveness-failed' ? 'face-move' : result.kind === 'mismatch' ? 'face-again' : 'face-light';
  return { state: { ...state, tries }, effects: [record, guide(guidance, tries + 1)] };
}

/**
 * Ends a session early. Nothing is submitted: the step that was waiting is logged as cancelled (or, when the
 * person walked away, as a timeout), so staff can see who started and left.
 */
function cancel(state: CheckinState, reason: CancelReason): Step {
  const outcome: AttemptOutcome = reason === 'absent' ? 'timeout' : 'cancelled';
  const record = waitingAttempt(state, outcome);
  const guidance: GuidanceCode =
    reason === 'absent' ? 'walked-away' : reason === 'call-staff' ? 'staff-called' : 'cancelled';
  const next: CheckinState = reason === 'call-staff' ? { kind: 'failed', guidance } : IDLE;
  return { state: next, effects: [...(record ? [attempt(record)] : []), guide(guidance)] };
}

/** The attempt a state is waiting on, for the log when it ends without an answer. */
function waitingAttempt(state: CheckinState, outcome: AttemptOutcome): AttemptRecord | undefined {
  switch (state.kind) {
    case 'identify':
      return { step: 'identify', method: state.method, outcome, try: state.tries + 1 };
    case 'badge-finger':
      return {
        step: 'identify',
        method: 'fingerprint',
        outcome,
        try: state.tries + 1,
        subject: state.identity.subject,
        identifiedBy: 'badge',
      };
    case 'face':
      return {
        step: 'verify',
        method: 'face',
        outcome,
        try: state.tries + 1,
        subject: state.identity.subject,
        identifiedBy: state.identity.methods.at(-1) ?? 'badge',
      };
    case 'staff-confirm':
      return { step: 'confirm', method: 'staff', outcome, try: 1, subject: state.identity.subject };
    case 'tasks':
      // Verified, but the tasks were never answered: the check-in is not recorded.
      return { step: 'confirm', method: state.verifiedBy, outcome, try: 1, subject: state.identity.subject };
    case 'idle':
    case 'recording':
    case 'receipt':
    case 'failed':
      return undefined;
  }
}

function attempt(record: AttemptRecord): Effect {
  return { kind: 'log-attempt', attempt: record };
}

function guide(guidance: GuidanceCode, tryNumber?: number): Effect {
  return tryNumber === undefined ? { kind: 'guide', guidance } : { kind: 'guide', guidance, try: tryNumber };
}

function to(state: CheckinState, guidance: GuidanceCode): Step {
  return { state, effects: [guide(guidance)] };
}

function then(first: Effect, next: Step): Step {
  return { state: next.state, effects: [first, ...next.effects] };
}

function stay(state: CheckinState): Step {
  return { state, effects: [] };
}

function failed(guidance: GuidanceCode, record?: AttemptRecord): Step {
  return { state: { kind: 'failed', guidance }, effects: [...(record ? [attempt(record)] : []), guide(guidance)] };
}
