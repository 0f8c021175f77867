// Records for the breach engine, taken only from the verified read path (ledger/verified-reader.ts): an entry
// whose hash, chain link, key in force or signature does not check is never a record. It is a problem instead,
// with every later entry of its log, so that a reader can refuse to judge or judge without it and say so.
import { toHex } from '../../core/bytes.ts';
import type { Problem } from '../../core/breach/findings.ts';
import type { LogRecord } from '../../core/records/entry-ref.ts';
import type { LedgerStore } from '../../ledger/store.ts';
import {
  type VerifiedBatch,
  type VerifiedEntry,
  VerifiedReader,
  type VerifyProblem,
  ledgerEntrySource,
} from '../../ledger/verified-reader.ts';

export interface StoreRecords {
  readonly records: LogRecord[];
  /** Entries withheld because they failed verification (each with every later entry of its log). */
  readonly unverified: readonly VerifyProblem[];
}

export function toRecord(entry: VerifiedEntry): LogRecord {
  return {
    ref: { origin: entry.origin, seq: entry.seq, hash: toHex(entry.hash) },
    ts: entry.ts,
    type: entry.type,
    payload: entry.payload,
  };
}

/** A verification problem as the breach report lists it. */
export function unverifiedProblem(problem: VerifyProblem): Problem {
  return {
    ref: { origin: problem.origin, seq: problem.seq, hash: '' },
    type: 'unverified',
    code: 'entry-unverified',
    message: `${problem.reason}; this entry and every later one of ${problem.origin} are left out`,
  };
}

/** Records of a batch with kiosk time at or before `until`. */
export function batchRecords(batch: VerifiedBatch, until = Infinity): StoreRecords {
  return { records: batch.entries.filter((e) => e.ts <= until).map(toRecord), unverified: batch.problems };
}

/** Every verified record of every log in a store with kiosk time at or before `until`: the log as it stood then. */
export function readLogRecords(store: LedgerStore, until = Infinity): StoreRecords {
  return batchRecords(new VerifiedReader(ledgerEntrySource(store)).nextSync(), until);
}

/**
 * The withheld entry that could have changed a verdict reached at `at`, if any: a verdict from the last verified
 * entry of a failing log on (a withheld check-in, excuse or plan can concern anyone judged after it).
 */
export function doubtOver(at: number, problems: readonly VerifyProblem[]): VerifyProblem | undefined {
  return problems.find((p) => p.after === undefined || at >= p.after);
}

/** The verdicts a withheld entry could have changed. */
export function verdictsInDoubt<T extends { readonly at: number }>(
  verdicts: readonly T[],
  problems: readonly VerifyProblem[],
): T[] {
  return verdicts.filter((v) => doubtOver(v.at, problems) !== undefined);
}
