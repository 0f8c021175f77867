// ReplicaStore over the ledger's SQLite log store: the kiosk's own store (own log + peers' replicas) and HQ's
// embedded default. The witness state lives in the same file, so a cosignature is never issued for a state
// that a crash could forget.
import { MusterError } from '../core/errors.ts';
import { KeySchedule } from '../ledger/key-schedule.ts';
import type { Verifier } from '../ledger/keys.ts';
import { consistencyProof, rootHash } from '../ledger/merkle.ts';
import { type IngestResult, ingestEntries } from '../ledger/replica.ts';
import type { Conflict, LedgerStore } from '../ledger/store.ts';
import type { ReplicaStore, WitnessedCheckpoint } from './replica-store.ts';
import { MIN_POOLED, type VerifyPool } from './verify-pool.ts';

const WITNESS_SCHEMA = `
CREATE TABLE IF NOT EXISTS net_witnessed (
  origin TEXT PRIMARY KEY,
  size INTEGER NOT NULL,
  root BLOB NOT NULL,
  note TEXT NOT NULL,
  at INTEGER NOT NULL
) STRICT;
`;

export interface SqliteReplicaStoreOptions {
  /** Pinned genesis keys by origin (HQ's kiosk registry); logs not listed are trusted on first use. */
  readonly trustedKeys?: ReadonlyMap<string, Uint8Array>;
  readonly clock?: () => number;
  /** Worker threads for signature checks of large batches (HQ); without it everything is checked inline. */
  readonly pool?: VerifyPool;
}

export class SqliteReplicaStore implements ReplicaStore {
  private readonly schedules = new Map<string, KeySchedule>();

  constructor(
    readonly ledger: LedgerStore,
    private readonly options: SqliteReplicaStoreOptions = {},
  ) {
    ledger.db.exec(WITNESS_SCHEMA);
  }

  async ingest(origin: string, leaves: readonly Uint8Array[], source: string): Promise<IngestResult> {
    const pool = this.options.pool;
    let preverified: Set<Uint8Array> | undefined;
    if (pool && leaves.length >= MIN_POOLED) {
      const keys = (await this.settledSchedule(origin)).toSpans();
      if (keys.length > 0) preverified = new Set([...(await pool.verify(origin, keys, leaves))].map((i) => leaves[i] as Uint8Array));
    }
    return settle(() => {
      const trustedKey = this.options.trustedKeys?.get(origin);
      const schedule = this.schedule(origin);
      try {
        const result = ingestEntries(this.ledger, origin, leaves, {
          source,
          now: (this.options.clock ?? Date.now)(),
          schedule,
          ...(trustedKey ? { trustedKey } : {}),
          ...(preverified ? { preverified } : {}),
        });
        // A rejected genesis may have named its key in the schedule before its signature failed.
        if (!this.ledger.log(origin)) this.schedules.delete(origin);
        return result;
      } catch (error) {
        this.schedules.delete(origin);
        throw error;
      }
    });
  }

  size(origin: string): Promise<number> {
    return Promise.resolve(this.ledger.head(origin).size);
  }

  leaves(origin: string, from: number, to: number): Promise<Uint8Array[]> {
    return Promise.resolve([...this.ledger.range(origin, from, to)].map((row) => row.leaf));
  }

  root(origin: string, size: number): Promise<Uint8Array> {
    return settle(() => {
      this.requireSize(origin, size);
      return rootHash(this.ledger.treeSource(origin), size);
    });
  }

  consistencyProof(origin: string, oldSize: number, newSize: number): Promise<Uint8Array[]> {
    return settle(() => {
      this.requireSize(origin, newSize);
      return consistencyProof(this.ledger.treeSource(origin), oldSize, newSize);
    });
  }

  verifiers(origin: string): Promise<Verifier[]> {
    return settle(() => (this.ledger.log(origin) ? this.schedule(origin).verifiers : []));
  }

  private settledSchedule(origin: string): Promise<KeySchedule> {
    return settle(() => this.schedule(origin));
  }

  /** The log's key schedule, verified once and then extended by ingest as rotations arrive. */
  private schedule(origin: string): KeySchedule {
    let schedule = this.schedules.get(origin);
    if (!schedule) {
      const log = this.ledger.log(origin);
      schedule = log ? KeySchedule.load(this.ledger, origin, log.genesisKey) : new KeySchedule(origin, []);
      this.schedules.set(origin, schedule);
    }
    return schedule;
  }

  origins(): Promise<string[]> {
    return Promise.resolve(this.ledger.origins());
  }

  witnessed(origin: string): Promise<WitnessedCheckpoint | undefined> {
    const row = this.ledger.db
      .prepare<[string], WitnessedCheckpoint>('SELECT size, root, note, at FROM net_witnessed WHERE origin = ?')
      .get(origin);
    return Promise.resolve(row);
  }

  setWitnessed(origin: string, next: WitnessedCheckpoint, previousSize: number | undefined): Promise<boolean> {
    const db = this.ledger.db;
    const stored = db.transaction(() => {
      const current = db.prepare<[string], { size: number }>('SELECT size FROM net_witnessed WHERE origin = ?').get(origin);
      if (current?.size !== previousSize) return false;
      db.prepare('INSERT OR REPLACE INTO net_witnessed (origin, size, root, note, at) VALUES (?, ?, ?, ?, ?)').run(
        origin,
        next.size,
        next.root,
        next.note,
        next.at,
      );
      return true;
    }).immediate();
    return Promise.resolve(stored);
  }

  conflicts(origin: string): Promise<Conflict[]> {
    return Promise.resolve(this.ledger.conflicts(origin));
  }

  close(): Promise<void> {
    this.ledger.close();
    return Promise.resolve();
  }

  private requireSize(origin: string, size: number): void {
    const held = this.ledger.head(origin).size;
    if (size > held) throw new MusterError('not-held', `${origin} has ${held} entries here, not ${size}`);
  }
}

/** Runs synchronous store work as a promise: a throw becomes a rejection, as with a network database. */
function settle<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}
