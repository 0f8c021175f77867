// Builds an evidence bundle (core/evidence/bundle.ts) for one person's day from log stores. Only entries that
// passed the verified read path (ledger/verified-reader.ts) go in; the checkpoints come from every store given
// (a store keeps its own log's checkpoints, the cosigned ones its witness issued or received, net/cosigned-notes.ts,
// and the latest one it witnessed of each other log), their signature lines merged. The closing checkpoint of a
// log is the one that best shows the window closed (most known witnesses, then the smallest); witness keys given
// here instead cosign the latest checkpoint now. The witnesses whose stored cosignatures go in are those given and
// those HQ's registry binds (a kiosk's store follows the registry, so its export carries its peers' and HQ's
// cosignatures). Staff decisions count only from the staff logs the registry names, as at HQ. Before it is written the bundle is verified with the same code every verifier runs, and its
// verdict must be the one the whole store gives.
import { bytesEqual, toBase64, toHex } from '../../core/bytes.ts';
import { decodeLeaf } from '../../core/entry.ts';
import { MusterError } from '../../core/errors.ts';
import {
  BUNDLE_KIND,
  BUNDLE_VERSION,
  type EvidenceBundle,
  type LogSegment,
  type ProvenEntry,
} from '../../core/evidence/bundle.ts';
import { type NoteKey, checkLine, formatNoteKey, noteKey } from '../../core/evidence/note-keys.ts';
import { compactLevels } from '../../core/evidence/tree.ts';
import { verifyBundle } from '../../core/evidence/verify-bundle.ts';
import { judgeDay } from '../../core/evidence/verdict.ts';
import type { LogRecord } from '../../core/records/entry-ref.ts';
import { REGISTRY_ORIGIN, registryWitnesses } from '../../core/records/registry-records.ts';
import { parseCheckpoint, parseNote } from '../../core/signed-note.ts';
import { parseDay } from '../../core/time/civil-day.ts';
import { registryFrom } from '../../ledger/registry.ts';
import type { Signer, Verifier } from '../../ledger/keys.ts';
import { inclusionProof, rootHash } from '../../ledger/merkle.ts';
import type { LedgerStore } from '../../ledger/store.ts';
import { VerifiedReader, ledgerEntrySource } from '../../ledger/verified-reader.ts';
import { cosign, mergeNotes, signatureLines } from '../../net/cosignature.ts';
import { toRecord } from '../kiosk/log-records.ts';

export interface ExportOptions {
  /** The store judged; further stores only contribute signed checkpoints and cosignatures. */
  readonly stores: readonly [LedgerStore, ...LedgerStore[]];
  readonly subject: string;
  /** YYYY-MM-DD, local to the governing plan. */
  readonly day: string;
  readonly rule?: string;
  /** Evaluation time (default: the latest kiosk time in the store, so the same store gives the same bundle). */
  readonly at?: number;
  /** Witnesses that cosign the closing checkpoints at `now`. */
  readonly witnessSigners?: readonly Signer[];
  /** Other cosigners whose stored cosignatures are kept (their public keys). */
  readonly witnessKeys?: readonly Verifier[];
  readonly now?: () => number;
}

/** Entry types outside the kiosk logs' segments that the rules read for a person's day. */
export const SUBJECT_TYPES: ReadonlySet<string> = new Set(['plan', 'task', 'excuse', 'review', 'contest']);

interface Candidate {
  readonly size: number;
  readonly root: Uint8Array;
  note: string;
}

export async function exportEvidence(options: ExportOptions): Promise<EvidenceBundle> {
  const [store] = options.stores;
  const day = parseDay(options.day);
  if (day === undefined) throw new TypeError(`day: expected YYYY-MM-DD, got ${JSON.stringify(options.day)}`);
  const batch = await new VerifiedReader(ledgerEntrySource(store)).next();
  const records = batch.entries.map(toRecord);
  const at = options.at ?? Math.max(0, ...records.map((r) => r.ts));
  const bad = (origin: string): void => {
    const problem = batch.problems.find((p) => p.origin === origin);
    if (problem)
      throw new MusterError(
        'unverified',
        `${origin}#${problem.seq} fails verification (${problem.reason}): evidence from that log cannot be exported`,
      );
  };

  // HQ's registry log up to its latest signed checkpoint, as the bundle will carry it.
  let registry: EvidenceBundle['registry'] = null;
  let staffOrigin: ((origin: string) => boolean) | undefined;
  const boundWitnesses: NoteKey[] = [];
  if (store.log(REGISTRY_ORIGIN)) {
    bad(REGISTRY_ORIGIN);
    const latest = checkpointsOf(options.stores, REGISTRY_ORIGIN, store.head(REGISTRY_ORIGIN).size).at(-1);
    if (latest) {
      const rows = [...store.range(REGISTRY_ORIGIN, 0, latest.size)];
      registry = { checkpoint: latest.note, entries: rows.map((r) => toBase64(r.leaf)) };
      const { staffLogs } = registryFrom(rows);
      staffOrigin = (origin) => staffLogs?.has(origin) === true;
      const bound = registryWitnesses(rows.map((r) => ({ type: r.type, payload: decodeLeaf(r.leaf).body.payload })));
      for (const [name, key] of bound) boundWitnesses.push(noteKey(name, key));
    }
  }
  const judged = judgeDay(records, options.subject, day, at, options.rule, staffOrigin);
  const { plan, window } = judged;

  const witnessSigners = options.witnessSigners ?? [];
  const witnesses = [...witnessSigners.map((s) => s.verifier), ...(options.witnessKeys ?? [])];
  const witnessKeys = [...witnesses.map((w) => noteKey(w.name, w.publicKey)), ...boundWitnesses];
  const now = Math.floor((options.now ?? Date.now)() / 1000);
  // Stored cosignatures by known witnesses that say a checkpoint was still the latest after the late period.
  const cosignedAfter = (note: string, origin: string, after: number): number =>
    parseNote(note).signatures.filter(
      (sig) =>
        sig.name !== origin &&
        sig.signature.length === 72 &&
        witnessKeys.some((w) => w.name === sig.name && bytesEqual(w.cosignerId, sig.id)) &&
        Number(new DataView(sig.signature.buffer, sig.signature.byteOffset, 8).getBigUint64(0)) * 1000 >= after,
    ).length;

  const origins = store
    .origins()
    .filter((o) => o !== REGISTRY_ORIGIN && plan.value.centres.some((c) => o.startsWith(`${c}/`)))
    .sort();
  // A segment's log can prove an entry only up to its closing checkpoint: the closing checkpoint covers the last
  // entry about the person there (a contest or review logged days after the window still goes in).
  const lastAbout = new Map<string, number>();
  for (const r of records)
    if (about(r, options.subject, plan.value.centres))
      lastAbout.set(r.ref.origin, Math.max(lastAbout.get(r.ref.origin) ?? -1, r.ref.seq));
  const segments: LogSegment[] = [];
  const boundaries: { origin: string; seq: number }[] = [];
  const covered = new Map<string, { from: number; to: number; note: string }>();
  for (const origin of origins) {
    bad(origin);
    const head = store.head(origin).size;
    const candidates = checkpointsOf(options.stores, origin, head);
    const latest = candidates.at(-1);
    if (!latest) throw new MusterError('no-checkpoint', `no signed checkpoint of ${origin} is in the stores given`);
    const all = [...store.range(origin, 0, latest.size)];
    const to =
      witnessSigners.length > 0
        ? latest
        : (closing(
            candidates.filter((c) => c.size > (lastAbout.get(origin) ?? -1)),
            (c) =>
              ((all[c.size - 1]?.ts ?? -Infinity) >= window.lateUntil ? 1 : 0) +
              cosignedAfter(c.note, origin, window.lateUntil),
          ) ?? latest);
    // The opening checkpoint: the largest whose last entry is still before the window opened (that entry goes
    // in as a record, with its audit path, to show it).
    const rows = all.slice(0, to.size);
    const before = rows.filter((r) => r.ts < window.open).at(-1)?.seq ?? -1;
    const from = candidates.filter((c) => c.size <= before + 1).at(-1);
    if (from) boundaries.push({ origin, seq: from.size - 1 });
    const fromSize = from?.size ?? 0;
    const source = store.treeSource(origin);
    let offset = 0;
    const compact = compactLevels(fromSize).map((level) => {
      const hash = source.perfect(level, offset / 2 ** level);
      offset += 2 ** level;
      return toHex(hash);
    });
    let toNote = to.note;
    for (const signer of witnessSigners) toNote = cosign(toNote, signer, now);
    segments.push({
      origin,
      from: from?.note ?? null,
      compact,
      entries: rows.slice(fromSize).map((r) => toBase64(r.leaf)),
      to: toNote,
    });
    covered.set(origin, { from: fromSize, to: to.size, note: toNote });
  }

  const inSegment = (r: LogRecord): boolean => {
    const c = covered.get(r.ref.origin);
    return c !== undefined && r.ref.seq >= c.from && r.ref.seq < c.to;
  };
  const isBoundary = (r: LogRecord): boolean =>
    boundaries.some((b) => b.origin === r.ref.origin && b.seq === r.ref.seq);
  const wanted = records.filter(
    (r) =>
      !inSegment(r) &&
      r.ref.origin !== REGISTRY_ORIGIN &&
      (isBoundary(r) || about(r, options.subject, plan.value.centres)),
  );
  const proofCheckpoint = new Map<string, Candidate>();
  const prove = (origin: string, seq: number): ProvenEntry => {
    let checkpoint = proofCheckpoint.get(origin);
    if (!checkpoint) {
      const c = covered.get(origin);
      checkpoint = c
        ? { size: c.to, root: new Uint8Array(), note: c.note }
        : checkpointsOf(options.stores, origin, store.head(origin).size).at(-1);
      if (!checkpoint)
        throw new MusterError('no-checkpoint', `no signed checkpoint of ${origin} is in the stores given`);
      proofCheckpoint.set(origin, checkpoint);
    }
    const row = store.entry(origin, seq);
    if (!row || seq >= checkpoint.size)
      throw new MusterError(
        'not-covered',
        `${origin}#${seq} is not covered by a signed checkpoint in the stores given`,
      );
    return {
      entry: toBase64(row.leaf),
      path: inclusionProof(store.treeSource(origin), seq, checkpoint.size).map(toHex),
      checkpoint: checkpoint.note,
    };
  };
  for (const r of wanted) bad(r.ref.origin);
  const provenRecords = wanted.map((r) => prove(r.ref.origin, r.ref.seq));
  const keyEntries: ProvenEntry[] = [];
  for (const origin of [...new Set([...origins, ...wanted.map((r) => r.ref.origin)])].sort()) {
    const start = covered.get(origin)?.from ?? Infinity;
    for (const row of store.keyEntries(origin)) {
      if (row.seq < start && (row.type === 'genesis' || row.type === 'key-rotation'))
        keyEntries.push(prove(origin, row.seq));
    }
  }

  const logKeys = [...new Set([...origins, ...wanted.map((r) => r.ref.origin), REGISTRY_ORIGIN])].flatMap((origin) =>
    store.log(origin) ? logKeysOf(store, origin) : [],
  );
  const keep = (note: string): Promise<string> => keepKnownSignatures(note, logKeys, witnessKeys);
  const kept = {
    segments: await Promise.all(
      segments.map(async (s) => ({ ...s, from: s.from === null ? null : await keep(s.from), to: await keep(s.to) })),
    ),
    records: await Promise.all(provenRecords.map(async (p) => ({ ...p, checkpoint: await keep(p.checkpoint) }))),
    keyEntries: await Promise.all(keyEntries.map(async (p) => ({ ...p, checkpoint: await keep(p.checkpoint) }))),
    registry: registry && { ...registry, checkpoint: await keep(registry.checkpoint) },
  };
  // Only witnesses with a cosignature in the bundle are listed (a verifier refuses a listed witness that cosigned nothing).
  const notes = [
    ...kept.segments.flatMap((s) => [s.from, s.to]),
    ...kept.records.map((r) => r.checkpoint),
    ...kept.keyEntries.map((r) => r.checkpoint),
    kept.registry?.checkpoint,
  ];
  const cosigners = notes.flatMap((n) => (n === null || n === undefined ? [] : parseNote(n).signatures));
  const bundle: EvidenceBundle = {
    kind: BUNDLE_KIND,
    v: BUNDLE_VERSION,
    subject: options.subject,
    day: options.day,
    rule: options.rule ?? null,
    at,
    ...kept,
    witnesses: witnessKeys
      .filter(
        (w, i) =>
          witnessKeys.findIndex((o) => o.name === w.name && bytesEqual(o.publicKey, w.publicKey)) === i &&
          cosigners.some((sig) => sig.name === w.name && bytesEqual(sig.id, w.cosignerId)),
      )
      .map(formatNoteKey),
    verdict: judged.verdict,
  };
  // Checked as every verifier checks it, but for the entries' signatures: the verified read path checked them. The
  // verdict stated is the whole store's, so the verifier re-judging the bundle alone finds any deciding entry missing.
  const check = await verifyBundle(bundle, [], { entriesVerified: true });
  if (!check.ok && check.failure.startsWith('the stated verdict')) {
    throw new MusterError(
      'incomplete-evidence',
      `${check.failure}: an entry that decides the day lies outside the logs of ${plan.value.centres.join(', ')}`,
    );
  }
  if (!check.ok) {
    // A kiosk with nothing after the late period: only a witness can say the log had no more then.
    const hint =
      check.failure.includes('not shown to run past') && witnessSigners.length === 0
        ? ' (a witness key, --witness-key, cosigns the closing checkpoints now)'
        : '';
    throw new MusterError('bad-evidence', `the bundle built does not verify: ${check.failure}${hint}`);
  }
  return bundle;
}

function about(r: LogRecord, subject: string, centres: readonly string[]): boolean {
  if (SUBJECT_TYPES.has(r.type)) return r.payload.subject === subject;
  return r.type === 'device-health' && typeof r.payload.centre === 'string' && centres.includes(r.payload.centre);
}

/**
 * Signed checkpoints of `origin` from every store (its checkpoints table and, where the store is a witness, the
 * note it last witnessed), each checked against the judged store's tree, by size; notes of one size merged.
 */
function checkpointsOf(stores: readonly LedgerStore[], origin: string, held: number): Candidate[] {
  const [main] = stores as [LedgerStore];
  const bySize = new Map<number, Candidate>();
  for (const store of stores) {
    const notes = [...store.checkpoints(origin).map((c) => c.note), ...witnessedNotes(store, origin)];
    for (const note of notes) {
      const checkpoint = parseCheckpoint(parseNote(note).text);
      if (checkpoint.origin !== origin || checkpoint.size > held || checkpoint.size === 0) continue;
      if (!bytesEqual(checkpoint.root, rootHash(main.treeSource(origin), checkpoint.size))) {
        throw new MusterError(
          'fork',
          `a signed checkpoint of ${origin} at size ${checkpoint.size} does not match the entries held: the log forked (muster ledger fsck)`,
        );
      }
      const known = bySize.get(checkpoint.size);
      if (known) known.note = mergeNotes(known.note, note);
      else bySize.set(checkpoint.size, { size: checkpoint.size, root: checkpoint.root, note });
    }
  }
  return [...bySize.values()].sort((a, b) => a.size - b.size);
}

/** The checkpoint a witness store last accepted for `origin` (net/sqlite-replica-store.ts), if it is one. */
function witnessedNotes(store: LedgerStore, origin: string): string[] {
  const table = store.db
    .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'net_witnessed'")
    .get();
  if (!table) return [];
  return store.db
    .prepare<[string], { note: string }>('SELECT note FROM net_witnessed WHERE origin = ?')
    .all(origin)
    .map((r) => r.note);
}

/**
 * The closing checkpoint: among those that show the window closed (`score` > 0: a later entry, or cosignatures by
 * known witnesses after the late period), the best shown, then the smallest (a shorter segment).
 */
function closing(candidates: readonly Candidate[], score: (c: Candidate) => number): Candidate | undefined {
  let best: { c: Candidate; score: number } | undefined;
  for (const c of candidates) {
    const s = score(c);
    if (s > 0 && (!best || s > best.score)) best = { c, score: s };
  }
  return best?.c;
}

/** The note keys of a log's genesis and rotated keys, as its checkpoints are signed with them. */
function logKeysOf(store: LedgerStore, origin: string): NoteKey[] {
  return store.keyEntries(origin).flatMap((row) => {
    const { payload } = decodeLeaf(row.leaf).body;
    const key = row.type === 'genesis' ? payload.key : row.type === 'key-rotation' ? payload.newKey : undefined;
    return key instanceof Uint8Array && key.length === 32 ? [noteKey(origin, key)] : [];
  });
}

/**
 * Keeps the signature lines by keys the bundle names that verify: a verifier refuses a line it cannot check, and a
 * line that does not verify (a store keeps cosignature lines as received) must not spoil the evidence.
 */
async function keepKnownSignatures(
  note: string,
  logKeys: readonly NoteKey[],
  witnessKeys: readonly NoteKey[],
): Promise<string> {
  const { text, signatures } = parseNote(note);
  const checks = await Promise.all(signatures.map((sig) => checkLine(text, sig, logKeys, witnessKeys)));
  const kept = signatureLines(note).filter((_, i) => checks[i]?.by !== 'unknown' && checks[i]?.ok === true);
  return `${text}\n${kept.map((l) => `${l}\n`).join('')}`;
}
