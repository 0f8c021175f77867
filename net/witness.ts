// A C2SP tlog-witness over logs this node replicates. It keeps only the latest checkpoint per origin and
// accepts a new one only when a consistency proof from the size it holds verifies; the state is advanced
// with an atomic compare-and-set before the cosignature is handed out, and the cosigned note is kept for
// evidence (ReplicaStore.keepCosigned). Because the witness also holds the
// entries, it checks each checkpoint's root against the tree it rebuilt itself. `screenMany` runs only the checks
// that can find the log lying (for a checkpoint whose cosigning waits: net/checkpoint-witnessing.ts).
import { bytesEqual, toBase64 } from '../core/bytes.ts';
import { errorMessage } from '../core/errors.ts';
import type { Signer } from '../ledger/keys.ts';
import { verifyConsistency } from '../ledger/merkle.ts';
import { type Checkpoint, openCheckpoint } from '../ledger/note.ts';
import { cosign } from './cosignature.ts';
import type { ReplicaStore, WitnessUpdate, WitnessedCheckpoint } from './replica-store.ts';

export type WitnessVerdict =
  /** Accepted and cosigned: `note` carries the log's signature and ours. */
  | { readonly kind: 'cosigned'; readonly checkpoint: Checkpoint; readonly note: string }
  /** Not yet judgeable: the replica holds fewer entries than the checkpoint covers. */
  | { readonly kind: 'behind'; readonly checkpoint: Checkpoint; readonly held: number }
  /** Already witnessed, or an older checkpoint consistent with what was witnessed (reordered delivery). */
  | { readonly kind: 'stale'; readonly checkpoint: Checkpoint }
  /** A validly signed checkpoint that contradicts the history: the log was rolled back or forked. */
  | { readonly kind: 'rollback' | 'fork'; readonly checkpoint: Checkpoint; readonly evidence: ForkEvidence }
  | { readonly kind: 'invalid'; readonly reason: string };

/**
 * What the checks that can find the log lying say, with the witness state untouched: `fits` where the checkpoint's root
 * is the root of the verified entries at its size, so it is consistent with every checkpoint this witness accepted (each
 * matched those entries' root at its own size, and they only grow); observeMany would cosign it, or find it stale.
 */
export type ScreenVerdict =
  | Exclude<WitnessVerdict, { readonly kind: 'cosigned' | 'stale' }>
  | { readonly kind: 'fits'; readonly checkpoint: Checkpoint };

export interface ForkEvidence {
  /** The checkpoint that contradicts history, as signed by the log. */
  readonly note: string;
  /** The last checkpoint this witness accepted, as signed by the log. */
  readonly witnessedNote?: string;
  /** Root of the verified entries this witness holds, at the contradicting checkpoint's size (base64). */
  readonly replicaRoot?: string;
  readonly reason: string;
}

export class Witness {
  constructor(
    private readonly store: ReplicaStore,
    private readonly signer: Signer,
    private readonly clock: () => number = Date.now,
  ) {}

  get name(): string {
    return this.signer.name;
  }

  async observe(origin: string, note: string): Promise<WitnessVerdict> {
    const [verdict] = await this.observeMany([{ origin, note }]);
    return verdict ?? { kind: 'invalid', reason: 'no verdict' };
  }

  /**
   * Judges several checkpoints (of different logs), then advances the witness state of every accepted one in one
   * compare-and-set transaction, and only then cosigns them. Judging only reads, so the checkpoints are judged at
   * once: on a network store (HQ's PostgreSQL) their reads overlap instead of queueing one round trip after another.
   */
  async observeMany(items: readonly { readonly origin: string; readonly note: string }[]): Promise<WitnessVerdict[]> {
    const verdicts = await Promise.all(items.map(({ origin, note }) => this.judge(origin, note)));
    const accepted = verdicts.filter((v): v is Accepted => v.kind === 'accepted');
    const stored = accepted.length === 0 ? [] : await this.store.setWitnessedMany(accepted.map((a) => a.update));
    const now = Math.floor(this.clock() / 1000);
    const results: WitnessVerdict[] = [];
    for (const verdict of verdicts) {
      if (verdict.kind !== 'accepted') {
        results.push(verdict);
      } else if (stored[accepted.indexOf(verdict)] !== true) {
        // Another observer advanced the state meanwhile: let the caller see the checkpoint again later.
        results.push({ kind: 'stale', checkpoint: verdict.checkpoint });
      } else {
        const note = cosign(verdict.update.next.note, this.signer, now);
        // Kept for evidence bundles: the witness's own word on the log, beside the log's checkpoints.
        await this.store.keepCosigned?.(verdict.update.origin, note, this.signer.name);
        results.push({ kind: 'cosigned', checkpoint: verdict.checkpoint, note });
      }
    }
    return results;
  }

  /**
   * Screens checkpoints (of different logs) without advancing the witness state: the log's signature, the entries
   * held and the root at the checkpoint's size, the checks by which observeMany finds a rollback or a fork (the same
   * verdicts, the same evidence). For a checkpoint whose cosigning waits its log's turn: a lie is known at once, the
   * cosignature comes later (observeMany judges it again then, the consistency proof from the witnessed size included).
   */
  screenMany(items: readonly { readonly origin: string; readonly note: string }[]): Promise<ScreenVerdict[]> {
    return Promise.all(items.map(({ origin, note }) => this.screen(origin, note)));
  }

  /** Reads the witness state only for a checkpoint that contradicts the entries (its evidence, rollback or fork). */
  private async screen(origin: string, note: string): Promise<ScreenVerdict> {
    const verifiers = await this.store.verifiers(origin);
    if (verifiers.length === 0) return { kind: 'invalid', reason: `no key known for ${origin} yet` };
    let checkpoint: Checkpoint;
    try {
      checkpoint = openCheckpoint(note, origin, verifiers);
    } catch (error) {
      return { kind: 'invalid', reason: errorMessage(error) };
    }
    const held = await this.store.size(origin);
    if (checkpoint.size > held) return { kind: 'behind', checkpoint, held };
    const replicaRoot = await this.store.root(origin, checkpoint.size);
    if (bytesEqual(replicaRoot, checkpoint.root)) return { kind: 'fits', checkpoint };
    const witnessed = await this.store.witnessed(origin);
    const evidence: ForkEvidence = {
      note,
      replicaRoot: toBase64(replicaRoot),
      reason: `the log signed root ${toBase64(checkpoint.root)} for size ${checkpoint.size}, but its verified entries give ${toBase64(replicaRoot)}`,
      ...(witnessed ? { witnessedNote: witnessed.note } : {}),
    };
    return { kind: witnessed && checkpoint.size < witnessed.size ? 'rollback' : 'fork', checkpoint, evidence };
  }

  private async judge(origin: string, note: string): Promise<WitnessVerdict | Accepted> {
    const screened = await this.screen(origin, note);
    if (screened.kind !== 'fits') return screened;
    const { checkpoint } = screened;
    const latest = await this.store.witnessed(origin);
    if (latest && checkpoint.size <= latest.size) return { kind: 'stale', checkpoint };
    if (latest) {
      const proof = await this.store.consistencyProof(origin, latest.size, checkpoint.size);
      if (!verifyConsistency(latest.size, checkpoint.size, latest.root, checkpoint.root, proof)) {
        const reason = `no consistency from the witnessed size ${latest.size} to ${checkpoint.size}`;
        return { kind: 'fork', checkpoint, evidence: { note, witnessedNote: latest.note, reason } };
      }
    }
    const next: WitnessedCheckpoint = { size: checkpoint.size, root: checkpoint.root, note, at: this.clock() };
    return { kind: 'accepted', checkpoint, update: { origin, next, previousSize: latest?.size } };
  }
}

/** A checkpoint that passed every check, waiting for the witness state to advance. */
interface Accepted {
  readonly kind: 'accepted';
  readonly checkpoint: Checkpoint;
  readonly update: WitnessUpdate;
}
