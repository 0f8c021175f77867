// Witnessing other logs' checkpoints. A checkpoint waits its turn in the ordered work (after the entries that
// arrived before it), joins the other checkpoints queued with it in one witness group (one witness-state
// transaction), and each verdict is acted on: a cosignature published (at the next connect if the link is down:
// the witness never cosigns the same checkpoint again), a rollback or fork reported, a replica
// behind backfilled (the checkpoint is judged again once the replica reaches its size).
import { MusterError } from '../core/errors.ts';
import { claimedSize, parseCheckpoint, parseNote } from '../ledger/note.ts';
import type { Backfill } from './backfill.ts';
import type { ReplicationContext } from './replication-context.ts';
import { topics } from './topics.ts';
import type { Witness } from './witness.ts';

interface Arrival {
  readonly note: string;
  readonly size: number;
}

interface QueuedNote {
  readonly origin: string;
  readonly arrival: Arrival;
  readonly done: () => void;
  readonly failed: (error: unknown) => void;
}

export class CheckpointWitnessing {
  /** The checkpoint that arrived last from each log (its size as claimed, unverified). */
  private readonly latestNotes = new Map<string, Arrival>();
  /** Checkpoints waiting for the next witness group, in arrival order. */
  private queuedNotes: QueuedNote[] = [];
  private notesScheduled = false;

  constructor(
    private readonly ctx: ReplicationContext,
    private readonly witness: Witness,
    private readonly backfill: Backfill,
  ) {}

  /** Queues a checkpoint for the next witness group (after the entries that arrived before it); resolves once judged. */
  queue(origin: string, note: string): Promise<void> {
    const arrival = { note, size: claimedSize(note) };
    this.latestNotes.set(origin, arrival);
    return new Promise((done, failed) => {
      this.queuedNotes.push({ origin, arrival, done, failed });
      if (this.notesScheduled) return;
      this.notesScheduled = true;
      void this.ctx.inOrder(() =>
        new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.witnessGroup()),
      );
    });
  }

  /** After a group commit of `origin`'s entries: judge a checkpoint that waited for them, and backfill the rest. */
  caughtUp(origin: string): Promise<void> {
    return this.backfill.caughtUp(origin, (note) => this.judge([{ origin, note }]));
  }

  private async witnessGroup(): Promise<void> {
    const group = this.queuedNotes;
    this.queuedNotes = [];
    this.notesScheduled = false;
    try {
      await this.judge(
        group
          .filter((q) => !this.superseded(q.origin, q.arrival))
          .map((q) => ({ origin: q.origin, note: q.arrival.note })),
      );
    } catch (error) {
      for (const q of group) q.failed(error);
      return;
    }
    for (const q of group) q.done();
  }

  /**
   * A checkpoint still queued when a later one of the same log, claiming at least its size, arrived: only the later
   * one is witnessed (a witness owes no cosignature to every checkpoint, and under load this sheds the work). A
   * later one claiming less is a rollback or a reordering, so both are judged.
   */
  private superseded(origin: string, arrival: Arrival): boolean {
    const latest = this.latestNotes.get(origin);
    if (latest === arrival) this.latestNotes.delete(origin);
    return latest !== undefined && latest !== arrival && latest.size >= arrival.size;
  }

  /** Judges checkpoints as a witness (one witness-state transaction for all), and acts on each verdict. */
  private async judge(items: readonly { readonly origin: string; readonly note: string }[]): Promise<void> {
    const { ctx, witness, backfill } = this;
    const known: { origin: string; note: string }[] = [];
    for (const item of items) {
      if ((await ctx.store.verifiers(item.origin)).length > 0) {
        known.push(item);
        continue;
      }
      // A log never seen: its key comes with entry 0. The size read here is unverified and only bounds the request.
      let size: number;
      try {
        size = parseCheckpoint(parseNote(item.note).text).size;
      } catch (error) {
        if (!(error instanceof MusterError)) throw error;
        ctx.emit({ kind: 'bad-message', topic: `checkpoint ${item.origin}`, reason: error.message });
        continue;
      }
      backfill.behind(item.origin, size, item.note);
      await backfill.pump(item.origin);
    }
    const verdicts = await witness.observeMany(known);
    for (const [i, verdict] of verdicts.entries()) {
      const { origin, note } = known[i] as { origin: string; note: string };
      switch (verdict.kind) {
        case 'behind':
          backfill.behind(origin, verdict.checkpoint.size, note);
          await backfill.pump(origin);
          break;
        case 'cosigned':
          ctx.emit({ kind: 'cosigned', origin, size: verdict.checkpoint.size, note: verdict.note });
          ctx.sendLatest(topics.cosign(origin, witness.name), verdict.note);
          break;
        case 'rollback':
        case 'fork':
          ctx.emit({ kind: verdict.kind, origin, evidence: verdict.evidence });
          break;
        case 'invalid':
          ctx.emit({
            kind: 'bad-message',
            topic: `checkpoint ${origin}`,
            reason: `checkpoint of ${origin}: ${verdict.reason}`,
          });
          break;
        case 'stale':
          break;
      }
    }
  }
}
