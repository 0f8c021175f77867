// Signing and checking entries: the signature covers a domain prefix and the exact body bytes.
import { concatBytes } from '../core/bytes.ts';
import {
  type DecodedLeaf,
  ENTRY_SIGNATURE_DOMAIN,
  type EntryBody,
  MAX_LEAF_BYTES,
  encodeBody,
  encodeLeaf,
} from '../core/entry.ts';
import { leafHash } from './hash.ts';
import type { Signer, Verifier } from './keys.ts';

export interface SignedEntry {
  readonly body: EntryBody;
  readonly leaf: Uint8Array;
  readonly hash: Uint8Array;
}

export function signEntry(body: EntryBody, signer: Signer): SignedEntry {
  const bodyBytes = encodeBody(body);
  const leaf = encodeLeaf(bodyBytes, signer.sign(concatBytes(ENTRY_SIGNATURE_DOMAIN, bodyBytes)));
  return { body, leaf, hash: leafHash(leaf) };
}

// Verifiers check every entry of a log: "domain || body" is laid out in one buffer per thread instead of a
// new copy per entry (verification is synchronous, so the buffer is never shared).
const signed = new Uint8Array(ENTRY_SIGNATURE_DOMAIN.length + MAX_LEAF_BYTES);
signed.set(ENTRY_SIGNATURE_DOMAIN);

export function entrySignatureValid(decoded: DecodedLeaf, verifier: Verifier): boolean {
  const { bodyBytes, signature } = decoded;
  // decodeLeaf caps a leaf at MAX_LEAF_BYTES; a DecodedLeaf built by hand could be longer.
  if (bodyBytes.length > MAX_LEAF_BYTES)
    return verifier.verify(concatBytes(ENTRY_SIGNATURE_DOMAIN, bodyBytes), signature);
  signed.set(bodyBytes, ENTRY_SIGNATURE_DOMAIN.length);
  return verifier.verify(signed.subarray(0, ENTRY_SIGNATURE_DOMAIN.length + bodyBytes.length), signature);
}
