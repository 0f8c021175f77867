// C2SP signed notes and checkpoints, signed and opened with the ledger's keys; the text formats are in
// core/signed-note.ts. Verifiers ignore signatures by keys they do not know and need at least one by a key they trust.
import { bytesEqual, concatBytes, toBase64, utf8 } from '../core/bytes.ts';
import { MusterError } from '../core/errors.ts';
import {
  type Checkpoint,
  SIG_PREFIX,
  checkText,
  formatCheckpoint,
  parseCheckpoint,
  parseNote,
} from '../core/signed-note.ts';
import type { Signer, Verifier } from './keys.ts';

export {
  type Checkpoint,
  type Note,
  type NoteSignature,
  formatCheckpoint,
  parseCheckpoint,
  parseNote,
} from '../core/signed-note.ts';

export function signNote(text: string, signers: readonly Signer[]): string {
  checkText(text);
  const lines = signers.map((s) => `${SIG_PREFIX}${s.name} ${toBase64(concatBytes(s.id, s.sign(utf8(text))))}\n`);
  return `${text}\n${lines.join('')}`;
}

/** Returns the note's text if a known verifier signed it; throws MusterError('bad-signature') otherwise. */
export function openNote(note: string, verifiers: readonly Verifier[]): { text: string; verifiedBy: Verifier[] } {
  const parsed = parseNote(note);
  const verifiedBy: Verifier[] = [];
  for (const sig of parsed.signatures) {
    const verifier = verifiers.find((v) => v.name === sig.name && bytesEqual(v.id, sig.id));
    if (!verifier) continue;
    if (!verifier.verify(utf8(parsed.text), sig.signature)) {
      throw new MusterError('bad-signature', `signature by ${sig.name} does not verify`);
    }
    if (!verifiedBy.includes(verifier)) verifiedBy.push(verifier);
  }
  if (verifiedBy.length === 0) throw new MusterError('bad-signature', 'note is not signed by any trusted key');
  return { text: parsed.text, verifiedBy };
}

/** Verifies a signed checkpoint against the log's keys; checks the origin line too. */
export function openCheckpoint(note: string, origin: string, verifiers: readonly Verifier[]): Checkpoint {
  const { text } = openNote(note, verifiers);
  const checkpoint = parseCheckpoint(text);
  if (checkpoint.origin !== origin) {
    throw new MusterError(
      'bad-checkpoint',
      `checkpoint is for origin ${JSON.stringify(checkpoint.origin)}, expected ${JSON.stringify(origin)}`,
    );
  }
  return checkpoint;
}

/** The size a checkpoint note claims, unverified (0 when it does not parse: whoever verifies it will say why). */
export function claimedSize(note: string): number {
  try {
    return parseCheckpoint(parseNote(note).text).size;
  } catch (error) {
    if (error instanceof MusterError) return 0;
    throw error;
  }
}

export function signCheckpoint(checkpoint: Checkpoint, signer: Signer): string {
  return signNote(formatCheckpoint(checkpoint), [signer]);
}
