// C2SP tlog-cosignature v1 (Ed25519): a witness's timestamped statement that, as of `time`, the checkpoint is the
// largest consistent tree it has seen for the log.
//   key id    = SHA-256(<name> || 0x0A || 0x04 || public key)[:4]
//   signed    = "cosignature/v1\ntime <t>\n" || checkpoint body (the note text, without signature lines)
//   line      = "— <name> " base64(key id || u64 big-endian t || Ed25519 signature)
import { bytesEqual, concatBytes, toBase64, utf8 } from '../core/bytes.ts';
import { MusterError } from '../core/errors.ts';
import { sha256 } from '../ledger/hash.ts';
import type { Signer, Verifier } from '../ledger/keys.ts';
import { parseNote } from '../ledger/note.ts';
import { SIG_PREFIX, cosignedMessage } from '../core/signed-note.ts';

const COSIGNATURE_V1 = 0x04;

export function cosignerKeyId(name: string, publicKey: Uint8Array): Uint8Array {
  return sha256(utf8(name), Uint8Array.of(0x0a, COSIGNATURE_V1), publicKey).subarray(0, 4);
}

function signedMessage(body: string, time: number): Uint8Array {
  return utf8(cosignedMessage(body, time));
}

/** Adds the witness's cosignature line to a signed checkpoint note; `time` is in seconds since the epoch. */
export function cosign(note: string, witness: Signer, time: number): string {
  if (!Number.isSafeInteger(time) || time < 0)
    throw new TypeError(`time: expected seconds since the epoch, got ${time}`);
  const { text } = parseNote(note);
  const stamp = new Uint8Array(8);
  new DataView(stamp.buffer).setBigUint64(0, BigInt(time));
  const signature = witness.sign(signedMessage(text, time));
  const line = `\u2014 ${witness.name} ${toBase64(concatBytes(cosignerKeyId(witness.name, witness.verifier.publicKey), stamp, signature))}\n`;
  return `${note}${line}`;
}

/** Finds and checks the witness's cosignature in a note; returns its time, or throws MusterError('bad-cosignature'). */
export function verifyCosignature(note: string, witness: Verifier): number {
  const { text, signatures } = parseNote(note);
  const id = cosignerKeyId(witness.name, witness.publicKey);
  const sig = signatures.find((s) => s.name === witness.name && bytesEqual(s.id, id));
  if (!sig) throw new MusterError('bad-cosignature', `note carries no cosignature by ${witness.name}`);
  if (sig.signature.length !== 72)
    throw new MusterError('bad-cosignature', 'cosignature is not a timestamped Ed25519 signature');
  const time = new DataView(sig.signature.buffer, sig.signature.byteOffset, 8).getBigUint64(0);
  if (time > BigInt(Number.MAX_SAFE_INTEGER))
    throw new MusterError('bad-cosignature', 'cosignature time is out of range');
  if (!witness.verify(signedMessage(text, Number(time)), sig.signature.subarray(8))) {
    throw new MusterError('bad-cosignature', `cosignature by ${witness.name} does not verify`);
  }
  return Number(time);
}

/** The signature lines of a note (the log's signatures and any cosignatures), in order. */
export function signatureLines(note: string): string[] {
  return note
    .slice(note.lastIndexOf('\n\n') + 2)
    .split('\n')
    .filter((l) => l.startsWith(SIG_PREFIX));
}

/** One note with the signature lines of both (the same checkpoint text): `a`'s lines, then `b`'s it lacks. */
export function mergeNotes(a: string, b: string): string {
  if (parseNote(a).text !== parseNote(b).text) throw new MusterError('bad-note', 'the notes sign different texts');
  const held = new Set(signatureLines(a));
  const lines = signatureLines(b).filter((l) => !held.has(l) && held.add(l));
  return `${a}${lines.map((l) => `${l}\n`).join('')}`;
}

/** Times (seconds since the epoch) of `witness`'s timestamped cosignatures on a note, unverified: for choosing, never trust. */
export function cosignatureTimes(note: string, witness: string): number[] {
  return parseNote(note)
    .signatures.filter((s) => s.name === witness && s.signature.length === 72)
    .map((s) => Number(new DataView(s.signature.buffer, s.signature.byteOffset, 8).getBigUint64(0)));
}
