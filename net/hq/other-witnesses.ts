// Other witnesses' cosignatures at HQ (the police node's, peer kiosks'): each is checked under the witness's pinned
// key, its checkpoint opened with the log's keys and compared with HQ's own copy. A cosignature of a checkpoint
// beyond what HQ holds says nothing yet (the witness is ahead, as it is whenever it ingests faster than HQ) and is
// judged once HQ holds that size; judged at once, it was listed as disagreeing with HQ for good, since a witness
// cosigns a log again only when the log grows.
import { bytesEqual } from '../../core/bytes.ts';
import type { Verifier } from '../../ledger/keys.ts';
import { claimedSize, openCheckpoint } from '../../ledger/note.ts';
import { verifyCosignature } from '../cosignature.ts';
import type { HqStore } from './hq-store.ts';

/** Another witness's latest cosignature of a log, as HQ checked it. */
export interface Cosignature {
  readonly witness: string;
  readonly size: number;
  /** The witness's time, seconds since the epoch. */
  readonly time: number;
  /** Whether the cosigned root is HQ's own root at that size (false: a different tree). */
  readonly matchesHq: boolean;
}

export class OtherWitnesses {
  /** Per log, by witness: the latest cosignature judged against HQ's copy. */
  private readonly judged = new Map<string, Map<string, Cosignature>>();
  /** Per log, by witness: the latest cosignature of a size HQ does not hold yet (one per witness: bounded). */
  private readonly ahead = new Map<string, Map<string, { readonly note: string; readonly size: number }>>();
  /**
   * Per log, by witness: the note judged last. The broker sends it again at every connack (retained, on a QoS 0
   * subscription made again there): judged again it cost a verify, three store reads and a store write per log and
   * witness, the same verdict (HQ's tree at a size does not change).
   */
  private readonly taken = new Map<string, Map<string, string>>();

  constructor(
    private readonly store: HqStore,
    private readonly keys: readonly Verifier[],
    /** Told of each cosignature listed anew or changed (the dashboards' live feed). */
    private readonly listed: (origin: string, cosignature: Cosignature) => void,
  ) {}

  /** The latest checked cosignature of each witness, by name. */
  of(origin: string): Cosignature[] {
    return [...(this.judged.get(origin)?.values() ?? [])].sort((a, b) => a.witness.localeCompare(b.witness));
  }

  /** A cosignature as it came from the broker: checked under the witness's key (throws if it does not verify). */
  async take(origin: string, witness: string, note: string): Promise<void> {
    const key = this.keys.find((k) => k.name === witness);
    if (!key || this.taken.get(origin)?.get(witness) === note) return;
    const time = verifyCosignature(note, key);
    const verifiers = await this.store.verifiers(origin);
    // A log HQ does not hold yet, or not up to this size: judged when HQ's copy gets there.
    const size = verifiers.length === 0 ? claimedSize(note) : openCheckpoint(note, origin, verifiers).size;
    if (verifiers.length === 0 || size > (await this.store.size(origin))) {
      const waiting = this.ahead.get(origin) ?? new Map<string, { note: string; size: number }>();
      this.ahead.set(origin, waiting);
      if ((waiting.get(witness)?.size ?? -1) <= size) waiting.set(witness, { note, size });
      return;
    }
    const checkpoint = openCheckpoint(note, origin, verifiers);
    const matchesHq = bytesEqual(await this.store.root(origin, checkpoint.size), checkpoint.root);
    const byWitness = this.judged.get(origin) ?? new Map<string, Cosignature>();
    this.judged.set(origin, byWitness);
    const before = byWitness.get(witness);
    if ((before?.size ?? -1) > checkpoint.size) return;
    const cosignature: Cosignature = { witness, size: checkpoint.size, time, matchesHq };
    byWitness.set(witness, cosignature);
    if (before?.size !== cosignature.size || before.matchesHq !== matchesHq) this.listed(origin, cosignature);
    // Kept for evidence bundles where the store keeps cosignatures (net/cosigned-notes.ts: HQ's SQLite store).
    if (matchesHq) await this.store.keepCosigned?.(origin, note, witness);
    const taken = this.taken.get(origin) ?? new Map<string, string>();
    this.taken.set(origin, taken.set(witness, note));
  }

  /**
   * HQ's copy of `origin` grew (this node stored entries, or, on a shared store, some node did): the cosignatures
   * waiting for a size it now holds are judged. Without `origin`, every log's.
   */
  async grew(origin?: string): Promise<void> {
    const failed: unknown[] = [];
    for (const log of origin === undefined ? [...this.ahead.keys()] : [origin]) {
      const waiting = this.ahead.get(log);
      if (!waiting) continue;
      // A log with entries has its key (entry 0 carries it): an empty one has nothing to judge against yet.
      const held = await this.store.size(log);
      for (const [witness, { note, size }] of [...waiting]) {
        if (held === 0 || size > held) continue;
        waiting.delete(witness);
        await this.take(log, witness, note).catch((error: unknown) => failed.push(error));
      }
      if (waiting.size === 0 && this.ahead.get(log) === waiting) this.ahead.delete(log);
    }
    if (failed.length > 0) throw failed[0];
  }
}
