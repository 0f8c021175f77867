// The evidence bundle: one JSON file (kind "muster-evidence", v 1) holding everything needed to re-judge one
// person's day offline. Built in a fixed field order from sorted inputs, so the same store and arguments give
// the same bytes.
//   segments    per kiosk log of the person's centres: the signed checkpoint before the window (`from`, null
//               for the empty tree), the compact range of the tree it signs, every entry after it up to the
//               signed checkpoint after the window (`to`). Witnesses' cosignatures ride on the two notes.
//   records     entries outside the segments that the rules read (plan versions, excuses, reviews, contests,
//               tasks, outage reports), each with an audit path to a signed checkpoint of its log
//   keyEntries  each log's genesis and key rotations before its segment, with audit paths: the keys in force
//   registry    HQ's registry log, whole (it is small), binding kiosk logs to their genesis keys
//   witnesses   the cosigners' public keys
//   verdict     what the breach engine finds for the day from these records (core/evidence/verdict.ts)
import type { Breach, ReviewItem } from '../breach/findings.ts';
import { MusterError } from '../errors.ts';
import type { EntryRef } from '../records/entry-ref.ts';
import { parseDay } from '../time/civil-day.ts';
import { VERDICT_KINDS, type Verdict, type VerdictKind } from './verdict.ts';

export const BUNDLE_KIND = 'muster-evidence';
export const BUNDLE_VERSION = 1;
/** A centre's day is a few hundred kilobytes; anything far larger is refused before parsing. */
export const MAX_BUNDLE_CHARS = 64 * 1024 * 1024;

export interface ProvenEntry {
  /** The signed leaf, base64. */
  readonly entry: string;
  /** Audit path (hex), siblings from the leaf up, to the checkpoint's root. */
  readonly path: readonly string[];
  /** Signed checkpoint note of the entry's log. */
  readonly checkpoint: string;
}

export interface LogSegment {
  readonly origin: string;
  readonly from: string | null;
  /** Compact range of the tree `from` signs (hex), largest subtree first. */
  readonly compact: readonly string[];
  /** Signed leaves from `from`'s size up to `to`'s, base64. */
  readonly entries: readonly string[];
  readonly to: string;
}

export interface RegistrySnapshot {
  readonly checkpoint: string;
  readonly entries: readonly string[];
}

export interface EvidenceBundle {
  readonly kind: typeof BUNDLE_KIND;
  readonly v: typeof BUNDLE_VERSION;
  readonly subject: string;
  /** The local day judged, YYYY-MM-DD in the governing plan's zone. */
  readonly day: string;
  readonly rule: string | null;
  /** Evaluation time, ms since the epoch. */
  readonly at: number;
  readonly segments: readonly LogSegment[];
  readonly records: readonly ProvenEntry[];
  readonly keyEntries: readonly ProvenEntry[];
  readonly registry: RegistrySnapshot | null;
  /** Cosigners' verifier keys (name+id+key). */
  readonly witnesses: readonly string[];
  readonly verdict: Verdict;
}

export function encodeBundle(bundle: EvidenceBundle): string {
  return `${JSON.stringify(bundle)}\n`;
}

/** Parses a bundle file's text, checking its shape; throws MusterError('bad-bundle') naming the first bad field. */
export function parseBundle(text: string): EvidenceBundle {
  if (text.length > MAX_BUNDLE_CHARS) throw bad('$', `the file is over ${MAX_BUNDLE_CHARS} characters`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw bad('$', 'the file is not JSON');
  }
  const b = object(value, '$');
  if (b.kind !== BUNDLE_KIND) throw bad('kind', `expected "${BUNDLE_KIND}"`);
  if (b.v !== BUNDLE_VERSION)
    throw bad('v', `version ${JSON.stringify(b.v)} is not supported (this verifier reads version ${BUNDLE_VERSION})`);
  const day = string(b.day, 'day');
  if (parseDay(day) === undefined) throw bad('day', 'expected YYYY-MM-DD');
  return {
    kind: BUNDLE_KIND,
    v: BUNDLE_VERSION,
    subject: string(b.subject, 'subject'),
    day,
    rule: b.rule === null ? null : string(b.rule, 'rule'),
    at: integer(b.at, 'at'),
    segments: array(b.segments, 'segments').map((s, i) => segment(s, `segments[${i}]`)),
    records: array(b.records, 'records').map((r, i) => proven(r, `records[${i}]`)),
    keyEntries: array(b.keyEntries, 'keyEntries').map((r, i) => proven(r, `keyEntries[${i}]`)),
    registry: b.registry === null ? null : registry(b.registry),
    witnesses: array(b.witnesses, 'witnesses').map((w, i) => string(w, `witnesses[${i}]`)),
    verdict: verdict(b.verdict),
  };
}

function segment(value: unknown, path: string): LogSegment {
  const s = object(value, path);
  return {
    origin: string(s.origin, `${path}.origin`),
    from: s.from === null ? null : string(s.from, `${path}.from`),
    compact: array(s.compact, `${path}.compact`).map((h, i) => hash(h, `${path}.compact[${i}]`)),
    entries: array(s.entries, `${path}.entries`).map((e, i) => string(e, `${path}.entries[${i}]`)),
    to: string(s.to, `${path}.to`),
  };
}

function proven(value: unknown, path: string): ProvenEntry {
  const p = object(value, path);
  return {
    entry: string(p.entry, `${path}.entry`),
    path: array(p.path, `${path}.path`).map((h, i) => hash(h, `${path}.path[${i}]`)),
    checkpoint: string(p.checkpoint, `${path}.checkpoint`),
  };
}

function registry(value: unknown): RegistrySnapshot {
  const r = object(value, 'registry');
  return {
    checkpoint: string(r.checkpoint, 'registry.checkpoint'),
    entries: array(r.entries, 'registry.entries').map((e, i) => string(e, `registry.entries[${i}]`)),
  };
}

// The verdict's breaches and reviews are compared whole with the recomputed ones, so only the frame is checked.
function verdict(value: unknown): Verdict {
  const v = object(value, 'verdict');
  const kind = string(v.kind, 'verdict.kind');
  if (!(VERDICT_KINDS as readonly string[]).includes(kind))
    throw bad('verdict.kind', `expected one of ${VERDICT_KINDS.join(', ')}`);
  return {
    kind: kind as VerdictKind,
    checkins: array(v.checkins, 'verdict.checkins') as EntryRef[],
    breaches: array(v.breaches, 'verdict.breaches') as Breach[],
    reviews: array(v.reviews, 'verdict.reviews') as ReviewItem[],
  };
}

function bad(path: string, message: string): MusterError {
  return new MusterError('bad-bundle', `${path}: ${message}`);
}

function object(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad(path, 'expected an object');
  return value as Record<string, unknown>;
}

function array(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) throw bad(path, 'expected a list');
  return value;
}

function string(value: unknown, path: string): string {
  if (typeof value !== 'string') throw bad(path, 'expected a string');
  return value;
}

function integer(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
    throw bad(path, 'expected a non-negative integer');
  return value;
}

function hash(value: unknown, path: string): string {
  if (typeof value !== 'string' || !/^[0-9a-f]{64}$/.test(value)) throw bad(path, 'expected a lowercase hex SHA-256');
  return value;
}
