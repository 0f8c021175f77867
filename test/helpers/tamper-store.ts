// Edits an administrator with the database could make to a SQLite log store (a kiosk's, or HQ's), for the tests
// that show every reader catches them: a row's bytes changed with its hash column kept in step, or a whole log
// signed again under another key.
import Database from 'better-sqlite3';
import { ZERO_HASH, decodeLeaf } from '../../core/entry.ts';
import { signEntry } from '../../ledger/entry-signing.ts';
import { leafHash } from '../../ledger/hash.ts';
import type { Signer } from '../../ledger/keys.ts';

/** A leaf with the text `from` replaced by `to` (same length) and the leaf hash to keep the hash column in step. */
export function editedLeaf(stored: Uint8Array, from: string, to: string): { leaf: Buffer; hash: Uint8Array } {
  const leaf = Buffer.from(stored);
  const at = leaf.indexOf(from);
  if (at < 0 || Buffer.byteLength(to) !== Buffer.byteLength(from)) throw new Error(`cannot edit ${from} to ${to}`);
  leaf.write(to, at);
  return { leaf, hash: leafHash(leaf) };
}

/** Entry `seq` of `origin` in a SQLite store edited as editedLeaf does: only its signature shows it. */
export function editRow(file: string, origin: string, seq: number, from: string, to: string): void {
  const db = new Database(file);
  try {
    const row = db
      .prepare<[string, number], { leaf: Buffer }>('SELECT leaf FROM entries WHERE origin = ? AND seq = ?')
      .get(origin, seq);
    if (!row) throw new Error(`no entry ${origin}#${seq} in ${file}`);
    const { leaf, hash } = editedLeaf(row.leaf, from, to);
    db.prepare('UPDATE entries SET leaf = ?, hash = ? WHERE origin = ? AND seq = ?').run(leaf, hash, origin, seq);
  } finally {
    db.close();
  }
}

/** Every row of `forger.name`'s log in a SQLite store signed again, in order, under `forger`: a log its owner never wrote. */
export function resignLog(file: string, forger: Signer): void {
  const origin = forger.name;
  const db = new Database(file);
  try {
    const rows = db
      .prepare<[string], { seq: number; leaf: Buffer }>('SELECT seq, leaf FROM entries WHERE origin = ? ORDER BY seq')
      .all(origin);
    let prev: Uint8Array = ZERO_HASH;
    const update = db.prepare('UPDATE entries SET leaf = ?, hash = ? WHERE origin = ? AND seq = ?');
    for (const row of rows) {
      const { body } = decodeLeaf(row.leaf);
      const payload = body.seq === 0 ? { ...body.payload, key: forger.verifier.publicKey } : body.payload;
      const signed = signEntry({ ...body, prev, kid: forger.verifier.id, payload }, forger);
      update.run(signed.leaf, signed.hash, origin, row.seq);
      prev = signed.hash;
    }
    db.prepare('UPDATE logs SET genesis_key = ? WHERE origin = ?').run(forger.verifier.publicKey, origin);
  } finally {
    db.close();
  }
}
