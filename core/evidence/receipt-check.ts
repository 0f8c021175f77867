// Check-in receipts (main/kiosk/receipt.ts issues them) verified with the evidence verifier's pure code, so the
// static page can check one from a file or from its QR text (both forms read by core/evidence/proof-format.ts).
import { bytesEqual, concatBytes, fromBase64, fromHex } from '../bytes.ts';
import { ENTRY_SIGNATURE_DOMAIN, decodeLeaf } from '../entry.ts';
import { MusterError, errorMessage } from '../errors.ts';
import { parseCheckin } from '../records/checkin.ts';
import { parseCheckpoint } from '../signed-note.ts';
import { ed25519Verify } from './ed25519.ts';
import { type NoteKey, checkNote, noteKey, parseNoteKey, sameKey } from './note-keys.ts';
import { RECEIPT_QR_PREFIX, parseReceiptJson, parseReceiptQr } from './proof-format.ts';
import { leafHash, pathLeadsTo } from './tree.ts';

export interface ReceiptParts {
  readonly entry: Uint8Array;
  readonly path: readonly Uint8Array[];
  readonly checkpoint: string;
  /** The kiosk log's public keys, as the receipt carries them. */
  readonly keys: readonly Uint8Array[];
}

export function isReceiptText(text: string): boolean {
  const t = text.trim();
  return t.startsWith('{') ? /"kind"\s*:\s*"muster-receipt"/.test(t) : t.includes(RECEIPT_QR_PREFIX);
}

/** Reads a receipt: its QR text (alone or after a page address and '#') or its JSON file. */
export function parseReceiptText(text: string): ReceiptParts {
  const t = text.trim();
  try {
    if (!t.startsWith('{')) {
      const [entry, path, checkpoint, keys] = parseReceiptQr(t);
      return { entry, path, checkpoint, keys };
    }
    const { proof, keys } = parseReceiptJson(JSON.parse(t));
    return {
      entry: fromBase64(proof.entry),
      path: proof.path.map(fromHex),
      checkpoint: proof.checkpoint,
      keys: keys.map((k) => parseNoteKey(k).publicKey),
    };
  } catch (error) {
    if (error instanceof MusterError && error.code === 'bad-receipt') throw error;
    throw new MusterError('bad-receipt', `the receipt is damaged: ${errorMessage(error)}`);
  }
}

export type ReceiptReport =
  | { readonly ok: false; readonly failure: string }
  | { readonly ok: true; readonly summary: string; readonly pinned: boolean };

/** Verifies a receipt: entry signature, audit path to the signed checkpoint, a check-in; pinned when a trusted key signed. */
export async function verifyReceiptParts(receipt: ReceiptParts, trusted: readonly NoteKey[]): Promise<ReceiptReport> {
  try {
    const decoded = decodeLeaf(receipt.entry);
    const { body } = decoded;
    const keys = receipt.keys.map((k) => noteKey(body.origin, k));
    const signer = keys.find((k) => bytesEqual(k.id, body.kid));
    if (!signer) return { ok: false, failure: 'the entry is signed by a key the receipt does not carry' };
    if (
      !(await ed25519Verify(
        signer.publicKey,
        concatBytes(ENTRY_SIGNATURE_DOMAIN, decoded.bodyBytes),
        decoded.signature,
      ))
    )
      return { ok: false, failure: 'the entry signature does not verify (the entry was changed)' };
    const { text } = await checkNote(receipt.checkpoint, keys, [], 'ignore');
    const checkpoint = parseCheckpoint(text);
    if (checkpoint.origin !== body.origin)
      return { ok: false, failure: `the checkpoint is of ${checkpoint.origin}, not ${body.origin}` };
    if (!pathLeadsTo(body.seq, checkpoint.size, leafHash(receipt.entry), receipt.path, checkpoint.root))
      return { ok: false, failure: 'the audit path does not lead to the signed checkpoint' };
    if (body.type !== 'checkin') return { ok: false, failure: `the entry is a ${body.type}, not a check-in` };
    const c = parseCheckin(body.payload);
    const pinned = keys.some((k) => trusted.some((t) => sameKey(t, k)));
    return {
      ok: true,
      pinned,
      summary: `check-in of ${c.subject} at ${c.centre} (${c.kiosk}) at ${new Date(body.ts).toISOString()} is entry ${body.seq} of ${body.origin}, in its signed log of ${checkpoint.size} entries`,
    };
  } catch (error) {
    if (!(error instanceof MusterError)) throw error;
    return { ok: false, failure: error.message };
  }
}
