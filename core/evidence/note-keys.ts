// Public keys as C2SP signed notes name them, pure (ledger/keys.ts holds the node:crypto side):
//   verifier key  <name>+<key id hex>+<base64(0x01 || Ed25519 public key)>
//   key id        SHA-256(name || 0x0A || 0x01 || public key)[:4]; a cosigner's (cosignature/v1) uses 0x04
// and the checks of signed notes and C2SP cosignatures with them.
import { bytesEqual, concatBytes, fromBase64, toBase64, toHex, utf8 } from '../bytes.ts';
import { MusterError } from '../errors.ts';
import { type NoteSignature, cosignedMessage, parseNote } from '../signed-note.ts';
import { ed25519Verify } from './ed25519.ts';
import { sha256 } from './sha256.ts';

const ED25519 = 0x01;
const COSIGNATURE_V1 = 0x04;

export interface NoteKey {
  readonly name: string;
  readonly publicKey: Uint8Array;
  /** Key id for note signatures (0x01). */
  readonly id: Uint8Array;
  /** Key id for cosignature/v1 lines (0x04). */
  readonly cosignerId: Uint8Array;
}

export function noteKey(name: string, publicKey: Uint8Array): NoteKey {
  if (!/^[^\s+]+$/.test(name)) throw new MusterError('bad-key', `key name ${JSON.stringify(name)} has a space or '+'`);
  if (publicKey.length !== 32) throw new MusterError('bad-key', `key of ${name} is not 32 bytes`);
  const idOf = (type: number): Uint8Array => sha256(utf8(name), Uint8Array.of(0x0a, type), publicKey).subarray(0, 4);
  return { name, publicKey, id: idOf(ED25519), cosignerId: idOf(COSIGNATURE_V1) };
}

export function parseNoteKey(text: string): NoteKey {
  const line = text.trim();
  const first = line.indexOf('+');
  const second = line.indexOf('+', first + 1);
  if (first <= 0 || second < 0) throw new MusterError('bad-key', 'not a verifier key: expected <name>+<id>+<key>');
  let raw: Uint8Array;
  try {
    raw = fromBase64(line.slice(second + 1));
  } catch {
    throw new MusterError('bad-key', 'verifier key data is not base64');
  }
  if (raw.length !== 33 || raw[0] !== ED25519) throw new MusterError('bad-key', 'verifier key is not an Ed25519 key');
  const key = noteKey(line.slice(0, first), raw.subarray(1));
  if (toHex(key.id) !== line.slice(first + 1, second).toLowerCase())
    throw new MusterError('bad-key', `key id of ${key.name} does not match the key`);
  return key;
}

export function formatNoteKey(key: NoteKey): string {
  return `${key.name}+${toHex(key.id)}+${toBase64(concatBytes(Uint8Array.of(ED25519), key.publicKey))}`;
}

export function sameKey(a: NoteKey, b: NoteKey): boolean {
  return a.name === b.name && bytesEqual(a.publicKey, b.publicKey);
}

export interface NoteCheck {
  readonly text: string;
  /** Keys among `signers` whose signature verified. */
  readonly signedBy: readonly NoteKey[];
  /** Witnesses among `witnesses` whose cosignature verified, with its time (seconds since the epoch). */
  readonly cosignedBy: readonly { readonly witness: NoteKey; readonly time: number }[];
}

/** One signature line checked: by a signer, by a witness (with its time), or by a key in neither list. */
export type LineCheck =
  | { readonly by: 'signer'; readonly key: NoteKey; readonly ok: boolean }
  | { readonly by: 'witness'; readonly key: NoteKey; readonly ok: boolean; readonly time: number }
  | { readonly by: 'unknown' };

/** Checks one signature line of a note whose text is `text` against the signers' and witnesses' keys. */
export async function checkLine(
  text: string,
  sig: NoteSignature,
  signers: readonly NoteKey[],
  witnesses: readonly NoteKey[],
): Promise<LineCheck> {
  const signer = signers.find((k) => k.name === sig.name && bytesEqual(k.id, sig.id));
  if (signer)
    return { by: 'signer', key: signer, ok: await ed25519Verify(signer.publicKey, utf8(text), sig.signature) };
  const witness = witnesses.find((k) => k.name === sig.name && bytesEqual(k.cosignerId, sig.id));
  if (!witness) return { by: 'unknown' };
  if (sig.signature.length !== 72) return { by: 'witness', key: witness, ok: false, time: 0 };
  const time = Number(new DataView(sig.signature.buffer, sig.signature.byteOffset, 8).getBigUint64(0));
  const ok =
    Number.isSafeInteger(time) &&
    (await ed25519Verify(witness.publicKey, utf8(cosignedMessage(text, time)), sig.signature.subarray(8)));
  return { by: 'witness', key: witness, ok, time };
}

/**
 * Checks every signature line of a note: each must be a signature by one of `signers` or a cosignature/v1 by one
 * of `witnesses`, and verify. A line by anyone else is refused (an unknown witness proves nothing and must not
 * pass for one) unless `others` is 'ignore' (a receipt names no witnesses); a note none of `signers` signed is refused.
 */
export async function checkNote(
  note: string,
  signers: readonly NoteKey[],
  witnesses: readonly NoteKey[],
  others: 'refuse' | 'ignore' = 'refuse',
): Promise<NoteCheck> {
  const { text, signatures } = parseNote(note);
  const signedBy: NoteKey[] = [];
  const cosignedBy: { witness: NoteKey; time: number }[] = [];
  for (const sig of signatures) {
    const line = await checkLine(text, sig, signers, witnesses);
    if (line.by === 'signer') {
      if (!line.ok) throw new MusterError('bad-signature', `the signature by ${sig.name} does not verify`);
      if (!signedBy.includes(line.key)) signedBy.push(line.key);
      continue;
    }
    if (line.by === 'unknown') {
      if (others === 'ignore') continue;
      if (signers.some((k) => k.name === sig.name))
        throw new MusterError(
          'bad-signature',
          `signed by a key of ${sig.name} that is not among the log's keys in the bundle (key swapped?)`,
        );
      throw new MusterError(
        'unknown-witness',
        `a signature by ${sig.name}, a key the bundle does not list, is on the checkpoint`,
      );
    }
    if (!line.ok)
      throw new MusterError(
        'bad-cosignature',
        sig.signature.length === 72
          ? `the cosignature by ${sig.name} does not verify`
          : `the cosignature by ${sig.name} is not a timestamped Ed25519 signature`,
      );
    cosignedBy.push({ witness: line.key, time: line.time });
  }
  if (signedBy.length === 0) throw new MusterError('bad-signature', 'the note is not signed by its log');
  return { text, signedBy, cosignedBy };
}
