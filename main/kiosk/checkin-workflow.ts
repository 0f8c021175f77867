// Drives the check-in state machine against real ports: asks the device each state waits on, feeds the result
// back, and carries out the effects. Every attempt step is appended to the log before the next device call,
// so a crash never loses an attempt; the check-in resolves only once its entry is durable, then the receipt
// (entry, checkpoint, inclusion proof) is built.
import {
  type AttemptRecord,
  type CancelReason,
  type CheckinEvent,
  type CheckinState,
  type Effect,
  IDLE,
  type IdentifyMode,
  step,
} from '../../core/checkin/checkin-machine.ts';
import type { GuidanceCode } from '../../core/checkin/guidance.ts';
import { MusterError } from '../../core/errors.ts';
import { attemptPayload, checkinPayload } from '../../core/records/checkin.ts';
import { DeviceError } from '../../drivers/device-error.ts';
import { traced, tracedSync } from './checkin-trace.ts';
import { buildReceipt, type Receipt } from './receipt.ts';
import type { CheckinPorts } from './ports.ts';
import { type PresenceOptions, watchPresence } from './presence-watch.ts';

export interface WorkflowOptions {
  readonly centre: string;
  readonly kiosk: string;
  readonly mode: IdentifyMode;
  /** A fresh id per check-in session (pseudonymous, e.g. random hex). */
  readonly newAttemptId: () => string;
  /**
   * Keeps the frames of the face check just made, one that goes to staff review (a mismatch, a liveness failure),
   * in the personal-data store; returns their commitment, which the attempt entry carries instead of any image.
   * A capture that cannot be kept leaves the attempt without one: the attempt itself is never lost.
   */
  readonly keepCapture?: (subject: string) => string | undefined;
  /**
   * The presence cue (presence-watch.ts) on the long waits: the face step, staff confirming while the camera is
   * down, the tasks. A person gone before their device's own wait runs out ends the session as a walk-away.
   */
  readonly presence?: PresenceOptions;
}

/** The waits long enough for a person to walk away from: watched for presence. */
const WATCHED: ReadonlySet<CheckinState['kind']> = new Set(['face', 'staff-confirm', 'tasks']);

/** Face outcomes staff review, whose frames are kept for them to compare with the enrolment photo. */
const KEPT_FACE_OUTCOMES: ReadonlySet<string> = new Set(['mismatch', 'liveness-failed']);

/** `attempt`: the session's id on the log (its checkin-attempt entries), the reference a person shows staff. */
export type CheckinOutcome =
  | {
      readonly ok: true;
      readonly seq: number;
      readonly receipt: Receipt;
      readonly guidance: readonly GuidanceCode[];
      readonly attempt: string;
    }
  | { readonly ok: false; readonly guidance: readonly GuidanceCode[]; readonly attempt: string };

/** Bound on steps per session: each state consumes an event, and retries are capped, so this is never reached. */
const MAX_STEPS = 64;

export class CheckinWorkflow {
  constructor(
    private readonly ports: CheckinPorts,
    private readonly options: WorkflowOptions,
  ) {}

  /** One person's session, from the first touch to the receipt or to "see staff". */
  async run(): Promise<CheckinOutcome> {
    const attemptId = this.options.newAttemptId();
    const guidance: GuidanceCode[] = [];
    const interrupted = this.ports.screen.interrupted?.();
    let state: CheckinState = IDLE;
    let event: CheckinEvent = { type: 'begin', mode: this.options.mode, devices: this.ports.devices.availability() };
    /** The typed fault of the device that just failed, written on the device-down attempt the machine logs for it. */
    let fault: string | undefined;
    for (let i = 0; i < MAX_STEPS; i++) {
      const next = step(state, event);
      state = next.state;
      const recorded = await this.apply(next.effects, attemptId, guidance, fault);
      if (recorded !== undefined) event = { type: 'recorded', seq: recorded };
      else if (state.kind === 'receipt') {
        const { seq } = state;
        const receipt = tracedSync('receipt-build', () =>
          buildReceipt(this.ports.log.store, this.ports.log.origin, seq, this.ports.log.checkpoint()),
        );
        return { ok: true, seq: state.seq, receipt, guidance, attempt: attemptId };
      } else if (state.kind === 'failed' || state.kind === 'idle') return { ok: false, guidance, attempt: attemptId };
      else {
        const answer = await this.askUnlessInterrupted(state, interrupted);
        if ('kind' in answer) {
          await this.internalError(state, answer.fault, attemptId, guidance);
          return { ok: false, guidance, attempt: attemptId };
        }
        fault = faultIn(answer);
        event = answer;
      }
    }
    throw new Error('check-in state machine did not finish');
  }

  /**
   * A fault of Muster itself, not of a device: on the log as an internal-error attempt with the error's code (the
   * breach rules never excuse it and put the person on the staff review queue), and the person is sent to staff.
   */
  private async internalError(
    state: CheckinState,
    fault: string,
    attemptId: string,
    guidance: GuidanceCode[],
  ): Promise<void> {
    const { centre, kiosk } = this.options;
    await this.ports.log.append(
      'checkin-attempt',
      attemptPayload({ attempt: attemptId, centre, kiosk, ...attemptAt(state), outcome: 'internal-error', fault }),
    );
    guidance.push('see-staff');
    this.ports.screen.guide('see-staff');
  }

  private async apply(
    effects: readonly Effect[],
    attemptId: string,
    guidance: GuidanceCode[],
    fault?: string,
  ): Promise<number | undefined> {
    const { centre, kiosk } = this.options;
    let recorded: number | undefined;
    for (const effect of effects) {
      switch (effect.kind) {
        case 'guide':
          guidance.push(effect.guidance);
          this.ports.screen.guide(effect.guidance, effect.try);
          break;
        case 'log-attempt': {
          const capture = this.keepCapture(effect.attempt);
          await this.ports.log.append(
            'checkin-attempt',
            attemptPayload({
              attempt: attemptId,
              centre,
              kiosk,
              ...effect.attempt,
              ...(effect.attempt.outcome === 'device-down' && fault !== undefined ? { fault } : {}),
              ...(capture === undefined ? {} : { capture }),
            }),
          );
          break;
        }
        case 'record-checkin': {
          const appended = await this.ports.log.append(
            'checkin',
            checkinPayload({ ...effect.checkin, centre, kiosk, attempt: attemptId }),
          );
          recorded = appended.seq;
          break;
        }
      }
    }
    return recorded;
  }

  private keepCapture(attempt: AttemptRecord): string | undefined {
    const { keepCapture } = this.options;
    if (!keepCapture || attempt.method !== 'face' || attempt.subject === undefined) return undefined;
    return KEPT_FACE_OUTCOMES.has(attempt.outcome) ? keepCapture(attempt.subject) : undefined;
  }

  /**
   * The device's answer, or the person's cancel, or the presence cue's walk-away, whichever comes first (the
   * device's late answer is dropped).
   */
  private async askUnlessInterrupted(
    state: CheckinState,
    interrupted: Promise<CancelReason> | undefined,
  ): Promise<Answer> {
    const { presence } = this.options;
    const watched = presence && WATCHED.has(state.kind) ? presence : undefined;
    // The countdown shows the presence cue's end when it comes first (the staff wait's minutes against its idle time).
    this.ports.screen.waiting?.(this.waitOf(state), watched?.idleMs);
    const watch = watched
      ? watchPresence(this.ports.screen, this.ports.presence, state.kind !== 'face', watched)
      : undefined;
    const ends = [interrupted, watch?.absent].filter((p) => p !== undefined);
    if (ends.length === 0) return this.ask(state);
    // A request left waiting elsewhere (a staff confirmation) is withdrawn when the person leaves.
    const abort = new AbortController();
    try {
      return await Promise.race([
        this.ask(state, abort.signal),
        ...ends.map((end) =>
          end.then((reason): Answer => {
            abort.abort();
            return { type: 'cancel', reason };
          }),
        ),
      ]);
    } finally {
      watch?.stop();
    }
  }

  private waitOf(state: CheckinState): number | undefined {
    const p = this.ports;
    switch (state.kind) {
      case 'identify':
        return state.method === 'fingerprint' ? p.fingerprint.waitMs : p.badge.waitMs;
      case 'badge-finger':
        return p.fingerprint.waitMs;
      case 'face':
        return p.face.waitMs;
      case 'staff-confirm':
        return p.staff.waitMs;
      default:
        return undefined;
    }
  }

  /** The event the state waits for, from its device; a device that throws its typed error is down, any other throw is Muster's fault. */
  private async ask(state: CheckinState, signal?: AbortSignal): Promise<Answer> {
    const p = this.ports;
    switch (state.kind) {
      case 'identify':
        if (state.method === 'fingerprint') {
          const result = await orDown(() => p.fingerprint.identify());
          return result.kind === 'internal-error' ? result : { type: 'finger', result };
        } else {
          const result = await orDown(() => p.badge.read());
          return result.kind === 'internal-error' ? result : { type: 'badge', result };
        }
      case 'badge-finger': {
        const result = await orDown(() => p.fingerprint.verify(state.identity.subject));
        return result.kind === 'internal-error' ? result : { type: 'finger', result };
      }
      case 'face': {
        const result = await orDown(() => p.face.verify(state.identity.subject));
        return result.kind === 'internal-error' ? result : { type: 'face', result };
      }
      case 'staff-confirm':
        return { type: 'staff', result: await p.staff.confirm(state.identity.subject, signal) };
      case 'tasks': {
        const { subject } = state.identity;
        return {
          type: 'tasks',
          completions: await traced('tasks', () => p.screen.tasks(subject, p.plans.dueToday(subject))),
        };
      }
      case 'idle':
      case 'recording':
      case 'receipt':
      case 'failed':
        throw new Error(`no device to ask in state ${state.kind}`);
    }
  }
}

/** What a device call came to: its result, its typed device failure (with the fault code), or a fault of Muster itself. */
type Fault =
  | { readonly kind: 'device-down'; readonly fault: string }
  | { readonly kind: 'internal-error'; readonly fault: string };

/** A machine event, or a fault of Muster itself that ends the session (the machine has no state for bugs). */
type Answer = CheckinEvent | Extract<Fault, { kind: 'internal-error' }>;

async function orDown<T>(call: () => Promise<T>): Promise<T | Fault> {
  try {
    return await call();
  } catch (error) {
    return faultOf(error);
  }
}

/**
 * A driver's typed device error (drivers/device-error.ts) is the device being down, with its code; anything else
 * (a TypeError, a failed store read) is a fault of Muster, which must never pass for a device fault: that excuses.
 */
export function faultOf(error: unknown): Fault {
  if (error instanceof DeviceError) return { kind: 'device-down', fault: error.code };
  const code = error instanceof MusterError ? error.code : error instanceof Error ? error.name : typeof error;
  return { kind: 'internal-error', fault: code.replace(/[^A-Za-z0-9._:/-]/g, '_').slice(0, 64) || 'unknown' };
}

function faultIn(event: CheckinEvent): string | undefined {
  return 'result' in event && 'fault' in event.result && typeof event.result.fault === 'string'
    ? event.result.fault
    : undefined;
}

/** The step and method of the attempt a state is waiting on, for the attempt entry of an internal error. */
function attemptAt(state: CheckinState): Pick<AttemptRecord, 'step' | 'method' | 'try' | 'subject' | 'identifiedBy'> {
  switch (state.kind) {
    case 'identify':
      return { step: 'identify', method: state.method, try: state.tries + 1 };
    case 'badge-finger':
      return {
        step: 'identify',
        method: 'fingerprint',
        try: state.tries + 1,
        subject: state.identity.subject,
        identifiedBy: 'badge',
      };
    case 'face':
      return {
        step: 'verify',
        method: 'face',
        try: state.tries + 1,
        subject: state.identity.subject,
        identifiedBy: state.identity.methods[0] ?? 'fingerprint',
      };
    case 'staff-confirm':
    case 'tasks':
      return { step: 'confirm', method: 'staff', try: 1, subject: state.identity.subject };
    default:
      return { step: 'identify', method: 'fingerprint', try: 1 };
  }
}
