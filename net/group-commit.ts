// Group commits of replicated entries. Messages are handed over without waiting for the ones before them
// (MqttLink pipelines acknowledgements), so entry batches that arrive together are queued and stored together:
// one ingestMany, one SQLite commit, then every one of them is acknowledged. A group goes to the store as soon as
// it forms, while the groups before it may still be verifying or committing (the store keeps them in order), so
// that HQ's verification never waits for a commit. A group's batches are settled (acknowledged) and its outcome told
// as soon as it commits: only what depends on the ordered work (checkpoints waiting for these entries) waits its
// turn there. An acknowledgement that waited for the ordered work (checkpoint witnessing: seconds at the peak) held
// every later one (PUBACKs go in arrival order), and a NATS node whose session has max_ack_pending unacknowledged
// messages drops further deliveries until its ack_wait (60 s) redelivers them (deploy/README.md).
import { MusterError, errorMessage } from '../core/errors.ts';
import type { IngestResult } from '../ledger/ingest-plan.ts';
import type { Backfill } from './backfill.ts';
import type { IngestBatch } from './replica-store.ts';
import type { ReplicationContext } from './replication-context.ts';

/** Leaves stored in one commit at most; a larger burst takes several. */
const MAX_GROUP_LEAVES = 4000;
/**
 * Groups handed to the store and not yet committed, at most: enough for the store to verify the next while it
 * commits one; beyond it, batches wait and join one larger group (one commit) as under load before.
 */
const MAX_GROUPS_IN_FLIGHT = 4;

interface Queued {
  readonly batch: IngestBatch;
  readonly source: string;
  readonly done: () => void;
  readonly failed: (error: unknown) => void;
}

interface Started {
  readonly group: readonly Queued[];
  readonly results: Promise<PromiseSettledResult<IngestResult>[]>;
}

export class GroupCommits {
  /** Entry batches waiting for the next group commit, in arrival order. */
  private queued: Queued[] = [];
  /** Set while batches are queued and not yet handed to the store: hands their groups to the ordered work. */
  private opened: ((started: Started[]) => void) | undefined;
  private startScheduled = false;
  /** Groups in the store (or holding a slot for it); more wait in `slotWaiters`, in order. */
  private groupsInFlight = 0;
  private readonly slotWaiters: (() => void)[] = [];

  constructor(
    private readonly ctx: ReplicationContext,
    private readonly backfill: Backfill,
    /** After a commit grew `origin`'s replica (checkpoints waiting for it, further backfill). */
    private readonly grew: (origin: string) => Promise<void>,
  ) {}

  /** Queues a batch for the next group commit; resolves once it is stored (or refused). `source`: live or backfill. */
  enqueue(batch: IngestBatch, source: string): Promise<void> {
    return new Promise((done, failed) => {
      this.queued.push({ batch, source, done, failed });
      if (this.opened) return;
      // The batches' place in the ordered work is taken now, ahead of any checkpoint that arrives after them.
      let handOver: (started: Started[]) => void = () => undefined;
      const started = new Promise<Started[]>((resolve) => {
        handOver = resolve;
      });
      this.opened = handOver;
      void this.ctx.inOrder(async () => {
        for (const { group, results } of await started) await this.groupStored(group, results);
      });
      this.scheduleStart();
    });
  }

  private scheduleStart(): void {
    if (this.startScheduled) return;
    this.startScheduled = true;
    // setImmediate: every message already read from the socket joins these groups first.
    setImmediate(() => {
      this.startScheduled = false;
      this.startGroups();
    });
  }

  /**
   * Splits every queued batch into groups of at most MAX_GROUP_LEAVES (one ingestMany, one commit each) and hands
   * them to the store without waiting for the groups before: the store checks one group's signatures while it
   * commits the one before (a pipeline; it commits calls in call order). At most MAX_GROUPS_IN_FLIGHT groups are in
   * the store at once; the others wait their turn in order, so a long backlog (a centre back after a day) costs a
   * few groups' verification at a time, not all of it at once. Each group's outcome is then handled in arrival order
   * with the rest of the ordered work, and its messages acknowledged only after its commit. While the store is
   * full, new batches wait and go together once a group lands.
   */
  private startGroups(): void {
    const handOver = this.opened;
    if (!handOver || this.groupsInFlight >= MAX_GROUPS_IN_FLIGHT) return;
    this.opened = undefined;
    const started: Started[] = [];
    while (this.queued.length > 0) {
      let leaves = 0;
      let take = 0;
      while (
        take < this.queued.length &&
        (take === 0 || leaves + (this.queued[take]?.batch.leaves.length ?? 0) <= MAX_GROUP_LEAVES)
      ) {
        leaves += this.queued[take]?.batch.leaves.length ?? 0;
        take++;
      }
      const group = this.queued.slice(0, take);
      this.queued = this.queued.slice(take);
      const results = this.storeSlot().then(() => this.ctx.store.ingestMany(group.map((q) => q.batch)));
      // Also marks a rejection handled: groupStored awaits it only after the work before it.
      const landed = (): void => {
        this.releaseStoreSlot();
      };
      results.then(
        (settled) => {
          landed();
          this.committed(group, settled);
        },
        (error: unknown) => {
          landed();
          for (const q of group) q.failed(error);
        },
      );
      started.push({ group, results });
    }
    handOver(started);
  }

  /** Resolves once fewer than MAX_GROUPS_IN_FLIGHT groups are in the store; waiters are served in order. */
  private storeSlot(): Promise<void> {
    if (this.groupsInFlight < MAX_GROUPS_IN_FLIGHT) {
      this.groupsInFlight++;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.slotWaiters.push(resolve);
    });
  }

  /** A group landed: its slot goes to the next waiting group, else new batches may start. */
  private releaseStoreSlot(): void {
    const next = this.slotWaiters.shift();
    if (next) {
      next();
      return;
    }
    this.groupsInFlight--;
    if (this.opened) this.scheduleStart();
  }

  /** In the ordered work, after the work queued before the group: checkpoints that waited for its entries. */
  private async groupStored(
    group: readonly Queued[],
    pending: Promise<PromiseSettledResult<IngestResult>[]>,
  ): Promise<void> {
    let results: PromiseSettledResult<IngestResult>[];
    try {
      results = await pending;
    } catch {
      return; // failed at the commit: its batches failed then
    }
    const grown = new Set(group.filter((_, i) => results[i]?.status === 'fulfilled').map((q) => q.batch.origin));
    for (const origin of grown) await this.grew(origin);
  }

  /**
   * The group committed: its new entries told at once (what reads them, HQ's breach watcher, must not wait behind
   * the witnessing of checkpoints that arrived before them), what each batch did reported, and every batch settled,
   * so its message is acknowledged now, its entries durable in the store.
   */
  private committed(group: readonly Queued[], results: readonly PromiseSettledResult<IngestResult>[]): void {
    for (const [i, q] of group.entries()) {
      const result = results[i];
      if (result?.status !== 'fulfilled' || result.value.inserted === 0) continue;
      const { inserted, size } = result.value;
      this.report(() => {
        this.ctx.emit({ kind: 'ingested', origin: q.batch.origin, inserted, size, source: q.source });
      });
    }
    for (const [i, q] of group.entries()) {
      const result = results[i];
      if (result?.status === 'fulfilled') {
        this.report(() => {
          this.stored(q, result.value);
        });
        q.done();
      } else if (result?.reason instanceof MusterError) {
        const reason = result.reason.message;
        this.report(() => {
          this.ctx.emit({ kind: 'bad-message', topic: `entries ${q.batch.origin}`, reason });
        });
        q.done();
      } else {
        q.failed(result?.reason);
      }
    }
  }

  /** Runs a report; a listener that throws is reported as a fault, and the batches are settled all the same. */
  private report(tell: () => void): void {
    try {
      tell();
    } catch (error) {
      try {
        this.ctx.emit({ kind: 'fault', reason: errorMessage(error) });
      } catch {
        // The fault's own listener threw too: nothing is left to tell it, and the batches must still settle.
      }
    }
  }

  /** Reports what one batch did (but its new entries: announce) and notes what it showed to be missing. */
  private stored(q: Queued, result: IngestResult): void {
    const { origin, leaves } = q.batch;
    const { source } = q;
    if (result.rejected.length > 0) this.ctx.emit({ kind: 'rejected', origin, source, rejected: result.rejected });
    if (result.equivocations.length > 0)
      this.ctx.emit({ kind: 'equivocation', origin, seqs: result.equivocations, source });
    this.backfill.stored(origin, leaves, result);
  }
}
