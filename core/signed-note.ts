// C2SP signed-note and tlog-checkpoint text formats, pure (the ledger signs and opens notes with node:crypto keys;
// the evidence verifier reads the same notes in a browser).
//   note       = text (ends with \n) || \n || one or more lines "— <key name> <base64(key id || signature)>\n"
//   checkpoint = "<origin>\n<tree size>\n<base64 root hash>\n" [extension lines]
import { fromBase64, toBase64 } from './bytes.ts';
import { MusterError } from './errors.ts';

export const SIG_PREFIX = '\u2014 ';
const MAX_NOTE_BYTES = 16 * 1024;

export interface NoteSignature {
  readonly name: string;
  readonly id: Uint8Array;
  readonly signature: Uint8Array;
}

export interface Note {
  readonly text: string;
  readonly signatures: readonly NoteSignature[];
}

export function parseNote(note: string): Note {
  if (note.length > MAX_NOTE_BYTES) throw new MusterError('bad-note', 'note is too large');
  const split = note.lastIndexOf('\n\n');
  if (split < 0) throw new MusterError('bad-note', 'note has no blank line before its signatures');
  const text = note.slice(0, split + 1);
  checkText(text);
  const sigBlock = note.slice(split + 2);
  if (!sigBlock.endsWith('\n')) throw new MusterError('bad-note', 'note does not end with a newline');
  const signatures = sigBlock
    .slice(0, -1)
    .split('\n')
    .map((line) => {
      if (!line.startsWith(SIG_PREFIX))
        throw new MusterError('bad-note', `malformed signature line ${JSON.stringify(line.slice(0, 40))}`);
      const [name, data, extra] = line.slice(SIG_PREFIX.length).split(' ');
      if (!name || !data || extra !== undefined) throw new MusterError('bad-note', 'malformed signature line');
      let raw: Uint8Array;
      try {
        raw = fromBase64(data);
      } catch {
        throw new MusterError('bad-note', 'signature is not base64');
      }
      if (raw.length < 5) throw new MusterError('bad-note', 'signature too short');
      return { name, id: raw.subarray(0, 4), signature: raw.subarray(4) };
    });
  if (signatures.length === 0) throw new MusterError('bad-note', 'note has no signatures');
  return { text, signatures };
}

export function checkText(text: string): void {
  if (!text.endsWith('\n')) throw new MusterError('bad-note', 'note text must end with a newline');
  if (text.includes('\n\n')) throw new MusterError('bad-note', 'note text must not contain blank lines');
  for (const ch of text) {
    const code = ch.charCodeAt(0);
    if (code < 0x20 && code !== 0x0a) throw new MusterError('bad-note', 'note text has control characters');
  }
}

export interface Checkpoint {
  readonly origin: string;
  readonly size: number;
  readonly root: Uint8Array;
  readonly extensions: readonly string[];
}

export function formatCheckpoint(checkpoint: Checkpoint): string {
  return `${checkpoint.origin}\n${checkpoint.size}\n${toBase64(checkpoint.root)}\n${checkpoint.extensions.map((e) => `${e}\n`).join('')}`;
}

export function parseCheckpoint(text: string): Checkpoint {
  const lines = text.split('\n');
  if (lines.length < 4 || lines.at(-1) !== '')
    throw new MusterError('bad-checkpoint', 'checkpoint needs origin, size and root lines');
  const [origin, sizeText, rootText] = lines as [string, string, string];
  if (!origin) throw new MusterError('bad-checkpoint', 'checkpoint origin is empty');
  if (!/^(0|[1-9]\d{0,15})$/.test(sizeText) || !Number.isSafeInteger(Number(sizeText))) {
    throw new MusterError('bad-checkpoint', `checkpoint size ${JSON.stringify(sizeText)} is not a decimal integer`);
  }
  let root: Uint8Array;
  try {
    root = fromBase64(rootText);
  } catch {
    throw new MusterError('bad-checkpoint', 'checkpoint root is not base64');
  }
  if (root.length !== 32) throw new MusterError('bad-checkpoint', 'checkpoint root is not a SHA-256 hash');
  return { origin, size: Number(sizeText), root, extensions: lines.slice(3, -1) };
}

/** C2SP tlog-cosignature v1: the message a witness signs for a checkpoint body at `time` (seconds since the epoch). */
export function cosignedMessage(body: string, time: number): string {
  return `cosignature/v1\ntime ${time}\n${body}`;
}
