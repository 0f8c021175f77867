// RFC 6962 / RFC 9162 Merkle tree algorithms over any source of subtree hashes.
// Proof generation asks a TreeSource for the hash of a range; every range it asks for starts at a multiple
// of its largest power-of-two split, so a store that keeps perfect subtrees answers in O(log n) reads.
import { bytesEqual } from '../core/bytes.ts';
import { MusterError } from '../core/errors.ts';
import { EMPTY_ROOT, nodeHash } from './hash.ts';

export interface TreeSource {
  /** Leaf hash of entry `index`. */
  leaf(index: number): Uint8Array;
  /** Hash of the perfect subtree of 2^level leaves starting at leaf index * 2^level. */
  perfect(level: number, index: number): Uint8Array;
}

/** Largest power of two strictly less than n (n >= 2). */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH(D[start:end]) per RFC 6962 §2.1. */
export function rangeHash(source: TreeSource, start: number, end: number): Uint8Array {
  const n = end - start;
  if (n === 0) return EMPTY_ROOT;
  if (n === 1) return source.leaf(start);
  if ((n & (n - 1)) === 0 && start % n === 0) return source.perfect(Math.log2(n), start / n);
  const k = splitPoint(n);
  return nodeHash(rangeHash(source, start, start + k), rangeHash(source, start + k, end));
}

export function rootHash(source: TreeSource, size: number): Uint8Array {
  return rangeHash(source, 0, size);
}

/** PATH(m, D[0:size]) per RFC 6962 §2.1.1: the audit path for leaf `index`. */
export function inclusionProof(source: TreeSource, index: number, size: number): Uint8Array[] {
  if (!(index >= 0 && index < size))
    throw new MusterError('bad-proof-request', `leaf ${index} is not in a tree of size ${size}`);
  const path: Uint8Array[] = [];
  let start = 0;
  let end = size;
  const siblings: Uint8Array[] = [];
  while (end - start > 1) {
    const k = splitPoint(end - start);
    if (index < start + k) {
      siblings.push(rangeHash(source, start + k, end));
      end = start + k;
    } else {
      siblings.push(rangeHash(source, start, start + k));
      start += k;
    }
  }
  // Collected top-down; the proof lists siblings from the leaf upwards.
  for (let i = siblings.length - 1; i >= 0; i--) path.push(siblings[i] as Uint8Array);
  return path;
}

/** PROOF(m, D[0:n]) per RFC 6962 §2.1.2: consistency between tree sizes m and n. */
export function consistencyProof(source: TreeSource, oldSize: number, newSize: number): Uint8Array[] {
  if (!(oldSize >= 0 && oldSize <= newSize))
    throw new MusterError('bad-proof-request', `no consistency proof from size ${oldSize} to ${newSize}`);
  if (oldSize === 0 || oldSize === newSize) return [];
  const out: Uint8Array[] = [];
  subproof(source, oldSize, 0, newSize, true, out);
  return out;
}

function subproof(source: TreeSource, m: number, start: number, end: number, whole: boolean, out: Uint8Array[]): void {
  const n = end - start;
  if (m === n) {
    if (!whole) out.unshift(rangeHash(source, start, end));
    return;
  }
  const k = splitPoint(n);
  if (m <= k) {
    out.unshift(rangeHash(source, start + k, end));
    subproof(source, m, start, start + k, whole, out);
  } else {
    out.unshift(rangeHash(source, start, start + k));
    subproof(source, m - k, start + k, end, false, out);
  }
}

/** RFC 9162 §2.1.3.2: does `path` prove leaf `index` with `leafHashValue` is in the tree of `size` with `root`? */
export function verifyInclusion(
  index: number,
  size: number,
  leafHashValue: Uint8Array,
  path: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  if (!(Number.isSafeInteger(index) && Number.isSafeInteger(size) && index >= 0 && index < size)) return false;
  let fn = index;
  let sn = size - 1;
  let r = leafHashValue;
  for (const p of path) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && bytesEqual(r, root);
}

/** RFC 9162 §2.1.4.2: does `path` prove the tree (oldSize, oldRoot) is a prefix of (newSize, newRoot)? */
export function verifyConsistency(
  oldSize: number,
  newSize: number,
  oldRoot: Uint8Array,
  newRoot: Uint8Array,
  path: readonly Uint8Array[],
): boolean {
  if (!(Number.isSafeInteger(oldSize) && Number.isSafeInteger(newSize) && oldSize >= 0 && oldSize <= newSize))
    return false;
  if (oldSize === newSize) return path.length === 0 && bytesEqual(oldRoot, newRoot);
  if (oldSize === 0) return path.length === 0;
  if (path.length === 0) return false;
  const proof = (oldSize & (oldSize - 1)) === 0 ? [oldRoot, ...path] : [...path];
  let fn = oldSize - 1;
  let sn = newSize - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = proof[0] as Uint8Array;
  let sr = fr;
  for (const c of proof.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && bytesEqual(fr, oldRoot) && bytesEqual(sr, newRoot);
}

/** An in-memory tree over leaf hashes: builds every perfect subtree once, O(n). */
export class MemoryTree implements TreeSource {
  private readonly levels: Uint8Array[][];

  constructor(leafHashes: readonly Uint8Array[]) {
    this.levels = [[...leafHashes]];
    for (let level = 0; ; level++) {
      const below = this.levels[level] as Uint8Array[];
      if (below.length < 2) break;
      const above: Uint8Array[] = [];
      for (let i = 0; i + 1 < below.length; i += 2)
        above.push(nodeHash(below[i] as Uint8Array, below[i + 1] as Uint8Array));
      this.levels.push(above);
    }
  }

  get size(): number {
    return (this.levels[0] as Uint8Array[]).length;
  }

  leaf(index: number): Uint8Array {
    return this.perfect(0, index);
  }

  perfect(level: number, index: number): Uint8Array {
    const hash = this.levels[level]?.[index];
    if (!hash) throw new MusterError('bad-proof-request', `no subtree at level ${level} index ${index}`);
    return hash;
  }
}
