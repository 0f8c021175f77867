// Check-in receipts: the signed entry, the kiosk's signed checkpoint, the inclusion proof between them and the
// kiosk's public keys, so the person or their lawyer can prove offline, years later, that the check-in is in
// the log. Two forms of the same content:
//   file  JSON: { kind: "muster-receipt", v: 1, proof: <InclusionProof>, keys: [<verifier key>...] }
//   QR    "MR1:" + base64url(CBOR [entry, [path hashes], checkpoint note, [public keys]])   (compact, scannable)
// Verifying pins keys with --pubkey; without it the receipt's own keys are used and the result says so.
import QRCode from 'qrcode';
import { bytesEqual, fromBase64, fromHex, toBase64, toHex } from '../../core/bytes.ts';
import { decodeCanonical, encodeCanonical } from '../../core/canonical.ts';
import { decodeLeaf } from '../../core/entry.ts';
import { MusterError, errorMessage } from '../../core/errors.ts';
import { parseCheckin } from '../../core/records/checkin.ts';
import { leafHash } from '../../ledger/hash.ts';
import { KeySchedule } from '../../ledger/key-schedule.ts';
import { Verifier } from '../../ledger/keys.ts';
import { parseCheckpoint, parseNote } from '../../ledger/note.ts';
import { type InclusionProof, buildInclusionProof, checkProof } from '../../ledger/proofs.ts';
import type { EntryRow, LedgerStore, StoredCheckpoint } from '../../ledger/store.ts';

export interface Receipt {
  readonly kind: 'muster-receipt';
  readonly v: 1;
  readonly proof: InclusionProof;
  /** The kiosk log's verifier keys (genesis first, rotations after): the checkpoint may be signed by a later key than the entry. */
  readonly keys: readonly string[];
}

const QR_PREFIX = 'MR1:';

export function buildReceipt(store: LedgerStore, origin: string, seq: number, checkpoint: StoredCheckpoint): Receipt {
  const log = store.log(origin);
  if (!log) throw new MusterError('not-found', `the store holds no log for ${origin}`);
  const row = store.entry(origin, seq);
  if (row && row.type !== 'checkin')
    throw new MusterError('not-a-checkin', `entry ${seq} of ${origin} is a ${row.type}; receipts are for check-ins`);
  const schedule = KeySchedule.load(store, origin, log.genesisKey);
  // A receipt vouches for its entry: one edited at rest (or signed by a revoked or foreign key) gets none.
  const reason = row ? entryProblem(row, schedule) : undefined;
  if (reason) throw new MusterError('entry-unverified', `entry ${seq} of ${origin} fails verification: ${reason}`);
  const keys = schedule.verifiers.map((v) => v.encode());
  return { kind: 'muster-receipt', v: 1, proof: buildInclusionProof(store, origin, seq, checkpoint), keys };
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
    QR_PREFIX +
    toBase64(cbor).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
  );
}

export function receiptFromQrText(text: string): Receipt {
  const trimmed = text.trim();
  // The verifier page's address may come first: the payload follows its '#'.
  const body = trimmed.includes(`#${QR_PREFIX}`) ? trimmed.slice(trimmed.indexOf(`#${QR_PREFIX}`) + 1) : trimmed;
  if (!body.startsWith(QR_PREFIX)) throw new MusterError('bad-receipt', `QR text does not start with ${QR_PREFIX}`);
  let value;
  try {
    const b64 = body.slice(QR_PREFIX.length).replace(/-/g, '+').replace(/_/g, '/');
    value = decodeCanonical(fromBase64(b64.padEnd(Math.ceil(b64.length / 4) * 4, '=')));
  } catch (error) {
    throw new MusterError('bad-receipt', `QR text is not a receipt: ${errorMessage(error)}`);
  }
  if (!Array.isArray(value) || value.length !== 4)
    throw new MusterError('bad-receipt', 'QR receipt is not [entry, path, checkpoint, keys]');
  const [entry, path, note, keys] = value as unknown[];
  if (!(entry instanceof Uint8Array) || !Array.isArray(path) || typeof note !== 'string' || !Array.isArray(keys)) {
    throw new MusterError('bad-receipt', 'QR receipt fields have the wrong types');
  }
  if (!path.every((h): h is Uint8Array => h instanceof Uint8Array && h.length === 32))
    throw new MusterError('bad-receipt', 'QR receipt path is not a list of hashes');
  try {
    const { body: entryBody } = decodeLeaf(entry);
    const checkpoint = parseCheckpoint(parseNote(note).text);
    const verifiers = keys.map((k) => {
      if (!(k instanceof Uint8Array)) throw new MusterError('bad-receipt', 'QR receipt key is not bytes');
      return new Verifier(entryBody.origin, k).encode();
    });
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
  if (trimmed.startsWith(QR_PREFIX) || trimmed.includes(`#${QR_PREFIX}`)) return receiptFromQrText(trimmed);
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch (error) {
    throw new MusterError('bad-receipt', `receipt is neither JSON nor QR text: ${errorMessage(error)}`);
  }
  if (typeof value !== 'object' || value === null) throw new MusterError('bad-receipt', 'receipt is not a JSON object');
  const r = value as Record<string, unknown>;
  if (r.kind !== 'muster-receipt' || r.v !== 1) throw new MusterError('bad-receipt', 'not a version 1 Muster receipt');
  if (!Array.isArray(r.keys) || r.keys.length > 64 || !r.keys.every((k) => typeof k === 'string'))
    throw new MusterError('bad-receipt', 'receipt keys are not a list of verifier keys');
  if (typeof r.proof !== 'object' || r.proof === null) throw new MusterError('bad-receipt', 'receipt has no proof');
  return { kind: 'muster-receipt', v: 1, proof: r.proof as InclusionProof, keys: r.keys };
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
