// The breach watcher's only input: verified entries of every log, as records, from the one verified read path
// (ledger/verified-reader.ts: hash, chain link, key in force with the registry's revocations, signature, with a
// high-water mark per log). An entry that fails is never judged; a later revocation that withdraws entries
// already judged makes the watcher judge again from scratch.
import { toHex } from '../../core/bytes.ts';
import type { LogRecord } from '../../core/records/entry-ref.ts';
import type { EntryRow, LedgerStore } from '../../ledger/store.ts';
import {
  type EntryRange,
  type EntrySource,
  VerifiedReader,
  type VerifiedReaderOptions,
  type VerifyProblem,
  ledgerEntrySource,
} from '../../ledger/verified-reader.ts';
import type { ReplicaStore } from '../replica-store.ts';
import { storedWitnessed } from '../sqlite-replica-store.ts';

export interface VerifiedRecords {
  /** Records verified since the last call; `withdrawn`: some handed out before are no longer trusted. */
  next(): Promise<{
    readonly records: readonly LogRecord[];
    readonly problems: readonly VerifyProblem[];
    readonly withdrawn: boolean;
  }>;
  /** Starts over: the next call hands out every verified record again. */
  reset(): void;
  /**
   * A log grew to `size` entries (undefined: a size not known here, another node's commit): the next call may read
   * only the logs named since the last one.
   */
  grew?(origin: string, size?: number): void;
  /** Entries may have been stored with no word of it (`grew`): the next call looks at every log. */
  unannounced?(): void;
  /** Whether the next call has something to read: logs named, or a look at every log asked for, since the last call. */
  waiting?(): boolean;
}

/** An entry source that can also list every log with its size in one read (HQ on PostgreSQL). */
export interface SizedEntrySource extends EntrySource {
  sizes?(): Promise<ReadonlyMap<string, number>>;
}

/** What the verified reader reads of HQ's store, either backend. */
export type WitnessingStore = Pick<ReplicaStore, 'witnessed' | 'witnessedOrigins'> &
  Pick<SizedEntrySource, 'origins' | 'size' | 'rows' | 'sizes' | 'rowsMany'>;

/**
 * HQ's store as the verified reader's source: a log's size is at least the checkpoint HQ witnessed (the witness
 * accepts one only for entries it holds, net/witness.ts). Rows deleted from the end leave that checkpoint beyond the
 * highest row: the entries it counts are then missing, a problem at the first of them, not a shorter log judged
 * silently. A log deleted whole (its rows and its listing) is listed still, from the witness state: a problem at
 * its entry 0, not a person's check-ins gone unnoticed. A store's `sizes` must count and list the witnessed logs the
 * same way (PostgresHqStore.sizes).
 */
export function witnessedEntrySource(store: WitnessingStore): SizedEntrySource {
  return {
    origins: async () => [...new Set([...(await store.origins()), ...(await store.witnessedOrigins())])].sort(),
    size: async (origin) => Math.max(await store.size(origin), (await store.witnessed(origin))?.size ?? 0),
    rows: (origin, from, to) => store.rows(origin, from, to),
    ...(store.sizes ? { sizes: store.sizes.bind(store) } : {}),
    ...(store.rowsMany ? { rowsMany: store.rowsMany.bind(store) } : {}),
  };
}

/**
 * A log store's file read offline (`muster breaches --db`) as HQ reads it: where the file holds the witness state
 * (HQ's store, a kiosk witnessing its peers), a log's size is at least the checkpoint witnessed too, beyond the
 * latest one its log tables kept; the state is read without migrating or writing (net/sqlite-replica-store.ts).
 */
export function witnessedLedgerSource(ledger: LedgerStore): EntrySource {
  const source = ledgerEntrySource(ledger);
  const witness = storedWitnessed(ledger);
  if (!witness) return source;
  return { ...witnessedEntrySource({ ...source, ...witness }), ownOrigin: source.ownOrigin };
}

export interface ListingOptions {
  /**
   * Longest time between two calls that list every log (default 5000 ms): the safety net for entries stored with
   * no `grew` (another process's write). A call asked to (`unannounced`) lists every log too.
   */
  readonly everyMs?: number;
  readonly clock?: () => number;
}

/** What one call reads: every log (with the sizes listed in one read, where the store can), or only those named. */
interface Call {
  readonly named: ReadonlyMap<string, number> | undefined;
  listed: ReadonlyMap<string, number>;
  /** The named logs' new rows, read in one query (rowsMany) before the reader asks for them one log at a time. */
  readonly read: ReadonlyMap<string, { readonly range: EntryRange; readonly rows: readonly EntryRow[] }>;
}

/** Rows of a named log read ahead at most (the reader reads a longer catch-up in its own chunks). */
const READ_AHEAD = 1024;

/**
 * Records through a VerifiedReader over any entry source (HQ's stores, an agency node's, a SQLite log store).
 * A call reads only the logs named as grown since the last call, at the sizes told, and nothing when none was
 * named (a pass for a deadline, or one woken by a word an earlier call already read): its cost follows the new
 * entries, not the province's thousands of logs. It lists every log's size (one read where the store lists them
 * at once) the first time, when a size is not known, when asked to (`unannounced`), and at least every `everyMs`,
 * the safety net for entries stored with no word. A named size is one the store committed; it is never taken
 * below what the reader verified (an older event), and a size behind by the time it is used makes the reader read
 * fewer entries, the next call the rest.
 */
export class ReaderRecords implements VerifiedRecords {
  private reader: VerifiedReader;
  private readonly view: EntrySource;
  /** Logs named since the last call, with the largest size told (absent from it: a size not known). */
  private grown = new Map<string, number | undefined>();
  /** The next call lists every log (`unannounced`). */
  private everyLog = false;
  private call: Call = { named: undefined, listed: new Map(), read: new Map() };
  /** When a call last listed every log; undefined: the next call must. */
  private listedAt: number | undefined;
  private readonly everyMs: number;
  private readonly clock: () => number;
  /** One call at a time: each reads by its own plan. */
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    source: SizedEntrySource,
    private readonly options: VerifiedReaderOptions = {},
    listing: ListingOptions = {},
  ) {
    this.everyMs = listing.everyMs ?? 5000;
    this.clock = listing.clock ?? Date.now;
    this.view = {
      origins: async () => {
        if (this.call.named) return [...this.call.named.keys()];
        if (!source.sizes) return source.origins();
        this.call.listed = await source.sizes();
        return [...this.call.listed.keys()];
      },
      size: (origin) => {
        const named = this.call.named?.get(origin);
        if (named !== undefined) return Promise.resolve(Math.max(named, this.reader.verifiedSize(origin)));
        const listed = this.call.listed.get(origin);
        return listed === undefined ? source.size(origin) : Promise.resolve(listed);
      },
      rows: (origin, from, to) => {
        const ahead = this.call.read.get(origin);
        if (!ahead || from < ahead.range.start || to > ahead.range.end) return source.rows(origin, from, to);
        return Promise.resolve(ahead.rows.filter((row) => row.seq >= from && row.seq < to));
      },
      ownOrigin: source.ownOrigin,
      ...(source.rowsMany ? { rowsMany: source.rowsMany.bind(source) } : {}),
    };
    this.reader = new VerifiedReader(this.view, options);
  }

  grew(origin: string, size?: number): void {
    const told = this.grown.get(origin);
    const unknown = size === undefined || (this.grown.has(origin) && told === undefined);
    this.grown.set(origin, unknown ? undefined : Math.max(size, told ?? 0));
  }

  unannounced(): void {
    this.everyLog = true;
  }

  waiting(): boolean {
    return this.everyLog || this.grown.size > 0;
  }

  next(): Promise<{ records: LogRecord[]; problems: readonly VerifyProblem[]; withdrawn: boolean }> {
    const run = this.running.catch(() => undefined).then(() => this.read());
    this.running = run;
    return run;
  }

  reset(): void {
    this.reader = new VerifiedReader(this.view, this.options);
    this.listedAt = undefined;
  }

  private async read(): Promise<{ records: LogRecord[]; problems: readonly VerifyProblem[]; withdrawn: boolean }> {
    const named = this.plan();
    this.call = { named, listed: new Map(), read: named ? await this.readAhead(named) : new Map() };
    const batch = await this.reader.next();
    return {
      records: batch.entries.map((e): LogRecord => ({
        ref: { origin: e.origin, seq: e.seq, hash: toHex(e.hash) },
        ts: e.ts,
        type: e.type,
        payload: e.payload,
      })),
      problems: batch.problems,
      withdrawn: batch.withdrawn.length > 0,
    };
  }

  /** The named logs' new rows in one read, where the store reads several ranges at once. */
  private async readAhead(named: ReadonlyMap<string, number>): Promise<Call['read']> {
    const rowsMany = this.view.rowsMany?.bind(this.view);
    const ranges: EntryRange[] = [];
    for (const [origin, size] of named) {
      const start = this.reader.verifiedSize(origin);
      if (size > start) ranges.push({ origin, start, end: Math.min(size, start + READ_AHEAD) });
    }
    if (!rowsMany || ranges.length < 2) return new Map();
    const rows = await rowsMany(ranges);
    return new Map(ranges.map((range, i) => [range.origin, { range, rows: rows[i] ?? [] }]));
  }

  /** The logs this call reads with their sizes (none: nothing to read), or undefined: every log. */
  private plan(): ReadonlyMap<string, number> | undefined {
    const grown = this.grown;
    const everyLog = this.everyLog;
    this.grown = new Map();
    this.everyLog = false;
    const now = this.clock();
    const named = new Map<string, number>();
    for (const [origin, size] of grown) if (size !== undefined) named.set(origin, size);
    if (everyLog || named.size < grown.size || this.listedAt === undefined || now - this.listedAt >= this.everyMs) {
      this.listedAt = now;
      return undefined;
    }
    return named;
  }
}
