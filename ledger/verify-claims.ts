// The work both the calling thread and VerifyPool's workers do: claim chunks of a job from a shared counter and
// mark each signature that verifies. A job is packed into shared memory by the calling thread, which has already
// decoded the entries: each item is the exact signed message (ENTRY_SIGNATURE_DOMAIN || body bytes, as
// ledger/entry-signing.ts signs it), its signature and the index of the one key to check it under, so a worker
// neither decodes nor copies anything and spends its time in Ed25519.
import { ENTRY_SIGNATURE_DOMAIN } from '../core/entry.ts';
import { toHex } from '../core/bytes.ts';
import { Verifier } from './keys.ts';

export interface VerifyKey {
  readonly origin: string;
  readonly publicKey: Uint8Array;
}

/** One signature to check: `key` indexes the job's keys. */
export interface VerifyItem {
  readonly key: number;
  readonly bodyBytes: Uint8Array;
  readonly signature: Uint8Array;
}

export interface VerifyJob {
  /** Items in the job. */
  readonly size: number;
  readonly keys: readonly VerifyKey[];
  /** Shared: per item, the signed message then the 64-byte signature. */
  readonly data: Uint8Array;
  /** Shared: per item [message start, message end, key]; the signature follows the message. */
  readonly index: Int32Array;
  /** Shared: [next unclaimed item, items finished]. */
  readonly counters: Int32Array;
  /** Shared: one byte per item, 1 when its signature verified under its key. */
  readonly flags: Uint8Array;
}

/** Items per claim: small enough to balance, large enough that the atomic add is noise. */
const CHUNK = 8;
const SIGNATURE_BYTES = 64;
const MAX_CACHED = 20_000;

export function packJob(keys: readonly VerifyKey[], items: readonly VerifyItem[]): VerifyJob {
  let bytes = 0;
  for (const item of items) bytes += ENTRY_SIGNATURE_DOMAIN.length + item.bodyBytes.length + SIGNATURE_BYTES;
  const data = new Uint8Array(new SharedArrayBuffer(Math.max(1, bytes)));
  const index = new Int32Array(new SharedArrayBuffer(Math.max(1, items.length) * 12));
  let at = 0;
  items.forEach((item, i) => {
    index[i * 3] = at;
    data.set(ENTRY_SIGNATURE_DOMAIN, at);
    data.set(item.bodyBytes, at + ENTRY_SIGNATURE_DOMAIN.length);
    at += ENTRY_SIGNATURE_DOMAIN.length + item.bodyBytes.length;
    index[i * 3 + 1] = at;
    // A signature of another length never verifies: no key (-1) is tried for it.
    index[i * 3 + 2] = item.signature.length === SIGNATURE_BYTES ? item.key : -1;
    data.set(item.signature.subarray(0, SIGNATURE_BYTES), at);
    at += SIGNATURE_BYTES;
  });
  return {
    size: items.length,
    keys,
    data,
    index,
    counters: new Int32Array(new SharedArrayBuffer(8)),
    flags: new Uint8Array(new SharedArrayBuffer(Math.max(1, items.length))),
  };
}

export function jobDone(job: VerifyJob): boolean {
  return Atomics.load(job.counters, 1) >= job.size;
}

export function jobClaimable(job: VerifyJob): boolean {
  return Atomics.load(job.counters, 0) < job.size;
}

/** Claims and checks one chunk; false when nothing was left to claim. */
export function claimChunk(job: VerifyJob, verifiers: readonly Verifier[]): boolean {
  const from = Atomics.add(job.counters, 0, CHUNK);
  if (from >= job.size) return false;
  const to = Math.min(job.size, from + CHUNK);
  for (let i = from; i < to; i++) {
    const start = job.index[i * 3] as number;
    const end = job.index[i * 3 + 1] as number;
    const verifier = verifiers[job.index[i * 3 + 2] as number];
    try {
      if (verifier?.verify(job.data.subarray(start, end), job.data.subarray(end, end + SIGNATURE_BYTES)))
        job.flags[i] = 1;
    } catch {
      // Not a verifiable signature: the flag stays 0 and the ingest checks the entry itself.
    }
  }
  // The flags above are visible to whoever reads this counter (Atomics are sequentially consistent).
  Atomics.add(job.counters, 1, to - from);
  return true;
}

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

  forJob(job: VerifyJob): Verifier[] {
    return job.keys.map((k) => this.get(k.origin, k.publicKey));
  }
}
