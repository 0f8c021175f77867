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

/** Records through a VerifiedReader over any entry source (HQ's stores, an agency node's, a SQLite log store). */
export class ReaderRecords implements VerifiedRecords {
  private reader: VerifiedReader;

  constructor(
    private readonly source: EntrySource,
    private readonly options: VerifiedReaderOptions = {},
  ) {
    this.reader = new VerifiedReader(source, options);
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
