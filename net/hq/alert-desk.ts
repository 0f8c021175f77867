// Officers' actions on breach alerts: acknowledge, assign (to a user) and resolve, each with a note. Every action
// is first an `alert-action` entry on HQ's own signed log (the note's SHA-256; the note itself stays in the
// store), then a compare-and-set change of the stored alert, then delivered like any change. Superseded alerts
// keep their status: the action is recorded in their history.
import { createHash } from 'node:crypto';
import { type Out, check, obj } from '../../core/api/check.ts';
import { MusterError } from '../../core/errors.ts';
import type { Payload } from '../../core/entry.ts';
import { type AlertActionName, ALERT_ACTIONS, parseAlertAction } from '../../core/records/alert-action.ts';
import { ID, text } from '../../core/records/record-schema.ts';
import type { AlertHistoryEvent, BreachAlert, BreachAlertStatus, BreachAlertStore } from './breach-alert.ts';

/** HQ's own log (a LogWriter): where each action is signed before it takes effect. */
export interface ActionLog {
  readonly origin: string;
  append(type: 'alert-action', payload: Payload): Promise<{ readonly seq: number }>;
}

const MAX_NOTE_CHARS = 500;

/** An action's HTTP body: the note (kept in the store, its SHA-256 on the log) and, for assign only, the assignee. */
const BODY = obj(
  { note: text(MAX_NOTE_CHARS) },
  /** The user id to assign the alert to. */
  { assignee: ID },
);

export type AlertActionRequest = Out<typeof BODY> & {
  readonly action: AlertActionName;
  /** The officer's user id. */
  readonly by: string;
};

/** Tries of the compare-and-set against a watcher (or another node) changing the alert at the same moment. */
const TRIES = 5;

const STATUS_AFTER: Record<AlertActionName, BreachAlertStatus> = {
  acknowledge: 'acknowledged',
  assign: 'assigned',
  resolve: 'resolved',
};
const EVENT_OF: Record<AlertActionName, AlertHistoryEvent['event']> = {
  acknowledge: 'acknowledged',
  assign: 'assigned',
  resolve: 'resolved',
};

export class AlertDesk {
  constructor(
    private readonly store: BreachAlertStore,
    private readonly log: ActionLog,
    private readonly deliver: (alert: BreachAlert) => void,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Validates a request body (unknown JSON) into a request; MusterError('bad-message') names the field. */
  static request(action: string, body: unknown, by: string): AlertActionRequest {
    if (!isAction(action))
      throw new MusterError(
        'not-found',
        `no alert action ${JSON.stringify(action.slice(0, 40))}: ${ALERT_ACTIONS.join(', ')}`,
      );
    const { note, assignee } = check(BODY, body, 'body');
    if (action === 'assign' && assignee === undefined)
      throw new MusterError('bad-message', 'body.assignee: expected the user id to assign the alert to');
    if (action !== 'assign' && assignee !== undefined)
      throw new MusterError('bad-message', 'body.assignee: only for assign');
    return { action, by, note, ...(assignee === undefined ? {} : { assignee }) };
  }

  async act(id: string, request: AlertActionRequest): Promise<BreachAlert> {
    const first = await this.store.breachAlert(id);
    if (!first) throw new MusterError('not-found', `no breach alert ${id}`);
    const payload = {
      alert: id,
      action: request.action,
      by: request.by,
      ...(request.assignee === undefined ? {} : { assignee: request.assignee }),
      note: createHash('sha256').update(request.note).digest('hex'),
    };
    parseAlertAction(payload);
    const { seq } = await this.log.append('alert-action', payload);
    const event: AlertHistoryEvent = {
      at: this.clock(),
      event: EVENT_OF[request.action],
      by: request.by,
      note: request.note,
      ref: { origin: this.log.origin, seq },
    };
    let current: BreachAlert | undefined = first;
    for (let i = 0; i < TRIES && current; i++) {
      const next: BreachAlert = {
        ...current,
        status: current.status === 'superseded' ? 'superseded' : STATUS_AFTER[request.action],
        assignee: request.assignee ?? current.assignee,
        version: current.version + 1,
        history: [...current.history, event],
      };
      const [applied] = await this.store.applyAlertChanges([{ alert: next, expectedVersion: current.version }]);
      if (applied === true) {
        this.deliver(next);
        return next;
      }
      current = await this.store.breachAlert(id);
    }
    throw new MusterError(
      'busy',
      `breach alert ${id} kept changing; the action is on HQ's log (seq ${seq}) but not on the alert: try again`,
    );
  }
}

function isAction(action: string): action is AlertActionName {
  return (ALERT_ACTIONS as readonly string[]).includes(action);
}
