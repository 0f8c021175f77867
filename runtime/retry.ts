// The one retry policy every layer uses: exponential backoff with jitter. Jitter matters when many clients fail
// together (a broker node dies under 2,000 kiosks): without it they all come back in the same instant and knock
// the survivor over; with it their attempts spread over the whole backoff window.

export interface BackoffPolicy {
  /** The delay ceiling after the first failure. */
  readonly initialMs: number;
  /** No delay ever exceeds this. */
  readonly maxMs: number;
  /** Growth of the ceiling per failure (default 2). */
  readonly factor?: number;
  /**
   * Share of each delay drawn at random (default 1, "full jitter": uniform in [0, ceiling]); 0 gives the plain
   * exponential schedule, 0.5 a delay uniform in [ceiling/2, ceiling].
   */
  readonly jitter?: number;
}

/** Source of randomness in [0, 1); tests pass a fixed one. */
export type Random = () => number;

/** The delay before retry number `failures + 1`, given `failures` failed attempts so far (0 for the first retry). */
export function backoffDelay(policy: BackoffPolicy, failures: number, random: Random = Math.random): number {
  checkPolicy(policy);
  const ceiling = Math.min(policy.maxMs, policy.initialMs * (policy.factor ?? 2) ** Math.min(failures, 60));
  const jitter = policy.jitter ?? 1;
  return Math.round(ceiling * (1 - jitter * random()));
}

/** Counts failures and hands out the next delay; `reset` after a success. */
export class Backoff {
  #failures = 0;

  constructor(
    readonly policy: BackoffPolicy,
    private readonly random: Random = Math.random,
  ) {
    checkPolicy(policy);
  }

  get failures(): number {
    return this.#failures;
  }

  next(): number {
    const delay = backoffDelay(this.policy, this.#failures, this.random);
    this.#failures += 1;
    return delay;
  }

  reset(): void {
    this.#failures = 0;
  }
}

export interface RetryOptions {
  readonly policy: BackoffPolicy;
  /** Attempts in all, the first included (default: until it succeeds or `signal` aborts). */
  readonly attempts?: number;
  /** Errors for which another attempt cannot help are rethrown at once. */
  readonly retryable?: (error: unknown) => boolean;
  readonly signal?: AbortSignal;
  readonly random?: Random;
  /** Told of each failure that will be retried, with the delay before the next attempt. */
  readonly onRetry?: (error: unknown, delayMs: number) => void;
}

/** Runs `attempt` until it resolves; between failures waits the jittered backoff. Rethrows the last error. */
export async function retry<T>(attempt: (n: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const { attempts = Infinity, signal } = options;
  if (!(attempts >= 1)) throw new TypeError(`retry: attempts must be at least 1, got ${attempts}`);
  const backoff = new Backoff(options.policy, options.random);
  for (let n = 1; ; n++) {
    signal?.throwIfAborted();
    try {
      return await attempt(n);
    } catch (error) {
      if (n >= attempts || options.retryable?.(error) === false || signal?.aborted === true) throw error;
      const delay = backoff.next();
      options.onRetry?.(error, delay);
      await sleep(delay, signal);
    }
  }
}

/**
 * A background retry loop: `schedule()` after a failure runs `attempt` once the backoff has passed, and again after
 * each rejection; `succeeded()` resets the backoff; `stop()` cancels the pending try. For reopening a device or a
 * connection that fails on its own time rather than inside one call.
 */
export class RetryLoop {
  readonly #backoff: Backoff;
  readonly #attempt: () => Promise<void>;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(policy: BackoffPolicy, attempt: () => Promise<void>, random?: Random) {
    this.#backoff = new Backoff(policy, random);
    this.#attempt = attempt;
  }

  schedule(): void {
    if (this.#stopped) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#attempt().catch(() => {
        this.schedule();
      });
    }, this.#backoff.next());
  }

  succeeded(): void {
    this.#backoff.reset();
  }

  resume(): void {
    this.#stopped = false;
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(abortReason(signal));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortReason(signal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function abortReason(signal: AbortSignal | undefined): Error {
  return signal?.reason instanceof Error ? signal.reason : new Error('retry aborted');
}

function checkPolicy(policy: BackoffPolicy): void {
  const { initialMs, maxMs, factor = 2, jitter = 1 } = policy;
  if (!(initialMs >= 0 && maxMs >= initialMs && factor >= 1 && jitter >= 0 && jitter <= 1)) {
    throw new TypeError(
      `backoff policy: need 0 <= initialMs <= maxMs, factor >= 1, 0 <= jitter <= 1; got ${JSON.stringify(policy)}`,
    );
  }
}
