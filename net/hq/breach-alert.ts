// Breach alerts: what the breach watcher raises from the engine's findings, stored by HQ (either store), pushed to
// screens over SSE and published on muster/v1/alerts/<centre> (schema: deploy/mqtt/breach-alert.schema.json).
// The id is derived from the finding (`breach:<breach id>` or `review:<breach id>`), so every node and every
// restart name the same alert the same way and storing it twice is a no-op.
import { type Out, ident, int, list, literal, nullable, num, obj, oneOf, text } from '../../core/api/check.ts';
import type { Breach, BreachStatus, ReviewStatus } from '../../core/breach/findings.ts';
import { RULE_IDS } from '../../core/breach/rule-ids.ts';
import { MusterError, errorMessage } from '../../core/errors.ts';
import { DAY_TEXT, SHA256 } from '../../core/records/record-schema.ts';
import { schemaParser } from '../../core/schema.ts';
import { type Logger, componentLogger } from '../../runtime/logger.ts';

/** breach: a rule fired and stands. review: it would have fired, but a kiosk outage in the window needs staff to judge it. */
const KINDS = ['breach', 'review'] as const;
/** Officer workflow on top of the finding; superseded: an excuse, a contest or a review took the finding away. */
const STATUSES = ['open', 'acknowledged', 'assigned', 'resolved', 'superseded'] as const;
const EVENTS = ['raised', 'updated', 'superseded', 'acknowledged', 'assigned', 'resolved'] as const;
const FINDINGS = [
  'open',
  'excused',
  'contested',
  'upheld',
  'dismissed',
  'pending',
  'cleared',
  'breach',
] as const satisfies readonly (BreachStatus | ReviewStatus)[];

const HISTORY_EVENT = obj(
  {
    at: num,
    event: oneOf(EVENTS),
    /** Who: `hq` for the watcher, the user id for an officer's action. */
    by: text(1, 64),
    note: text(0, 2000),
  },
  {
    /** The entry behind it: the excuse, contest or review that changed the finding (with its hash), or HQ's own log entry of an action. */
    ref: obj({ origin: ident, seq: int() }, { hash: SHA256 }),
  },
);

/** An alert as HQ stores it (either store) and publishes it; a stored row is read back by this schema. */
const BREACH_ALERT = obj({
  v: literal(1),
  type: literal('breach-alert'),
  id: text(1, 240),
  kind: oneOf(KINDS),
  /** The rule that fired (a would-be rule for a review). */
  rule: oneOf(RULE_IDS),
  subject: ident,
  /** Local day of the obligation, YYYY-MM-DD in the plan's zone. */
  day: DAY_TEXT,
  /** The person's centres under the plan in force: each one's staff and topic get the alert. */
  centres: list(ident, 16),
  /** When the rule fired (the deadline or the entry that fired it). */
  firedAt: num,
  /** HQ clock when the alert was first raised. */
  raisedAt: num,
  summary: text(0, 2000),
  /** The plan version in force and the entries that show the breach (or the outage). */
  evidence: list(obj({ origin: ident, seq: int(), hash: SHA256 }), 1000),
  /** The engine's status of the finding now. */
  finding: oneOf(FINDINGS),
  status: oneOf(STATUSES),
  assignee: nullable(ident),
  /** Bumped on every change; stores update by compare-and-set on it, so two HQ nodes never lose a change. */
  version: int(1),
  history: list(HISTORY_EVENT, 200),
});

export type BreachAlert = Out<typeof BREACH_ALERT>;
export type BreachAlertKind = BreachAlert['kind'];
export type BreachAlertStatus = BreachAlert['status'];
export type AlertHistoryEvent = BreachAlert['history'][number];

/** A stored row's alert, read back by the schema it was stored under: a row edited by hand is corrupt-alert. */
const storedAlert = schemaParser(BREACH_ALERT, 'corrupt-alert', 'stored alert');

/** A change for the store: a new alert (expectedVersion null, inserted only if absent) or a compare-and-set update. */
export interface AlertChange {
  readonly alert: BreachAlert;
  readonly expectedVersion: number | null;
}

/** The part of HQ's storage that keeps breach alerts (both HQ stores implement it; so can an agency node's). */
export interface BreachAlertStore {
  /** Applies the changes in one transaction; each is true if it applied (false: present already, or changed since). */
  applyAlertChanges(changes: readonly AlertChange[]): Promise<boolean[]>;
  breachAlert(id: string): Promise<BreachAlert | undefined>;
  /** Alerts, most recently raised first; `centre` keeps those of one centre. */
  breachAlerts(query: { readonly centre?: string; readonly limit: number }): Promise<BreachAlert[]>;
}

/**
 * Alerts not yet known to be on the alerts topic: an outbox kept with each alert, in the transaction that stores
 * it. A change is pending until its publication is acknowledged by the broker; one stored just before HQ died is
 * published by the next start. Receivers may see a version twice (at least once): `id` and `version` name it.
 */
export interface AlertOutbox {
  /** Alerts whose stored version is not marked published, oldest raised first. */
  unpublishedAlerts(limit: number): Promise<BreachAlert[]>;
  /** Marks `version` of an alert published; an older version never lowers the mark. */
  markAlertPublished(id: string, version: number): Promise<void>;
}

/** An outage-excused finding whose only excuses are outages: what fairness turns into a staff review item. */
export function outageOnly(breach: Breach): boolean {
  return (
    breach.status === 'excused' &&
    breach.history.length > 0 &&
    breach.history.every((h) => h.note.startsWith('outage:'))
  );
}

export function breachAlertId(kind: BreachAlertKind, breachId: string): string {
  return `${kind}:${breachId}`;
}

/** Stored rows as alerts, leaving out (with a warning naming it) a row that does not parse: one bad row must not hide the rest. */
export function parseStoredAlerts(
  rows: readonly { readonly id: string; readonly body: string }[],
  logger: Logger = componentLogger('hq-store'),
): BreachAlert[] {
  const alerts: BreachAlert[] = [];
  for (const row of rows) {
    try {
      alerts.push(parseStoredAlert(row.id, row.body));
    } catch (error) {
      logger.warn({ err: error, alert: row.id }, 'stored alert left out of the list');
    }
  }
  return alerts;
}

/** A stored alert's JSON back to an alert: a row edited or cut by hand is a clear error naming it, never a crash later. */
export function parseStoredAlert(id: string, json: string): BreachAlert {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new MusterError('corrupt-alert', `stored alert ${id} is not JSON: ${errorMessage(error)}`);
  }
  const alert = storedAlert(value, `stored alert ${id}`);
  if (alert.id !== id) throw new MusterError('corrupt-alert', `stored alert ${id} is alert ${alert.id}`);
  return alert;
}
