// RFC 6962 hashing and the two tree checks an evidence bundle needs, pure:
// - a compact range (Trillian's merkle/compact idea): the roots of the perfect subtrees that cover [0, size),
//   one per set bit of size, largest first. Folded right to left they give the tree's root; extended leaf by
//   leaf (merging equal neighbours) they give the compact range, and so the root, of every larger tree. A bundle
//   that reproduces both signed roots this way shows every leaf between the two sizes: none can be left out.
// - an audit path from a leaf to a root, as ledger/proofs.ts builds it.
import { bytesEqual } from '../bytes.ts';
import { sha256 } from './sha256.ts';

const LEAF_PREFIX = Uint8Array.of(0x00);
const NODE_PREFIX = Uint8Array.of(0x01);

export function leafHash(leaf: Uint8Array): Uint8Array {
  return sha256(LEAF_PREFIX, leaf);
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return sha256(NODE_PREFIX, left, right);
}

export interface CompactNode {
  /** The subtree holds 2^level leaves. */
  readonly level: number;
  readonly hash: Uint8Array;
}

/** Levels of the compact range of [0, size): one per set bit, highest first. */
export function compactLevels(size: number): number[] {
  const levels: number[] = [];
  for (let level = 52; level >= 0; level--) if (Math.floor(size / 2 ** level) % 2 === 1) levels.push(level);
  return levels;
}

/** Appends one leaf hash to the compact range of [0, n), giving that of [0, n + 1). */
export function appendLeaf(range: CompactNode[], leaf: Uint8Array): void {
  let node: CompactNode = { level: 0, hash: leaf };
  for (let last = range.at(-1); last?.level === node.level; last = range.at(-1)) {
    range.pop();
    node = { level: node.level + 1, hash: nodeHash(last.hash, node.hash) };
  }
  range.push(node);
}

/** The root of the tree a compact range of [0, size) covers (SHA-256 of nothing for the empty tree). */
export function compactRoot(range: readonly CompactNode[]): Uint8Array {
  let root = range.at(-1)?.hash;
  if (!root) return sha256();
  for (let i = range.length - 2; i >= 0; i--) root = nodeHash((range[i] as CompactNode).hash, root);
  return root;
}

/** Whether `path` (siblings from the leaf up) leads from leaf `index` of a tree of `size` leaves to `root`. */
export function pathLeadsTo(
  index: number,
  size: number,
  leaf: Uint8Array,
  path: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  if (!(Number.isSafeInteger(index) && Number.isSafeInteger(size) && index >= 0 && index < size)) return false;
  const computed = rootFromPath(index, size, leaf, path, path.length);
  return computed !== undefined && bytesEqual(computed, root);
}

/** MTH per RFC 6962 §2.1, rebuilt along the path: `used` siblings remain, the last is the top split's. */
function rootFromPath(
  index: number,
  size: number,
  leaf: Uint8Array,
  path: readonly Uint8Array[],
  used: number,
): Uint8Array | undefined {
  if (size === 1) return used === 0 ? leaf : undefined;
  if (used === 0) return undefined;
  let split = 1;
  while (split * 2 < size) split *= 2;
  const sibling = path[used - 1] as Uint8Array;
  if (index < split) {
    const left = rootFromPath(index, split, leaf, path, used - 1);
    return left && nodeHash(left, sibling);
  }
  const right = rootFromPath(index - split, size - split, leaf, path, used - 1);
  return right && nodeHash(sibling, right);
}
