// The rules for taking in another log's entries, independent of where they are stored (the ledger's SQLite
// store, HQ's PostgreSQL): decode, order, check origin, chain link, key in force and signature; duplicates are
// idempotent, a different validly signed entry at a stored seq is equivocation evidence, and entries beyond a
// gap wait for a backfill. The caller reads what the plan needs and writes what it decides, in one transaction.
import { bytesEqual } from '../core/bytes.ts';
import { type DecodedLeaf, decodeLeaf } from '../core/entry.ts';
import { errorMessage } from '../core/errors.ts';
import { entrySignatureValid } from './entry-signing.ts';
import { leafHash } from './hash.ts';
import type { KeySchedule, Registry } from './key-schedule.ts';
import type { EntryRow, Head } from './store.ts';

export interface Rejected {
  readonly seq?: number;
  readonly reason: string;
}

export interface DecodedBatch {
  readonly decoded: readonly { readonly leaf: Uint8Array; readonly entry: DecodedLeaf }[];
  readonly rejected: readonly Rejected[];
}

/**
 * Decodes a batch for one origin, in seq order; what does not decode or names another origin is rejected. Only key
 * entries' payloads are built (ingest reads no other; every payload's encoding is still checked).
 */
export function decodeForOrigin(origin: string, leaves: readonly Uint8Array[]): DecodedBatch {
  const rejected: Rejected[] = [];
  const decoded: { leaf: Uint8Array; entry: DecodedLeaf }[] = [];
  for (const leaf of leaves) {
    try {
      const entry = decodeLeaf(leaf, 'key-entries');
      if (entry.body.origin !== origin)
        rejected.push({ seq: entry.body.seq, reason: `entry is for origin ${JSON.stringify(entry.body.origin)}` });
      else decoded.push({ leaf, entry });
    } catch (error) {
      rejected.push({ reason: errorMessage(error) });
    }
  }
  decoded.sort((a, b) => a.entry.body.seq - b.entry.body.seq);
  return { decoded, rejected };
}

export interface IngestPlan {
  /** Entries that continue the log at the head, verified. */
  readonly rows: readonly EntryRow[];
  readonly duplicates: number;
  readonly equivocations: readonly { readonly seq: number; readonly leaf: Uint8Array; readonly hash: Uint8Array }[];
  readonly rejected: readonly Rejected[];
  readonly missingFrom?: number;
}

export interface PlanOptions {
  /** Pins the log's genesis key. */
  readonly trustedKey?: Uint8Array | undefined;
  /**
   * Leaves (by identity) whose signatures worker threads already verified, and the public key each verified under:
   * the check is skipped only where that is the key in force for the entry.
   */
  readonly preverified?: ReadonlyMap<Uint8Array, Uint8Array> | undefined;
  /**
   * HQ's registry as the store holds it now (readRegistry): applied to the schedule, which may be a cached one
   * older than the latest revocation, so entries signed by a revoked key after its point are refused.
   */
  readonly registry?: Registry | undefined;
}

/**
 * `stored` holds the leaf hashes of the stored entries the batch names (seq < head.size). The schedule is
 * extended in place by genesis and rotation entries as they verify.
 */
export function planIngest(
  batch: DecodedBatch,
  head: Head,
  stored: ReadonlyMap<number, Uint8Array>,
  schedule: KeySchedule,
  options: PlanOptions = {},
): IngestPlan {
  const rejected = [...batch.rejected];
  const equivocations: { seq: number; leaf: Uint8Array; hash: Uint8Array }[] = [];
  const rows: EntryRow[] = [];
  let size = head.size;
  let prev = head.hash;
  let duplicates = 0;
  let missingFrom: number | undefined;
  if (options.registry) schedule.applyRegistry(options.registry);
  for (const { leaf, entry } of batch.decoded) {
    const seq = entry.body.seq;
    const hash = leafHash(leaf);
    if (seq < size) {
      const known = seq < head.size ? stored.get(seq) : rows[seq - head.size]?.hash;
      const key = schedule.keyFor(seq);
      const revokedFrom = schedule.revokedFrom(key.publicKey);
      if (known && bytesEqual(known, hash)) duplicates++;
      else if (revokedFrom !== undefined && seq >= revokedFrom)
        rejected.push({ seq, reason: `signed by a key revoked from entry ${revokedFrom}` });
      else if (entrySignatureValid(entry, key)) equivocations.push({ seq, leaf, hash });
      else rejected.push({ seq, reason: 'a different entry is stored at this seq and this one is not validly signed' });
      continue;
    }
    if (seq > size) {
      missingFrom ??= size;
      continue;
    }
    if (!bytesEqual(entry.body.prev, prev)) {
      rejected.push({ seq, reason: 'prev hash does not match the stored entry before it' });
      missingFrom ??= size;
      continue;
    }
    const verifiedUnder = options.preverified?.get(leaf);
    const reason = schedule.check(
      entry,
      options.trustedKey,
      verifiedUnder !== undefined && isKeyInForce(schedule, entry, verifiedUnder),
    );
    if (reason) {
      rejected.push({ seq, reason });
      continue;
    }
    rows.push({ seq, ts: entry.body.ts, type: entry.body.type, leaf, hash });
    prev = hash;
    size++;
  }
  return { rows, duplicates, equivocations, rejected, ...(missingFrom === undefined ? {} : { missingFrom }) };
}

/** Whether `publicKey` is the key KeySchedule.check would verify this entry under (a genesis names its own). */
function isKeyInForce(schedule: KeySchedule, entry: DecodedLeaf, publicKey: Uint8Array): boolean {
  const { seq, payload } = entry.body;
  let key: unknown;
  try {
    key = schedule.keyFor(seq).publicKey;
  } catch {
    key = seq === 0 ? payload.key : undefined;
  }
  return key instanceof Uint8Array && bytesEqual(key, publicKey);
}

export interface IngestResult {
  readonly inserted: number;
  readonly duplicates: number;
  /** Sequence numbers at which a second, validly signed entry was seen. */
  readonly equivocations: readonly number[];
  readonly rejected: readonly Rejected[];
  /** Set when entries beyond the head arrived without the ones before them: fetch from here. */
  readonly missingFrom?: number;
  readonly size: number;
}

/** What a store reports once it has written a plan on top of a log of `headSize` entries. */
export function planResult(plan: IngestPlan, headSize: number): IngestResult {
  return {
    inserted: plan.rows.length,
    duplicates: plan.duplicates,
    equivocations: plan.equivocations.map((e) => e.seq),
    rejected: plan.rejected,
    size: headSize + plan.rows.length,
    ...(plan.missingFrom === undefined ? {} : { missingFrom: plan.missingFrom }),
  };
}
