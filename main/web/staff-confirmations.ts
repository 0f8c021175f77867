// The workflow's StaffPort on the staff screen: when the camera is down, the kiosk asks a member of staff to
// confirm in person that the identified person is who the fingerprint says. The request waits on every open
// staff screen; the first decision wins and names the signed-in staff member; nobody answering in time is a
// "no" (the person is sent to staff, which is never a breach).
import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import { MusterError } from '../../core/errors.ts';
import type { StaffPort } from '../kiosk/ports.ts';

export interface PendingConfirmation {
  readonly id: string;
  readonly subject: string;
  readonly since: number;
}

export interface StaffConfirmationsOptions {
  /** How long a request waits for staff. Default five minutes. */
  readonly timeoutMs?: number;
  readonly clock?: () => number;
}

export class StaffConfirmations implements StaffPort {
  private readonly waiting = new Map<string, PendingConfirmation & { readonly resolve: (staff: string | null) => void; readonly timer: NodeJS.Timeout }>();
  private readonly events = new EventEmitter<{ changed: [] }>();
  private readonly clock: () => number;

  constructor(private readonly options: StaffConfirmationsOptions = {}) {
    this.clock = options.clock ?? Date.now;
  }

  get waitMs(): number {
    return this.options.timeoutMs ?? 300_000;
  }

  confirm(subject: string, signal?: AbortSignal): Promise<string | null> {
    return new Promise((resolve) => {
      const id = randomBytes(8).toString('hex');
      // The person left the kiosk: the request leaves every staff screen.
      signal?.addEventListener('abort', () => {
        this.settle(id, null);
      }, { once: true });
      const timer = setTimeout(() => {
        this.settle(id, null);
      }, this.waitMs);
      timer.unref();
      this.waiting.set(id, { id, subject, since: this.clock(), resolve, timer });
      this.events.emit('changed');
    });
  }

  pending(): PendingConfirmation[] {
    return [...this.waiting.values()].map(({ id, subject, since }) => ({ id, subject, since }));
  }

  /** A staff member's answer: their id when they confirm the person, null when they do not. */
  decide(id: string, subject: string, staff: string | null): void {
    const request = this.waiting.get(id);
    if (!request || request.subject !== subject) throw new MusterError('not-found', `no confirmation ${id} for ${subject} is waiting (answered already, or timed out)`);
    this.settle(id, staff);
  }

  onChange(listener: () => void): () => void {
    this.events.on('changed', listener);
    return () => this.events.off('changed', listener);
  }

  private settle(id: string, staff: string | null): void {
    const request = this.waiting.get(id);
    if (!request) return;
    clearTimeout(request.timer);
    this.waiting.delete(id);
    request.resolve(staff);
    this.events.emit('changed');
  }
}
