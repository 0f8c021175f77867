// Which record schema governs each entry type, for payloads written by hand or by tools (`muster ledger append`
// checks a payload before it signs it). Every entry type is in exactly one of the two tables, so a new type does
// not compile until it says how its payloads are checked.
import { parseAccessRecord, parseErasureRecord, parseEvidenceExport } from '../access/access-records.ts';
import type { EntryType } from '../entry.ts';
import { parseAlertAction } from './alert-action.ts';
import { parseBreachNotice } from './breach-notice.ts';
import { parseCheckin, parseCheckinAttempt } from './checkin.ts';
import { parseDeviceHealth } from './device-health-record.ts';
import { parseEnrolment } from './enrolment.ts';
import { parsePlan } from './plan.ts';
import { parseContest, parseExcuse, parseReview } from './staff-decisions.ts';
import { parseTaskRecord } from './task-record.ts';

/** Throws MusterError('bad-record') naming the field when a payload does not fit its type. */
export const RECORD_SCHEMAS = {
  'checkin-attempt': parseCheckinAttempt,
  'checkin': parseCheckin,
  'enrolment': parseEnrolment,
  'plan': parsePlan,
  'task': parseTaskRecord,
  'excuse': parseExcuse,
  'review': parseReview,
  'breach': parseBreachNotice,
  'contest': parseContest,
  'device-health': parseDeviceHealth,
  'access': parseAccessRecord,
  'erasure': parseErasureRecord,
  'alert-action': parseAlertAction,
  'evidence-export': parseEvidenceExport,
} as const satisfies Partial<Record<EntryType, (payload: unknown) => unknown>>;

export type RecordType = keyof typeof RECORD_SCHEMAS;

/** Key entries: only the command that manages the keys writes them (it checks what it signs). */
export const KEY_ENTRY_COMMANDS: Readonly<Record<Exclude<EntryType, RecordType>, string>> = {
  'genesis': 'muster ledger init',
  'key-rotation': 'muster ledger rotate-key',
  'kiosk-registration': 'muster kiosk provision',
  'witness-registration': 'muster witness register',
  'key-revocation': 'muster kiosk revoke',
};

export function isRecordType(type: EntryType): type is RecordType {
  return Object.hasOwn(RECORD_SCHEMAS, type);
}
