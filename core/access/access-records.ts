// Log records of the personal-data store. `access`: someone read a person's personal data (who, whose, which
// fields, why), written before the data is handed out. `erasure`: a person's data and data key were deleted.
// Both name only pseudonymous ids and field kinds, never a value.
import { Type } from '@sinclair/typebox';
import { DAY_TEXT, ID, type Parsed, SHA256, TIME, map, oneOf, recordParser, text } from '../records/record-schema.ts';
import { PERSONAL_FIELDS } from './personal-data.ts';
import { ROLES } from './roles.ts';

/** Field kinds, each once (never a value). */
function fieldKinds(min: number) {
  return Type.Array(oneOf(PERSONAL_FIELDS), {
    minItems: min,
    maxItems: PERSONAL_FIELDS.length,
    uniqueItems: true,
    errorMessage: `expected ${min}-${PERSONAL_FIELDS.length} of ${PERSONAL_FIELDS.join(', ')}, each once`,
  });
}

const ACCESS_RECORD = map({
  subject: ID,
  centre: ID,
  /** The user who read. */
  by: ID,
  role: oneOf(ROLES),
  fields: fieldKinds(1),
  reason: text(),
});

export type AccessRecord = Parsed<typeof ACCESS_RECORD>;

export const ERASURE_CAUSES = ['retention-ended', 'request'] as const;
export type ErasureCause = (typeof ERASURE_CAUSES)[number];

const ERASURE_RECORD = map({
  subject: ID,
  centre: ID,
  fields: fieldKinds(0),
  cause: oneOf(ERASURE_CAUSES),
  /** The user, or `scheduler` for the retention job. */
  by: ID,
  /** When the data and its key were deleted (the store's clock). */
  erasedAt: TIME,
});

export type ErasureRecord = Parsed<typeof ERASURE_RECORD>;

/** `evidence-export`: someone exported an evidence bundle of a person's day (written before the file is handed out). */
const EVIDENCE_EXPORT = map({
  subject: ID,
  /** The local day, YYYY-MM-DD. */
  day: DAY_TEXT,
  rule: Type.Optional(ID),
  by: ID,
  role: oneOf(ROLES),
  /** The verdict the bundle states. */
  verdict: ID,
  /** SHA-256 of the bundle file handed out, lowercase hex: the copy given can be matched to this entry. */
  bundle: SHA256,
});

export type EvidenceExportRecord = Parsed<typeof EVIDENCE_EXPORT>;

export const parseAccessRecord: (payload: unknown) => AccessRecord = recordParser(ACCESS_RECORD, 'access');
export const parseErasureRecord: (payload: unknown) => ErasureRecord = recordParser(ERASURE_RECORD, 'erasure');
export const parseEvidenceExport: (payload: unknown) => EvidenceExportRecord = recordParser(
  EVIDENCE_EXPORT,
  'evidence-export',
);
