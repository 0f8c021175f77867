// Backfill: what each followed log is known to be missing, and the requests for it. A gap in the entries or a
// checkpoint larger than the replica sets a target; one request per log is in flight, sent again when it goes
// unanswered (MQTT is lossy) after the shared jittered backoff (runtime/retry.ts): a fleet that lost its broker
// at once does not resend all its requests in the same instant. Any holder of a log answers requests for it from
// its store.
import { randomUUID } from 'node:crypto';
import { decodeLeaf } from '../core/entry.ts';
import type { IngestResult } from '../ledger/ingest-plan.ts';
import { Backoff, type BackoffPolicy, type Random } from '../runtime/retry.ts';
import type { ReplicationContext } from './replication-context.ts';
import { topics } from './topics.ts';
import { MAX_BATCH, decodeRequest, encodeBatch, encodeRequest } from './wire.ts';

interface Want {
  target: number;
  /** The request in flight, resent from `resendAt` on (the clock's time) unless entries keep arriving. */
  request?: { id: string; to: number; resendAt: number };
  /** Unanswered requests in a row: each resend waits longer. */
  readonly backoff: Backoff;
  /** The largest checkpoint seen while behind: witnessed once the replica reaches it. */
  pendingNote?: string;
  pendingSize: number;
}

/** Replies in flight per request: enough to keep the broker busy, bounded so one catch-up cannot flood it. */
const REPLY_WINDOW = 16;

export class Backfill {
  private readonly wants = new Map<string, Want>();
  private readonly policy: BackoffPolicy;

  /** `retryMs`: the first resend comes between retryMs/2 and retryMs after the request, later ones up to 8 times that. */
  constructor(
    private readonly ctx: ReplicationContext,
    retryMs: number,
    private readonly random: Random = Math.random,
  ) {
    this.policy = { initialMs: retryMs, maxMs: 8 * retryMs, jitter: 0.5 };
  }

  /** Backfills every followed log that is behind (and retries requests that went unanswered). */
  retry(): void {
    for (const origin of this.wants.keys()) this.ctx.track(this.pump(origin));
  }

  /** How many entries of other logs this node knows it is missing. */
  async backlog(): Promise<number> {
    let missing = 0;
    for (const [origin, want] of this.wants) missing += Math.max(0, want.target - (await this.ctx.store.size(origin)));
    return missing;
  }

  /** A checkpoint of `size` showed the replica behind: fetch up to it, and witness the largest such note once there. */
  behind(origin: string, size: number, note: string): void {
    const want = this.wantFor(origin);
    want.target = Math.max(want.target, size);
    if (size >= want.pendingSize) {
      want.pendingNote = note;
      want.pendingSize = size;
    }
  }

  /** Notes what one stored batch showed to be missing, and whether it answered the request in flight. */
  stored(origin: string, leaves: readonly Uint8Array[], result: IngestResult): void {
    if (result.missingFrom !== undefined)
      this.wantFor(origin).target = Math.max(this.wantFor(origin).target, lastSeq(leaves) + 1);
    const want = this.wants.get(origin);
    if (!want) return;
    if (want.request && result.size >= want.request.to) this.answered(want);
    else if (want.request && result.inserted > 0) {
      // Replies are arriving: the request is being answered, so its clock starts again.
      want.backoff.reset();
      want.request.resendAt = this.ctx.clock() + want.backoff.next();
    }
  }

  /** After a group commit: `judge` a checkpoint that was waiting for these entries, and backfill what is still missing. */
  async caughtUp(origin: string, judge: (note: string) => Promise<void>): Promise<void> {
    const want = this.wants.get(origin);
    if (!want) return;
    if (want.pendingNote !== undefined && (await this.ctx.store.size(origin)) >= want.pendingSize) {
      const note = want.pendingNote;
      delete want.pendingNote;
      await judge(note);
    }
    await this.pump(origin);
  }

  /** Sends a backfill request when the replica is behind and no request is in flight (or the last one expired). */
  async pump(origin: string): Promise<void> {
    const { ctx } = this;
    const want = this.wants.get(origin);
    if (!want || ctx.closed) return;
    const held = await ctx.store.size(origin);
    if (held >= want.target) {
      this.answered(want);
      return;
    }
    const now = ctx.clock();
    if (want.request && now < want.request.resendAt) return;
    if (!ctx.link.connected) return;
    const request = { id: randomUUID(), to: want.target, resendAt: now + want.backoff.next() };
    want.request = request;
    ctx.send(topics.request(origin), encodeRequest({ from: held, to: request.to, replyTo: ctx.id, id: request.id }));
  }

  /**
   * Asks a log's holders for everything past what the store holds, its size unknown (a log just admitted, whose
   * retained checkpoint was ignored before; a kiosk's peer after a connack): each holder answers up to what it has.
   * It is the request in flight (one sent before a connack was answered to a connection gone), so a checkpoint
   * arriving with it waits for its answer instead of asking again. A lost request is made good by the log's next
   * checkpoint, as any gap is.
   */
  async probe(origin: string): Promise<void> {
    const { ctx } = this;
    if (ctx.closed || !ctx.link.connected) return;
    const from = await ctx.store.size(origin);
    const want = this.wantFor(origin);
    const request = { id: randomUUID(), to: Number.MAX_SAFE_INTEGER, resendAt: ctx.clock() + want.backoff.next() };
    want.request = request;
    ctx.send(topics.request(origin), encodeRequest({ from, to: request.to, replyTo: ctx.id, id: request.id }));
  }

  private answered(want: Want): void {
    delete want.request;
    want.backoff.reset();
  }

  private wantFor(origin: string): Want {
    let want = this.wants.get(origin);
    if (!want) {
      want = { target: 0, pendingSize: 0, backoff: new Backoff(this.policy, this.random) };
      this.wants.set(origin, want);
    }
    return want;
  }
}

/** Answers another node's backfill request from the store, in the background, a window of replies at a time. */
export function answerRequest(ctx: ReplicationContext, origin: string, payload: Buffer): void {
  const request = decodeRequest(payload);
  if (request.replyTo === ctx.id) return;
  ctx.track(
    (async () => {
      const { store, link } = ctx;
      const held = await store.size(origin);
      const end = Math.min(request.to, held);
      const inbox = topics.inbox(request.replyTo);
      const window = new Set<Promise<void>>();
      for (let from = request.from; from < end && !ctx.closed && link.connected; from += MAX_BATCH) {
        const leaves = await store.leaves(origin, from, Math.min(end, from + MAX_BATCH));
        const sent = link
          .publish(inbox, encodeBatch({ origin, leaves, id: request.id }))
          .finally(() => window.delete(sent));
        window.add(sent);
        if (window.size >= REPLY_WINDOW) await Promise.race(window);
      }
      await Promise.all(window);
    })(),
  );
}

function lastSeq(leaves: readonly Uint8Array[]): number {
  const last = leaves.at(-1);
  if (!last) return -1;
  try {
    return decodeLeaf(last).body.seq;
  } catch {
    return -1;
  }
}
