// ReplicaStore over the ledger's SQLite log store: the kiosk's own store (own log + peers' replicas) and HQ's
// embedded default. The witness state lives in the same file, so a cosignature is never issued for a state
// that a crash could forget.
import type Database from 'better-sqlite3';
import { bytesEqual } from '../core/bytes.ts';
import { MusterError } from '../core/errors.ts';
import { type DecodedBatch, type IngestResult, decodeForOrigin, planIngest, planResult } from '../ledger/ingest-plan.ts';
import { KeySchedule, readRegistry } from '../ledger/key-schedule.ts';
import type { Verifier } from '../ledger/keys.ts';
import { consistencyProof, rootHash } from '../ledger/merkle.ts';
import type { Conflict, LedgerStore } from '../ledger/store.ts';
import type { IngestBatch, ReplicaStore, WitnessUpdate, WitnessedCheckpoint } from './replica-store.ts';
import { MIN_POOLED, type VerifyGroup, type VerifyPool } from './verify-pool.ts';

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
  /** Signature checks of large batches on every core (HQ); without it everything is checked on this thread. */
  readonly pool?: VerifyPool;
}

export class SqliteReplicaStore implements ReplicaStore {
  private readonly schedules = new Map<string, KeySchedule>();
  private readonly writeAll: Database.Transaction<(work: () => void) => void>;
  private readonly witnessAll: Database.Transaction<(updates: readonly WitnessUpdate[]) => boolean[]>;

  constructor(
    readonly ledger: LedgerStore,
    private readonly options: SqliteReplicaStoreOptions = {},
  ) {
    ledger.db.exec(WITNESS_SCHEMA);
    this.writeAll = ledger.db.transaction((work: () => void) => {
      work();
    });
    const current = ledger.db.prepare<[string], { size: number }>('SELECT size FROM net_witnessed WHERE origin = ?');
    const put = ledger.db.prepare('INSERT OR REPLACE INTO net_witnessed (origin, size, root, note, at) VALUES (?, ?, ?, ?, ?)');
    this.witnessAll = ledger.db.transaction((updates: readonly WitnessUpdate[]) =>
      updates.map(({ origin, next, previousSize }) => {
        if (current.get(origin)?.size !== previousSize) return false;
        put.run(origin, next.size, next.root, next.note, next.at);
        return true;
      }),
    );
  }

  async ingest(origin: string, leaves: readonly Uint8Array[], source: string): Promise<IngestResult> {
    const [result] = await this.ingestMany([{ origin, leaves, source }]);
    if (result?.status === 'fulfilled') return result.value;
    throw result?.reason instanceof Error ? result.reason : new Error(String(result?.reason));
  }

  /**
   * Decodes each batch once, checks the new entries' signatures on every core (with a pool), then plans and
   * writes every batch in one transaction: one commit for everything that arrived together.
   */
  async ingestMany(batches: readonly IngestBatch[]): Promise<PromiseSettledResult<IngestResult>[]> {
    const decoded = batches.map((b) => decodeForOrigin(b.origin, b.leaves));
    const preverified = await this.preverify(batches, decoded);
    const results: PromiseSettledResult<IngestResult>[] = [];
    try {
      this.writeAll.immediate(() => {
        batches.forEach((batch, i) => {
          try {
            results.push({ status: 'fulfilled', value: this.write(batch, decoded[i] as DecodedBatch, preverified[i]) });
          } catch (error) {
            this.schedules.delete(batch.origin);
            results.push({ status: 'rejected', reason: error });
          }
        });
      });
    } catch (error) {
      // Nothing was committed: schedules extended by this call may name keys the store does not hold.
      for (const batch of batches) this.schedules.delete(batch.origin);
      throw error;
    }
    return results;
  }

  /** Signatures of the entries beyond each log's head (duplicates are matched by hash, never verified). */
  private async preverify(batches: readonly IngestBatch[], decoded: readonly DecodedBatch[]): Promise<(Set<Uint8Array> | undefined)[]> {
    const pool = this.options.pool;
    if (!pool) return [];
    const groups: VerifyGroup[] = [];
    const heads = new Map<string, number>();
    batches.forEach((batch, i) => {
      const log = this.ledger.log(batch.origin);
      const head = heads.get(batch.origin) ?? this.ledger.head(batch.origin).size;
      heads.set(batch.origin, head);
      const keys = log && !log.own ? this.schedule(batch.origin).toSpans() : [];
      const fresh = keys.length === 0 ? [] : (decoded[i] as DecodedBatch).decoded.filter((d) => d.entry.body.seq >= head);
      groups.push({ origin: batch.origin, keys, leaves: fresh.map((d) => d.leaf), decoded: fresh.map((d) => d.entry) });
    });
    if (groups.reduce((n, g) => n + g.leaves.length, 0) < MIN_POOLED) return [];
    const valid = await pool.verifyGroups(groups);
    return groups.map((g, i) => new Set([...(valid[i] ?? [])].map((index) => g.leaves[index] as Uint8Array)));
  }

  /** Plans one batch against what the store holds now and writes it (inside the caller's transaction). */
  private write(batch: IngestBatch, decoded: DecodedBatch, preverified: ReadonlySet<Uint8Array> | undefined): IngestResult {
    const { origin } = batch;
    const log = this.ledger.log(origin);
    if (log?.own) throw new MusterError('own-log', `${origin} is this store's own log; it is written only by its own kiosk`);
    const pinned = this.options.trustedKeys?.get(origin);
    if (log && pinned && !bytesEqual(log.genesisKey, pinned)) {
      throw new MusterError('key-mismatch', `the key given for ${origin} is not the key this store already trusts`);
    }
    const schedule = this.schedule(origin);
    const head = this.ledger.head(origin);
    const plan = planIngest(decoded, head, this.storedHashes(origin, decoded, head.size), schedule, {
      trustedKey: pinned ?? log?.genesisKey,
      preverified,
      registry: readRegistry(this.ledger),
    });
    const now = (this.options.clock ?? Date.now)();
    for (const e of plan.equivocations) this.ledger.recordConflict(origin, e.seq, e.leaf, e.hash, batch.source, now);
    if (plan.rows.length > 0) {
      if (!log) this.ledger.addLog(origin, schedule.keyFor(0).publicKey, false);
      this.ledger.appendVerified(origin, head.size, plan.rows);
    } else if (!log) {
      // A rejected genesis may have named its key in the schedule before its signature failed.
      this.schedules.delete(origin);
    }
    return planResult(plan, head.size);
  }

  /** Leaf hashes of the stored entries a batch names again (replays, duplicates): one range read. */
  private storedHashes(origin: string, decoded: DecodedBatch, size: number): Map<number, Uint8Array> {
    const stored = new Map<number, Uint8Array>();
    const seqs = decoded.decoded.map((d) => d.entry.body.seq).filter((seq) => seq < size);
    if (seqs.length === 0) return stored;
    const wanted = new Set(seqs);
    for (const row of this.ledger.range(origin, Math.min(...seqs), Math.max(...seqs) + 1)) if (wanted.has(row.seq)) stored.set(row.seq, row.hash);
    return stored;
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

  async setWitnessed(origin: string, next: WitnessedCheckpoint, previousSize: number | undefined): Promise<boolean> {
    const [stored] = await this.setWitnessedMany([{ origin, next, previousSize }]);
    return stored === true;
  }

  setWitnessedMany(updates: readonly WitnessUpdate[]): Promise<boolean[]> {
    return settle(() => this.witnessAll.immediate(updates));
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
