// The work both the calling thread and VerifyPool's workers do: claim chunks of a batch from a shared counter
// and mark each leaf whose signature verifies under the log key named by its key id.
import { bytesEqual, toHex } from '../core/bytes.ts';
import { type DecodedLeaf, decodeLeaf } from '../core/entry.ts';
import { entrySignatureValid } from '../ledger/entry-signing.ts';
import type { KeySpan } from '../ledger/key-schedule.ts';
import { Verifier } from '../ledger/keys.ts';

export interface VerifyGroup {
  readonly origin: string;
  readonly keys: readonly KeySpan[];
  readonly leaves: readonly Uint8Array[];
  /** The leaves already decoded, when the calling thread has them (never sent to workers). */
  readonly decoded?: readonly DecodedLeaf[];
}

export interface VerifyRequest {
  readonly id: number;
  readonly groups: readonly VerifyGroup[];
  /** claims[0]: the next unclaimed leaf, over the groups' leaves in order. */
  readonly claims: Int32Array;
  /** One byte per leaf, 1 when its signature verified. */
  readonly flags: Uint8Array;
}

export interface VerifyResponse {
  readonly id: number;
}

/** Leaves per claim: small enough to balance, large enough that the atomic add is noise. */
const CHUNK = 8;
const MAX_CACHED = 20_000;

/** Public keys as KeyObjects, made once per thread (making one costs about as much as a verify). */
export class VerifierCache {
  private readonly cache = new Map<string, Verifier>();

  get(origin: string, publicKey: Uint8Array): Verifier {
    const key = `${origin}\n${toHex(publicKey)}`;
    let verifier = this.cache.get(key);
    if (!verifier) {
      if (this.cache.size >= MAX_CACHED) this.cache.clear();
      verifier = new Verifier(origin, publicKey);
      this.cache.set(key, verifier);
    }
    return verifier;
  }
}

export function verifyClaimed(request: VerifyRequest, cache: VerifierCache): void {
  const starts: number[] = [];
  let total = 0;
  for (const group of request.groups) {
    starts.push(total);
    total += group.leaves.length;
  }
  let group = 0;
  for (;;) {
    const from = Atomics.add(request.claims, 0, CHUNK);
    if (from >= total) return;
    const to = Math.min(total, from + CHUNK);
    for (let index = from; index < to; index++) {
      while (index >= (starts[group + 1] ?? Infinity)) group++;
      while (index < (starts[group] ?? 0)) group--;
      const g = request.groups[group] as VerifyGroup;
      const i = index - (starts[group] ?? 0);
      if (leafValid(g, g.decoded?.[i] ?? (g.leaves[i] as Uint8Array), cache)) request.flags[index] = 1;
    }
  }
}

function leafValid(group: VerifyGroup, leaf: Uint8Array | DecodedLeaf, cache: VerifierCache): boolean {
  try {
    const decoded = leaf instanceof Uint8Array ? decodeLeaf(leaf) : leaf;
    for (const span of group.keys) {
      const verifier = cache.get(group.origin, span.publicKey);
      if (bytesEqual(verifier.id, decoded.body.kid)) return entrySignatureValid(decoded, verifier);
    }
  } catch {
    // Malformed: the ingest reports it.
  }
  return false;
}
