// Check-in receipts: the signed entry, the kiosk's signed checkpoint, the inclusion proof between them and the
// kiosk's public keys, so the person or their lawyer can prove offline, years later, that the check-in is in
// the log. Two forms of the same content:
//   file  JSON: { kind: "muster-receipt", v: 1, proof: <InclusionProof>, keys: [<verifier key>...] }
//   QR    "MR1:" + base64url(CBOR [entry, [path hashes], checkpoint note, [public keys]])   (compact, scannable)
// Verifying pins keys with --pubkey; without it the receipt's own keys are used and the result says so.
import QRCode from 'qrcode';
import { bytesEqual, fromBase64, fromHex, toBase64, toHex } from '../../core/bytes.ts';
import { encodeCanonical } from '../../core/canonical.ts';
import { decodeLeaf } from '../../core/entry.ts';
import { MusterError, errorMessage } from '../../core/errors.ts';
import { RECEIPT_QR_PREFIX, type Receipt, parseReceiptJson, parseReceiptQr } from '../../core/evidence/proof-format.ts';
import { parseCheckin } from '../../core/records/checkin.ts';
import { leafHash } from '../../ledger/hash.ts';
import type { KeySchedule } from '../../ledger/key-schedule.ts';
import { loadKeySchedule } from '../../ledger/registry.ts';
import { Verifier } from '../../ledger/keys.ts';
import { parseCheckpoint, parseNote } from '../../ledger/note.ts';
import { buildInclusionProof, checkProof } from '../../ledger/proofs.ts';
import type { EntryRow, LedgerStore, StoredCheckpoint } from '../../ledger/store.ts';

export type { Receipt } from '../../core/evidence/proof-format.ts';

export function buildReceipt(store: LedgerStore, origin: string, seq: number, checkpoint: StoredCheckpoint): Receipt {
  const log = store.log(origin);
  if (!log) throw new MusterError('not-found', `the store holds no log for ${origin}`);
  const row = store.entry(origin, seq);
  if (row && row.type !== 'checkin')
    throw new MusterError('not-a-checkin', `entry ${seq} of ${origin} is a ${row.type}; receipts are for check-ins`);
  const schedule = loadKeySchedule(store, origin, log.genesisKey);
  // A receipt vouches for its entry: one edited at rest (or signed by a revoked or foreign key) gets none.
  const reason = row ? entryProblem(row, schedule) : undefined;
  if (reason) throw new MusterError('entry-unverified', `entry ${seq} of ${origin} fails verification: ${reason}`);
  const proof = buildInclusionProof(store, origin, seq, checkpoint);
  // The path is built from stored hashes an administrator can edit: a receipt that would not verify is not issued.
  const check = checkProof(proof, schedule.verifiers);
  if (!check.ok)
    throw new MusterError(
      'entry-unverified',
      `the receipt for entry ${seq} of ${origin} does not verify: ${check.reason}`,
    );
  return { kind: 'muster-receipt', v: 1, proof, keys: schedule.verifiers.map((v) => v.encode()) };
}

/**
 * The compact text a QR code carries. With `page`, the address of the static verifier (muster evidence page), it is
 * that address with the payload after '#': scanned, it opens the verifier, which checks the receipt on the phone.
 */
export function receiptToQrText(receipt: Receipt, page?: string): string {
  const p = receipt.proof;
  const cbor = encodeCanonical([
    fromBase64(p.entry),
    p.path.map(fromHex),
    p.checkpoint,
    receipt.keys.map((k) => Verifier.parse(k).publicKey),
  ]);
  return (
    (page === undefined ? '' : `${page}#`) +
    RECEIPT_QR_PREFIX +
    toBase64(cbor).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
  );
}

/** A receipt from its QR text (the verifier page's address may come first: the payload follows its '#'). */
export function receiptFromQrText(text: string): Receipt {
  const [entry, path, note, keys] = parseReceiptQr(text);
  try {
    const { body: entryBody } = decodeLeaf(entry);
    const checkpoint = parseCheckpoint(parseNote(note).text);
    const verifiers = keys.map((k) => new Verifier(entryBody.origin, k).encode());
    return {
      kind: 'muster-receipt',
      v: 1,
      proof: {
        kind: 'inclusion',
        origin: entryBody.origin,
        seq: entryBody.seq,
        treeSize: checkpoint.size,
        entry: toBase64(entry),
        leafHash: toHex(leafHash(entry)),
        path: path.map(toHex),
        checkpoint: note,
      },
      keys: verifiers,
    };
  } catch (error) {
    if (error instanceof MusterError && error.code === 'bad-receipt') throw error;
    throw new MusterError('bad-receipt', `QR receipt is damaged: ${errorMessage(error)}`);
  }
}

/** Reads a receipt file: the JSON form, or the QR text as scanned. */
export function parseReceipt(text: string): Receipt {
  const trimmed = text.trim();
  if (trimmed.startsWith(RECEIPT_QR_PREFIX) || trimmed.includes(`#${RECEIPT_QR_PREFIX}`))
    return receiptFromQrText(trimmed);
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch (error) {
    throw new MusterError('bad-receipt', `receipt is neither JSON nor QR text: ${errorMessage(error)}`);
  }
  return parseReceiptJson(value);
}

export type ReceiptCheck =
  | { readonly ok: true; readonly summary: string; readonly pinned: boolean }
  | { readonly ok: false; readonly reason: string };

/** Verifies a receipt offline: signature, inclusion in the signed checkpoint, and that it is a check-in. */
export function verifyReceipt(receipt: Receipt, pinned?: readonly Verifier[]): ReceiptCheck {
  let verifiers: readonly Verifier[];
  try {
    verifiers = pinned ?? receipt.keys.map((k) => Verifier.parse(k));
  } catch (error) {
    return { ok: false, reason: `receipt keys: ${errorMessage(error)}` };
  }
  const result = checkProof(receipt.proof, verifiers);
  if (!result.ok) return result;
  const { body } = decodeLeaf(fromBase64(receipt.proof.entry));
  if (body.type !== 'checkin') return { ok: false, reason: `the entry is a ${body.type}, not a check-in` };
  let what: string;
  try {
    const c = parseCheckin(body.payload);
    what = `check-in of ${c.subject} at ${c.centre} (${c.methods.join(' + ')})`;
  } catch (error) {
    return { ok: false, reason: `the check-in entry is malformed: ${errorMessage(error)}` };
  }
  return {
    ok: true,
    pinned: pinned !== undefined,
    summary: `${what} at ${new Date(body.ts).toISOString()} is entry ${body.seq} of ${body.origin}, in its log of ${receipt.proof.treeSize} entries`,
  };
}

/** The receipt for screen and printer: a few lines of text and the QR code as SVG. */
export async function renderReceipt(receipt: Receipt): Promise<{ lines: string[]; qrSvg: string }> {
  const { body } = decodeLeaf(fromBase64(receipt.proof.entry));
  const c = parseCheckin(body.payload);
  const lines = [
    'Muster check-in receipt',
    `person ${c.subject}`,
    `centre ${c.centre}, kiosk ${c.kiosk}`,
    `time ${new Date(body.ts).toISOString()}`,
    ...(c.tasks.length > 0 ? [`tasks ${c.tasks.map((t) => t.task).join(', ')}`] : []),
    `entry ${body.origin} #${body.seq}, leaf ${receipt.proof.leafHash.slice(0, 16)}`,
    'Verify: muster receipt verify FILE',
  ];
  const qrSvg = await QRCode.toString(receiptToQrText(receipt), { type: 'svg', errorCorrectionLevel: 'L', margin: 2 });
  return { lines, qrSvg };
}

/** Why a stored entry does not verify on its own (stored hash, signature, key in force), or undefined. */
function entryProblem(row: EntryRow, schedule: KeySchedule): string | undefined {
  if (!bytesEqual(leafHash(row.leaf), row.hash)) return 'stored leaf hash does not match the entry';
  try {
    return schedule.check(decodeLeaf(row.leaf));
  } catch (error) {
    return errorMessage(error);
  }
}
