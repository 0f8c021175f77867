// ReplicaStore over the ledger's SQLite log store: the kiosk's own store (own log + peers' replicas) and HQ's
// embedded default. The witness state lives in the same file, so a cosignature is never issued for a state
// that a crash could forget.
import type Database from 'better-sqlite3';
import { bytesEqual } from '../core/bytes.ts';
import type { DecodedLeaf } from '../core/entry.ts';
import { MusterError } from '../core/errors.ts';
import {
  type DecodedBatch,
  type IngestResult,
  decodeForOrigin,
  planIngest,
  planResult,
} from '../ledger/ingest-plan.ts';
import { KeySchedule } from '../ledger/key-schedule.ts';
import { loadKeySchedule, readRegistry } from '../ledger/registry.ts';
import type { Verifier } from '../ledger/keys.ts';
import { consistencyProof, rootHash } from '../ledger/merkle.ts';
import { type Conflict, type EntryRow, type LedgerStore, storeError } from '../ledger/store.ts';
import { EarlyCosignatures, keepCosigned } from './cosigned-notes.ts';
import {
  type IngestBatch,
  type ReplicaStore,
  type WitnessUpdate,
  type WitnessedCheckpoint,
  ingestOne,
} from './replica-store.ts';
import { VerifierCache } from '../ledger/verify-claims.ts';
import { MIN_POOLED, type VerifyItem, type VerifyKey, type VerifyPool } from '../ledger/verify-pool.ts';
import { type SqliteMigration, migrate, requireVersion, rowVersion } from '../runtime/sqlite-migrations.ts';

const WITNESS_SCHEMA = `
CREATE TABLE IF NOT EXISTS net_witnessed (
  origin TEXT PRIMARY KEY,
  size INTEGER NOT NULL,
  root BLOB NOT NULL,
  note TEXT NOT NULL,
  at INTEGER NOT NULL
) STRICT;
`;

/** This store's tables in the log store's file, in order (runtime/sqlite-migrations.ts): a change is one more entry at the end. */
const REPLICA_MIGRATIONS: readonly SqliteMigration[] = [{ version: 1, name: 'net_witnessed', up: WITNESS_SCHEMA }];
/** The log store owns the file's user_version; this part keeps its version in the log store's meta table. */
const REPLICA_VERSION = rowVersion('meta', 'k', 'v', 'schema:replica');

/** Leaves whose signatures the pool verified, and the key each verified under. */
type Preverified = Map<Uint8Array, Uint8Array>;

/** A batch taken in and not yet committed: its seqs (ascending) and the keys its entries name. */
interface Flight {
  readonly origin: string;
  readonly seqs: readonly number[];
  readonly keys: readonly Uint8Array[];
  /** Its entries that no batch taken in before it and still in flight holds. */
  readonly fresh: DecodedBatch['decoded'];
}

/** Whether ascending `seqs` holds `seq` (batches are mostly runs: the bounds settle most lookups). */
function holds(seqs: readonly number[], seq: number): boolean {
  let low = 0;
  let high = seqs.length - 1;
  if (high < 0 || seq < (seqs[0] as number) || seq > (seqs[high] as number)) return false;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const at = seqs[middle] as number;
    if (at === seq) return true;
    if (at < seq) low = middle + 1;
    else high = middle - 1;
  }
  return false;
}

/** The key a genesis or rotation entry names (unverified: only a candidate for the pool to try). */
function namedKey(entry: DecodedLeaf): Uint8Array | undefined {
  const key =
    entry.body.type === 'genesis'
      ? entry.body.payload.key
      : entry.body.type === 'key-rotation'
        ? entry.body.payload.newKey
        : undefined;
  return key instanceof Uint8Array && key.length === 32 ? key : undefined;
}

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
  /** Settles once every ingestMany call made so far has committed (or failed): calls commit in call order. */
  private committed: Promise<void> = Promise.resolve();
  /** Per log, the batches taken in but not yet committed, in call order. */
  private readonly flying = new Map<string, Flight[]>();
  private readonly verifierCache = new VerifierCache();
  private readonly earlyCosigned = new EarlyCosignatures();

  constructor(
    readonly ledger: LedgerStore,
    private readonly options: SqliteReplicaStoreOptions = {},
  ) {
    migrate(ledger.db, REPLICA_MIGRATIONS, REPLICA_VERSION, `replica tables of ${ledger.path}`);
    this.writeAll = ledger.db.transaction((work: () => void) => {
      work();
    });
    const current = ledger.db.prepare<[string], { size: number }>('SELECT size FROM net_witnessed WHERE origin = ?');
    const put = ledger.db.prepare(
      'INSERT OR REPLACE INTO net_witnessed (origin, size, root, note, at) VALUES (?, ?, ?, ?, ?)',
    );
    this.witnessAll = ledger.db.transaction((updates: readonly WitnessUpdate[]) =>
      updates.map(({ origin, next, previousSize }) => {
        if (current.get(origin)?.size !== previousSize) return false;
        put.run(origin, next.size, next.root, next.note, next.at);
        return true;
      }),
    );
  }

  ingest(origin: string, leaves: readonly Uint8Array[], source: string): Promise<IngestResult> {
    return ingestOne(this, origin, leaves, source);
  }

  /**
   * A pipeline: decodes each batch on arrival and hands the signatures of its new entries to the pool at once,
   * then plans and writes every batch in one transaction once they are checked and every call made before this
   * one has committed. While this thread decodes or commits one call, the pool's workers check the next, so
   * callers that keep several calls in flight (the Replicator) keep every core verifying.
   */
  async ingestMany(batches: readonly IngestBatch[]): Promise<PromiseSettledResult<IngestResult>[]> {
    const decoded = batches.map((b) => decodeForOrigin(b.origin, b.leaves));
    const flights = batches.map((b, i) => this.takeOff(b.origin, decoded[i] as DecodedBatch));
    const checked = this.preverify(batches, flights);
    const before = this.committed;
    const landing = (async () => {
      try {
        // A failed job (the pool closed, a worker died) only means this thread checks those signatures itself.
        const preverified = await checked.catch(() => []);
        await before;
        const results = this.commit(batches, decoded, preverified);
        await this.keepEarlyCosigned(batches);
        return results;
      } finally {
        for (const flight of flights) this.land(flight);
      }
    })();
    this.committed = landing.then(
      () => undefined,
      () => undefined,
    );
    return landing;
  }

  /** Writes a call's batches in one transaction, each judged on its own. */
  private commit(
    batches: readonly IngestBatch[],
    decoded: readonly DecodedBatch[],
    preverified: readonly (Preverified | undefined)[],
  ): PromiseSettledResult<IngestResult>[] {
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

  /**
   * Marks a batch's entries as in flight, so that a later call does not send the same seqs to the pool again
   * (a duplicate is matched by hash when it is planned, never verified), and notes the keys its genesis and
   * rotation entries name, so that a later call's entries signed by them can be checked before those commit.
   */
  private takeOff(origin: string, decoded: DecodedBatch): Flight {
    const before = this.flying.get(origin) ?? [];
    const seqs: number[] = [];
    const keys: Uint8Array[] = [];
    const fresh: DecodedBatch['decoded'][number][] = [];
    for (const d of decoded.decoded) {
      const seq = d.entry.body.seq;
      // Sorted by seq: a repeat within the batch is the entry just seen.
      if (seq !== seqs.at(-1) && !before.some((f) => holds(f.seqs, seq))) fresh.push(d);
      seqs.push(seq);
      const key = namedKey(d.entry);
      if (key) keys.push(key);
    }
    const flight = { origin, seqs, keys, fresh };
    this.flying.set(origin, [...before, flight]);
    return flight;
  }

  private land(flight: Flight): void {
    const left = (this.flying.get(flight.origin) ?? []).filter((f) => f !== flight);
    if (left.length > 0) this.flying.set(flight.origin, left);
    else this.flying.delete(flight.origin);
  }

  /**
   * Sends the signatures of the entries beyond each log's committed head, and not already in flight, to the pool,
   * each with the key its key id names among the log's keys and those named by entries in flight. Per batch,
   * the leaves that verified and the key each verified under.
   */
  private async preverify(
    batches: readonly IngestBatch[],
    flights: readonly Flight[],
  ): Promise<(Preverified | undefined)[]> {
    const pool = this.options.pool;
    if (!pool) return [];
    const keys: VerifyKey[] = [];
    const items: VerifyItem[] = [];
    const leaves: Uint8Array[] = [];
    const owners: number[] = [];
    const heads = new Map<string, number>();
    const candidates = new Map<string, { index: number; id: Uint8Array }[]>();
    batches.forEach((batch, i) => {
      const { origin } = batch;
      let head = heads.get(origin);
      if (head === undefined) {
        head = this.ledger.head(origin).size;
        heads.set(origin, head);
      }
      let known = candidates.get(origin);
      if (!known) {
        known = this.candidateKeys(origin).map((publicKey) => {
          keys.push({ origin, publicKey });
          return { index: keys.length - 1, id: this.verifierCache.get(origin, publicKey).id };
        });
        candidates.set(origin, known);
      }
      for (const { leaf, entry } of (flights[i] as Flight).fresh) {
        if (entry.body.seq < head) continue;
        const key = known.find((k) => bytesEqual(k.id, entry.body.kid));
        if (!key) continue;
        items.push({ key: key.index, bodyBytes: entry.bodyBytes, signature: entry.signature });
        leaves.push(leaf);
        owners.push(i);
      }
    });
    if (items.length < MIN_POOLED) return [];
    const flags = await pool.verify(keys, items);
    const out = batches.map((): Preverified => new Map());
    items.forEach((item, n) => {
      if (flags[n] === 1)
        out[owners[n] as number]?.set(leaves[n] as Uint8Array, (keys[item.key] as VerifyKey).publicKey);
    });
    return out;
  }

  /** Keys a log's entries may be signed by: its schedule's, a pinned genesis key, and those named by entries in flight. */
  private candidateKeys(origin: string): Uint8Array[] {
    const log = this.ledger.log(origin);
    if (log?.own) return [];
    const keys = log
      ? this.schedule(origin)
          .toSpans()
          .map((s) => s.publicKey)
      : [];
    const pinned = this.options.trustedKeys?.get(origin);
    const named = (this.flying.get(origin) ?? []).flatMap((f) => f.keys);
    for (const key of [...(pinned ? [pinned] : []), ...named])
      if (!keys.some((k) => bytesEqual(k, key))) keys.push(key);
    return keys;
  }

  /** Plans one batch against what the store holds now and writes it (inside the caller's transaction). */
  private write(batch: IngestBatch, decoded: DecodedBatch, preverified: Preverified | undefined): IngestResult {
    const { origin } = batch;
    const log = this.ledger.log(origin);
    if (log?.own)
      throw new MusterError('own-log', `${origin} is this store's own log; it is written only by its own kiosk`);
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
    for (const row of this.ledger.range(origin, Math.min(...seqs), Math.max(...seqs) + 1))
      if (wanted.has(row.seq)) stored.set(row.seq, row.hash);
    return stored;
  }

  size(origin: string): Promise<number> {
    return Promise.resolve(this.ledger.head(origin).size);
  }

  leaves(origin: string, from: number, to: number): Promise<Uint8Array[]> {
    return Promise.resolve([...this.ledger.range(origin, from, to)].map((row) => row.leaf));
  }

  rows(origin: string, from: number, to: number): Promise<EntryRow[]> {
    return Promise.resolve(this.ledger.rangeAll(origin, from, to));
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
      schedule = log ? loadKeySchedule(this.ledger, origin, log.genesisKey) : new KeySchedule(origin, []);
      this.schedules.set(origin, schedule);
    }
    return schedule;
  }

  origins(): Promise<string[]> {
    return Promise.resolve(this.ledger.origins());
  }

  witnessed(origin: string): Promise<WitnessedCheckpoint | undefined> {
    return readWitnessed(this.ledger.db, origin);
  }

  witnessedOrigins(): Promise<string[]> {
    return readWitnessedOrigins(this.ledger.db);
  }

  async setWitnessed(origin: string, next: WitnessedCheckpoint, previousSize: number | undefined): Promise<boolean> {
    const [stored] = await this.setWitnessedMany([{ origin, next, previousSize }]);
    return stored === true;
  }

  /**
   * The witness state is a promise to the fleet: a cosignature leaves only once the state it rests on is durable, so
   * this transaction commits with synchronous=FULL (an fsync of the WAL), whatever the store runs entries with (HQ:
   * NORMAL, a replica can re-fetch entries but must never forget a checkpoint it cosigned).
   */
  setWitnessedMany(updates: readonly WitnessUpdate[]): Promise<boolean[]> {
    return settle(() => {
      const db = this.ledger.db;
      const before = db.pragma('synchronous', { simple: true }) as number;
      db.pragma('synchronous = FULL');
      try {
        return this.witnessAll.immediate(updates);
      } finally {
        db.pragma(`synchronous = ${before}`);
      }
    }, 'record the witnessed checkpoints');
  }

  async keepCosigned(origin: string, note: string, witness: string): Promise<boolean> {
    if (keepCosigned(this.ledger, origin, note, await this.verifiers(origin), witness)) return true;
    this.earlyCosigned.hold(this.ledger, origin, note, witness);
    return false;
  }

  /** Keeps the cosignatures that arrived before the entries just committed. */
  private async keepEarlyCosigned(batches: readonly IngestBatch[]): Promise<void> {
    for (const origin of new Set(batches.map((b) => b.origin)))
      for (const { witness, note } of this.earlyCosigned.release(this.ledger, origin))
        keepCosigned(this.ledger, origin, note, await this.verifiers(origin), witness);
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

function readWitnessed(db: Database.Database, origin: string): Promise<WitnessedCheckpoint | undefined> {
  return settle(
    () =>
      db
        .prepare<[string], WitnessedCheckpoint>('SELECT size, root, note, at FROM net_witnessed WHERE origin = ?')
        .get(origin),
    `read the witnessed checkpoint of ${origin}`,
  );
}

function readWitnessedOrigins(db: Database.Database): Promise<string[]> {
  return settle(
    () =>
      db
        .prepare<[], { origin: string }>('SELECT origin FROM net_witnessed ORDER BY origin')
        .all()
        .map((r) => r.origin),
    'read the witnessed logs',
  );
}

/** The witness state as the verified reader reads it (net/hq/verified-records.ts). */
export type StoredWitness = Pick<ReplicaStore, 'witnessed' | 'witnessedOrigins'>;

/**
 * The witness state in a log store's file, read as the file stands: no migration, no write, so a store opened
 * read-only will do (an offline command judging HQ's file as evidence must never change it). Undefined where the
 * file holds no witness table (a store that never witnessed).
 */
export function storedWitnessed(ledger: LedgerStore): StoredWitness | undefined {
  const what = `replica tables of ${ledger.path}`;
  let version: number;
  try {
    const table = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'net_witnessed'";
    if (ledger.db.prepare(table).get() === undefined) return undefined;
    version = REPLICA_VERSION.read(ledger.db);
  } catch (error) {
    throw storeError(error, `read the ${what}`);
  }
  // Version 0 with the table: a file from before the version rows, whose table is version 1's.
  if (version !== 0) requireVersion(ledger.db, REPLICA_MIGRATIONS, REPLICA_VERSION, what);
  return {
    witnessed: (origin) => readWitnessed(ledger.db, origin),
    witnessedOrigins: () => readWitnessedOrigins(ledger.db),
  };
}

/** Runs synchronous store work as a promise: a throw becomes a rejection, as with a network database. */
/** The work's result, or its error as a rejection: SQLite's own errors as store-io naming SQLite's code (storeError). */
function settle<T>(work: () => T, what = 'replica store'): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (error) {
    const wrapped = storeError(error, what);
    return Promise.reject(wrapped instanceof Error ? wrapped : new Error(String(wrapped)));
  }
}
