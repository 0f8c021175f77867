// Replication of signed logs over MQTT. A node publishes its own log (entries as they are committed, then its
// signed checkpoint, retained) and follows other logs: it verifies every entry before storing it (through the
// ReplicaStore), witnesses their checkpoints, and pulls whatever it is missing with backfill requests that any
// holder of the log answers from its SQLite store. MQTT is treated as lossy: a gap in the entries, or a
// checkpoint larger than the replica, triggers a request; an unanswered request is retried.
//
// This file routes messages to the parts that hold each state machine: the own log's publishing
// (own-log-publisher.ts), group commits of entries (group-commit.ts), checkpoint witnessing
// (checkpoint-witnessing.ts) and backfill (backfill.ts), over what they share (replication-context.ts).
// Handlers never wait for the broker (a publish's PUBACK arrives on the same connection as the messages being
// handled): replies and requests are sent in the background. Everything that depends on the stored entries
// (checkpoints) runs in arrival order after the groups queued before it have committed; a message is acknowledged
// without waiting for that ordered work (entries at their commit, a checkpoint once queued): PUBACKs go in arrival
// order, so one checkpoint's witnessing held every later acknowledgement, and a NATS node whose session holds
// max_ack_pending unacknowledged messages drops further deliveries until its ack_wait redelivers them.
import { MusterError } from '../core/errors.ts';
import { Backfill, answerRequest } from './backfill.ts';
import { CheckpointWitnessing } from './checkpoint-witnessing.ts';
import { GroupCommits } from './group-commit.ts';
import type { MessageHandler, MqttLink } from './mqtt-link.ts';
import { type OwnLog, OwnLogPublisher } from './own-log-publisher.ts';
import type { ReplicaStore } from './replica-store.ts';
import { ReplicationContext, type ReplicationEvent } from './replication-context.ts';
import { type ParsedTopic, topicId, topics } from './topics.ts';
import type { Witness } from './witness.ts';
import { decodeBatch, decodeNoteText } from './wire.ts';

export type { OwnLog } from './own-log-publisher.ts';
export type { ReplicationEvent } from './replication-context.ts';

/**
 * Checkpoints acknowledged and not yet judged, at most (a few hundred bytes each): beyond it a checkpoint is
 * acknowledged once judged, and the link's window holds the rest back.
 */
const MAX_NOTES_UNJUDGED = 4096;

export interface ReplicatorOptions {
  readonly link: MqttLink;
  readonly store: ReplicaStore;
  readonly witness: Witness;
  readonly own?: OwnLog;
  /** Logs to replicate: a list of origins (a kiosk's peers), or every log on the broker (HQ). */
  readonly follow: readonly string[] | 'all';
  readonly clock?: () => number;
  /** An unanswered backfill request is sent again after this long. */
  readonly retryMs?: number;
  /**
   * The own checkpoint goes out at most this often (real time; default 1000 ms), the latest one always within
   * this long of the last append: entries go out at once, and a receiver finds a gap from the entries themselves.
   */
  readonly checkpointEveryMs?: number;
  /**
   * A followed log is cosigned at most this often (real time; default 0: each checkpoint as it comes). A checkpoint
   * inside the window is checked for a fork or rollback at once; the latest is cosigned when the window ends
   * (net/checkpoint-witnessing.ts). HQ sets it: it witnesses every log of the fleet.
   */
  readonly cosignEveryMs?: number;
  readonly onEvent?: (event: ReplicationEvent) => void;
  /** Messages on topics that are not replication's (heartbeats, cosignatures, alerts), e.g. for HQ's fleet view. */
  readonly onOther?: MessageHandler;
  /**
   * Whether a followed log may be stored at all (HQ: the registry's kiosks and pinned ones). A log it refuses is
   * an `unregistered` event, and its checkpoints are ignored.
   */
  readonly admits?: (origin: string) => boolean;
}

export class Replicator {
  private readonly ctx: ReplicationContext;
  private readonly retryMs: number;
  private readonly publisher: OwnLogPublisher | undefined;
  private readonly backfill: Backfill;
  private readonly witnessing: CheckpointWitnessing;
  private readonly commits: GroupCommits;
  private timer: NodeJS.Timeout | undefined;
  private notesUnjudged = 0;

  constructor(private readonly options: ReplicatorOptions) {
    this.ctx = new ReplicationContext(options.link, options.store, options.clock ?? Date.now, options.onEvent);
    this.retryMs = options.retryMs ?? 3000;
    this.publisher = options.own
      ? new OwnLogPublisher(this.ctx, options.own, options.checkpointEveryMs ?? 1000)
      : undefined;
    this.backfill = new Backfill(this.ctx, this.retryMs);
    this.witnessing = new CheckpointWitnessing(this.ctx, options.witness, this.backfill, options.cosignEveryMs);
    this.commits = new GroupCommits(this.ctx, this.backfill, (origin) => this.witnessing.caughtUp(origin));
  }

  get id(): string {
    return this.options.link.id;
  }

  async start(): Promise<void> {
    const { link, follow, own } = this.options;
    link.setHandler((topic, payload) => this.handle(topic, payload));
    const connackMissed = link.connected;
    link.onConnect(() => {
      if (this.publisher) this.ctx.track(this.publisher.announce());
      this.resume();
    });
    // A follower of every log (HQ) takes entries at QoS 1 through one filter, its session's one burst; a follower of
    // a list (a kiosk: its peers, the registry) at QoS 0, one filter per log, and asks the holders at each connack for
    // what came while it was away: one QoS 1 filter per peer queued the backlog at the broker, and past
    // max_ack_pending in all NATS dropped the rest until ack_wait (60 s; test/net/kiosk-peers-one-burst.test.ts).
    // The rest at QoS 0 (see topics.ts).
    const entries: string[] = [];
    const latest: string[] = [topics.inbox(link.id)];
    if (follow === 'all') {
      entries.push(topics.everyLogEntries);
      latest.push(...topics.everyLogLatest);
    } else
      for (const origin of follow)
        latest.push(topics.entries(origin), topics.checkpoint(origin), topics.request(origin));
    if (own) latest.push(topics.request(own.origin));
    await link.subscribe(entries);
    await link.subscribe(latest, 0);
    if (link.connected) await this.publisher?.announce();
    if (connackMissed) this.resume();
    this.timer = setInterval(
      () => {
        this.retry();
      },
      Math.max(50, Math.floor(this.retryMs / 2)),
    );
    this.timer.unref();
  }

  /** Tell the replicator the own log grew: the new entries and a checkpoint go out in the next tick. */
  appended(): void {
    this.publisher?.appended();
  }

  /** Backfills every followed log that is behind (and retries requests that went unanswered). */
  retry(): void {
    this.backfill.retry();
  }

  /** How many entries of other logs this node knows it is missing. */
  backlog(): Promise<number> {
    return this.backfill.backlog();
  }

  /** Starts nothing more: no retries, requests, replies or checkpoints. */
  stop(): void {
    this.ctx.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.publisher?.stop();
  }

  /**
   * Stops, then waits for the work in hand: group commits and witness groups already queued finish before the
   * caller closes the store. The background publishes end only once acknowledged or failed: close the link first.
   */
  async close(): Promise<void> {
    this.stop();
    await this.ctx.drained();
  }

  /**
   * At a connack (a follower of a list): asks each followed log's holders for what was appended while away, once the
   * inbox their replies come to is subscribed again.
   */
  private resume(): void {
    const { follow, link } = this.options;
    if (follow === 'all') return;
    this.ctx.track(
      link.latestSubscribed().then(async () => {
        await Promise.all(follow.map((origin) => this.backfill.probe(origin)));
      }),
    );
  }

  /** `admits` now lets `origin` in (a kiosk just registered): fetch what it published while it was refused. */
  admitted(origin: string): void {
    this.ctx.track(this.backfill.probe(origin));
  }

  /** Whether a log may be stored (`admits`); undefined when every followed log may. */
  admits(origin: string): boolean | undefined {
    return this.options.admits?.(origin);
  }

  private async handle(topic: ParsedTopic, payload: Buffer): Promise<void> {
    const source = topic.kind === 'inbox' ? 'backfill' : 'live';
    try {
      switch (topic.kind) {
        case 'entries':
          if (this.follows(topic.origin)) await this.ingest(topic.origin, payload, source);
          return;
        case 'inbox':
          if (topic.client === this.id) await this.ingest(undefined, payload, source);
          return;
        case 'checkpoint':
          if (this.follows(topic.origin) && this.options.admits?.(topic.origin) !== false)
            await this.queueCheckpoint(topic.origin, decodeNoteText(payload, 'checkpoint'));
          return;
        case 'request':
          answerRequest(this.ctx, topic.origin, payload);
          return;
        case 'cosign':
        case 'health':
        case 'alerts':
          await this.options.onOther?.(topic, payload);
          return;
      }
    } catch (error) {
      if (!(error instanceof MusterError)) throw error;
      this.ctx.emit({
        kind: 'bad-message',
        topic: `${topic.kind}${'origin' in topic ? ` ${topic.origin}` : ''}`,
        reason: error.message,
      });
    }
  }

  /**
   * Queues a checkpoint for witnessing and resolves at once (while fewer than MAX_NOTES_UNJUDGED wait), so its
   * acknowledgement does not wait for the ordered work. Safe to lose in a crash: a checkpoint holds nothing to store,
   * and a restarted node subscribes to every filter again, for which the broker sends each log's latest checkpoint
   * (retained) anew; entries are acknowledged only once committed.
   */
  private async queueCheckpoint(origin: string, note: string): Promise<void> {
    this.notesUnjudged++;
    const judged = this.witnessing.queue(origin, note).finally(() => {
      this.notesUnjudged--;
    });
    const reported = judged
      .catch((error: unknown) => {
        this.witnessing.reportFailure(origin, error);
      })
      .catch(() => undefined); // a listener that throws on the report too, as in the ordered work
    if (this.notesUnjudged > MAX_NOTES_UNJUDGED) await reported;
  }

  private follows(origin: string): boolean {
    const { follow, own } = this.options;
    if (origin === own?.origin) return false;
    return follow === 'all' || follow.includes(origin);
  }

  /** Queues a batch for the next group commit; resolves once it is stored (or refused). */
  private ingest(expectedOrigin: string | undefined, payload: Buffer, source: string): Promise<void> {
    const batch = decodeBatch(payload);
    const origin = expectedOrigin ?? batch.origin;
    if (batch.origin !== origin)
      throw new MusterError('bad-message', `entries for ${batch.origin} published on the topic of ${origin}`);
    if (!this.follows(origin) || batch.leaves.length === 0) return Promise.resolve();
    if (this.options.admits?.(origin) === false) {
      // On a log's own topic the broker's ACL proves the publisher; an inbox reply could come from any node.
      this.ctx.emit({
        kind: 'unregistered',
        origin,
        source,
        ...(expectedOrigin === undefined ? {} : { publisher: topicId(origin) }),
      });
      return Promise.resolve();
    }
    return this.commits.enqueue({ origin, leaves: batch.leaves, source: `${source}:${this.id}` }, source);
  }
}
