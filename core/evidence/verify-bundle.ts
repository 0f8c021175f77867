// Verifies an evidence bundle offline, in Node or in a browser: every entry's signature under the key in force
// (keys from genesis and rotation entries, bound by HQ's registry when the bundle holds it, revocations applied),
// every audit path, every checkpoint's signature and cosignatures, each segment's compact range reproducing both
// signed roots (so no entry between them is missing), that the segments cover the person's reporting window at
// every kiosk of their centres, and that the breach engine, run on the bundle's records, gives the stated verdict.
// The first check that fails is the answer. Trust comes from outside: keys pinned by the caller (a log's key,
// the registry's, or a witness's); without one the bundle is only shown to be consistent with itself. A witness
// key the registry binds must be the one listed, and a trusted registry makes the witnesses it binds trusted.
import { bytesEqual, concatBytes, fromBase64, fromHex, toHex } from '../bytes.ts';
import type { DayWindow } from '../breach/day-window.ts';
import { type DecodedLeaf, ENTRY_SIGNATURE_DOMAIN, ZERO_HASH, decodeLeaf } from '../entry.ts';
import { MusterError, errorMessage } from '../errors.ts';
import type { EntryRef, LogRecord } from '../records/entry-ref.ts';
import {
  REGISTRY_ORIGIN,
  type Revocation,
  parseRegistration,
  parseRevocation,
  registryWitnesses,
} from '../records/registry-records.ts';
import { type Checkpoint, parseCheckpoint } from '../signed-note.ts';
import { parseDay } from '../time/civil-day.ts';
import type { EvidenceBundle, ProvenEntry } from './bundle.ts';
import { ed25519Verify } from './ed25519.ts';
import { type NoteKey, checkNote, noteKey, parseNoteKey, sameKey } from './note-keys.ts';
import { type CompactNode, appendLeaf, compactLevels, compactRoot, leafHash, pathLeadsTo } from './tree.ts';
import { type Verdict, judgeDay } from './verdict.ts';

export interface SegmentFacts {
  readonly origin: string;
  readonly fromSize: number;
  readonly toSize: number;
  /** Witnesses whose cosignature on the closing checkpoint verified. */
  readonly witnesses: readonly string[];
}

export interface BundleFacts {
  readonly subject: string;
  readonly day: string;
  readonly zone: string;
  readonly centres: readonly string[];
  readonly window: DayWindow;
  readonly verdict: Verdict;
  /** Segments of the logs of the person's centres, each shown complete for the window. */
  readonly segments: readonly SegmentFacts[];
  /** Every party that cosigned a closing checkpoint. */
  readonly witnesses: readonly string[];
  /** Kiosk time of every entry judged, by origin@seq. */
  readonly times: ReadonlyMap<string, number>;
  /** The staff logs HQ's registry names (staff decisions count only from them); null: no registry, every log's count. */
  readonly staffLogs: readonly string[] | null;
}

export type BundleReport =
  | { readonly ok: false; readonly failure: string }
  | {
      readonly ok: true;
      readonly facts: BundleFacts;
      /** What ties the evidence to keys given from outside (empty: nothing; the bundle is only self-consistent). */
      readonly anchors: readonly string[];
      /** Logs whose keys nothing trusted vouches for. */
      readonly unanchored: readonly string[];
    };

export interface VerifyOptions {
  /**
   * The caller read every entry through the verified read path (the exporter, checking what it built): entries'
   * Ed25519 signatures are not checked again; everything else is (keys in force, links, paths, roots, checkpoint
   * signatures and cosignatures, coverage, the verdict). Never for a file received from anyone.
   */
  readonly entriesVerified?: boolean;
}

export async function verifyBundle(
  bundle: EvidenceBundle,
  trusted: readonly NoteKey[],
  options: VerifyOptions = {},
): Promise<BundleReport> {
  try {
    return await new BundleCheck(bundle, trusted, options.entriesVerified === true).run();
  } catch (error) {
    if (!(error instanceof MusterError)) throw error;
    return { ok: false, failure: error.message };
  }
}

interface Decoded {
  readonly leaf: Uint8Array;
  readonly hash: Uint8Array;
  readonly decoded: DecodedLeaf;
}

interface KeySpan {
  readonly fromSeq: number;
  readonly key: NoteKey;
}

interface OpenedCheckpoint {
  readonly checkpoint: Checkpoint;
  readonly cosigners: readonly NoteKey[];
  readonly cosignedAt: readonly number[];
}

function fail(message: string): never {
  throw new MusterError('evidence-failed', message);
}

function decode(base64: string, where: string): Decoded {
  try {
    const leaf = fromBase64(base64);
    return { leaf, hash: leafHash(leaf), decoded: decodeLeaf(leaf) };
  } catch (error) {
    return fail(`${where}: the entry does not decode (${errorMessage(error)})`);
  }
}

async function signatureFailure(d: Decoded, key: NoteKey, verified: boolean): Promise<string | undefined> {
  if (!bytesEqual(d.decoded.body.kid, key.id))
    return `${name(d)} is signed by a key other than the one in force for it (key swapped?)`;
  if (
    !verified &&
    !(await ed25519Verify(key.publicKey, concatBytes(ENTRY_SIGNATURE_DOMAIN, d.decoded.bodyBytes), d.decoded.signature))
  ) {
    return `${name(d)}: the signature does not verify (the entry was changed after it was signed)`;
  }
  return undefined;
}

function name(d: Decoded): string {
  return `${d.decoded.body.origin}#${d.decoded.body.seq}`;
}

class BundleCheck {
  private readonly witnesses: NoteKey[];
  private readonly schedules = new Map<string, KeySpan[]>();
  private readonly registered = new Map<string, { publicKey: Uint8Array; centre: string }>();
  private readonly revocations: Revocation[] = [];
  /** Logs the registry names as staff logs (a later registration of an origin decides, as in the ledger). */
  private readonly staffLogs = new Set<string>();
  private registryKeys: NoteKey[] = [];
  private registryCosigners: readonly NoteKey[] = [];
  /** Witness keys HQ's registry binds, by name. */
  private boundWitnesses = new Map<string, Uint8Array>();
  /** Cosigners seen on each log's checkpoints. */
  private readonly cosignersOf = new Map<string, NoteKey[]>();
  private readonly records = new Map<string, LogRecord>();

  constructor(
    private readonly bundle: EvidenceBundle,
    private readonly trusted: readonly NoteKey[],
    private readonly entriesVerified: boolean,
  ) {
    this.witnesses = bundle.witnesses.map((w, i) => {
      try {
        return parseNoteKey(w);
      } catch (error) {
        return fail(`witnesses[${i}]: ${errorMessage(error)}`);
      }
    });
  }

  async run(): Promise<BundleReport> {
    const { bundle } = this;
    if (bundle.registry) await this.checkRegistry(bundle.registry.entries, bundle.registry.checkpoint);
    for (const w of this.witnesses) {
      const bound = this.boundWitnesses.get(w.name);
      if (bound && !bytesEqual(bound, w.publicKey))
        fail(`the witness key listed for ${w.name} is not the one HQ's registry binds to it (key swapped?)`);
    }
    const decoded = bundle.segments.map((s) => s.entries.map((e, i) => decode(e, `${s.origin} segment entry ${i}`)));
    await this.buildSchedules(decoded.flat());
    for (const [i, proven] of bundle.keyEntries.entries()) await this.checkProven(proven, `keyEntries[${i}]`);
    const segments: SegmentFacts[] = [];
    const runs = new Map<string, { first: number; last: number; cosignedAt: readonly number[]; fromSize: number }>();
    for (const [i, segment] of bundle.segments.entries()) {
      if (runs.has(segment.origin)) fail(`two segments of ${segment.origin}`);
      runs.set(
        segment.origin,
        await this.checkSegment(
          segment.origin,
          segment.from,
          segment.compact,
          decoded[i] as Decoded[],
          segment.to,
          segments,
        ),
      );
    }
    for (const [i, proven] of bundle.records.entries())
      this.addRecord(await this.checkProven(proven, `records[${i}]`), `records[${i}]`);

    const day = parseDay(bundle.day) as number;
    // As the breach engine at HQ: with the registry, staff decisions count only from the staff logs it names.
    const staffOrigin = bundle.registry ? (origin: string): boolean => this.staffLogs.has(origin) : undefined;
    let judged;
    try {
      judged = judgeDay(
        [...this.records.values()],
        bundle.subject,
        day,
        bundle.at,
        bundle.rule ?? undefined,
        staffOrigin,
      );
    } catch (error) {
      return fail(`the bundle cannot be judged: ${errorMessage(error)}`);
    }
    const { plan, window, verdict } = judged;
    const centres = plan.value.centres;
    const own = segments.filter((s) => centres.some((c) => s.origin.startsWith(`${c}/`)));
    for (const centre of centres) {
      if (!own.some((s) => s.origin.startsWith(`${centre}/`)))
        fail(`no kiosk log of ${centre}, the person's centre, is in the bundle: an absence there is not shown`);
      for (const [origin, r] of this.registered)
        if (r.centre === centre && !runs.has(origin))
          fail(`the registry lists ${origin} at ${centre}, but the bundle has no segment of its log`);
    }
    for (const s of own) {
      const run = runs.get(s.origin) as {
        first: number;
        last: number;
        cosignedAt: readonly number[];
        fromSize: number;
      };
      // The entry just before the segment (proven among the records) or its first one must predate the window.
      const boundary = this.records.get(`${s.origin}@${run.fromSize - 1}`)?.ts ?? Infinity;
      if (run.fromSize > 0 && !(run.first < window.open || boundary < window.open))
        fail(
          `the segment of ${s.origin} is not shown to start before the window opened: entries before it could be missing`,
        );
      const closedAfter = run.last >= window.lateUntil || run.cosignedAt.some((t) => t * 1000 >= window.lateUntil);
      if (!closedAfter)
        fail(
          `the segment of ${s.origin} is not shown to run past the end of the late period (no later entry, no cosignature after it)`,
        );
    }
    this.checkWitnesses(own);
    if (canonicalJson(verdict) !== canonicalJson(bundle.verdict)) {
      fail(
        `the stated verdict (${bundle.verdict.kind}) is not what the breach engine finds in the evidence (${verdict.kind})`,
      );
    }
    const anchors: string[] = [];
    const unanchored: string[] = [];
    this.anchor(anchors, unanchored);
    const witnessNames = [...new Set(own.flatMap((s) => s.witnesses))].sort();
    return {
      ok: true,
      facts: {
        subject: bundle.subject,
        day: bundle.day,
        zone: plan.value.zone,
        centres,
        window,
        verdict,
        segments: own,
        witnesses: witnessNames,
        times: new Map([...this.records].map(([k, r]) => [k, r.ts])),
        staffLogs: bundle.registry ? [...this.staffLogs].sort() : null,
      },
      anchors,
      unanchored,
    };
  }

  /**
   * Every witness the bundle lists cosigned something in it, and a trusted one cosigned the closing checkpoint of
   * every kiosk log of the centres but its own: a cosignature taken out is named, not passed over.
   */
  private checkWitnesses(own: readonly SegmentFacts[]): void {
    const cosigned = new Set([...this.cosignersOf.values()].flat());
    for (const w of this.witnesses) {
      if (!cosigned.has(w))
        fail(
          `${w.name} is listed as a witness but no checkpoint in the bundle carries its cosignature (a cosignature was removed?)`,
        );
      if (!this.trusted.some((t) => sameKey(t, w))) continue;
      const missing = own.find((s) => s.origin !== w.name && !s.witnesses.includes(w.name));
      if (missing)
        fail(
          `the closing checkpoint of ${missing.origin} carries no cosignature by ${w.name}, a trusted witness (a cosignature was removed?)`,
        );
    }
  }

  /** The registry log, whole: chained, signed, and reproducing its signed root. */
  private async checkRegistry(entries: readonly string[], note: string): Promise<void> {
    const leaves: Decoded[] = entries.map((e, i) => decode(e, `registry.entries[${i}]`));
    const genesis = leaves[0];
    const key = genesis?.decoded.body.payload.key;
    if (!genesis || genesis.decoded.body.type !== 'genesis' || !(key instanceof Uint8Array))
      return fail('the registry log does not start with its genesis entry');
    this.registryKeys = [noteKey(REGISTRY_ORIGIN, key)];
    let current = this.registryKeys[0] as NoteKey;
    const range: CompactNode[] = [];
    for (const [i, d] of leaves.entries()) {
      const { body } = d.decoded;
      if (body.origin !== REGISTRY_ORIGIN || body.seq !== i)
        fail(`registry.entries[${i}] is not entry ${i} of ${REGISTRY_ORIGIN}`);
      if (!bytesEqual(body.prev, i === 0 ? ZERO_HASH : (leaves[i - 1] as Decoded).hash))
        fail(`registry entry ${i} does not link to the one before it`);
      await this.checkSignature(d, current);
      if (body.type === 'key-rotation' && body.payload.newKey instanceof Uint8Array) {
        current = noteKey(REGISTRY_ORIGIN, body.payload.newKey);
        this.registryKeys.push(current);
      }
      try {
        if (body.type === 'kiosk-registration') {
          const r = parseRegistration(body.payload);
          this.registered.set(r.origin, { publicKey: r.publicKey, centre: r.centre });
          if (r.staffLog) this.staffLogs.add(r.origin);
          else this.staffLogs.delete(r.origin);
        } else if (body.type === 'key-revocation') {
          this.revocations.push(parseRevocation(body.payload));
        }
      } catch (error) {
        // As the ledger does (registryFrom): a malformed registry entry names no key.
        if (!(error instanceof MusterError)) throw error;
      }
      appendLeaf(range, d.hash);
    }
    this.boundWitnesses = registryWitnesses(leaves.map((d) => d.decoded.body));
    const opened = await this.openNote(note, REGISTRY_ORIGIN, this.registryKeys, 'the registry checkpoint');
    if (opened.checkpoint.size !== leaves.length || !bytesEqual(opened.checkpoint.root, compactRoot(range))) {
      fail('the registry entries do not reproduce the root of its signed checkpoint: an entry was left out or changed');
    }
    this.registryCosigners = opened.cosigners;
  }

  /** Keys of every log from its genesis and rotation entries (in keyEntries or its segment), oldest first. */
  private async buildSchedules(segmentEntries: readonly Decoded[]): Promise<void> {
    const keyEntries = [
      ...this.bundle.keyEntries.map((p, i) => decode(p.entry, `keyEntries[${i}]`)),
      ...segmentEntries,
    ].filter((d) => d.decoded.body.type === 'genesis' || d.decoded.body.type === 'key-rotation');
    keyEntries.sort((a, b) =>
      a.decoded.body.origin < b.decoded.body.origin
        ? -1
        : a.decoded.body.origin > b.decoded.body.origin
          ? 1
          : a.decoded.body.seq - b.decoded.body.seq,
    );
    for (const d of keyEntries) {
      const { body } = d.decoded;
      let spans = this.schedules.get(body.origin);
      if (body.type === 'genesis') {
        if (body.seq !== 0 || spans) fail(`${name(d)}: a genesis entry that is not the log's first`);
        if (!(body.payload.key instanceof Uint8Array)) fail(`${name(d)}: the genesis entry names no key`);
        const key = noteKey(body.origin, body.payload.key);
        const registered = this.registered.get(body.origin);
        if (registered && !bytesEqual(registered.publicKey, key.publicKey))
          fail(`${body.origin} starts with a key that is not the one HQ's registry binds to it`);
        await this.checkSignature(d, key);
        this.schedules.set(body.origin, [{ fromSeq: 0, key }]);
        continue;
      }
      if (!spans) return fail(`${name(d)}: a key rotation in a log whose genesis entry is not in the bundle`);
      if (spans.some((s) => s.fromSeq === body.seq + 1)) continue;
      await this.checkSignature(d, this.keyFor(body.origin, body.seq));
      if (!(body.payload.newKey instanceof Uint8Array)) fail(`${name(d)}: the key rotation names no key`);
      spans = [...spans, { fromSeq: body.seq + 1, key: noteKey(body.origin, body.payload.newKey) }];
      this.schedules.set(body.origin, spans);
    }
  }

  private keyFor(origin: string, seq: number): NoteKey {
    const spans = this.schedules.get(origin);
    if (!spans) return fail(`${origin}: the bundle has no genesis entry for this log, so no key is known for it`);
    let key = (spans[0] as KeySpan).key;
    for (const s of spans) if (s.fromSeq <= seq) key = s.key;
    const revoked = this.revocations.find(
      (r) => r.origin === origin && bytesEqual(r.publicKey, key.publicKey) && r.fromSeq <= seq,
    );
    if (revoked) fail(`${origin}#${seq} is signed by a key HQ's registry revoked from entry ${revoked.fromSeq}`);
    return key;
  }

  private async checkSignature(d: Decoded, key: NoteKey): Promise<void> {
    const failure = await signatureFailure(d, key, this.entriesVerified);
    if (failure) fail(failure);
  }

  private async openNote(
    note: string,
    origin: string,
    keys: readonly NoteKey[],
    what: string,
  ): Promise<OpenedCheckpoint> {
    let checked;
    let checkpoint: Checkpoint;
    try {
      checked = await checkNote(note, keys, this.witnesses);
      checkpoint = parseCheckpoint(checked.text);
    } catch (error) {
      return fail(`${what} of ${origin}: ${errorMessage(error)}`);
    }
    if (checkpoint.origin !== origin) fail(`${what} of ${origin} is a checkpoint of ${checkpoint.origin}`);
    const cosigners = checked.cosignedBy.map((c) => c.witness);
    const seen = this.cosignersOf.get(origin) ?? [];
    for (const w of cosigners) if (!seen.includes(w)) seen.push(w);
    this.cosignersOf.set(origin, seen);
    return { checkpoint, cosigners, cosignedAt: checked.cosignedBy.map((c) => c.time) };
  }

  private logKeys(origin: string): NoteKey[] {
    return (this.schedules.get(origin) ?? []).map((s) => s.key);
  }

  /** An entry with its audit path to a signed checkpoint of its log. */
  private async checkProven(proven: ProvenEntry, where: string): Promise<Decoded> {
    const d = decode(proven.entry, where);
    const { origin, seq } = d.decoded.body;
    await this.checkSignature(d, this.keyFor(origin, seq));
    const { checkpoint } = await this.openNote(
      proven.checkpoint,
      origin,
      this.logKeys(origin),
      `the checkpoint of ${where}`,
    );
    if (!pathLeadsTo(seq, checkpoint.size, d.hash, proven.path.map(fromHex), checkpoint.root)) {
      fail(
        `${name(d)}: its audit path does not lead to the signed root of ${origin} at size ${checkpoint.size} (the entry was changed or is not in that log)`,
      );
    }
    return d;
  }

  private async checkSegment(
    origin: string,
    fromNote: string | null,
    compact: readonly string[],
    entries: readonly Decoded[],
    toNote: string,
    facts: SegmentFacts[],
  ): Promise<{ first: number; last: number; cosignedAt: readonly number[]; fromSize: number }> {
    const keys = (): NoteKey[] => this.logKeys(origin);
    let fromSize = 0;
    const range: CompactNode[] = [];
    if (fromNote !== null) {
      const from = await this.openNote(fromNote, origin, keys(), 'the opening checkpoint');
      fromSize = from.checkpoint.size;
      const want = compactLevels(fromSize);
      if (compact.length !== want.length)
        fail(`the compact range of ${origin} at size ${fromSize} has ${compact.length} hashes, not ${want.length}`);
      want.forEach((level, i) => range.push({ level, hash: fromHex(compact[i] as string) }));
      if (!bytesEqual(compactRoot(range), from.checkpoint.root))
        fail(`the compact range of ${origin} does not reproduce the opening checkpoint's root`);
    } else if (compact.length > 0) {
      fail(`the segment of ${origin} starts at the empty tree but carries a compact range`);
    }
    let first = -Infinity;
    let last = -Infinity;
    let previous: Decoded | undefined;
    // Signatures are checked all at once (WebCrypto works off the calling thread); failures are read in entry
    // order, so an edited entry is named for its signature rather than for the next entry's broken link.
    const signatures: Promise<string | undefined>[] = [];
    let broken: { at: number; message: string } | undefined;
    const breaks = (at: number, message: string): void => {
      broken ??= { at, message };
    };
    for (const [i, d] of entries.entries()) {
      const { body } = d.decoded;
      if (body.origin !== origin || body.seq !== fromSize + i)
        breaks(
          i,
          `the segment of ${origin} holds ${name(d)} where entry ${fromSize + i} belongs (an entry was removed or moved)`,
        );
      if (previous ? !bytesEqual(body.prev, previous.hash) : fromSize === 0 && !bytesEqual(body.prev, ZERO_HASH))
        breaks(i, `${name(d)} does not link to the entry before it`);
      if (previous && body.ts < previous.decoded.body.ts)
        breaks(i, `${name(d)}: kiosk time goes backwards, so the window's entries cannot be placed by time`);
      signatures.push(signatureFailure(d, this.keyFor(origin, body.seq), this.entriesVerified));
      appendLeaf(range, d.hash);
      this.addRecord(d, `the segment of ${origin}`);
      if (i === 0) first = body.ts;
      last = body.ts;
      previous = d;
    }
    const failures = await Promise.all(signatures);
    const badSignature = failures.findIndex((f) => f !== undefined);
    if (badSignature >= 0 && (broken === undefined || badSignature <= broken.at))
      fail(failures[badSignature] as string);
    if (broken) fail(broken.message);
    const to = await this.openNote(toNote, origin, keys(), 'the closing checkpoint');
    if (to.checkpoint.size !== fromSize + entries.length || !bytesEqual(compactRoot(range), to.checkpoint.root)) {
      fail(
        `the entries of ${origin} from ${fromSize} do not reproduce the closing checkpoint's root at size ${to.checkpoint.size}: an entry was removed, added or changed, or the checkpoint is from a fork`,
      );
    }
    facts.push({ origin, fromSize, toSize: to.checkpoint.size, witnesses: to.cosigners.map((w) => w.name) });
    return { first, last, cosignedAt: to.cosignedAt, fromSize };
  }

  private addRecord(d: Decoded, where: string): void {
    const { body } = d.decoded;
    const ref: EntryRef = { origin: body.origin, seq: body.seq, hash: toHex(d.hash) };
    const key = `${ref.origin}@${ref.seq}`;
    const known = this.records.get(key);
    if (known && known.ref.hash !== ref.hash)
      fail(`${where}: two different entries claim to be ${ref.origin}#${ref.seq}`);
    this.records.set(key, { ref, ts: body.ts, type: body.type, payload: body.payload });
  }

  /**
   * Which logs a key from outside vouches for: their own key, the registry's, or a trusted witness's cosignature
   * (a witness is trusted when pinned, or bound by a trusted registry).
   */
  private anchor(anchors: string[], unanchored: string[]): void {
    const isTrusted = (k: NoteKey): boolean => this.trusted.some((t) => sameKey(t, k));
    const registryTrusted = this.registryKeys.some(isTrusted) || this.registryCosigners.find(isTrusted) !== undefined;
    // The listed keys were checked against the registry's bindings (run()), so a bound name is its bound key.
    const bound = registryTrusted ? this.witnesses.filter((w) => this.boundWitnesses.has(w.name)) : [];
    const trustedWitness = (ws: readonly NoteKey[]): NoteKey | undefined =>
      ws.find((w) => isTrusted(w) || bound.some((b) => sameKey(b, w)));
    if (registryTrusted)
      anchors.push(`HQ's registry (${REGISTRY_ORIGIN}) is signed by a pinned key or cosigned by a trusted witness`);
    if (bound.length > 0)
      anchors.push(
        `the witness keys of ${bound.map((w) => w.name).join(', ')} are the ones HQ's registry binds to them`,
      );
    for (const [origin, spans] of [...this.schedules].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const genesis = (spans[0] as KeySpan).key;
      const witness = trustedWitness(this.cosignersOf.get(origin) ?? []);
      if (isTrusted(genesis)) anchors.push(`${origin}: its key is pinned`);
      else if (registryTrusted && this.registered.has(origin))
        anchors.push(`${origin}: its key is the one HQ's registry binds to it`);
      else if (witness) anchors.push(`${origin}: its checkpoint is cosigned by the trusted witness ${witness.name}`);
      else unanchored.push(origin);
    }
  }
}

/** JSON with object keys sorted: two verdicts compare equal exactly when they say the same. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return v;
    return Object.fromEntries(
      Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    );
  });
}
