// What replication, witnessing and HQ need from storage, async so that a network database (PostgreSQL) fits
// behind it as well as the embedded SQLite log store. Every implementation verifies entries before storing
// them (signature, key in force, prev link) and keeps equivocation evidence (see ledger/replica.ts).
import type { IngestResult } from '../ledger/replica.ts';
import type { Verifier } from '../ledger/keys.ts';
import type { Conflict, EntryRow } from '../ledger/store.ts';

/** The latest checkpoint a witness accepted for a log (C2SP tlog-witness keeps exactly one per origin). */
export interface WitnessedCheckpoint {
  readonly size: number;
  readonly root: Uint8Array;
  /** The log's signed note, as received. */
  readonly note: string;
  /** Clock time of acceptance, milliseconds. */
  readonly at: number;
}

/** Entries of one log as they arrived in one message. */
export interface IngestBatch {
  readonly origin: string;
  readonly leaves: readonly Uint8Array[];
  /** Who handed them over: recorded with equivocation evidence. */
  readonly source: string;
}

/** One compare-and-set of a witness state: store `next` only if the stored size is still `previousSize`. */
export interface WitnessUpdate {
  readonly origin: string;
  readonly next: WitnessedCheckpoint;
  /** undefined: none stored yet. */
  readonly previousSize: number | undefined;
}

export interface ReplicaStore {
  /** Verifies and stores entries of another log; idempotent on (origin, seq). */
  ingest(origin: string, leaves: readonly Uint8Array[], source: string): Promise<IngestResult>;
  /**
   * Several batches, of one log or many, taken in order and committed together where the backend can (one
   * SQLite transaction): each batch succeeds or fails on its own, as `ingest` would. Calls may overlap (the
   * Replicator hands a group over while the one before is still in the store): each call commits after every
   * call made before it, and resolves only once committed.
   */
  ingestMany(batches: readonly IngestBatch[]): Promise<PromiseSettledResult<IngestResult>[]>;
  size(origin: string): Promise<number>;
  /** Signed entries with from <= seq < to that the store holds, in order. */
  leaves(origin: string, from: number, to: number): Promise<Uint8Array[]>;
  /** Stored rows (columns as stored, unchecked) with from <= seq < to, in order: for the verified reader (ledger/verified-reader.ts). */
  rows(origin: string, from: number, to: number): Promise<EntryRow[]>;
  root(origin: string, size: number): Promise<Uint8Array>;
  consistencyProof(origin: string, oldSize: number, newSize: number): Promise<Uint8Array[]>;
  /** The log's keys (genesis first); empty when the store has never seen the log. */
  verifiers(origin: string): Promise<Verifier[]>;
  origins(): Promise<string[]>;
  witnessed(origin: string): Promise<WitnessedCheckpoint | undefined>;
  /** Every log this store witnessed a checkpoint of, held here or not (its rows may have been deleted since). */
  witnessedOrigins(): Promise<string[]>;
  /**
   * Atomic compare-and-set: stores `next` only if the stored checkpoint still has size `previousSize`
   * (undefined: none stored yet). Returns whether it stored.
   */
  setWitnessed(origin: string, next: WitnessedCheckpoint, previousSize: number | undefined): Promise<boolean>;
  /** Several compare-and-sets in one transaction where the backend can: per update, whether it stored. */
  setWitnessedMany(updates: readonly WitnessUpdate[]): Promise<boolean[]>;
  conflicts(origin: string): Promise<Conflict[]>;
  /**
   * Keeps `witness`'s cosignature of a checkpoint (this node's witness issued it, or another witness's arrived)
   * for evidence (net/cosigned-notes.ts); returns whether it was kept. Absent: the backend keeps none (PostgreSQL, so far).
   */
  keepCosigned?(origin: string, note: string, witness: string): Promise<boolean>;
  close(): Promise<void>;
}

/** `ingest` for a store whose one write path is `ingestMany`: a batch of its own, its outcome as a result or an error. */
export async function ingestOne(
  store: Pick<ReplicaStore, 'ingestMany'>,
  origin: string,
  leaves: readonly Uint8Array[],
  source: string,
): Promise<IngestResult> {
  const [result] = await store.ingestMany([{ origin, leaves, source }]);
  if (result?.status === 'fulfilled') return result.value;
  throw result?.reason instanceof Error ? result.reason : new Error(String(result?.reason));
}
