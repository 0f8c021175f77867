// What the replicator's parts share: the link and the store, the events they report, the background publishes
// (never awaited by a handler: a PUBACK arrives on the same connection as the messages being handled), the latest
// retained note per topic still owed to the broker, and the ordered work (group commits' outcomes and checkpoint
// checks, one at a time, in arrival order).
import { errorMessage } from '../core/errors.ts';
import type { Rejected } from '../ledger/ingest-plan.ts';
import type { MqttLink } from './mqtt-link.ts';
import type { ReplicaStore } from './replica-store.ts';
import type { ForkEvidence } from './witness.ts';

export type ReplicationEvent =
  | {
      readonly kind: 'ingested';
      readonly origin: string;
      readonly inserted: number;
      readonly size: number;
      readonly source: string;
    }
  | {
      readonly kind: 'rejected';
      readonly origin: string;
      readonly source: string;
      readonly rejected: readonly Rejected[];
    }
  | {
      readonly kind: 'equivocation';
      readonly origin: string;
      readonly seqs: readonly number[];
      readonly source: string;
    }
  | { readonly kind: 'cosigned'; readonly origin: string; readonly size: number; readonly note: string }
  | { readonly kind: 'rollback' | 'fork'; readonly origin: string; readonly evidence: ForkEvidence }
  | { readonly kind: 'bad-message'; readonly topic: string; readonly reason: string }
  /** Entries of a log this node does not admit (`admits`): refused, not stored. `publisher` when the topic proves it. */
  | { readonly kind: 'unregistered'; readonly origin: string; readonly source: string; readonly publisher?: string }
  | { readonly kind: 'published'; readonly origin: string; readonly size: number }
  /** The ordered work (group commits, checkpoint checks) failed: a fault of this node, reported, never dropped. */
  | { readonly kind: 'fault'; readonly reason: string };

export class ReplicationContext {
  /** Set by close: no new requests, replies or checkpoints go out. */
  closed = false;
  private readonly background = new Set<Promise<void>>();
  /** The ordered work: group commits' outcomes and checkpoint checks, one at a time. */
  private tail: Promise<void> = Promise.resolve();
  /** Per topic, the latest retained payload the broker has not acknowledged yet (sendLatest): one each, never a queue. */
  private readonly owed = new Map<string, Uint8Array | string>();

  constructor(
    readonly link: MqttLink,
    readonly store: ReplicaStore,
    readonly clock: () => number,
    private readonly onEvent: ((event: ReplicationEvent) => void) | undefined,
  ) {
    link.onConnect(() => {
      if (this.closed) return;
      for (const [topic, payload] of this.owed) this.publishOwed(topic, payload);
    });
  }

  get id(): string {
    return this.link.id;
  }

  emit(event: ReplicationEvent): void {
    this.onEvent?.(event);
  }

  /** Publishes in the background while connected (a lost publish is recovered by retries and backfill). */
  send(topic: string, payload: Uint8Array | string, retain = false): void {
    if (!this.link.connected) return;
    this.track(this.link.publish(topic, payload, retain));
  }

  /**
   * Publishes `payload` retained on `topic`, and again at every connect until the broker acknowledged it or a later
   * one for the topic replaced it. For what is sent once and never again by itself: a witness cosigns a checkpoint
   * once (the same checkpoint again is stale to it), so a cosignature made while the link is down would otherwise be
   * lost until the log grows. Only the latest per topic is kept: a retained topic's subscribers want no other.
   */
  sendLatest(topic: string, payload: Uint8Array | string): void {
    this.owed.set(topic, payload);
    if (this.link.connected) this.publishOwed(topic, payload);
  }

  private publishOwed(topic: string, payload: Uint8Array | string): void {
    this.track(
      this.link.publish(topic, payload, true).then(() => {
        if (this.owed.get(topic) === payload) this.owed.delete(topic);
      }),
    );
  }

  track(work: Promise<void>): void {
    const tracked = work.catch((error: unknown) => {
      // Lost publishes are recovered by retries and backfill; report and carry on.
      this.emit({ kind: 'bad-message', topic: '(background)', reason: errorMessage(error) });
    });
    this.background.add(tracked);
    void tracked.finally(() => this.background.delete(tracked));
  }

  /** Runs `work` after everything queued before it (group commits, checkpoint checks). */
  inOrder(work: () => Promise<void>): Promise<void> {
    const run = this.tail.then(work);
    // Reported, and the queue goes on: a listener that throws on the report too must not stall it.
    this.tail = run
      .catch((error: unknown) => {
        this.emit({ kind: 'fault', reason: errorMessage(error) });
      })
      .catch(() => undefined);
    return run;
  }

  /** Resolves once the ordered work queued so far and the background publishes have finished. */
  async drained(): Promise<void> {
    await this.tail;
    await Promise.allSettled([...this.background]);
  }
}
