// Drives the check-in state machine against real ports: asks the device each state waits on, feeds the result
// back, and carries out the effects. Every attempt step is appended to the log before the next device call,
// so a crash never loses an attempt; the check-in resolves only once its entry is durable, then the receipt
// (entry, checkpoint, inclusion proof) is built.
import { type CancelReason, type CheckinEvent, type CheckinState, type Effect, IDLE, type IdentifyMode, step } from '../../core/checkin/checkin-machine.ts';
import type { GuidanceCode } from '../../core/checkin/guidance.ts';
import { attemptPayload, checkinPayload } from '../../core/records/checkin.ts';
import { buildReceipt, type Receipt } from './receipt.ts';
import type { CheckinPorts } from './ports.ts';

export interface WorkflowOptions {
  readonly centre: string;
  readonly kiosk: string;
  readonly mode: IdentifyMode;
  /** A fresh id per check-in session (pseudonymous, e.g. random hex). */
  readonly newAttemptId: () => string;
}

/** `attempt`: the session's id on the log (its checkin-attempt entries), the reference a person shows staff. */
export type CheckinOutcome =
  | { readonly ok: true; readonly seq: number; readonly receipt: Receipt; readonly guidance: readonly GuidanceCode[]; readonly attempt: string }
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
    for (let i = 0; i < MAX_STEPS; i++) {
      const next = step(state, event);
      state = next.state;
      const recorded = await this.apply(next.effects, attemptId, guidance);
      if (recorded !== undefined) event = { type: 'recorded', seq: recorded };
      else if (state.kind === 'receipt') {
        const receipt = buildReceipt(this.ports.log.store, this.ports.log.origin, state.seq, this.ports.log.checkpoint());
        return { ok: true, seq: state.seq, receipt, guidance, attempt: attemptId };
      } else if (state.kind === 'failed' || state.kind === 'idle') return { ok: false, guidance, attempt: attemptId };
      else event = await this.askUnlessInterrupted(state, interrupted);
    }
    throw new Error('check-in state machine did not finish');
  }

  private async apply(effects: readonly Effect[], attemptId: string, guidance: GuidanceCode[]): Promise<number | undefined> {
    const { centre, kiosk } = this.options;
    let recorded: number | undefined;
    for (const effect of effects) {
      switch (effect.kind) {
        case 'guide':
          guidance.push(effect.guidance);
          this.ports.screen.guide(effect.guidance, effect.try);
          break;
        case 'log-attempt':
          await this.ports.log.append('checkin-attempt', attemptPayload({ attempt: attemptId, centre, kiosk, ...effect.attempt }));
          break;
        case 'record-checkin': {
          const appended = await this.ports.log.append('checkin', checkinPayload({ ...effect.checkin, centre, kiosk, attempt: attemptId }));
          recorded = appended.seq;
          break;
        }
      }
    }
    return recorded;
  }

  /** The device's answer, or the person's cancel if that comes first (the device's late answer is dropped). */
  private askUnlessInterrupted(state: CheckinState, interrupted: Promise<CancelReason> | undefined): Promise<CheckinEvent> {
    this.ports.screen.waiting?.(this.waitOf(state));
    if (!interrupted) return this.ask(state);
    return Promise.race([this.ask(state), interrupted.then((reason): CheckinEvent => ({ type: 'cancel', reason }))]);
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

  /** The event the state waits for, from its device; a device that throws is down. */
  private async ask(state: CheckinState): Promise<CheckinEvent> {
    const p = this.ports;
    switch (state.kind) {
      case 'identify':
        return state.method === 'fingerprint'
          ? { type: 'finger', result: await orDown(() => p.fingerprint.identify()) }
          : { type: 'badge', result: await orDown(() => p.badge.read()) };
      case 'badge-finger':
        return { type: 'finger', result: await orDown(() => p.fingerprint.verify(state.identity.subject)) };
      case 'face':
        return { type: 'face', result: await orDown(() => p.face.verify(state.identity.subject)) };
      case 'staff-confirm':
        return { type: 'staff', staff: await p.staff.confirm(state.identity.subject) };
      case 'tasks':
        return { type: 'tasks', completions: await p.screen.tasks(state.identity.subject, p.plans.dueToday(state.identity.subject)) };
      case 'idle':
      case 'recording':
      case 'receipt':
      case 'failed':
        throw new Error(`no device to ask in state ${state.kind}`);
    }
  }
}

async function orDown<T>(call: () => Promise<T>): Promise<T | { readonly kind: 'device-down' }> {
  try {
    return await call();
  } catch {
    return { kind: 'device-down' };
  }
}
