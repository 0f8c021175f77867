// The workflow's StaffPort on the staff screen: when the camera is down, the kiosk asks a member of staff to
// confirm in person that the identified person is who the fingerprint says. The request waits on every open
// staff screen; the first decision wins and names the signed-in staff member, who confirms or refuses; nobody
// answering in time is a timeout, not a refusal (the person is sent to staff, which is never a breach). It also
// carries the kiosk's calls for staff (the person tapped Call staff, or a session ended in "see staff"): each
// waits on every staff screen with the session's reference until a staff member answers it, or for an hour.
import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import type { CallReason } from '../../core/api/staff-api.ts';
import type { StaffAnswer } from '../../core/checkin/checkin-machine.ts';
import { MusterError } from '../../core/errors.ts';
import type { StaffPort } from '../kiosk/ports.ts';

export interface PendingConfirmation {
  readonly id: string;
  readonly subject: string;
  readonly since: number;
}

export interface StaffCall {
  readonly id: string;
  /** The session's reference on the kiosk screen and on the log (its checkin-attempt entries). */
  readonly reference: string;
  readonly reason: CallReason;
  readonly since: number;
}

/** Calls kept at once: a kiosk that keeps calling must not grow without bound; the oldest goes first. */
const MAX_CALLS = 100;
const CALL_MS = 3_600_000;

export interface StaffConfirmationsOptions {
  /** How long a request waits for staff. Default five minutes. */
  readonly timeoutMs?: number;
  readonly clock?: () => number;
}

export class StaffConfirmations implements StaffPort {
  private readonly waiting = new Map<
    string,
    PendingConfirmation & { readonly resolve: (answer: StaffAnswer) => void; readonly timer: NodeJS.Timeout }
  >();
  private readonly waitingCalls = new Map<string, StaffCall & { readonly timer: NodeJS.Timeout }>();
  private readonly events = new EventEmitter<{ changed: [] }>();
  private readonly clock: () => number;

  constructor(private readonly options: StaffConfirmationsOptions = {}) {
    this.clock = options.clock ?? Date.now;
  }

  get waitMs(): number {
    return this.options.timeoutMs ?? 300_000;
  }

  confirm(subject: string, signal?: AbortSignal): Promise<StaffAnswer> {
    return new Promise((resolve) => {
      const id = randomBytes(8).toString('hex');
      // The person left the kiosk: the request leaves every staff screen.
      signal?.addEventListener(
        'abort',
        () => {
          this.settle(id, { kind: 'timeout' });
        },
        { once: true },
      );
      const timer = setTimeout(() => {
        this.settle(id, { kind: 'timeout' });
      }, this.waitMs);
      timer.unref();
      this.waiting.set(id, { id, subject, since: this.clock(), resolve, timer });
      this.events.emit('changed');
    });
  }

  pending(): PendingConfirmation[] {
    return [...this.waiting.values()].map(({ id, subject, since }) => ({ id, subject, since }));
  }

  /** A signed-in staff member's answer: confirmed or refused, naming them. */
  decide(id: string, subject: string, answer: Extract<StaffAnswer, { kind: 'confirmed' | 'refused' }>): void {
    const request = this.waiting.get(id);
    if (!request || request.subject !== subject)
      throw new MusterError(
        'not-found',
        `no confirmation ${id} for ${subject} is waiting (answered already, or timed out)`,
      );
    this.settle(id, answer);
  }

  /** The kiosk calls staff to the person with this reference. */
  call(reference: string, reason: CallReason): void {
    const id = randomBytes(8).toString('hex');
    const timer = setTimeout(() => {
      this.answerCall(id);
    }, CALL_MS);
    timer.unref();
    this.waitingCalls.set(id, { id, reference, reason, since: this.clock(), timer });
    const [oldest] = this.waitingCalls.keys();
    if (this.waitingCalls.size > MAX_CALLS && oldest !== undefined) this.answerCall(oldest);
    this.events.emit('changed');
  }

  calls(): StaffCall[] {
    return [...this.waitingCalls.values()].map(({ id, reference, reason, since }) => ({
      id,
      reference,
      reason,
      since,
    }));
  }

  /** A staff member took the call: it leaves every staff screen. Answering twice changes nothing. */
  answerCall(id: string): void {
    const call = this.waitingCalls.get(id);
    if (!call) return;
    clearTimeout(call.timer);
    this.waitingCalls.delete(id);
    this.events.emit('changed');
  }

  onChange(listener: () => void): () => void {
    this.events.on('changed', listener);
    return () => this.events.off('changed', listener);
  }

  private settle(id: string, answer: StaffAnswer): void {
    const request = this.waiting.get(id);
    if (!request) return;
    clearTimeout(request.timer);
    this.waiting.delete(id);
    request.resolve(answer);
    this.events.emit('changed');
  }
}
