// Inclusion and consistency proofs as portable JSON, checkable offline with only the log's public key.
import { bytesEqual, fromBase64, fromHex, toBase64, toHex } from '../core/bytes.ts';
import { decodeLeaf } from '../core/entry.ts';
import { MusterError, errorMessage } from '../core/errors.ts';
import { entrySignatureValid } from './entry-signing.ts';
import { leafHash } from './hash.ts';
import type { Verifier } from './keys.ts';
import { consistencyProof, inclusionProof, rootHash, verifyConsistency, verifyInclusion } from './merkle.ts';
import { openCheckpoint, parseCheckpoint, parseNote } from './note.ts';
import type { LedgerStore, StoredCheckpoint } from './store.ts';

export interface InclusionProof {
  readonly kind: 'inclusion';
  readonly origin: string;
  readonly seq: number;
  readonly treeSize: number;
  /** The signed entry, base64. */
  readonly entry: string;
  readonly leafHash: string;
  readonly path: readonly string[];
  /** Signed checkpoint (note text) for treeSize. */
  readonly checkpoint: string;
}

export interface ConsistencyProof {
  readonly kind: 'consistency';
  readonly origin: string;
  readonly oldSize: number;
  readonly oldRoot: string;
  readonly newSize: number;
  readonly path: readonly string[];
  readonly checkpoint: string;
  /** The signed checkpoint at oldSize, when the store holds one. */
  readonly oldCheckpoint?: string;
}

export type Proof = InclusionProof | ConsistencyProof;

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
      if (toHex(hash) !== proof.leafHash.toLowerCase())
        return { ok: false, reason: 'leaf hash does not match the entry' };
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

function parseProof(input: unknown): Proof {
  if (typeof input !== 'object' || input === null) throw new MusterError('bad-proof', 'proof is not a JSON object');
  const p = input as Record<string, unknown>;
  const str = (k: string): string => {
    if (typeof p[k] !== 'string') throw new MusterError('bad-proof', `proof field ${k} is missing or not a string`);
    return p[k];
  };
  const int = (k: string): number => {
    const v = p[k];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
      throw new MusterError('bad-proof', `proof field ${k} is not a non-negative integer`);
    return v;
  };
  const hashes = (k: string): string[] => {
    const v = p[k];
    if (!Array.isArray(v) || v.length > 64 || !v.every((h) => typeof h === 'string' && /^[0-9a-f]{64}$/i.test(h))) {
      throw new MusterError('bad-proof', `proof field ${k} is not a list of hex hashes`);
    }
    return v as string[];
  };
  parseCheckpoint(parseNote(str('checkpoint')).text);
  if (p.kind === 'inclusion') {
    return {
      kind: 'inclusion',
      origin: str('origin'),
      seq: int('seq'),
      treeSize: int('treeSize'),
      entry: str('entry'),
      leafHash: str('leafHash'),
      path: hashes('path'),
      checkpoint: str('checkpoint'),
    };
  }
  if (p.kind === 'consistency') {
    if (!/^[0-9a-f]{64}$/i.test(str('oldRoot')))
      throw new MusterError('bad-proof', 'proof field oldRoot is not a hex hash');
    return {
      kind: 'consistency',
      origin: str('origin'),
      oldSize: int('oldSize'),
      oldRoot: str('oldRoot'),
      newSize: int('newSize'),
      path: hashes('path'),
      checkpoint: str('checkpoint'),
      ...(p.oldCheckpoint === undefined ? {} : { oldCheckpoint: str('oldCheckpoint') }),
    };
  }
  throw new MusterError('bad-proof', 'proof kind must be "inclusion" or "consistency"');
}
