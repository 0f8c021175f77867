// Reopening a device after an unplug: the shared jittered backoff (runtime/retry.ts), reset on success.
import { type BackoffPolicy, RetryLoop } from '../runtime/retry.ts';

export type Backoff = BackoffPolicy;

export const DEFAULT_BACKOFF: Backoff = { initialMs: 250, maxMs: 10_000 };

/** A RetryLoop that `false` (reconnecting disabled) keeps stopped for good. */
export class Reconnector extends RetryLoop {
  readonly #enabled: boolean;

  /** `attempt` opens the device; a rejection schedules the next try. */
  constructor(backoff: Backoff | false, attempt: () => Promise<void>) {
    super(backoff === false ? { initialMs: 0, maxMs: 0 } : backoff, attempt);
    this.#enabled = backoff !== false;
    if (!this.#enabled) this.stop();
  }

  override resume(): void {
    if (this.#enabled) super.resume();
  }
}
