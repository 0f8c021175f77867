// RFC 6962 hashing: leaves and interior nodes are domain-separated so a leaf can never pass for a node.
import { createHash, hash } from 'node:crypto';

export function sha256(...parts: readonly Uint8Array[]): Uint8Array {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
}

// fsck and ingest hash every leaf and every node: one-shot hashing of prefix and content laid out in a
// buffer kept per thread costs about half of a Hash object fed in parts (hashing is synchronous, so the
// buffer is never shared).
const LEAF_SCRATCH = 16 * 1024;
const leafInput = new Uint8Array(1 + LEAF_SCRATCH);
const nodeInput = new Uint8Array(65);
leafInput[0] = 0x00;
nodeInput[0] = 0x01;

export function leafHash(leaf: Uint8Array): Uint8Array {
  if (leaf.length > LEAF_SCRATCH) return sha256(leafInput.subarray(0, 1), leaf);
  leafInput.set(leaf, 1);
  return hash('sha256', leafInput.subarray(0, 1 + leaf.length), 'buffer');
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  // A proof from outside may carry hashes of any length: those are hashed as given, never padded.
  if (left.length !== 32 || right.length !== 32) return sha256(nodeInput.subarray(0, 1), left, right);
  nodeInput.set(left, 1);
  nodeInput.set(right, 33);
  return hash('sha256', nodeInput, 'buffer');
}

/** The hash of the empty tree: SHA-256 of nothing. */
export const EMPTY_ROOT = sha256();
