// Log records of the personal-data store. `access`: someone read a person's personal data (who, whose, which
// fields, why), written before the data is handed out. `erasure`: a person's data and data key were deleted.
// Both name only pseudonymous ids and field kinds, never a value.
import { asFields, bad, day, id, list, oneOf, onlyKeys, optionalId, text, time } from '../records/fields.ts';
import { formatDay } from '../time/civil-day.ts';
import { PERSONAL_FIELDS, type PersonalField, isPersonalField } from './personal-data.ts';
import { ROLES, type Role } from './roles.ts';

export interface AccessRecord {
  readonly subject: string;
  readonly centre: string;
  /** The user who read. */
  readonly by: string;
  readonly role: Role;
  readonly fields: readonly PersonalField[];
  readonly reason: string;
}

export const ERASURE_CAUSES = ['retention-ended', 'request'] as const;
export type ErasureCause = (typeof ERASURE_CAUSES)[number];

export interface ErasureRecord {
  readonly subject: string;
  readonly centre: string;
  readonly fields: readonly PersonalField[];
  readonly cause: ErasureCause;
  /** The user, or `scheduler` for the retention job. */
  readonly by: string;
  /** When the data and its key were deleted (the store's clock). */
  readonly erasedAt: number;
}

export function parseAccessRecord(payload: unknown): AccessRecord {
  const p = asFields(payload, 'access');
  onlyKeys(p, 'access', ['subject', 'centre', 'by', 'role', 'fields', 'reason']);
  return {
    subject: id(p, 'subject', 'access'),
    centre: id(p, 'centre', 'access'),
    by: id(p, 'by', 'access'),
    role: oneOf(p, 'role', 'access', ROLES),
    fields: fieldList(p, 'access'),
    reason: text(p, 'reason', 'access'),
  };
}

/** `evidence-export`: someone exported an evidence bundle of a person's day (written before the file is handed out). */
export interface EvidenceExportRecord {
  readonly subject: string;
  /** The local day, YYYY-MM-DD. */
  readonly day: string;
  readonly rule?: string;
  readonly by: string;
  readonly role: Role;
  /** The verdict the bundle states. */
  readonly verdict: string;
  /** SHA-256 of the bundle file handed out, lowercase hex: the copy given can be matched to this entry. */
  readonly bundle: string;
}

export function parseEvidenceExport(payload: unknown): EvidenceExportRecord {
  const p = asFields(payload, 'evidence-export');
  onlyKeys(p, 'evidence-export', ['subject', 'day', 'rule', 'by', 'role', 'verdict', 'bundle']);
  const bundle = p.bundle;
  if (typeof bundle !== 'string' || !/^[0-9a-f]{64}$/.test(bundle))
    bad('evidence-export.bundle', 'expected a lowercase hex SHA-256');
  const dayText = formatDay(day(p, 'day', 'evidence-export'));
  const rule = optionalId(p, 'rule', 'evidence-export');
  return {
    subject: id(p, 'subject', 'evidence-export'),
    day: dayText,
    ...(rule === undefined ? {} : { rule }),
    by: id(p, 'by', 'evidence-export'),
    role: oneOf(p, 'role', 'evidence-export', ROLES),
    verdict: id(p, 'verdict', 'evidence-export'),
    bundle,
  };
}

export function parseErasureRecord(payload: unknown): ErasureRecord {
  const p = asFields(payload, 'erasure');
  onlyKeys(p, 'erasure', ['subject', 'centre', 'fields', 'cause', 'by', 'erasedAt']);
  return {
    subject: id(p, 'subject', 'erasure'),
    centre: id(p, 'centre', 'erasure'),
    fields: fieldList(p, 'erasure', 0),
    cause: oneOf(p, 'cause', 'erasure', ERASURE_CAUSES),
    by: id(p, 'by', 'erasure'),
    erasedAt: time(p, 'erasedAt', 'erasure'),
  };
}

function fieldList(p: Parameters<typeof id>[0], path: string, min = 1): PersonalField[] {
  const values = list(p, 'fields', path, PERSONAL_FIELDS.length);
  if (values.length < min) bad(`${path}.fields`, `expected at least ${min} field kind`);
  const seen = new Set<string>();
  return values.map((v, i) => {
    if (!isPersonalField(v) || seen.has(v))
      bad(`${path}.fields[${i}]`, `expected one of ${PERSONAL_FIELDS.join(', ')}, each once`);
    seen.add(v);
    return v;
  });
}
