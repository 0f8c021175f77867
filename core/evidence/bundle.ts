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
import { Type } from '@sinclair/typebox';
import { type Out, ident, int, list, nullable, obj, oneOf, openObj, text } from '../api/check.ts';
import { BREACH_STATUSES, REVIEW_STATUSES } from '../breach/findings.ts';
import { REVIEW_REASONS, RULE_IDS } from '../breach/rule-ids.ts';
import { MusterError } from '../errors.ts';
import { DAY_TEXT, SHA256 } from '../records/record-schema.ts';
import { schemaParser } from '../schema.ts';
import { VERDICT_KINDS, type Verdict } from './verdict.ts';

export const BUNDLE_KIND = 'muster-evidence';
export const BUNDLE_VERSION = 1;
/** A centre's day is a few hundred kilobytes; anything far larger is refused before parsing. */
export const MAX_BUNDLE_CHARS = 64 * 1024 * 1024;

/** Lists bounded by the file's size (MAX_BUNDLE_CHARS) rather than by a count. */
const MANY = 1_000_000;
/** A signed checkpoint (note text) or a signed leaf (base64): checked by signature, not by shape. */
const SIGNED = text(1, 1_000_000);
/** Siblings or a compact range: at most one hash per level of a tree of 2^64 leaves. */
const HASHES = list(SHA256, 64);

const PROVEN_ENTRY = obj({
  /** The signed leaf, base64. */
  entry: SIGNED,
  /** Audit path (hex), siblings from the leaf up, to the checkpoint's root. */
  path: HASHES,
  /** Signed checkpoint note of the entry's log. */
  checkpoint: SIGNED,
});

const LOG_SEGMENT = obj({
  origin: ident,
  from: nullable(SIGNED),
  /** Compact range of the tree `from` signs (hex), largest subtree first. */
  compact: HASHES,
  /** Signed leaves from `from`'s size up to `to`'s, base64. */
  entries: list(SIGNED, MANY),
  to: SIGNED,
});

const REGISTRY_SNAPSHOT = obj({ checkpoint: SIGNED, entries: list(SIGNED, MANY) });

// The verdict as the breach engine states it (core/breach/findings.ts), read whole: the verifier compares it with
// the verdict it recomputes, and shows it.
const ENTRY_REF = obj({ origin: ident, seq: int(), hash: SHA256 });
const EVIDENCE = list(ENTRY_REF, MANY);
const HISTORY = list(
  obj({
    status: oneOf([...BREACH_STATUSES, ...REVIEW_STATUSES]),
    at: int(),
    ref: ENTRY_REF,
    note: text(0, 10_000),
  }),
  MANY,
);
const FINDING = {
  id: text(1, 240),
  subject: ident,
  /** The local day of the obligation (YYYY-MM-DD in the plan's zone). */
  day: DAY_TEXT,
  at: int(),
  detail: text(0, 10_000),
  evidence: EVIDENCE,
  history: HISTORY,
};
const BREACH = obj({ ...FINDING, rule: oneOf(RULE_IDS), status: oneOf(BREACH_STATUSES) });
const REVIEW_ITEM = obj({ ...FINDING, reason: oneOf(REVIEW_REASONS), status: oneOf(REVIEW_STATUSES) });
const VERDICT = obj({
  kind: oneOf(VERDICT_KINDS),
  checkins: EVIDENCE,
  breaches: list(BREACH, MANY),
  reviews: list(REVIEW_ITEM, MANY),
});

const BUNDLE = obj({
  kind: Type.Literal(BUNDLE_KIND, { errorMessage: `expected "${BUNDLE_KIND}"` }),
  v: Type.Literal(BUNDLE_VERSION, { errorMessage: `expected ${BUNDLE_VERSION}` }),
  subject: ident,
  /** The local day judged, YYYY-MM-DD in the governing plan's zone. */
  day: DAY_TEXT,
  rule: nullable(text(1, 200)),
  /** Evaluation time, ms since the epoch. */
  at: int(),
  segments: list(LOG_SEGMENT, MANY),
  records: list(PROVEN_ENTRY, MANY),
  keyEntries: list(PROVEN_ENTRY, MANY),
  registry: nullable(REGISTRY_SNAPSHOT),
  /** Cosigners' verifier keys (name+id+key). */
  witnesses: list(text(1, 1000), MANY),
  verdict: VERDICT,
});

/** What a reader checks first, so a bundle of another version is told so rather than its first unknown field. */
const FRAME = openObj({ kind: BUNDLE.properties.kind, v: int() });

export type ProvenEntry = Out<typeof PROVEN_ENTRY>;
export type LogSegment = Out<typeof LOG_SEGMENT>;
export type RegistrySnapshot = Out<typeof REGISTRY_SNAPSHOT>;
/** As read by its schema, the verdict typed as the engine's own (parseBundle's return checks they agree). */
export type EvidenceBundle = Omit<Out<typeof BUNDLE>, 'verdict'> & { readonly verdict: Verdict };

const parseFrame = schemaParser(FRAME, 'bad-bundle', 'bundle');
const parseFields = schemaParser(BUNDLE, 'bad-bundle', 'bundle');

export function encodeBundle(bundle: EvidenceBundle): string {
  return `${JSON.stringify(bundle)}\n`;
}

/** Parses a bundle file's text, checking its shape; throws MusterError('bad-bundle') naming the first bad field. */
export function parseBundle(text: string): EvidenceBundle {
  if (text.length > MAX_BUNDLE_CHARS) throw bad(`the file is over ${MAX_BUNDLE_CHARS} characters`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw bad('the file is not JSON');
  }
  const { v } = parseFrame(value);
  if (v !== BUNDLE_VERSION)
    throw new MusterError(
      'bad-bundle',
      `bundle.v: version ${v} is not supported (this verifier reads version ${BUNDLE_VERSION})`,
    );
  return parseFields(value);
}

function bad(message: string): MusterError {
  return new MusterError('bad-bundle', `bundle: ${message}`);
}
