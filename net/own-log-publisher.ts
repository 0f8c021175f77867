// Publishing the node's own log: its entries as they are committed, then its signed checkpoint (retained), at
// most every checkpointEveryMs. What was appended while offline is never held in memory: on (re)connect the
// checkpoint goes out and receivers fetch the entries they miss with backfill requests.
import type { StoredCheckpoint } from '../ledger/store.ts';
import type { ReplicationContext } from './replication-context.ts';
import { topics } from './topics.ts';
import { MAX_BATCH, encodeBatch } from './wire.ts';

/** The node's own log, as the ledger's LogWriter provides it. */
export interface OwnLog {
  readonly origin: string;
  checkpoint(): StoredCheckpoint;
}

export class OwnLogPublisher {
  /** Entries below this were published (or predate the last connect). */
  private cursor = 0;
  private flushing = false;
  private flushAgain = false;
  private lastCheckpointAt = -Infinity;
  private checkpointTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ctx: ReplicationContext,
    private readonly own: OwnLog,
    private readonly checkpointEveryMs: number,
  ) {}

  /** On connect: the checkpoint as it stands, and entries from here on. */
  async announce(): Promise<void> {
    const { own, ctx } = this;
    // Whatever was appended while offline is fetched by the receivers from the checkpoint: never from memory.
    this.cursor = await ctx.store.size(own.origin);
    const checkpoint = own.checkpoint();
    this.lastCheckpointAt = performance.now();
    if (ctx.link.connected) await ctx.link.publish(topics.checkpoint(own.origin), checkpoint.note, true);
  }

  /** The own log grew: the new entries and a checkpoint go out in the next tick. */
  appended(): void {
    if (this.flushing) {
      this.flushAgain = true;
      return;
    }
    this.flushing = true;
    setImmediate(() => {
      this.ctx.track(this.flush());
    });
  }

  stop(): void {
    if (this.checkpointTimer) clearTimeout(this.checkpointTimer);
  }

  private async flush(): Promise<void> {
    const { own } = this;
    const { store, link } = this.ctx;
    try {
      if (!link.connected) return;
      const head = await store.size(own.origin);
      const sends: Promise<void>[] = [];
      while (this.cursor < head) {
        const to = Math.min(head, this.cursor + MAX_BATCH);
        const leaves = await store.leaves(own.origin, this.cursor, to);
        sends.push(link.publish(topics.entries(own.origin), encodeBatch({ origin: own.origin, leaves })));
        this.cursor = to;
      }
      this.checkpointSoon();
      await Promise.all(sends);
    } finally {
      this.flushing = false;
      if (this.flushAgain) {
        this.flushAgain = false;
        this.appended();
      }
    }
  }

  /** Publishes the own checkpoint now, or once checkpointEveryMs has passed since the last one. */
  private checkpointSoon(): void {
    if (this.checkpointTimer) return;
    const wait = this.lastCheckpointAt + this.checkpointEveryMs - performance.now();
    if (wait <= 0) {
      this.publishCheckpoint();
      return;
    }
    this.checkpointTimer = setTimeout(() => {
      this.checkpointTimer = undefined;
      this.publishCheckpoint();
    }, wait);
  }

  private publishCheckpoint(): void {
    const { own, ctx } = this;
    // Offline, nothing is owed: announce publishes the checkpoint as it then stands at every connect.
    if (ctx.closed || !ctx.link.connected) return;
    const checkpoint = own.checkpoint();
    this.lastCheckpointAt = performance.now();
    ctx.send(topics.checkpoint(own.origin), checkpoint.note, true);
    ctx.emit({ kind: 'published', origin: own.origin, size: checkpoint.size });
  }
}
