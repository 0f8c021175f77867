// HQ publishes its registry log (`hq/registry`: kiosk registrations and key revocations) over MQTT like any log,
// so that kiosks following it refuse a revoked key's entries too, not only HQ. The registry is written by
// `muster kiosk provision|revoke` into its own store file (each command leaves a signed checkpoint there);
// the publisher copies what is new into HQ's store (so HQ applies it and answers backfill requests for it) and
// publishes the new entries and the latest checkpoint (retained) when it changed, at every `refresh`, and the
// checkpoint once more at every connect and, unchanged, every `reannounceEveryMs`: kiosks take the registry at QoS 0,
// so one that lost a revocation and its checkpoint learns of it from the next re-announce (and backfills it from HQ)
// instead of only at the next change or reconnect, while it would go on accepting the revoked key's log.
import { errorMessage } from '../core/errors.ts';
import { REGISTRY_ORIGIN } from '../ledger/key-schedule.ts';
import type { LedgerStore } from '../ledger/store.ts';
import { type BackoffPolicy, RetryLoop } from '../runtime/retry.ts';
import type { MqttLink } from './mqtt-link.ts';
import type { ReplicaStore } from './replica-store.ts';
import { topics } from './topics.ts';
import { MAX_BATCH, encodeBatch } from './wire.ts';

export interface RegistryPublisherOptions {
  /** HQ's broker connection (the ACL lets HQ publish the registry's topics). */
  readonly link: MqttLink;
  /** The registry's own store file, as `muster kiosk provision` writes it. */
  readonly registry: LedgerStore;
  /** HQ's store: takes the registry in, so HQ applies it and answers backfill requests for it. */
  readonly store: ReplicaStore;
  /** Real-time period of the check for new registry entries; 0: only on connect and `refresh()`. */
  readonly everyMs?: number;
  /** Backoff between retries of a failed publication (default 1 s doubling to 30 s, jittered). */
  readonly retry?: BackoffPolicy;
  /** Told of each failed publication (it is retried): a revocation that does not reach the kiosks is never silent. */
  readonly onError?: (error: unknown) => void;
  /** The unchanged checkpoint goes out again after this long (default REGISTRY_REANNOUNCE_MS), at a `refresh`. */
  readonly reannounceEveryMs?: number;
  /** Real time in ms (tests move it). */
  readonly now?: () => number;
}

/** The heartbeat's pace: a kiosk that missed a registry change hears of it within about this long. */
export const REGISTRY_REANNOUNCE_MS = 30_000;

/** What HQ's health shows of the registry's publication. */
export interface RegistryHealth {
  /** Entries in the registry file. */
  readonly size: number;
  /** Entries published since HQ started. */
  readonly published: number;
  /** Failed publications since the last one that succeeded (each is retried). */
  readonly failures: number;
  readonly lastError?: string;
}

const RETRY: BackoffPolicy = { initialMs: 1000, maxMs: 30_000 };

export class RegistryPublisher {
  /** Entries published so far; a reconnect does not send them again (a follower missing some asks, by backfill). */
  private cursor = 0;
  /** The checkpoint the broker acknowledged on this connection, and when: published again once it changes or ages. */
  private announced: { readonly note: string; readonly at: number } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private readonly retries: RetryLoop;
  private failures = 0;
  private lastError: string | undefined;

  constructor(private readonly options: RegistryPublisherOptions) {
    if (!options.registry.log(REGISTRY_ORIGIN))
      throw new TypeError(`registry: ${options.registry.path} holds no ${REGISTRY_ORIGIN} log`);
    // refresh() schedules the next retry itself when it fails.
    this.retries = new RetryLoop(options.retry ?? RETRY, () => this.refresh().catch(() => undefined));
    // The checkpoint again at each connect, bounded to one message: a broker may have lost its retained copy (Aedes
    // restarted, Mosquitto's last autosave interval before a crash), and it is how kiosks learn the registry's size
    // and fetch what they miss from HQ. Before, every connect sent every registry entry to every kiosk again, and
    // every `everyMs` tick the unchanged checkpoint (test/net/registry-publisher.test.ts).
    options.link.onConnect(() => {
      this.announced = undefined;
      this.refresh().catch(() => undefined);
    });
    const every = options.everyMs ?? 5000;
    if (every > 0) {
      this.timer = setInterval(() => {
        this.refresh().catch(() => undefined);
      }, every);
      this.timer.unref();
    }
  }

  /**
   * Takes in and publishes whatever the registry file holds beyond what was published; one run at a time. A
   * failure is counted in `health()`, told to `onError` and retried with backoff until a run succeeds.
   */
  refresh(): Promise<void> {
    const run = this.running.then(() => this.publish());
    this.running = run.then(
      () => {
        this.failures = 0;
        this.lastError = undefined;
        this.retries.succeeded();
      },
      (error: unknown) => {
        this.failures++;
        this.lastError = errorMessage(error);
        this.options.onError?.(error);
        this.retries.schedule();
      },
    );
    return run;
  }

  health(): RegistryHealth {
    return {
      size: this.options.registry.head(REGISTRY_ORIGIN).size,
      published: this.cursor,
      failures: this.failures,
      ...(this.lastError === undefined ? {} : { lastError: this.lastError }),
    };
  }

  close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.retries.stop();
    return this.running;
  }

  private async publish(): Promise<void> {
    const { registry, store, link } = this.options;
    const { size } = registry.head(REGISTRY_ORIGIN);
    const held = await store.size(REGISTRY_ORIGIN);
    if (held < size) {
      const [result] = await store.ingestMany([
        { origin: REGISTRY_ORIGIN, leaves: this.leaves(held, size), source: 'registry-file' },
      ]);
      if (result?.status === 'rejected') throw result.reason;
    }
    if (!link.connected) return;
    const sends: Promise<void>[] = [];
    for (; this.cursor < size; this.cursor = Math.min(size, this.cursor + MAX_BATCH)) {
      sends.push(
        link.publish(
          topics.entries(REGISTRY_ORIGIN),
          encodeBatch({
            origin: REGISTRY_ORIGIN,
            leaves: this.leaves(this.cursor, Math.min(size, this.cursor + MAX_BATCH)),
          }),
        ),
      );
    }
    const checkpoint = registry.latestCheckpoint(REGISTRY_ORIGIN);
    const at = (this.options.now ?? Date.now)();
    const stale =
      this.announced === undefined ||
      this.announced.note !== checkpoint?.note ||
      at - this.announced.at >= (this.options.reannounceEveryMs ?? REGISTRY_REANNOUNCE_MS);
    if (checkpoint && stale) {
      const { note } = checkpoint;
      sends.push(
        link.publish(topics.checkpoint(REGISTRY_ORIGIN), note, true).then(() => {
          this.announced = { note, at };
        }),
      );
    }
    await Promise.all(sends);
  }

  private leaves(from: number, to: number): Uint8Array[] {
    return [...this.options.registry.range(REGISTRY_ORIGIN, from, to)].map((row) => row.leaf);
  }
}
