// How derived results point at their evidence: an entry is named by its log, position and leaf hash, so
// anyone holding the logs (or a receipt) can check that the evidence is exactly what was signed.
import type { EntryType, Payload } from '../entry.ts';

export interface EntryRef {
  readonly origin: string;
  readonly seq: number;
  /** RFC 6962 leaf hash, lowercase hex. */
  readonly hash: string;
}

/** An entry as the rules see it: where it is, its kiosk time and its (not yet validated) payload. */
export interface LogRecord {
  readonly ref: EntryRef;
  /** Kiosk wall-clock time of the entry, ms since the Unix epoch. */
  readonly ts: number;
  readonly type: EntryType;
  readonly payload: Payload;
}

export function refKey(ref: EntryRef): string {
  return `${ref.origin}@${ref.seq}`;
}

/** The total order used everywhere a tie must be broken the same way on every node. */
export function compareRecords(a: LogRecord, b: LogRecord): number {
  return (
    a.ts - b.ts || (a.ref.origin < b.ref.origin ? -1 : a.ref.origin > b.ref.origin ? 1 : 0) || a.ref.seq - b.ref.seq
  );
}
