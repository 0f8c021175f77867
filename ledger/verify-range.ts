// Checks a contiguous run of stored entries: sequence numbers without gaps, each prev link, the stored
// columns against the signed entry, the key in force and the signature. Used by fsck for each block
// (ledger/verify-block.ts), on the calling thread and in worker threads.
import { bytesEqual } from '../core/bytes.ts';
import { decodeLeaf } from '../core/entry.ts';
import { errorMessage } from '../core/errors.ts';
import { leafHash } from './hash.ts';
import type { KeySchedule } from './key-schedule.ts';
import type { EntryRow } from './store.ts';

export interface RangeFailure {
  readonly seq: number;
  readonly reason: string;
}

export type RangeResult = { readonly ok: true; readonly hashes: Uint8Array } | ({ readonly ok: false } & RangeFailure);

/**
 * `prevHash` is the leaf hash of entry `start - 1` (zeros when start is 0). Returns the leaf hashes,
 * 32 bytes each, concatenated, or the first failure.
 */
export function verifyRows(
  origin: string,
  rows: Iterable<EntryRow>,
  start: number,
  end: number,
  prevHash: Uint8Array,
  schedule: KeySchedule,
): RangeResult {
  const hashes = new Uint8Array((end - start) * 32);
  let expected = start;
  let prev = prevHash;
  for (const row of rows) {
    if (row.seq !== expected) return { ok: false, seq: expected, reason: `entry ${expected} is missing (next stored is ${row.seq})` };
    const hash = leafHash(row.leaf);
    const failure = checkRow(origin, row, hash, prev, schedule);
    if (failure) return { ok: false, seq: row.seq, reason: failure };
    prev = hash;
    hashes.set(hash, (row.seq - start) * 32);
    expected++;
  }
  if (expected !== end) return { ok: false, seq: expected, reason: `entry ${expected} is missing` };
  return { ok: true, hashes };
}

function checkRow(origin: string, row: EntryRow, hash: Uint8Array, prev: Uint8Array, schedule: KeySchedule): string | undefined {
  let decoded;
  try {
    decoded = decodeLeaf(row.leaf, 'key-entries');
  } catch (error) {
    return `malformed entry: ${errorMessage(error)}`;
  }
  const { body } = decoded;
  if (body.origin !== origin) return `entry belongs to origin ${JSON.stringify(body.origin)}`;
  if (body.seq !== row.seq) return `entry says seq ${body.seq} but is stored as ${row.seq} (rows moved or swapped)`;
  if (!bytesEqual(body.prev, prev)) return 'prev hash does not match the entry before it (chain broken)';
  if (!bytesEqual(hash, row.hash)) return 'stored leaf hash does not match the entry';
  if (body.type !== row.type || body.ts !== row.ts) return 'stored type or time does not match the signed entry';
  return schedule.check(decoded);
}
