// `alert-action` entries: an HQ officer acknowledged, assigned or resolved a breach alert. HQ appends one to its
// own log for every action, so who did what to which alert, and when, cannot be rewritten. The officer's note is
// free text and may name people: it stays in HQ's store; the entry carries its SHA-256 only.
import { asFields, bad, id, key, oneOf, onlyKeys, optionalId } from './fields.ts';

export const ALERT_ACTIONS = ['acknowledge', 'assign', 'resolve'] as const;
export type AlertActionName = (typeof ALERT_ACTIONS)[number];

export interface AlertActionRecord {
  /** The alert's deterministic id (`breach:<breach id>` or `review:<breach id>`). */
  readonly alert: string;
  readonly action: AlertActionName;
  /** The officer's user id. */
  readonly by: string;
  readonly assignee?: string;
  /** SHA-256 of the note, lowercase hex. */
  readonly note: string;
}

export function parseAlertAction(payload: unknown): AlertActionRecord {
  const p = asFields(payload, 'alert-action');
  onlyKeys(p, 'alert-action', ['alert', 'action', 'by', 'assignee', 'note']);
  const note = p.note;
  if (typeof note !== 'string' || !/^[0-9a-f]{64}$/.test(note))
    bad('alert-action.note', 'expected a lowercase hex SHA-256');
  const action = oneOf(p, 'action', 'alert-action', ALERT_ACTIONS);
  const assignee = optionalId(p, 'assignee', 'alert-action');
  if ((action === 'assign') !== (assignee !== undefined))
    bad('alert-action.assignee', 'is required for assign and only for assign');
  return {
    alert: key(p, 'alert', 'alert-action'),
    action,
    by: id(p, 'by', 'alert-action'),
    ...(assignee === undefined ? {} : { assignee }),
    note,
  };
}
