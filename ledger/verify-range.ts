// Checks a contiguous run of stored entries: sequence numbers without gaps, each prev link, the stored
// columns against the signed entry, the key in force and the signature. Used by fsck for each block
// (ledger/verify-block.ts), on the calling thread and in worker threads, and by the verified reader, which may
// have VerifyPool's threads check a range's signatures between the two passes (checkRange, rangeResult).
import { bytesEqual } from '../core/bytes.ts';
import { type DecodedLeaf, decodeLeaf } from '../core/entry.ts';
import { errorMessage } from '../core/errors.ts';
import { entrySignatureValid } from './entry-signing.ts';
import { leafHash } from './hash.ts';
import type { KeySchedule } from './key-schedule.ts';
import type { Verifier } from './keys.ts';
import type { KindedFailure } from './problem-kind.ts';
import type { EntryRow } from './store.ts';

export interface RangeFailure extends KindedFailure {
  readonly seq: number;
}

/** `entries`: the decoded entries that passed every check, in order (on failure, those before it). */
export type RangeResult =
  | { readonly ok: true; readonly hashes: Uint8Array; readonly entries: readonly DecodedLeaf[] }
  | ({ readonly ok: false; readonly entries: readonly DecodedLeaf[] } & RangeFailure);

/** A range's rows after every check but the signatures (checkRange). */
export interface CheckedRange {
  readonly start: number;
  /** Leaf hashes of the rows that passed, 32 bytes each. */
  readonly hashes: Uint8Array;
  /** The rows that passed, in order, with the key each signature must verify under. */
  readonly signed: readonly { readonly decoded: DecodedLeaf; readonly key: Verifier }[];
  /** The first structural failure, if any. */
  readonly structural: RangeFailure | undefined;
}

/**
 * `prevHash` is the leaf hash of entry `start - 1` (zeros when start is 0). Returns the leaf hashes,
 * 32 bytes each, concatenated, or the first failure; either way the decoded entries that passed.
 *
 * Two passes: every structural check first, then the signatures one after another. Interleaved with the
 * decoding and hashing, the Ed25519 checks ran slower (an A/B measurement on the same blocks of a 100k-entry
 * log), presumably as the verifier's code and data left the core's caches in between.
 */
export function verifyRows(
  origin: string,
  rows: Iterable<EntryRow>,
  start: number,
  end: number,
  prevHash: Uint8Array,
  schedule: KeySchedule,
  /** fsck reads no ordinary payload; the verified reader hands them out ('all'). */
  payloads: 'all' | 'key-entries' = 'key-entries',
): RangeResult {
  return rangeResult(checkRange(origin, rows, start, end, prevHash, schedule, payloads));
}

/** The first pass of verifyRows: everything but the signatures, which the caller may check on other threads. */
export function checkRange(
  origin: string,
  rows: Iterable<EntryRow>,
  start: number,
  end: number,
  prevHash: Uint8Array,
  schedule: KeySchedule,
  payloads: 'all' | 'key-entries',
): CheckedRange {
  const hashes = new Uint8Array((end - start) * 32);
  const signed: { readonly decoded: DecodedLeaf; readonly key: Verifier }[] = [];
  let structural: RangeFailure | undefined;
  let expected = start;
  let prev = prevHash;
  for (const row of rows) {
    if (row.seq !== expected) {
      structural = {
        seq: expected,
        kind: 'tampered',
        reason: `entry ${expected} is missing (next stored is ${row.seq})`,
      };
      break;
    }
    const hash = leafHash(row.leaf);
    const checked = checkRow(origin, row, hash, prev, schedule, payloads);
    if (!('decoded' in checked)) {
      structural = { seq: row.seq, ...checked };
      break;
    }
    signed.push(checked);
    prev = hash;
    hashes.set(hash, (row.seq - start) * 32);
    expected++;
  }
  if (!structural && expected !== end)
    structural = { seq: expected, kind: 'tampered', reason: `entry ${expected} is missing` };
  return { start, hashes, signed, structural };
}

/**
 * The second pass: the signatures in order. `verified[i]` set means another thread already found row i's
 * signature valid; a row it did not vouch for is checked here, so the result never depends on that thread.
 */
export function rangeResult(checked: CheckedRange, verified?: Uint8Array): RangeResult {
  const { start, hashes, signed, structural } = checked;
  // Entries before a structural failure still come first: a bad signature there is the first bad entry.
  const entries: DecodedLeaf[] = [];
  for (const [i, { decoded, key }] of signed.entries()) {
    if (verified?.[i] !== 1 && !entrySignatureValid(decoded, key))
      return { ok: false, seq: start + entries.length, kind: 'forged', reason: 'signature does not verify', entries };
    entries.push(decoded);
  }
  return structural ? { ok: false, ...structural, entries } : { ok: true, hashes, entries };
}

/** Everything about one row but its signature: what failed, or the entry and the key its signature must verify under. */
function checkRow(
  origin: string,
  row: EntryRow,
  hash: Uint8Array,
  prev: Uint8Array,
  schedule: KeySchedule,
  payloads: 'all' | 'key-entries',
): KindedFailure | { decoded: DecodedLeaf; key: Verifier } {
  let decoded;
  try {
    // SQLite hands over Buffers; the decoder's many subarrays are cheaper on a plain Uint8Array view.
    decoded = decodeLeaf(new Uint8Array(row.leaf.buffer, row.leaf.byteOffset, row.leaf.byteLength), payloads);
  } catch (error) {
    return { kind: 'invalid', reason: `malformed entry: ${errorMessage(error)}` };
  }
  const { body } = decoded;
  const tampered = (reason: string): KindedFailure => ({ kind: 'tampered', reason });
  // Another log's signed entry stored under this one: moved here.
  if (body.origin !== origin) return tampered(`entry belongs to origin ${JSON.stringify(body.origin)}`);
  if (body.seq !== row.seq)
    return tampered(`entry says seq ${body.seq} but is stored as ${row.seq} (rows moved or swapped)`);
  if (!bytesEqual(body.prev, prev)) return tampered('prev hash does not match the entry before it (chain broken)');
  if (!bytesEqual(hash, row.hash)) return tampered('stored leaf hash does not match the entry');
  if (body.type !== row.type || body.ts !== row.ts)
    return tampered('stored type or time does not match the signed entry');
  return schedule.failure(decoded, undefined, true) ?? { decoded, key: schedule.keyFor(body.seq) };
}
