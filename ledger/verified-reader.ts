// The one verified read path: every reader of records (breaches, HQ's and the staff screens, receipts, exports)
// takes entries from a VerifiedReader, which hands out an entry only after checking its stored columns, hash,
// sequence number, chain link, key in force (the registry's registrations and revocations included) and
// signature, with fsck's row checks (ledger/verify-range.ts). It keeps a verified high-water mark per log (size
// and head hash), so each call verifies only what was appended since. The head hash commits to every entry
// below it, but the rows stay in a file an administrator can edit: each call also re-verifies a bounded window
// below the marks (a sweep that goes round every log), so a row changed after it was verified is found and what
// the reader handed out from it on is withdrawn.
// A call that finds many entries to verify (a first full verification) checks their signatures on every core:
// VerifyPool's worker threads and this one share each chunk's signatures, while the structural checks stay on
// this thread in order (checkRange, rangeResult: the one verifier fsck's blocks also run).
// A log's first bad entry and every entry after it are withheld and reported as a problem; a revocation that
// arrives later withdraws the entries it makes untrusted.
import { availableParallelism } from 'node:os';
import { bytesEqual } from '../core/bytes.ts';
import { type DecodedLeaf, type EntryType, type Payload, ZERO_HASH } from '../core/entry.ts';
import { KeySchedule } from './key-schedule.ts';
import { REGISTRY_ORIGIN, type Registry, registryFrom } from './registry.ts';
import type { EntryRow, LedgerStore } from './store.ts';
import { type CheckedRange, checkRange, rangeResult, verifyRows } from './verify-range.ts';
import { MIN_POOLED, type StartedJob, type VerifyItem, type VerifyKey, VerifyPool } from './verify-pool.ts';
import type { Verifier } from './keys.ts';
import type { KindedFailure } from './problem-kind.ts';

/** An entry whose every check passed. */
export interface VerifiedEntry {
  readonly origin: string;
  readonly seq: number;
  /** Kiosk wall-clock time, ms since the epoch. */
  readonly ts: number;
  readonly type: EntryType;
  readonly payload: Payload;
  /** RFC 6962 leaf hash, recomputed from the signed bytes. */
  readonly hash: Uint8Array;
  /** The signed bytes as stored (exports carry them). */
  readonly leaf: Uint8Array;
}

/** A log's first entry that failed: it and every entry after it are withheld. */
export interface VerifyProblem extends KindedFailure {
  readonly origin: string;
  readonly seq: number;
  /** Kiosk time of the last entry before it that verified (undefined: none): a verdict from then on may lack evidence. */
  readonly after: number | undefined;
}

export interface VerifiedBatch {
  /** Entries verified since the last call, per log in order. */
  readonly entries: readonly VerifiedEntry[];
  /** Every log's standing problem (not only new ones). */
  readonly problems: readonly VerifyProblem[];
  /** Entries handed out before that a later revocation makes untrusted: a reader holding them drops them. */
  readonly withdrawn: readonly { readonly origin: string; readonly fromSeq: number }[];
}

/** What the reader needs of a store: SQLite (ledgerEntrySource) or HQ's stores (ReplicaStore.rows). */
export interface EntrySource {
  /** The same, answered synchronously (a SQLite store): lets nextSync verify without the event loop. */
  readonly sync?: SyncEntrySource;
  origins(): Promise<readonly string[]>;
  size(origin: string): Promise<number>;
  /** Stored rows with from <= seq < to, in order; gaps are the reader's to find. */
  rows(origin: string, from: number, to: number): Promise<readonly EntryRow[]>;
  /** The store's own log: it takes the registry's revocations only (see KeySchedule.applyRegistry). */
  readonly ownOrigin?: string | undefined;
  /**
   * Rows of several ranges in one read, each range's as `rows` gives them (HQ on PostgreSQL): the sweep visits
   * many small logs per call, a read each without it.
   */
  rowsMany?(ranges: readonly EntryRange[]): Promise<readonly (readonly EntryRow[])[]>;
}

/** Entries start <= seq < end of a log. */
export interface EntryRange {
  readonly origin: string;
  readonly start: number;
  readonly end: number;
}

export interface SyncEntrySource {
  origins(): readonly string[];
  size(origin: string): number;
  rows(origin: string, from: number, to: number): readonly EntryRow[];
}

export interface VerifiedReaderOptions {
  /** Per origin, the genesis key its log must start with, from outside the store (HQ's registry key among them). */
  readonly trustedKeys?: ReadonlyMap<string, Uint8Array>;
  /** Rows read and checked at a time (bounds memory on a first full verification). */
  readonly chunk?: number;
  /** Rows below the marks re-verified per call, in windows of as many rows (default SWEEP). */
  readonly sweep?: number;
  /**
   * Least time between two calls that sweep (default 0: every call does). A reader called many times a second
   * (HQ's breach watcher at a province's peak, a pass per few new entries) re-verified a window of signatures per
   * call on its thread, most of its work; with this the sweep's cost follows the clock, not the calls.
   */
  readonly sweepEveryMs?: number;
  /** The clock sweepEveryMs is counted on, ms (default performance.now). */
  readonly clock?: () => number;
  /** A pool to check every range's signatures on (HQ's ingest pool); the caller closes it. */
  readonly pool?: VerifyPool;
  /**
   * Without `pool`: worker threads the reader starts for a call with at least BULK entries to verify, and stops
   * when it returns (default: one per further core; 0: this thread only).
   */
  readonly workers?: number;
}

/** Receives each chunk's verified entries as they pass, instead of the batch collecting them all (a city's log). */
export type EntrySink = (entries: readonly VerifiedEntry[]) => void;

const CHUNK = 8192;
/** Rows re-verified below the marks per call: an edit at rest is found within (entries / SWEEP) calls. */
const SWEEP = 512;
/** Entries to verify in one call from which starting worker threads (tens of ms) pays. */
const BULK = CHUNK;

interface Batch {
  readonly entries: VerifiedEntry[];
  readonly sink: EntrySink | undefined;
  readonly withdrawn: { origin: string; fromSeq: number }[];
  /** Registry entries already applied. */
  registrySeen: number;
}

interface LogMark {
  size: number;
  head: Uint8Array;
  lastTs: number | undefined;
  readonly schedule: KeySchedule;
  problem?: VerifyProblem;
  /** bounds[k] is the hash of entry (k + 1) * window - 1 as verified: where the sweep's windows start and end. */
  readonly bounds: Uint8Array[];
}

/** Rows from start to end of a log, the first to follow the entry whose leaf hash is `prev`. */
interface Range {
  readonly start: number;
  readonly end: number;
  readonly prev: Uint8Array;
}

/**
 * A range read and checked but for its signatures, which `job` verifies on the pool meanwhile. Reading a range
 * ahead (from the hash its predecessor's rows claim) keeps this thread busy while the workers check signatures;
 * if the predecessor then fails, the range is dropped unused.
 */
interface Prepared<J> {
  readonly rows: readonly EntryRow[];
  readonly checked: CheckedRange;
  readonly end: number;
  readonly job: J | undefined;
}

export class VerifiedReader {
  private readonly marks = new Map<string, LogMark>();
  /** The registry log's verified entries, from which the registry is derived. */
  private readonly registryRows: { type: string; leaf: Uint8Array }[] = [];
  private registry: Registry | undefined;
  /** One call at a time: two overlapping calls would both verify (and hand out) the same entries. */
  private running: Promise<unknown> = Promise.resolve();
  /** Where the sweep goes on: the log (in the marks' order) and the window in it. */
  private sweepAt = { log: 0, window: 0 };
  /** When a call last swept (sweepEveryMs's clock). */
  private sweptAt = Number.NEGATIVE_INFINITY;
  private readonly window: number;
  private readonly chunk: number;

  constructor(
    private readonly source: EntrySource,
    private readonly options: VerifiedReaderOptions = {},
  ) {
    this.window = options.sweep ?? SWEEP;
    this.chunk = options.chunk ?? CHUNK;
    if (!Number.isSafeInteger(this.window) || this.window < 1)
      throw new TypeError(`sweep: expected a positive integer, got ${this.window}`);
  }

  /**
   * Verifies every entry appended since the last call, re-verifies the sweep's next window below the marks, and
   * returns the entries that passed (or gives them to `sink`, chunk by chunk, and returns none).
   */
  next(sink?: EntrySink): Promise<VerifiedBatch> {
    const run = this.running.catch(() => undefined).then(() => this.advanceAll(sink));
    this.running = run;
    return run;
  }

  /** As next, for a store read synchronously (SQLite): the same checks, without the event loop. */
  nextSync(sink?: EntrySink): VerifiedBatch {
    const source = this.source.sync;
    if (!source) throw new TypeError('nextSync: the source is not synchronous');
    const batch = this.batch(sink);
    const sizes = this.order(source.origins()).map((origin) => [origin, source.size(origin)] as const);
    const pool = this.poolFor(sizes);
    const prepare = (origin: string, range: Range): Prepared<StartedJob> => {
      const rows = source.rows(origin, range.start, range.end);
      const checked = this.check(origin, range, rows);
      const job = pool ? signatureJob(checked) : undefined;
      return { rows, checked, end: range.end, job: job && pool?.startSync(job.keys, job.items) };
    };
    try {
      for (const [origin, size] of sizes) {
        for (let current = this.wanted(origin, size, prepare); current;) {
          // This thread reads and checks the next range while the pool's workers verify this one's signatures.
          const next = aheadOf(current, size, this.chunk);
          const ahead = next && prepare(origin, next);
          this.accept(origin, current.checked, current.rows, batch, current.job && pool?.finishSync(current.job));
          current = ahead && this.continues(origin, ahead) ? ahead : this.wanted(origin, size, prepare);
        }
      }
    } finally {
      this.release(pool);
    }
    for (const window of this.sweepDue())
      this.resweep(window, source.rows(window.origin, window.start, window.end), batch);
    return this.finish(batch);
  }

  /** Entries of `origin` verified so far (its high-water mark). */
  verifiedSize(origin: string): number {
    return this.marks.get(origin)?.size ?? 0;
  }

  /** The leaf hash of `origin`'s last verified entry (it commits to every entry below it); undefined before any. */
  verifiedHead(origin: string): Uint8Array | undefined {
    const mark = this.marks.get(origin);
    return mark && mark.size > 0 ? mark.head : undefined;
  }

  private async advanceAll(sink: EntrySink | undefined): Promise<VerifiedBatch> {
    const batch = this.batch(sink);
    const sizes: (readonly [string, number])[] = [];
    for (const origin of this.order(await this.source.origins())) sizes.push([origin, await this.source.size(origin)]);
    const pool = this.poolFor(sizes);
    const prepare = async (origin: string, range: Range): Promise<Prepared<Promise<Uint8Array | undefined>>> => {
      const rows = await this.source.rows(origin, range.start, range.end);
      const checked = this.check(origin, range, rows);
      const job = pool ? signatureJob(checked) : undefined;
      // A pool that fails (a worker died) vouches for nothing: rangeResult then checks every signature here.
      const verifying = job && pool?.verify(job.keys, job.items).catch(() => undefined);
      return { rows, checked, end: range.end, job: verifying };
    };
    try {
      for (const [origin, size] of sizes) {
        for (let current = await this.wanted(origin, size, prepare); current;) {
          const next = aheadOf(current, size, this.chunk);
          const ahead = next && (await prepare(origin, next));
          this.accept(origin, current.checked, current.rows, batch, await current.job);
          current = ahead && this.continues(origin, ahead) ? ahead : await this.wanted(origin, size, prepare);
        }
      }
    } finally {
      this.release(pool);
    }
    const windows = this.sweepDue();
    const swept = await sweptRows(this.source, windows);
    for (const [i, window] of windows.entries()) this.resweep(window, swept[i] ?? [], batch);
    return this.finish(batch);
  }

  /** The next range of `origin` the marks want, prepared from the mark's head; undefined when none. */
  private wanted<P>(origin: string, size: number, prepare: (origin: string, range: Range) => P): P | undefined {
    const range = this.want(origin, size);
    return range && prepare(origin, { ...range, prev: this.mark(origin).head });
  }

  /** Whether the range checked ahead starts where the log's verified entries now end (else it is dropped unused). */
  private continues(origin: string, ahead: Prepared<unknown>): boolean {
    const mark = this.mark(origin);
    return !mark.problem && mark.size === ahead.checked.start;
  }

  /** The pool for this call's signatures: the caller's, or one of the reader's own when many entries wait. */
  private poolFor(sizes: readonly (readonly [string, number])[]): VerifyPool | undefined {
    if (this.options.pool) return this.options.pool;
    const workers = this.options.workers ?? availableParallelism() - 1;
    let waiting = 0;
    for (const [origin, size] of sizes) waiting += Math.max(0, size - this.verifiedSize(origin));
    return workers > 0 && waiting >= BULK ? new VerifyPool(workers) : undefined;
  }

  /** Stops a pool this reader started (the workers exit once their last claims are done). */
  private release(pool: VerifyPool | undefined): void {
    if (pool && pool !== this.options.pool) void pool.close();
  }

  private check(origin: string, { start, end, prev }: Range, rows: readonly EntryRow[]): CheckedRange {
    return checkRange(origin, rows, start, end, prev, this.mark(origin).schedule, 'all');
  }

  private batch(sink: EntrySink | undefined): Batch {
    return { entries: [], sink, withdrawn: [], registrySeen: this.registryRows.length };
  }

  /** This call's sweep: its windows, or none while sweepEveryMs has not passed since the last call that swept. */
  private sweepDue(): EntryRange[] {
    const every = this.options.sweepEveryMs ?? 0;
    if (every > 0) {
      const now = this.options.clock?.() ?? performance.now();
      if (now - this.sweptAt < every) return [];
      this.sweptAt = now;
    }
    return this.sweepWindows();
  }

  /** The windows below the marks to re-verify in this call: one window's worth of rows, going on where the last call stopped. */
  private sweepWindows(): EntryRange[] {
    const logs = [...this.marks].filter(([, mark]) => !mark.problem && mark.size > 0);
    const windows: EntryRange[] = [];
    let budget = this.window;
    for (let visited = 0; budget > 0 && visited < logs.length;) {
      const at = this.sweepAt.log % logs.length;
      const [origin, mark] = logs[at] as [string, LogMark];
      const start = this.sweepAt.window * this.window;
      if (start >= mark.size) {
        this.sweepAt = { log: at + 1, window: 0 };
        visited++;
        continue;
      }
      const end = Math.min(mark.size, start + this.window);
      windows.push({ origin, start, end });
      budget -= end - start;
      this.sweepAt = { log: at, window: this.sweepAt.window + 1 };
    }
    return windows;
  }

  /** Checks a window of rows verified before: the same checks, from and to the hashes verified then. */
  private resweep({ origin, start, end }: EntryRange, rows: readonly EntryRow[], batch: Batch): void {
    const mark = this.marks.get(origin);
    // A problem found since (or a withdrawal below this window) already stopped the log here.
    if (!mark || mark.problem || end > mark.size) return;
    const window = Math.floor(start / this.window);
    const prev = window === 0 ? ZERO_HASH : (mark.bounds[window - 1] as Uint8Array);
    const last = end === mark.size ? mark.head : (mark.bounds[window] as Uint8Array);
    const result = verifyRows(origin, rows, start, end, prev, mark.schedule);
    let seq: number | undefined;
    let reason = '';
    if (!result.ok) ({ seq, reason } = result);
    else if (!bytesEqual(result.hashes.subarray(result.hashes.length - 32), last))
      [seq, reason] = [end - 1, 'the entry differs from the one verified before'];
    if (seq === undefined) return;
    batch.withdrawn.push({ origin, fromSeq: seq });
    mark.size = seq;
    mark.bounds.length = Math.floor(seq / this.window);
    mark.problem = {
      origin,
      seq,
      kind: 'changed',
      reason: `changed after it was verified: ${reason}`,
      after: result.entries.at(-1)?.body.ts,
    };
  }

  /** The registry first: its revocations decide which kiosk entries verify. */
  private order(origins: readonly string[]): string[] {
    return origins.includes(REGISTRY_ORIGIN)
      ? [REGISTRY_ORIGIN, ...origins.filter((o) => o !== REGISTRY_ORIGIN)]
      : [...origins];
  }

  private finish(batch: Batch): VerifiedBatch {
    const problems = [...this.marks.values()].flatMap((m) => (m.problem ? [m.problem] : []));
    return { entries: batch.entries, problems, withdrawn: batch.withdrawn };
  }

  private mark(origin: string): LogMark {
    let mark = this.marks.get(origin);
    if (!mark) {
      const schedule = new KeySchedule(origin, []);
      if (this.registry) schedule.applyRegistry(this.registry, origin === this.source.ownOrigin);
      mark = { size: 0, head: ZERO_HASH, lastTs: undefined, schedule, bounds: [] };
      this.marks.set(origin, mark);
    }
    return mark;
  }

  /** The next range of `origin` to verify, or undefined when it is done (or stopped at a problem). */
  private want(origin: string, size: number): { start: number; end: number } | undefined {
    const mark = this.mark(origin);
    if (mark.problem) return undefined;
    // A store that lost entries below the mark was truncated or rolled back.
    if (size < mark.size) {
      this.fail(mark, origin, size, {
        kind: 'rolled-back',
        reason: `the log has ${size} entries but ${mark.size} were verified before: entries were deleted or the log rolled back`,
      });
      return undefined;
    }
    return mark.size < size ? { start: mark.size, end: Math.min(size, mark.size + this.chunk) } : undefined;
  }

  /** Takes a checked range's entries up to its first failure; `verified`: the signatures a pool vouched for. */
  private accept(
    origin: string,
    checked: CheckedRange,
    rows: readonly EntryRow[],
    batch: Batch,
    verified: Uint8Array | undefined,
  ): void {
    const mark = this.mark(origin);
    const { start } = checked;
    const result = rangeResult(checked, verified);
    let failure: KindedFailure | undefined = result.ok ? undefined : result;
    let good = result.entries.length;
    // The trust anchor from outside the store: entry 0 must name it.
    const trusted = this.options.trustedKeys?.get(origin);
    const genesis = result.entries[0];
    if (start === 0 && trusted && genesis && !bytesEqual(genesis.body.payload.key as Uint8Array, trusted)) {
      good = 0;
      failure = {
        kind: origin === REGISTRY_ORIGIN ? 'registry-refused' : 'unregistered-key',
        reason: 'genesis key is not the trusted key for this log (log replaced?)',
      };
    }
    const taken: VerifiedEntry[] = [];
    this.take(origin, mark, result.entries.slice(0, good), rows, taken);
    if (batch.sink) batch.sink(taken);
    else for (const entry of taken) batch.entries.push(entry);
    if (failure) this.fail(mark, origin, start + good, failure);
    if (origin === REGISTRY_ORIGIN && (this.registryRows.length !== batch.registrySeen || !this.registry)) {
      batch.registrySeen = this.registryRows.length;
      this.applyRegistry(batch.withdrawn);
    }
  }

  private take(
    origin: string,
    mark: LogMark,
    decoded: readonly DecodedLeaf[],
    rows: readonly EntryRow[],
    out: VerifiedEntry[],
  ): void {
    for (const [i, { body }] of decoded.entries()) {
      const row = rows[i] as EntryRow;
      // verifyRows compared the stored hash with one recomputed from these bytes.
      out.push({
        origin,
        seq: body.seq,
        ts: body.ts,
        type: body.type,
        payload: body.payload,
        hash: row.hash,
        leaf: row.leaf,
      });
      if (origin === REGISTRY_ORIGIN) this.registryRows.push({ type: body.type, leaf: row.leaf });
      mark.head = row.hash;
      mark.lastTs = body.ts;
      if (body.seq % this.window === this.window - 1) mark.bounds.push(row.hash);
    }
    mark.size += decoded.length;
  }

  private fail(mark: LogMark, origin: string, seq: number, { kind, reason }: KindedFailure): void {
    mark.problem = { origin, seq, kind, reason, after: mark.lastTs };
  }

  /** Takes a grown registry: new revocations apply to every log, and withdraw entries already handed out. */
  private applyRegistry(withdrawn: { origin: string; fromSeq: number }[]): void {
    this.registry = registryFrom(this.registryRows);
    for (const [origin, mark] of this.marks) {
      if (origin === REGISTRY_ORIGIN) continue;
      const before = mark.schedule.toSpans();
      mark.schedule.applyRegistry(this.registry, origin === this.source.ownOrigin);
      const from = firstRevokedSeq(mark.schedule, before, mark.size);
      if (from === undefined) continue;
      withdrawn.push({ origin, fromSeq: from });
      mark.size = from;
      mark.bounds.length = Math.floor(from / this.window);
      this.fail(mark, origin, from, {
        kind: 'revoked-key',
        reason: `signed by a key revoked from entry ${mark.schedule.revokedFrom(mark.schedule.keyFor(from).publicKey)} (revocation arrived after the entry was read)`,
      });
    }
  }
}

/** The first seq below `size` that a key newly revoked in `schedule` signed, if any. */
function firstRevokedSeq(
  schedule: KeySchedule,
  before: readonly { fromSeq: number; publicKey: Uint8Array; revokedFrom?: number }[],
  size: number,
): number | undefined {
  let first: number | undefined;
  for (const [i, span] of before.entries()) {
    const revokedFrom = schedule.revokedFrom(span.publicKey);
    if (revokedFrom === undefined || revokedFrom === span.revokedFrom) continue;
    const spanEnd = before[i + 1]?.fromSeq ?? size;
    const from = Math.max(span.fromSeq, revokedFrom);
    if (from < Math.min(spanEnd, size)) first = Math.min(first ?? from, from);
  }
  return first;
}

/** A SQLite log store as an EntrySource: every log, or only those named (and the registry, whose revocations count). */
export function ledgerEntrySource(store: LedgerStore, only?: readonly string[]): EntrySource {
  const named = only === undefined ? undefined : new Set([...only, REGISTRY_ORIGIN]);
  const sync: SyncEntrySource = {
    origins: () => store.origins().filter((o) => named?.has(o) ?? true),
    // A store keeps only checkpoints its entries reach (log-writer, replicas, imports): rows deleted from the end
    // leave a checkpoint beyond the head, and the entries it counts are then missing, not silently absent.
    size: (origin) => Math.max(store.head(origin).size, store.latestCheckpoint(origin)?.size ?? 0),
    rows: (origin, from, to) => store.rangeAll(origin, from, to),
  };
  return {
    sync,
    origins: () => Promise.resolve(sync.origins()),
    size: (origin) => Promise.resolve(sync.size(origin)),
    rows: (origin, from, to) => Promise.resolve(sync.rows(origin, from, to)),
    ownOrigin: store.ownOrigin(),
  };
}

/** The sweep's windows' rows: in one read where the source can, else one read each. */
async function sweptRows(
  source: EntrySource,
  windows: readonly EntryRange[],
): Promise<readonly (readonly EntryRow[])[]> {
  if (source.rowsMany && windows.length > 1) return source.rowsMany(windows);
  const rows: (readonly EntryRow[])[] = [];
  for (const { origin, start, end } of windows) rows.push(await source.rows(origin, start, end));
  return rows;
}

/** The range after `current`, checked ahead from its last leaf hash; undefined after a structural failure or at the end. */
function aheadOf(current: Prepared<unknown>, size: number, chunk: number): Range | undefined {
  const { checked, end } = current;
  if (checked.structural || end >= size) return undefined;
  return { start: end, end: Math.min(size, end + chunk), prev: checked.hashes.subarray(checked.hashes.length - 32) };
}

/** A range's signatures as a VerifyPool job (undefined when too few to share), each under the key its row needs. */
function signatureJob(checked: CheckedRange): { keys: VerifyKey[]; items: VerifyItem[] } | undefined {
  if (checked.signed.length < MIN_POOLED) return undefined;
  const index = new Map<Verifier, number>();
  const keys: VerifyKey[] = [];
  const items = checked.signed.map(({ decoded, key }): VerifyItem => {
    let at = index.get(key);
    if (at === undefined) {
      at = keys.push({ origin: key.name, publicKey: key.publicKey }) - 1;
      index.set(key, at);
    }
    return { key: at, bodyBytes: decoded.bodyBytes, signature: decoded.signature };
  });
  return { keys, items };
}
