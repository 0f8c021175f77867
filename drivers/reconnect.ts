// Exponential backoff for reopening a device after an unplug: initialMs, doubling, capped at maxMs; reset on success.

export interface Backoff {
  readonly initialMs: number;
  readonly maxMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { initialMs: 250, maxMs: 10_000 };

export class Reconnector {
  readonly #backoff: Backoff | false;
  readonly #attempt: () => Promise<void>;
  #failures = 0;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  /** `attempt` opens the device; a rejection schedules the next try. `false` disables reconnecting. */
  constructor(backoff: Backoff | false, attempt: () => Promise<void>) {
    this.#backoff = backoff;
    this.#attempt = attempt;
  }

  schedule(): void {
    const backoff = this.#backoff;
    if (this.#stopped || backoff === false) return;
    const delay = Math.min(backoff.maxMs, backoff.initialMs * 2 ** this.#failures);
    this.#failures = Math.min(this.#failures + 1, 30);
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#attempt().catch(() => {
        this.schedule();
      });
    }, delay);
  }

  succeeded(): void {
    this.#failures = 0;
  }

  resume(): void {
    this.#stopped = false;
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }
}
