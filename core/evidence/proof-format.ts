// Proofs and check-in receipts as they travel (ledger/proofs.ts and main/kiosk/receipt.ts write them): the schemas
// that read them, shared by the CLI, the kiosk and the static verifier page, so each form is read one way.
//   proof    JSON { kind: "inclusion" | "consistency", origin, ..., path: [hex hash...], checkpoint }
//   receipt  JSON { kind: "muster-receipt", v: 1, proof: <inclusion proof>, keys: [verifier key...] }
//   QR       [anything ending in "#"] "MR1:" base64url(CBOR [entry, [path hashes], checkpoint note, [public keys]])
import { Type } from '@sinclair/typebox';
import { int, list, literal, obj, text } from '../api/check.ts';
import { fromBase64 } from '../bytes.ts';
import { decodeCanonical } from '../canonical.ts';
import { MusterError, errorMessage } from '../errors.ts';
import { SHA256, bytes, variants } from '../records/record-schema.ts';
import { type Decoded, schemaParser } from '../schema.ts';

const ORIGIN = text(1, 200);
const SIZE = int();
/** A Merkle path: at most 64 hashes (a tree of 2^64 leaves). */
const PATH = list(SHA256, 64);
/** A signed checkpoint (note text) or entry (base64): bounded before anything is decoded. */
const SIGNED = text(1, 1_000_000);

/** That the entry is in the log at the checkpoint's size. */
const INCLUSION_PROOF = obj({
  kind: literal('inclusion'),
  origin: ORIGIN,
  seq: SIZE,
  treeSize: SIZE,
  /** The signed entry, base64. */
  entry: SIGNED,
  leafHash: SHA256,
  path: PATH,
  /** Signed checkpoint (note text) for treeSize. */
  checkpoint: SIGNED,
});

/** That the log at the old size is a prefix of the log at the checkpoint's size. */
const CONSISTENCY_PROOF = obj(
  {
    kind: literal('consistency'),
    origin: ORIGIN,
    oldSize: SIZE,
    oldRoot: SHA256,
    newSize: SIZE,
    path: PATH,
    checkpoint: SIGNED,
  },
  {
    /** The signed checkpoint at oldSize, when the store holds one. */
    oldCheckpoint: SIGNED,
  },
);

const PROOF = variants('kind', [INCLUSION_PROOF, CONSISTENCY_PROOF], 'expected an inclusion or consistency proof');

export type InclusionProof = Decoded<typeof INCLUSION_PROOF>;
export type ConsistencyProof = Decoded<typeof CONSISTENCY_PROOF>;
export type Proof = Decoded<typeof PROOF>;

/** A proof's JSON value checked; a field that does not fit is bad-proof naming it. */
export const parseProofJson = schemaParser(PROOF, 'bad-proof', 'proof');

const NOT_A_RECEIPT = 'not a version 1 Muster receipt';

const RECEIPT = obj({
  kind: Type.Literal('muster-receipt', { errorMessage: NOT_A_RECEIPT }),
  v: Type.Literal(1, { errorMessage: NOT_A_RECEIPT }),
  proof: INCLUSION_PROOF,
  /** The kiosk log's verifier keys (genesis first, rotations after): the checkpoint may be signed by a later key than the entry. */
  keys: list(text(1, 200), 64),
});

export type Receipt = Decoded<typeof RECEIPT>;

/** A receipt file's JSON value checked; a field that does not fit is bad-receipt naming it. */
export const parseReceiptJson = schemaParser(RECEIPT, 'bad-receipt', 'receipt');

export const RECEIPT_QR_PREFIX = 'MR1:';

const QR_FIELDS = Type.Tuple(
  [
    Type.Uint8Array({ minByteLength: 1, maxByteLength: 1_000_000, errorMessage: 'expected the entry as bytes' }),
    list(bytes(32), 64),
    text(1, 1_000_000),
    list(bytes(32), 64),
  ],
  { errorMessage: 'expected [entry, path, checkpoint, keys]' },
);

const qrFields = schemaParser(QR_FIELDS, 'bad-receipt', 'QR receipt');

/** A receipt's QR text (alone or after a page address and '#'): its entry, path, checkpoint note and public keys. */
export function parseReceiptQr(text: string): Decoded<typeof QR_FIELDS> {
  const at = text.indexOf(RECEIPT_QR_PREFIX);
  if (at < 0) throw new MusterError('bad-receipt', `not a receipt: no ${RECEIPT_QR_PREFIX} payload`);
  const b64 = text
    .slice(at + RECEIPT_QR_PREFIX.length)
    .trim()
    .replace(/-/g, '+')
    .replace(/_/g, '/');
  let value: unknown;
  try {
    value = decodeCanonical(fromBase64(b64.padEnd(Math.ceil(b64.length / 4) * 4, '=')));
  } catch (error) {
    throw new MusterError('bad-receipt', `QR text is not a receipt: ${errorMessage(error)}`);
  }
  return qrFields(value);
}
