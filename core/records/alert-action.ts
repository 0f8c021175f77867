// `alert-action` entries: an HQ officer acknowledged, assigned or resolved a breach alert. HQ appends one to its
// own log for every action, so who did what to which alert, and when, cannot be rewritten. The officer's note is
// free text and may name people: it stays in HQ's store; the entry carries its SHA-256 only.
import { Type } from '@sinclair/typebox';
import { ID, KEY, type Parsed, SHA256, map, oneOf, recordParser } from './record-schema.ts';

export const ALERT_ACTIONS = ['acknowledge', 'assign', 'resolve'] as const;
export type AlertActionName = (typeof ALERT_ACTIONS)[number];

const ALERT_ACTION = map({
  /** The alert's deterministic id (`breach:<breach id>` or `review:<breach id>`). */
  alert: KEY,
  action: oneOf(ALERT_ACTIONS),
  /** The officer's user id. */
  by: ID,
  assignee: Type.Optional(ID),
  /** SHA-256 of the note, lowercase hex. */
  note: SHA256,
});

export type AlertActionRecord = Parsed<typeof ALERT_ACTION>;

export const parseAlertAction: (payload: unknown) => AlertActionRecord = recordParser(
  ALERT_ACTION,
  'alert-action',
  (a) =>
    (a.action === 'assign') === (a.assignee !== undefined)
      ? undefined
      : { field: 'assignee', message: 'is required for assign and only for assign' },
);
