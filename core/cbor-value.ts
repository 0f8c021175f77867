// The values Muster puts in deterministic CBOR: JSON's, plus byte strings; no undefined, tags or big integers.
export type CborValue =
  null | boolean | number | string | Uint8Array | readonly CborValue[] | { readonly [key: string]: CborValue };
