// Cosigned checkpoints a node keeps: the cosignatures its witness issues and those it receives from other
// witnesses (peer kiosks, HQ) on `muster/v1/log/<o>/cosign/<witness>`. They go into the log store's checkpoints
// table, merged into the row of the same size, so evidence bundles (main/evidence/export-evidence.ts) and fsck
// find them beside the log's own checkpoints. A checkpoint of a size not yet stored is kept only if the log's
// latest stored one was cosigned by that witness at least KEEP_EVERY_S earlier (or not at all): a witness cosigns
// up to once a second per log, and evidence needs a cosigned checkpoint near each window's end, not every one.
import { bytesEqual } from '../core/bytes.ts';
import { MusterError } from '../core/errors.ts';
import type { Verifier } from '../ledger/keys.ts';
import { rootHash } from '../ledger/merkle.ts';
import { claimedSize, openCheckpoint, parseNote } from '../ledger/note.ts';
import type { LedgerStore } from '../ledger/store.ts';
import { cosignatureTimes, mergeNotes, signatureLines } from './cosignature.ts';
import type { ReplicaStore } from './replica-store.ts';
import type { ParsedTopic } from './topics.ts';
import { decodeNoteText } from './wire.ts';

export const KEEP_EVERY_S = 600;

/**
 * Keeps `witness`'s cosignature of a checkpoint of `origin` whose log signature verifies and whose root is the one
 * of the entries held (a checkpoint this store cannot check, or one of a fork, is not kept: the witness reports
 * forks). Only the log's and `witness`'s lines are kept (the broker's ACL proves who published on its topic, not
 * whose lines the note carries). Returns whether the store changed. A cosignature line is stored as received: the
 * store may not know the witness's key; the exporter and every verifier check it.
 */
export function keepCosigned(
  ledger: LedgerStore,
  origin: string,
  received: string,
  verifiers: readonly Verifier[],
  witness: string,
): boolean {
  let size: number;
  let root: Uint8Array;
  let note: string;
  try {
    ({ size, root } = openCheckpoint(received, origin, verifiers));
    const { text, signatures } = parseNote(received);
    const lines = signatureLines(received).filter(
      (_, i) => signatures[i]?.name === origin || signatures[i]?.name === witness,
    );
    note = `${text}\n${lines.map((l) => `${l}\n`).join('')}`;
  } catch (error) {
    if (error instanceof MusterError) return false;
    throw error;
  }
  if (size === 0 || size > ledger.head(origin).size || !bytesEqual(root, rootHash(ledger.treeSource(origin), size)))
    return false;
  const existing = ledger.checkpointAt(origin, size);
  if (existing) {
    // A witness cosigns a checkpoint once; the first line kept of it stays (one witness cannot grow the row).
    if (parseNote(existing.note).signatures.some((s) => s.name === witness)) return false;
    const merged = mergeNotes(existing.note, note);
    if (merged === existing.note) return false;
    ledger.db.prepare('UPDATE checkpoints SET note = ? WHERE origin = ? AND size = ?').run(merged, origin, size);
    return true;
  }
  // Thinned per witness: each keeps a cosigned checkpoint at least every KEEP_EVERY_S.
  const latest = ledger.latestCheckpoint(origin);
  const latestAt = latest ? Math.max(-Infinity, ...cosignatureTimes(latest.note, witness)) : -Infinity;
  const at = Math.min(...cosignatureTimes(note, witness));
  if (latest && latest.size > size) return false;
  if (at < latestAt + KEEP_EVERY_S) return false;
  ledger.saveCheckpoint(origin, { size, root, note });
  return true;
}

/** A message on a `cosign` topic: another witness's cosigned checkpoint, kept when it checks out (else ignored). */
export async function receiveCosigned(
  store: Pick<ReplicaStore, 'keepCosigned'>,
  topic: ParsedTopic,
  payload: Buffer,
): Promise<void> {
  if (topic.kind !== 'cosign') return;
  await store.keepCosigned?.(topic.origin, decodeNoteText(payload, 'cosignature'), topic.witness);
}

/**
 * Cosignatures that outran the entries they cover: a witness's message can reach a node before the log's own
 * entries do, and a retained one is not sent again. The latest per log and witness is held in memory (bounded by
 * logs x witnesses) and kept once the entries are committed.
 */
export class EarlyCosignatures {
  private readonly held = new Map<string, Map<string, { readonly size: number; readonly note: string }>>();

  /** Holds `note` when it claims more entries of `origin` than `ledger` holds (unverified until released). */
  hold(ledger: LedgerStore, origin: string, note: string, witness: string): void {
    const size = claimedSize(note);
    if (size <= ledger.head(origin).size) return;
    const byWitness = this.held.get(origin) ?? new Map<string, { size: number; note: string }>();
    if ((byWitness.get(witness)?.size ?? -1) < size) byWitness.set(witness, { size, note });
    this.held.set(origin, byWitness);
  }

  /** The held cosignatures of `origin` that the entries now in `ledger` cover, no longer held. */
  release(ledger: LedgerStore, origin: string): { readonly witness: string; readonly note: string }[] {
    const byWitness = this.held.get(origin);
    if (!byWitness) return [];
    const held = ledger.head(origin).size;
    const covered = [...byWitness].filter(([, early]) => early.size <= held);
    for (const [witness] of covered) byWitness.delete(witness);
    if (byWitness.size === 0) this.held.delete(origin);
    return covered.map(([witness, early]) => ({ witness, note: early.note }));
  }
}
