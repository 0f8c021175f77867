// The breach watcher's only input: verified entries of every log, as records. One narrow interface so the verified
// read path (a high-water mark per log) plugs in as one change; until then HQ's replica stores are the source,
// since they verify hash, chain link, key in force and signature before storing anything (net/replica-store.ts).
import { toHex } from '../../core/bytes.ts';
import { decodeLeaf } from '../../core/entry.ts';
import type { LogRecord } from '../../core/records/entry-ref.ts';
import { leafHash } from '../../ledger/hash.ts';
import type { ReplicaStore } from '../replica-store.ts';

export interface VerifiedRecords {
  origins(): Promise<string[]>;
  /** The verified records of `origin` from seq `from` on, and the seq to read from next time. */
  read(origin: string, from: number): Promise<{ readonly records: readonly LogRecord[]; readonly next: number }>;
}

/** Reads at most this many entries of one log per call, so a large catch-up never holds every leaf at once. */
const PAGE = 5000;

/** Records from a replica store that verified every entry at ingest. */
export class ReplicaStoreRecords implements VerifiedRecords {
  constructor(private readonly store: Pick<ReplicaStore, 'origins' | 'size' | 'leaves'>) {}

  origins(): Promise<string[]> {
    return this.store.origins();
  }

  async read(origin: string, from: number): Promise<{ records: LogRecord[]; next: number }> {
    const to = Math.min(await this.store.size(origin), from + PAGE);
    if (to <= from) return { records: [], next: from };
    const records = (await this.store.leaves(origin, from, to)).map((leaf): LogRecord => {
      const { body } = decodeLeaf(leaf);
      return { ref: { origin, seq: body.seq, hash: toHex(leafHash(leaf)) }, ts: body.ts, type: body.type, payload: body.payload };
    });
    return { records, next: to };
  }
}
