// The breach watcher's only input: verified entries of every log, as records, from the one verified read path
// (ledger/verified-reader.ts: hash, chain link, key in force with the registry's revocations, signature, with a
// high-water mark per log). An entry that fails is never judged; a later revocation that withdraws entries
// already judged makes the watcher judge again from scratch.
import { toHex } from '../../core/bytes.ts';
import type { LogRecord } from '../../core/records/entry-ref.ts';
import {
  type EntrySource,
  VerifiedReader,
  type VerifiedReaderOptions,
  type VerifyProblem,
} from '../../ledger/verified-reader.ts';

export interface VerifiedRecords {
  /** Records verified since the last call; `withdrawn`: some handed out before are no longer trusted. */
  next(): Promise<{
    readonly records: readonly LogRecord[];
    readonly problems: readonly VerifyProblem[];
    readonly withdrawn: boolean;
  }>;
  /** Starts over: the next call hands out every verified record again. */
  reset(): void;
}

/** An entry source that can also list every log with its size in one read (HQ on PostgreSQL). */
export interface SizedEntrySource extends EntrySource {
  sizes?(): Promise<ReadonlyMap<string, number>>;
}

/**
 * The source as the reader's passes read it: where the store lists every log's size in one read, `origins()` takes
 * that list and `size()` answers from it, instead of a query per log per pass (a province's thousands of logs made
 * each breach-watcher pass take seconds). A size from the list may be behind by the time it is used: the reader
 * then reads fewer entries, and the next pass the rest.
 */
function sizesInOneRead(source: SizedEntrySource): EntrySource {
  if (!source.sizes) return source;
  const sizes = source.sizes.bind(source);
  let listed: ReadonlyMap<string, number> = new Map();
  return {
    origins: async () => {
      listed = await sizes();
      return [...listed.keys()];
    },
    size: (origin) => {
      const size = listed.get(origin);
      return size === undefined ? source.size(origin) : Promise.resolve(size);
    },
    rows: (origin, from, to) => source.rows(origin, from, to),
    ownOrigin: source.ownOrigin,
  };
}

/** Records through a VerifiedReader over any entry source (HQ's stores, an agency node's, a SQLite log store). */
export class ReaderRecords implements VerifiedRecords {
  private reader: VerifiedReader;
  private readonly source: EntrySource;

  constructor(
    source: SizedEntrySource,
    private readonly options: VerifiedReaderOptions = {},
  ) {
    this.source = sizesInOneRead(source);
    this.reader = new VerifiedReader(this.source, options);
  }

  async next(): Promise<{ records: LogRecord[]; problems: readonly VerifyProblem[]; withdrawn: boolean }> {
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

  reset(): void {
    this.reader = new VerifiedReader(this.source, this.options);
  }
}
