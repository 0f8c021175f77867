// Worker thread of VerifyPool: checks entry signatures only (see verify-pool.ts for what the caller still checks).
import { parentPort } from 'node:worker_threads';
import { bytesEqual } from '../core/bytes.ts';
import { decodeLeaf } from '../core/entry.ts';
import { entrySignatureValid } from '../ledger/entry-signing.ts';
import { Verifier } from '../ledger/keys.ts';
import type { KeySpan } from '../ledger/key-schedule.ts';

export interface VerifyRequest {
  readonly id: number;
  readonly origin: string;
  readonly keys: readonly KeySpan[];
  readonly leaves: readonly Uint8Array[];
  /** Index of the first leaf in the caller's batch. */
  readonly offset: number;
}

export interface VerifyResponse {
  readonly id: number;
  readonly valid: number[];
}

parentPort?.on('message', (request: VerifyRequest) => {
  const verifiers = request.keys.map((k) => new Verifier(request.origin, k.publicKey));
  const valid: number[] = [];
  request.leaves.forEach((leaf, i) => {
    try {
      const decoded = decodeLeaf(leaf);
      const verifier = verifiers.find((v) => bytesEqual(v.id, decoded.body.kid));
      if (verifier && entrySignatureValid(decoded, verifier)) valid.push(request.offset + i);
    } catch {
      // Malformed: the ingest reports it.
    }
  });
  const response: VerifyResponse = { id: request.id, valid };
  parentPort?.postMessage(response);
});
