// Sign-in throttling, in front of the password hash. scrypt costs ~0.1 s of a core by design, so unbounded
// concurrent sign-ins let anyone without an account starve the real ones. The gate admits one attempt in flight
// per account name (known or not, so the answer says nothing about the account) and a few per client address (a
// centre's officers share one NAT address and sign in together at a shift's start) until the address fails a few
// times (a flood from one address is back to one hash at a time at once), backs an address off after repeated failures, and runs at most `maxHashing` hashes at once. Guessing one account stays as slow as before:
// one attempt on it at a time, each failure held, and the account's lockout (UserStore.reserve).
// A refused attempt is MusterError('throttled') (HTTP 429) and costs no hash. Failures and refusals are answered
// only after a pause (a failure keeps its address and account busy through it), so a client that asks again as
// soon as it is answered, as guessing scripts do, gets about one hash a second and cannot spin the server on 429s.
import { MusterError } from '../core/errors.ts';

export interface SignInGatePolicy {
  /** Hashes running at once across the process. */
  readonly maxHashing: number;
  /** Attempts in flight at once from one address (each on its own account)... */
  readonly maxAddressInFlight: number;
  /** ...while it failed fewer times than this within `windowMs`; past that, one at a time. */
  readonly maxAddressFailuresInParallel: number;
  /** Failures from one address within `windowMs` before it must wait out the rest of the window. */
  readonly maxAddressFailures: number;
  readonly windowMs: number;
  /** Addresses remembered at most (the oldest is forgotten first), so a spread of sources cannot grow memory. */
  readonly maxAddresses: number;
  /** A failed attempt is answered this long after its hash, its address and account still busy. */
  readonly failurePauseMs: number;
  /** A refused attempt is answered this long after it came, while fewer than `maxPaused` answers wait. */
  readonly refusalPauseMs: number;
  /** Answers held at once; beyond, a refusal is answered at once, so held sockets stay bounded. */
  readonly maxPaused: number;
}

export const DEFAULT_SIGN_IN_GATE: SignInGatePolicy = {
  maxHashing: 2,
  maxAddressInFlight: 4,
  maxAddressFailuresInParallel: 3,
  maxAddressFailures: 20,
  windowMs: 60_000,
  maxAddresses: 10_000,
  failurePauseMs: 1000,
  refusalPauseMs: 1000,
  maxPaused: 512,
};

interface Failures {
  count: number;
  since: number;
}

export class SignInGate {
  private readonly policy: SignInGatePolicy;
  /** Attempts in flight per address. */
  private readonly busyAddresses = new Map<string, number>();
  private readonly busyAccounts = new Set<string>();
  private readonly failures = new Map<string, Failures>();
  private hashing = 0;
  private paused = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    policy: Partial<SignInGatePolicy> = {},
    private readonly clock: () => number = Date.now,
    /** Resolves after `ms` (a timer; tests pass their own). */
    private readonly pause: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  ) {
    this.policy = { ...DEFAULT_SIGN_IN_GATE, ...policy };
  }

  /**
   * Runs one attempt for `account` from `address` (undefined: a local caller such as the CLI, never throttled
   * by address). `attempt` reports whether it failed, so the address's failures are counted.
   */
  async run<T>(
    account: string,
    address: string | undefined,
    attempt: (hash: <R>(work: () => Promise<R>) => Promise<R>) => Promise<T>,
  ): Promise<T> {
    const now = this.clock();
    if (address !== undefined) {
      const seen = this.failures.get(address);
      if (seen && now - seen.since > this.policy.windowMs) this.failures.delete(address);
      else if (seen && seen.count >= this.policy.maxAddressFailures) return this.refuse();
      const allowed =
        (this.failures.get(address)?.count ?? 0) < this.policy.maxAddressFailuresInParallel
          ? this.policy.maxAddressInFlight
          : 1;
      if ((this.busyAddresses.get(address) ?? 0) >= allowed) return this.refuse();
    }
    if (this.busyAccounts.has(account)) return this.refuse();
    if (address !== undefined) this.busyAddresses.set(address, (this.busyAddresses.get(address) ?? 0) + 1);
    this.busyAccounts.add(account);
    try {
      return await attempt((work) => this.hash(work));
    } catch (error) {
      if (address !== undefined) this.failed(address, now);
      await this.held(this.policy.failurePauseMs);
      throw error;
    } finally {
      if (address !== undefined) this.release(address);
      this.busyAccounts.delete(account);
    }
  }

  private release(address: string): void {
    const busy = (this.busyAddresses.get(address) ?? 1) - 1;
    if (busy > 0) this.busyAddresses.set(address, busy);
    else this.busyAddresses.delete(address);
  }

  private async refuse(): Promise<never> {
    await this.held(this.policy.refusalPauseMs);
    throw throttled();
  }

  /** Holds an answer back, unless `maxPaused` answers wait already. */
  private async held(ms: number): Promise<void> {
    if (ms <= 0 || this.paused >= this.policy.maxPaused) return;
    this.paused++;
    try {
      await this.pause(ms);
    } finally {
      this.paused--;
    }
  }

  private async hash<R>(work: () => Promise<R>): Promise<R> {
    if (this.hashing >= this.policy.maxHashing) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.hashing++;
    try {
      return await work();
    } finally {
      // The slot passes straight to the next waiter, so the count never dips and lets a newcomer jump the queue.
      const next = this.waiting.shift();
      if (next) next();
      else this.hashing--;
    }
  }

  private failed(address: string, now: number): void {
    const seen = this.failures.get(address);
    if (seen) {
      seen.count++;
      return;
    }
    if (this.failures.size >= this.policy.maxAddresses) {
      const oldest = this.failures.keys().next();
      if (oldest.done !== true) this.failures.delete(oldest.value);
    }
    this.failures.set(address, { count: 1, since: now });
  }
}

function throttled(): MusterError {
  return new MusterError('throttled', 'too many sign-in attempts; wait a minute and try again');
}
