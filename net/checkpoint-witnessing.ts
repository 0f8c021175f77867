// Witnessing other logs' checkpoints. A checkpoint waits its turn in the ordered work (after the entries that
// arrived before it), joins the other checkpoints queued with it in one witness group (one witness-state
// transaction), and each verdict is acted on: a cosignature published (at the next connect if the link is down:
// the witness never cosigns the same checkpoint again), a rollback or fork reported, a replica
// behind backfilled (the checkpoint is judged again once the replica reaches its size).
//
// With `cosignEveryMs` (HQ), a log is cosigned at most that often: a checkpoint that arrives inside its log's window
// is screened at once (signature, entries held, root against the verified entries: a fork or rollback is reported
// then, never deferred) and, if it fits, held; a later one replaces it, and the one held when the window ends is
// judged in full (consistency from the last cosigned checkpoint) and cosigned. So the latest is cosigned within the
// window, never dropped, and a burst of checkpoints costs one witness-state transaction and one cosignature.
import { MusterError, errorMessage } from '../core/errors.ts';
import { claimedSize, parseCheckpoint, parseNote } from '../ledger/note.ts';
import type { Backfill } from './backfill.ts';
import type { ReplicationContext } from './replication-context.ts';
import { topics } from './topics.ts';
import type { Witness } from './witness.ts';

interface Arrival {
  readonly note: string;
  readonly size: number;
}

/** The window's time (real time, never a node's clock, which tests move): now in ms, and `run` after `ms`. */
export interface WindowTimer {
  now(): number;
  wake(run: () => void, ms: number): void;
}

const realTime: WindowTimer = {
  now: () => performance.now(),
  wake: (run, ms) => {
    setTimeout(run, ms).unref();
  },
};

/** A log's cosigning window: opened by a cosignature, with the checkpoint that waits for its end. */
interface CosignWindow {
  /** When this node cosigned the log (WindowTimer time), and the size it cosigned. */
  readonly at: number;
  readonly size: number;
  held?: Arrival;
  waking: boolean;
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
  /** Per log this node cosigned: its window (at most one per log, dropped when next looked at once over). */
  private readonly windows = new Map<string, CosignWindow>();
  /**
   * Per log, the signed text (origin, size, root) of the last checkpoint judged cosigned or stale. The witness state
   * only grows, so the same checkpoint again can only be stale: a kiosk re-announces its latest with every heartbeat
   * (net/kiosk-node.ts), carrying the cosignatures it has received since, and HQ would otherwise check its signature
   * and root every 30 s per kiosk.
   */
  private readonly settled = new Map<string, string>();

  constructor(
    private readonly ctx: ReplicationContext,
    private readonly witness: Witness,
    private readonly backfill: Backfill,
    /** A log is cosigned at most this often (0: each checkpoint as it comes). */
    private readonly cosignEveryMs = 0,
    private readonly timer: WindowTimer = realTime,
  ) {}

  /** A judging that failed: a store's refusal is the checkpoint's, anything else this node's fault. */
  reportFailure(origin: string, error: unknown): void {
    this.ctx.emit(
      error instanceof MusterError
        ? { kind: 'bad-message', topic: `checkpoint ${origin}`, reason: error.message }
        : { kind: 'fault', reason: errorMessage(error) },
    );
  }

  /** Queues a checkpoint for the next witness group (after the entries that arrived before it); resolves once judged. */
  queue(origin: string, note: string): Promise<void> {
    if (this.settled.get(origin) === signedText(note)) return Promise.resolve();
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
          .filter(
            (q) => !this.superseded(q.origin, q.arrival) && this.settled.get(q.origin) !== signedText(q.arrival.note),
          )
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
    const now = this.timer.now();
    const waiting: typeof known = [];
    const due: typeof known = [];
    for (const item of known) (this.inWindow(item.origin, now) ? waiting : due).push(item);
    const screened = await witness.screenMany(waiting);
    const verdicts = await witness.observeMany(due);
    const judged = [...waiting, ...due];
    for (const [i, verdict] of [...screened, ...verdicts].entries()) {
      const { origin, note } = judged[i] as { origin: string; note: string };
      switch (verdict.kind) {
        case 'behind':
          backfill.behind(origin, verdict.checkpoint.size, note);
          await backfill.pump(origin);
          break;
        case 'fits':
          this.hold(origin, { note, size: verdict.checkpoint.size });
          break;
        case 'cosigned':
          this.settled.set(origin, signedText(note));
          this.opened(origin, verdict.checkpoint.size);
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
          this.settled.set(origin, signedText(note));
          break;
      }
    }
  }

  /** Whether `origin` was cosigned less than cosignEveryMs ago (a window over is dropped here). */
  private inWindow(origin: string, now: number): boolean {
    const window = this.windows.get(origin);
    if (window === undefined) return false;
    if (now < window.at + this.cosignEveryMs) return true;
    if (window.held === undefined) this.windows.delete(origin);
    return false;
  }

  /** `origin` was cosigned at `size`: its window opens, keeping a checkpoint held beyond that size (a reordering). */
  private opened(origin: string, size: number): void {
    if (this.cosignEveryMs <= 0) return;
    const before = this.windows.get(origin);
    const window: CosignWindow = { at: this.timer.now(), size, waking: false };
    this.windows.set(origin, window);
    if (before?.held !== undefined) this.hold(origin, before.held);
  }

  /** A checkpoint that fits, inside its log's window: held for the window's end unless one held or cosigned covers it. */
  private hold(origin: string, arrival: Arrival): void {
    const window = this.windows.get(origin);
    if (window === undefined) {
      // The window ended while this one was screened: judged in full, as one that arrived now.
      this.requeue(origin, arrival);
      return;
    }
    if (arrival.size <= Math.max(window.size, window.held?.size ?? 0)) return;
    window.held = arrival;
    if (window.waking) return;
    window.waking = true;
    this.timer.wake(
      () => {
        this.release(origin, window);
      },
      Math.max(0, window.at + this.cosignEveryMs - this.timer.now()),
    );
  }

  /** The window is over: its held checkpoint is judged in full and cosigned, as one that arrived now. */
  private release(origin: string, window: CosignWindow): void {
    const { held } = window;
    if (this.windows.get(origin) !== window || held === undefined || this.ctx.closed) return;
    this.windows.delete(origin);
    this.requeue(origin, held);
  }

  private requeue(origin: string, arrival: Arrival): void {
    this.queue(origin, arrival.note)
      .catch((error: unknown) => {
        this.reportFailure(origin, error);
      })
      .catch(() => undefined); // a listener that throws on the report too, as in the ordered work
  }
}

/** A note's text, the part its signatures sign (core/signed-note.ts): without the signature lines that follow. */
function signedText(note: string): string {
  return note.slice(0, note.lastIndexOf('\n\n') + 1);
}
