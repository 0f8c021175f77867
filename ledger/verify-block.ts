// One block of fsck: 2^level entries aligned on a perfect subtree. A block checks its entries (verifyRows),
// builds every perfect subtree inside it and compares the Merkle nodes the store keeps for that range, so
// the tree is rebuilt in parallel with the signature checks instead of after them on one thread.
import { bytesEqual } from '../core/bytes.ts';
import { ZERO_HASH } from '../core/entry.ts';
import { leafHash, nodeHash } from './hash.ts';
import type { KeySchedule } from './key-schedule.ts';
import type { LedgerStore } from './store.ts';
import { verifyRows } from './verify-range.ts';

export interface BlockPlan {
  readonly origin: string;
  /** Entries in the log. */
  readonly size: number;
  /** A block holds 2^blockLevel entries (the last one may hold fewer). */
  readonly blockLevel: number;
}

export type BlockResult =
  | { readonly ok: true; readonly block: number; readonly levels: Uint8Array; readonly nodes: number }
  | { readonly ok: false; readonly block: number; readonly seq?: number; readonly reason: string };

/** What a worker posts after its last block. */
export const WORKER_DONE = 'done';

export function blockCount(plan: BlockPlan): number {
  return Math.ceil(plan.size / 2 ** plan.blockLevel);
}

/** Where each level's hashes start in a block's `levels` buffer, for a block of `n` entries (level 0 = leaves). */
export function levelOffsets(n: number, blockLevel: number): number[] {
  const offsets: number[] = [];
  let at = 0;
  for (let level = 0; level <= blockLevel; level++) {
    offsets.push(at);
    at += Math.floor(n / 2 ** level) * 32;
  }
  offsets.push(at);
  return offsets;
}

function verifyBlock(store: LedgerStore, plan: BlockPlan, schedule: KeySchedule, block: number): BlockResult {
  const width = 2 ** plan.blockLevel;
  const start = block * width;
  const end = Math.min(plan.size, start + width);
  const before = start === 0 ? undefined : store.entry(plan.origin, start - 1);
  if (start > 0 && !before) return { ok: false, block, seq: start - 1, reason: `entry ${start - 1} is missing` };
  // The entry before is checked by its own block; here only its hash is needed, recomputed from its bytes.
  const prev = before ? leafHash(before.leaf) : ZERO_HASH;
  const rows = verifyRows(plan.origin, store.rangeAll(plan.origin, start, end), start, end, prev, schedule);
  if (!rows.ok) return { ok: false, block, seq: rows.seq, reason: rows.reason };

  const n = end - start;
  const offsets = levelOffsets(n, plan.blockLevel);
  const levels = new Uint8Array(offsets.at(-1) as number);
  levels.set(rows.hashes, 0);
  let nodes = 0;
  for (let level = 1; level <= plan.blockLevel; level++) {
    const count = Math.floor(n / 2 ** level);
    if (count === 0) break;
    const below = offsets[level - 1] as number;
    const here = offsets[level] as number;
    for (let i = 0; i < count; i++) {
      const left = levels.subarray(below + 64 * i, below + 64 * i + 32);
      levels.set(nodeHash(left, levels.subarray(below + 64 * i + 32, below + 64 * i + 64)), here + 32 * i);
    }
    const first = start / 2 ** level;
    const stored = store.nodeHashesAt(plan.origin, level, first, first + count);
    if (stored.length !== count)
      return {
        ok: false,
        block,
        reason: `stored Merkle node ${level}/${missingNode(store, plan.origin, level, first, count)} is missing`,
      };
    for (let i = 0; i < count; i++) {
      const at = here + 32 * i;
      if (!bytesEqual(levels.subarray(at, at + 32), stored[i] as Uint8Array))
        return { ok: false, block, reason: `stored Merkle node ${level}/${first + i} does not match the entries` };
    }
    nodes += count;
  }
  return { ok: true, block, levels, nodes };
}

/** The index of the first node of `level` from `first` on that the store lacks (only when one is known to lack). */
function missingNode(store: LedgerStore, origin: string, level: number, first: number, count: number): number {
  const present = new Set(store.nodesAt(origin, level, first, first + count).map((node) => node.idx));
  return Array.from({ length: count }, (_, i) => first + i).find((idx) => !present.has(idx)) ?? first;
}

/** Verifies blocks claimed one at a time from `claims[0]` until none is left or one fails. */
export function* claimBlocks(
  store: LedgerStore,
  plan: BlockPlan,
  schedule: KeySchedule,
  claims: Int32Array,
): Generator<BlockResult> {
  const total = blockCount(plan);
  for (let block = Atomics.add(claims, 0, 1); block < total; block = Atomics.add(claims, 0, 1)) {
    const result = verifyBlock(store, plan, schedule, block);
    if (!result.ok) Atomics.store(claims, 0, total);
    yield result;
  }
}
