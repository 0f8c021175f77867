// Replication of signed logs over MQTT. A node publishes its own log (entries as they are committed, then its
// signed checkpoint, retained) and follows other logs: it verifies every entry before storing it (through the
// ReplicaStore), witnesses their checkpoints, and pulls whatever it is missing with backfill requests that any
// holder of the log answers from its SQLite store. MQTT is treated as lossy: a gap in the entries, or a
// checkpoint larger than the replica, triggers a request; an unanswered request is retried.
//
// Handlers never wait for the broker (a publish's PUBACK arrives on the same connection as the messages being
// handled): replies and requests are sent in the background.
//
// Messages are handed over without waiting for the ones before them (MqttLink pipelines acknowledgements), so
// entry batches that arrive together are queued and stored together: one ingestMany, one SQLite commit, then
// every one of them is acknowledged. A group goes to the store as soon as it forms, while the groups before it
// may still be verifying or committing (the store keeps them in order), so that HQ's verification never waits
// for a commit. Everything else that depends on the stored entries (checkpoints) runs in arrival order after the
// groups queued before it have committed.
import { randomUUID } from 'node:crypto';
import { decodeLeaf } from '../core/entry.ts';
import { MusterError, errorMessage } from '../core/errors.ts';
import type { IngestResult, Rejected } from '../ledger/ingest-plan.ts';
import { parseCheckpoint, parseNote } from '../ledger/note.ts';
import type { StoredCheckpoint } from '../ledger/store.ts';
import type { MessageHandler, MqttLink } from './mqtt-link.ts';
import type { IngestBatch, ReplicaStore } from './replica-store.ts';
import { type ParsedTopic, topicId, topics } from './topics.ts';
import type { ForkEvidence, Witness } from './witness.ts';
import { MAX_BATCH, decodeBatch, decodeNoteText, decodeRequest, encodeBatch, encodeRequest } from './wire.ts';

/** The node's own log, as the ledger's LogWriter provides it. */
export interface OwnLog {
  readonly origin: string;
  checkpoint(): StoredCheckpoint;
}

export type ReplicationEvent =
  | { readonly kind: 'ingested'; readonly origin: string; readonly inserted: number; readonly size: number; readonly source: string }
  | { readonly kind: 'rejected'; readonly origin: string; readonly source: string; readonly rejected: readonly Rejected[] }
  | { readonly kind: 'equivocation'; readonly origin: string; readonly seqs: readonly number[]; readonly source: string }
  | { readonly kind: 'cosigned'; readonly origin: string; readonly size: number; readonly note: string }
  | { readonly kind: 'rollback' | 'fork'; readonly origin: string; readonly evidence: ForkEvidence }
  | { readonly kind: 'bad-message'; readonly topic: string; readonly reason: string }
  /** Entries of a log this node does not admit (`admits`): refused, not stored. `publisher` when the topic proves it. */
  | { readonly kind: 'unregistered'; readonly origin: string; readonly source: string; readonly publisher?: string }
  | { readonly kind: 'published'; readonly origin: string; readonly size: number }
  /** The ordered work (group commits, checkpoint checks) failed: a fault of this node, reported, never dropped. */
  | { readonly kind: 'fault'; readonly reason: string };

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
  readonly onEvent?: (event: ReplicationEvent) => void;
  /** Messages on topics that are not replication's (heartbeats, cosignatures, alerts), e.g. for HQ's fleet view. */
  readonly onOther?: MessageHandler;
  /**
   * Whether a followed log may be stored at all (HQ: the registry's kiosks and pinned ones). A log it refuses is
   * an `unregistered` event, and its checkpoints are ignored.
   */
  readonly admits?: (origin: string) => boolean;
}

interface Want {
  target: number;
  request?: { id: string; to: number; sentAt: number };
  /** The largest checkpoint seen while behind: witnessed once the replica reaches it. */
  pendingNote?: string;
  pendingSize: number;
}

/** Replies in flight per request: enough to keep the broker busy, bounded so one catch-up cannot flood it. */
const REPLY_WINDOW = 16;
/** Leaves stored in one commit at most; a larger burst takes several. */
const MAX_GROUP_LEAVES = 4000;
/**
 * Groups handed to the store and not yet committed, at most: enough for the store to verify the next while it
 * commits one; beyond it, batches wait and join one larger group (one commit) as under load before.
 */
const MAX_GROUPS_IN_FLIGHT = 4;

interface Arrival {
  readonly note: string;
  readonly size: number;
}

interface Started {
  readonly group: readonly Queued[];
  readonly results: Promise<PromiseSettledResult<IngestResult>[]>;
}

interface Queued {
  readonly batch: IngestBatch;
  readonly source: string;
  readonly done: () => void;
  readonly failed: (error: unknown) => void;
}

export class Replicator {
  private readonly wants = new Map<string, Want>();
  private cursor = 0;
  private flushing = false;
  private flushAgain = false;
  private readonly clock: () => number;
  private readonly retryMs: number;
  private readonly checkpointEveryMs: number;
  private lastCheckpointAt = -Infinity;
  private checkpointTimer: NodeJS.Timeout | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly background = new Set<Promise<void>>();
  private closed = false;
  /** Entry batches waiting for the next group commit, in arrival order. */
  private queued: Queued[] = [];
  /** Set while batches are queued and not yet handed to the store: hands their groups to the ordered work. */
  private opened: ((started: Started[]) => void) | undefined;
  private startScheduled = false;
  /** Groups in the store (or holding a slot for it); more wait in `slotWaiters`, in order. */
  private groupsInFlight = 0;
  private readonly slotWaiters: (() => void)[] = [];
  /** The ordered work: group commits' outcomes and checkpoint checks, one at a time. */
  private tail: Promise<void> = Promise.resolve();
  /** The checkpoint that arrived last from each log (its size as claimed, unverified). */
  private readonly latestNotes = new Map<string, Arrival>();
  /** Checkpoints waiting for the next witness group, in arrival order. */
  private queuedNotes: { readonly origin: string; readonly arrival: Arrival; readonly done: () => void; readonly failed: (error: unknown) => void }[] = [];
  private notesScheduled = false;

  constructor(private readonly options: ReplicatorOptions) {
    this.clock = options.clock ?? Date.now;
    this.retryMs = options.retryMs ?? 3000;
    this.checkpointEveryMs = options.checkpointEveryMs ?? 1000;
  }

  get id(): string {
    return this.options.link.id;
  }

  async start(): Promise<void> {
    const { link, follow, own } = this.options;
    link.setHandler((topic, payload) => this.handle(topic, payload));
    link.onConnect(() => {
      this.track(this.announce());
    });
    const filters: string[] = [topics.inbox(link.id)];
    if (follow === 'all') filters.push(...topics.everyLog);
    else for (const origin of follow) filters.push(topics.entries(origin), topics.checkpoint(origin), topics.request(origin));
    if (own) filters.push(topics.request(own.origin));
    await link.subscribe(filters);
    if (link.connected) await this.announce();
    this.timer = setInterval(() => {
      this.retry();
    }, Math.max(50, Math.floor(this.retryMs / 2)));
    this.timer.unref();
  }

  /** Tell the replicator the own log grew: the new entries and a checkpoint go out in the next tick. */
  appended(): void {
    if (this.flushing) {
      this.flushAgain = true;
      return;
    }
    this.flushing = true;
    setImmediate(() => {
      this.track(this.flush());
    });
  }

  /** Backfills every followed log that is behind (and retries requests that went unanswered). */
  retry(): void {
    for (const origin of this.wants.keys()) this.track(this.pump(origin));
  }

  /** How many entries of other logs this node knows it is missing. */
  async backlog(): Promise<number> {
    let missing = 0;
    for (const [origin, want] of this.wants) missing += Math.max(0, want.target - (await this.options.store.size(origin)));
    return missing;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    if (this.checkpointTimer) clearTimeout(this.checkpointTimer);
    // Group commits and witness groups already queued finish before the caller closes the store.
    await this.tail;
    await Promise.allSettled([...this.background]);
  }

  private async announce(): Promise<void> {
    const { own, link } = this.options;
    if (!own) return;
    // Whatever was appended while offline is fetched by the receivers from the checkpoint: never from memory.
    this.cursor = await this.options.store.size(own.origin);
    const checkpoint = own.checkpoint();
    this.lastCheckpointAt = performance.now();
    if (link.connected) await link.publish(topics.checkpoint(own.origin), checkpoint.note, true);
  }

  private async flush(): Promise<void> {
    const { own, store, link } = this.options;
    try {
      if (!own || !link.connected) return;
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
    const { own, link } = this.options;
    if (!own || this.closed || !link.connected) return;
    const checkpoint = own.checkpoint();
    this.lastCheckpointAt = performance.now();
    this.send(topics.checkpoint(own.origin), checkpoint.note, true);
    this.emit({ kind: 'published', origin: own.origin, size: checkpoint.size });
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
          if (this.follows(topic.origin) && this.options.admits?.(topic.origin) !== false) await this.queueNote(topic.origin, decodeNoteText(payload, 'checkpoint'));
          return;
        case 'request':
          this.answer(topic.origin, payload);
          return;
        case 'cosign':
        case 'health':
        case 'alerts':
          await this.options.onOther?.(topic, payload);
          return;
      }
    } catch (error) {
      if (!(error instanceof MusterError)) throw error;
      this.emit({ kind: 'bad-message', topic: `${topic.kind}${'origin' in topic ? ` ${topic.origin}` : ''}`, reason: error.message });
    }
  }

  /** Whether a log may be stored (`admits`); undefined when every followed log may. */
  admits(origin: string): boolean | undefined {
    return this.options.admits?.(origin);
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
    if (batch.origin !== origin) throw new MusterError('bad-message', `entries for ${batch.origin} published on the topic of ${origin}`);
    if (!this.follows(origin) || batch.leaves.length === 0) return Promise.resolve();
    if (this.options.admits?.(origin) === false) {
      // On a log's own topic the broker's ACL proves the publisher; an inbox reply could come from any node.
      this.emit({ kind: 'unregistered', origin, source, ...(expectedOrigin === undefined ? {} : { publisher: topicId(origin) }) });
      return Promise.resolve();
    }
    return new Promise((done, failed) => {
      this.queued.push({ batch: { origin, leaves: batch.leaves, source: `${source}:${this.id}` }, source, done, failed });
      if (this.opened) return;
      // The batches' place in the ordered work is taken now, ahead of any checkpoint that arrives after them.
      let handOver: (started: Started[]) => void = () => undefined;
      const started = new Promise<Started[]>((resolve) => {
        handOver = resolve;
      });
      this.opened = handOver;
      void this.inOrder(async () => {
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
   * A checkpoint still queued when a later one of the same log, claiming at least its size, arrived: only the later
   * one is witnessed (a witness owes no cosignature to every checkpoint, and under load this sheds the work). A
   * later one claiming less is a rollback or a reordering, so both are judged.
   */
  private superseded(origin: string, arrival: Arrival): boolean {
    const latest = this.latestNotes.get(origin);
    if (latest === arrival) this.latestNotes.delete(origin);
    return latest !== undefined && latest !== arrival && latest.size >= arrival.size;
  }

  /** Queues a checkpoint for the next witness group (after the entries that arrived before it); resolves once judged. */
  private queueNote(origin: string, note: string): Promise<void> {
    const arrival = { note, size: claimedSize(note) };
    this.latestNotes.set(origin, arrival);
    return new Promise((done, failed) => {
      this.queuedNotes.push({ origin, arrival, done, failed });
      if (this.notesScheduled) return;
      this.notesScheduled = true;
      void this.inOrder(() => new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.witnessGroup()));
    });
  }

  private async witnessGroup(): Promise<void> {
    const group = this.queuedNotes;
    this.queuedNotes = [];
    this.notesScheduled = false;
    try {
      await this.checkpoints(group.filter((q) => !this.superseded(q.origin, q.arrival)).map((q) => ({ origin: q.origin, note: q.arrival.note })));
    } catch (error) {
      for (const q of group) q.failed(error);
      return;
    }
    for (const q of group) q.done();
  }

  /** Runs `work` after everything queued before it (group commits, checkpoint checks). */
  private inOrder(work: () => Promise<void>): Promise<void> {
    const run = this.tail.then(work);
    // Reported, and the queue goes on: a listener that throws on the report too must not stall it.
    this.tail = run
      .catch((error: unknown) => {
        this.emit({ kind: 'fault', reason: errorMessage(error) });
      })
      .catch(() => undefined);
    return run;
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
      while (take < this.queued.length && (take === 0 || leaves + (this.queued[take]?.batch.leaves.length ?? 0) <= MAX_GROUP_LEAVES)) {
        leaves += this.queued[take]?.batch.leaves.length ?? 0;
        take++;
      }
      const group = this.queued.slice(0, take);
      this.queued = this.queued.slice(take);
      const results = this.storeSlot().then(() => this.options.store.ingestMany(group.map((q) => q.batch)));
      // Also marks a rejection handled: groupStored awaits it only after the work before it.
      const landed = (): void => {
        this.releaseStoreSlot();
      };
      results.then(landed, landed);
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

  private async groupStored(group: readonly Queued[], pending: Promise<PromiseSettledResult<IngestResult>[]>): Promise<void> {
    let results: PromiseSettledResult<IngestResult>[];
    try {
      results = await pending;
    } catch (error) {
      for (const q of group) q.failed(error);
      return;
    }
    const grown = new Set<string>();
    for (const [i, q] of group.entries()) {
      const result = results[i];
      if (result?.status === 'fulfilled') {
        this.stored(q, result.value);
        grown.add(q.batch.origin);
        q.done();
      } else if (result?.reason instanceof MusterError) {
        this.emit({ kind: 'bad-message', topic: `entries ${q.batch.origin}`, reason: result.reason.message });
        q.done();
      } else {
        q.failed(result?.reason);
      }
    }
    for (const origin of grown) await this.caughtUp(origin);
  }

  /** Reports what one batch did and notes what it showed to be missing. */
  private stored(q: Queued, result: IngestResult): void {
    const { origin, leaves } = q.batch;
    const source = q.source;
    if (result.inserted > 0) this.emit({ kind: 'ingested', origin, inserted: result.inserted, size: result.size, source });
    if (result.rejected.length > 0) this.emit({ kind: 'rejected', origin, source, rejected: result.rejected });
    if (result.equivocations.length > 0) this.emit({ kind: 'equivocation', origin, seqs: result.equivocations, source });
    if (result.missingFrom !== undefined) this.wantFor(origin).target = Math.max(this.wantFor(origin).target, lastSeq(leaves) + 1);
    const want = this.wants.get(origin);
    if (!want) return;
    if (want.request && result.size >= want.request.to) delete want.request;
    else if (want.request && result.inserted > 0) want.request.sentAt = this.clock();
  }

  /** After a group commit: witness a checkpoint that was waiting for these entries, and backfill what is still missing. */
  private async caughtUp(origin: string): Promise<void> {
    const want = this.wants.get(origin);
    if (!want) return;
    if (want.pendingNote !== undefined && (await this.options.store.size(origin)) >= want.pendingSize) {
      const note = want.pendingNote;
      delete want.pendingNote;
      await this.checkpoints([{ origin, note }]);
    }
    await this.pump(origin);
  }

  /** Judges checkpoints as a witness (one witness-state transaction for all), and acts on each verdict. */
  private async checkpoints(items: readonly { readonly origin: string; readonly note: string }[]): Promise<void> {
    const { store, witness } = this.options;
    const known: { origin: string; note: string }[] = [];
    for (const item of items) {
      if ((await store.verifiers(item.origin)).length > 0) {
        known.push(item);
        continue;
      }
      // A log never seen: its key comes with entry 0. The size read here is unverified and only bounds the request.
      let size: number;
      try {
        size = parseCheckpoint(parseNote(item.note).text).size;
      } catch (error) {
        if (!(error instanceof MusterError)) throw error;
        this.emit({ kind: 'bad-message', topic: `checkpoint ${item.origin}`, reason: error.message });
        continue;
      }
      this.behind(item.origin, size, item.note);
      await this.pump(item.origin);
    }
    const verdicts = await witness.observeMany(known);
    for (const [i, verdict] of verdicts.entries()) {
      const { origin, note } = known[i] as { origin: string; note: string };
      switch (verdict.kind) {
        case 'behind':
          this.behind(origin, verdict.checkpoint.size, note);
          await this.pump(origin);
          break;
        case 'cosigned':
          this.emit({ kind: 'cosigned', origin, size: verdict.checkpoint.size, note: verdict.note });
          this.send(topics.cosign(origin, witness.name), verdict.note, true);
          break;
        case 'rollback':
        case 'fork':
          this.emit({ kind: verdict.kind, origin, evidence: verdict.evidence });
          break;
        case 'invalid':
          this.emit({ kind: 'bad-message', topic: `checkpoint ${origin}`, reason: `checkpoint of ${origin}: ${verdict.reason}` });
          break;
        case 'stale':
          break;
      }
    }
  }

  private behind(origin: string, size: number, note: string): void {
    const want = this.wantFor(origin);
    want.target = Math.max(want.target, size);
    if (size >= want.pendingSize) {
      want.pendingNote = note;
      want.pendingSize = size;
    }
  }

  private wantFor(origin: string): Want {
    let want = this.wants.get(origin);
    if (!want) {
      want = { target: 0, pendingSize: 0 };
      this.wants.set(origin, want);
    }
    return want;
  }

  /** Sends a backfill request when the replica is behind and no request is in flight (or the last one expired). */
  private async pump(origin: string): Promise<void> {
    const want = this.wants.get(origin);
    if (!want || this.closed) return;
    const held = await this.options.store.size(origin);
    if (held >= want.target) {
      delete want.request;
      return;
    }
    const now = this.clock();
    if (want.request && now - want.request.sentAt < this.retryMs) return;
    if (!this.options.link.connected) return;
    const request = { id: randomUUID(), to: want.target, sentAt: now };
    want.request = request;
    this.send(topics.request(origin), encodeRequest({ from: held, to: request.to, replyTo: this.id, id: request.id }));
  }

  /** Answers a backfill request from the store, in the background, a window of replies at a time. */
  private answer(origin: string, payload: Buffer): void {
    const request = decodeRequest(payload);
    if (request.replyTo === this.id) return;
    this.track(
      (async () => {
        const { store, link } = this.options;
        const held = await store.size(origin);
        const end = Math.min(request.to, held);
        const inbox = topics.inbox(request.replyTo);
        const window = new Set<Promise<void>>();
        for (let from = request.from; from < end && !this.closed && link.connected; from += MAX_BATCH) {
          const leaves = await store.leaves(origin, from, Math.min(end, from + MAX_BATCH));
          const sent = link.publish(inbox, encodeBatch({ origin, leaves, id: request.id })).finally(() => window.delete(sent));
          window.add(sent);
          if (window.size >= REPLY_WINDOW) await Promise.race(window);
        }
        await Promise.all(window);
      })(),
    );
  }

  private send(topic: string, payload: Uint8Array | string, retain = false): void {
    if (!this.options.link.connected) return;
    this.track(this.options.link.publish(topic, payload, retain));
  }

  private track(work: Promise<void>): void {
    const tracked = work.catch((error: unknown) => {
      // Lost publishes are recovered by retries and backfill; report and carry on.
      this.emit({ kind: 'bad-message', topic: '(background)', reason: errorMessage(error) });
    });
    this.background.add(tracked);
    void tracked.finally(() => this.background.delete(tracked));
  }

  private emit(event: ReplicationEvent): void {
    this.options.onEvent?.(event);
  }
}

/** The size a checkpoint note claims, unverified (0 when it does not parse: the witness will say why). */
function claimedSize(note: string): number {
  try {
    return parseCheckpoint(parseNote(note).text).size;
  } catch {
    return 0;
  }
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
