// Which key signs which entries of a log. Entry 0 (genesis) names the first key; a key-rotation entry,
// signed by the key in force, names the key for every entry after it.
// Kiosk keys are also governed by HQ's registry log (origin `hq/registry`): a `kiosk-registration` entry names
// the key a kiosk's log must start with, and a `key-revocation` entry revokes a kiosk key from a seq on (a
// stolen kiosk). Wherever a store holds the registry, `loadKeySchedule` (ledger/registry.ts) applies it, so
// replica ingest, fsck and its workers (the spans carry `revokedFrom`) all refuse entries signed by a revoked key
// after the point. This module reads no registry entry itself: a verification worker, handed its spans, loads
// no validation library (its start-up is part of every `muster ledger verify`).
import { bytesEqual, toHex } from '../core/bytes.ts';
import type { DecodedLeaf } from '../core/entry.ts';
import { MusterError } from '../core/errors.ts';
import { REGISTRY_ORIGIN } from '../core/records/registry-origin.ts';
import { entrySignatureValid } from './entry-signing.ts';
import { Verifier } from './keys.ts';
import type { KindedFailure, ProblemKind } from './problem-kind.ts';

export { REGISTRY_ORIGIN } from '../core/records/registry-origin.ts';

export interface KeySpan {
  /** First seq this key signs. */
  readonly fromSeq: number;
  readonly publicKey: Uint8Array;
  /** First seq this key may no longer sign (revoked). */
  readonly revokedFrom?: number;
}

/** A key-revocation entry as the schedule applies it (core/records/registry-records.ts reads the entries). */
export interface KeyRevocation {
  /** The log whose key is revoked. */
  readonly origin: string;
  readonly publicKey: Uint8Array;
  /** Entries at this seq and after, signed by the key, are refused. */
  readonly fromSeq: number;
}

export interface Registry {
  /** The key each registered kiosk's log must start with. */
  readonly registered: ReadonlyMap<string, Uint8Array>;
  readonly revocations: readonly KeyRevocation[];
  /** The centres' staff logs (registered with staffLog): the only logs whose staff decisions count. */
  readonly staffLogs?: ReadonlySet<string>;
}

export class KeySchedule {
  private readonly spans: { fromSeq: number; verifier: Verifier }[];
  private readonly revoked: { publicKey: Uint8Array; fromSeq: number }[] = [];
  /** undefined: no registry known; null: a registry is known and does not list this log. */
  private registeredKey: Uint8Array | null | undefined;

  constructor(
    readonly origin: string,
    spans: readonly KeySpan[],
  ) {
    this.spans = spans.map((s) => ({ fromSeq: s.fromSeq, verifier: new Verifier(origin, s.publicKey) }));
    for (const s of spans) if (s.revokedFrom !== undefined) this.revoke(s.publicKey, s.revokedFrom);
  }

  /** Refuses entries signed by `publicKey` from `fromSeq` on (also a key this log rotates to later). */
  revoke(publicKey: Uint8Array, fromSeq: number): void {
    const known = this.revoked.find((r) => bytesEqual(r.publicKey, publicKey));
    if (known) known.fromSeq = Math.min(known.fromSeq, fromSeq);
    else this.revoked.push({ publicKey, fromSeq });
  }

  /**
   * Applies a registry: its revocations and, unless `revocationsOnly`, this log's registered genesis key (or that
   * it is not registered). A store's own log takes revocations only: registration is how others come to trust a
   * kiosk, and a kiosk whose replica of the registry lags must still be able to write.
   */
  applyRegistry(registry: Registry, revocationsOnly = false): void {
    if (this.origin === REGISTRY_ORIGIN) return;
    if (!revocationsOnly) this.registeredKey = registry.registered.get(this.origin) ?? null;
    for (const r of registry.revocations) if (r.origin === this.origin) this.revoke(r.publicKey, r.fromSeq);
  }

  revokedFrom(publicKey: Uint8Array): number | undefined {
    return this.revoked.find((r) => bytesEqual(r.publicKey, publicKey))?.fromSeq;
  }

  get verifiers(): Verifier[] {
    return this.spans.map((s) => s.verifier);
  }

  get current(): Verifier {
    return (this.spans.at(-1) as { verifier: Verifier }).verifier;
  }

  toSpans(): KeySpan[] {
    return this.spans.map((s) => {
      const revokedFrom = this.revokedFrom(s.verifier.publicKey);
      return {
        fromSeq: s.fromSeq,
        publicKey: s.verifier.publicKey,
        ...(revokedFrom === undefined ? {} : { revokedFrom }),
      };
    });
  }

  keyFor(seq: number): Verifier {
    let found: Verifier | undefined;
    for (const span of this.spans) if (span.fromSeq <= seq) found = span.verifier;
    if (!found) throw new MusterError('no-key', `no key signs entry ${seq}`);
    return found;
  }

  /**
   * Checks one decoded entry's key and signature and, for genesis and rotation entries, extends the schedule.
   * Returns a reason when the entry is bad. `signatureVerified` skips only the Ed25519 check, for a caller that
   * checks the signature under `keyFor(seq)` itself, before or after (fsck checks a block's signatures after).
   */
  check(decoded: DecodedLeaf, trustedGenesisKey?: Uint8Array, signatureVerified = false): string | undefined {
    return this.failure(decoded, trustedGenesisKey, signatureVerified)?.reason;
  }

  /** As check, with the kind of failure (ledger/problem-kind.ts) beside its reason. */
  failure(decoded: DecodedLeaf, trustedGenesisKey?: Uint8Array, signatureVerified = false): KindedFailure | undefined {
    const { body } = decoded;
    const fail = (kind: ProblemKind, reason: string): KindedFailure => ({ kind, reason });
    if (body.seq === 0) {
      if (body.type !== 'genesis') return fail('invalid', 'entry 0 is not a genesis entry');
      const key = body.payload.key;
      if (!(key instanceof Uint8Array) || key.length !== 32)
        return fail('invalid', 'genesis entry does not name a 32-byte key');
      if (trustedGenesisKey && !bytesEqual(key, trustedGenesisKey))
        return fail(
          this.origin === REGISTRY_ORIGIN ? 'registry-refused' : 'unregistered-key',
          'genesis key is not the trusted key for this log',
        );
      if (this.registeredKey === null)
        return fail('unregistered-key', `${this.origin} is not a registered kiosk (muster kiosk provision)`);
      if (this.registeredKey && !bytesEqual(key, this.registeredKey))
        return fail('unregistered-key', 'genesis key is not the key registered for this kiosk');
      if (this.spans.length === 0) this.spans.push({ fromSeq: 0, verifier: new Verifier(this.origin, key) });
    } else if (body.type === 'genesis') {
      return fail('invalid', 'genesis entry after entry 0');
    }
    const verifier = this.keyFor(body.seq);
    if (!bytesEqual(body.kid, verifier.id))
      return fail('forged', `signed by key ${toHex(body.kid)}, but key ${toHex(verifier.id)} is in force`);
    const revokedFrom = this.revokedFrom(verifier.publicKey);
    if (revokedFrom !== undefined && body.seq >= revokedFrom)
      return fail('revoked-key', `signed by key ${toHex(verifier.id)}, revoked from entry ${revokedFrom}`);
    // signatureVerified: the caller checks the signature under keyFor(seq) itself (fsck's blocks, HQ's verify pool).
    if (!signatureVerified && !entrySignatureValid(decoded, verifier))
      return fail('forged', 'signature does not verify');
    if (body.type === 'key-rotation') {
      const next = body.payload.newKey;
      if (!(next instanceof Uint8Array) || next.length !== 32)
        return fail('invalid', 'key rotation does not name a 32-byte key');
      if (!this.spans.some((s) => s.fromSeq === body.seq + 1))
        this.spans.push({ fromSeq: body.seq + 1, verifier: new Verifier(this.origin, next) });
    }
    return undefined;
  }
}
