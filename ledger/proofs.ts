// Inclusion and consistency proofs as portable JSON, checkable offline with only the log's public key.
import { bytesEqual, fromBase64, fromHex, toBase64, toHex } from '../core/bytes.ts';
import { decodeLeaf } from '../core/entry.ts';
import { MusterError, errorMessage } from '../core/errors.ts';
import {
  type ConsistencyProof,
  type InclusionProof,
  type Proof,
  parseProofJson,
} from '../core/evidence/proof-format.ts';
import { entrySignatureValid } from './entry-signing.ts';
import { leafHash } from './hash.ts';
import type { Verifier } from './keys.ts';
import { consistencyProof, inclusionProof, rootHash, verifyConsistency, verifyInclusion } from './merkle.ts';
import { openCheckpoint, parseCheckpoint, parseNote } from './note.ts';
import type { LedgerStore, StoredCheckpoint } from './store.ts';

export function buildInclusionProof(
  store: LedgerStore,
  origin: string,
  seq: number,
  checkpoint: StoredCheckpoint,
): InclusionProof {
  const row = store.entry(origin, seq);
  if (!row) throw new MusterError('not-found', `entry ${seq} of ${origin} is not in the store`);
  if (seq >= checkpoint.size)
    throw new MusterError('not-covered', `entry ${seq} is not covered by the checkpoint of size ${checkpoint.size}`);
  const path = inclusionProof(store.treeSource(origin), seq, checkpoint.size);
  return {
    kind: 'inclusion',
    origin,
    seq,
    treeSize: checkpoint.size,
    entry: toBase64(row.leaf),
    leafHash: toHex(row.hash),
    path: path.map(toHex),
    checkpoint: checkpoint.note,
  };
}

export function buildConsistencyProof(
  store: LedgerStore,
  origin: string,
  oldSize: number,
  checkpoint: StoredCheckpoint,
): ConsistencyProof {
  if (oldSize > checkpoint.size)
    throw new MusterError('not-covered', `size ${oldSize} is beyond the checkpoint of size ${checkpoint.size}`);
  const source = store.treeSource(origin);
  const old = store.checkpointAt(origin, oldSize);
  return {
    kind: 'consistency',
    origin,
    oldSize,
    oldRoot: toHex(rootHash(source, oldSize)),
    newSize: checkpoint.size,
    path: consistencyProof(source, oldSize, checkpoint.size).map(toHex),
    checkpoint: checkpoint.note,
    ...(old ? { oldCheckpoint: old.note } : {}),
  };
}

export type ProofCheck =
  { readonly ok: true; readonly summary: string } | { readonly ok: false; readonly reason: string };

/** Checks a proof (parsed JSON of unknown shape) with only the log's public keys. */
export function checkProof(input: unknown, verifiers: readonly Verifier[]): ProofCheck {
  try {
    const proof = parseProof(input);
    const checkpoint = openCheckpoint(proof.checkpoint, proof.origin, verifiers);
    if (proof.kind === 'inclusion') {
      if (checkpoint.size !== proof.treeSize)
        return { ok: false, reason: `proof is for size ${proof.treeSize}, checkpoint is for ${checkpoint.size}` };
      const leaf = fromBase64(proof.entry);
      const hash = leafHash(leaf);
      if (toHex(hash) !== proof.leafHash) return { ok: false, reason: 'leaf hash does not match the entry' };
      const decoded = decodeLeaf(leaf);
      if (decoded.body.origin !== proof.origin || decoded.body.seq !== proof.seq)
        return { ok: false, reason: 'entry is not the one the proof names' };
      const signer = verifiers.find((v) => v.name === proof.origin && bytesEqual(decoded.body.kid, v.id));
      if (!signer) return { ok: false, reason: 'entry is signed by a key not among those given' };
      if (!entrySignatureValid(decoded, signer)) return { ok: false, reason: 'entry signature does not verify' };
      if (!verifyInclusion(proof.seq, proof.treeSize, hash, proof.path.map(fromHex), checkpoint.root)) {
        return { ok: false, reason: 'inclusion path does not lead to the checkpoint root' };
      }
      return {
        ok: true,
        summary: `entry ${proof.seq} (${decoded.body.type}) is in ${proof.origin} at size ${proof.treeSize}`,
      };
    }
    if (checkpoint.size !== proof.newSize)
      return { ok: false, reason: `proof is for size ${proof.newSize}, checkpoint is for ${checkpoint.size}` };
    const oldRoot = fromHex(proof.oldRoot);
    if (proof.oldCheckpoint !== undefined) {
      const old = openCheckpoint(proof.oldCheckpoint, proof.origin, verifiers);
      if (old.size !== proof.oldSize || !bytesEqual(old.root, oldRoot))
        return { ok: false, reason: 'old checkpoint does not match the old root' };
    }
    if (!verifyConsistency(proof.oldSize, proof.newSize, oldRoot, checkpoint.root, proof.path.map(fromHex))) {
      return {
        ok: false,
        reason: `the tree of size ${proof.oldSize} is not a prefix of the checkpoint's tree (fork or rollback)`,
      };
    }
    return { ok: true, summary: `${proof.origin} at size ${proof.oldSize} is a prefix of size ${proof.newSize}` };
  } catch (error) {
    return { ok: false, reason: errorMessage(error) };
  }
}

/** A proof's JSON checked: a field that does not fit is bad-proof naming it; its checkpoint must parse. */
function parseProof(input: unknown): Proof {
  const proof = parseProofJson(input);
  parseCheckpoint(parseNote(proof.checkpoint).text);
  return proof;
}
