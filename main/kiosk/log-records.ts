// Every entry of every log in a store, as records for the breach engine. An entry that does not decode is a
// problem to report, not a reason to stop: the store may hold a replica from a faulty kiosk.
import { toHex } from '../../core/bytes.ts';
import type { Problem } from '../../core/breach/findings.ts';
import { decodeLeaf } from '../../core/entry.ts';
import { MusterError, errorMessage } from '../../core/errors.ts';
import type { LogRecord } from '../../core/records/entry-ref.ts';
import type { LedgerStore } from '../../ledger/store.ts';

export interface StoreRecords {
  readonly records: LogRecord[];
  readonly problems: Problem[];
}

/**
 * Records with kiosk time at or before `until` (all when omitted): the log as it stood then. `from` names, per
 * log, the first sequence number to read (a reader that already holds the entries before it).
 */
export function readLogRecords(store: LedgerStore, until = Infinity, from: ReadonlyMap<string, number> = new Map()): StoreRecords {
  const records: LogRecord[] = [];
  const problems: Problem[] = [];
  for (const origin of store.origins()) {
    for (const row of store.range(origin, from.get(origin) ?? 0, store.head(origin).size)) {
      if (row.ts > until) continue;
      const ref = { origin, seq: row.seq, hash: toHex(row.hash) };
      try {
        const { body } = decodeLeaf(row.leaf);
        records.push({ ref, ts: body.ts, type: body.type, payload: body.payload });
      } catch (error) {
        problems.push({ ref, type: row.type, code: error instanceof MusterError ? error.code : 'malformed', message: errorMessage(error) });
      }
    }
  }
  return { records, problems };
}
