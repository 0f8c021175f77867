// Signing and checking entries: the signature covers a domain prefix and the exact body bytes.
import { concatBytes } from '../core/bytes.ts';
import { type DecodedLeaf, ENTRY_SIGNATURE_DOMAIN, type EntryBody, encodeBody, encodeLeaf } from '../core/entry.ts';
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

export function entrySignatureValid(decoded: DecodedLeaf, verifier: Verifier): boolean {
  return verifier.verify(concatBytes(ENTRY_SIGNATURE_DOMAIN, decoded.bodyBytes), decoded.signature);
}
