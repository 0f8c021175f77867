// Breach alerts on the screens (net/hq/breach-alert.ts): the list (HQ's, or on a centre's staff screen the copy
// HQ published for the centre), and an officer's acknowledge / assign / resolve with a note. Which role may ask
// is declared here; the handler further keeps each list to the caller's centres and checks the action against
// the alert's centres.
import { type Out, ident, int, list, nullable, num, obj, oneOf, text } from './check.ts';

const ref = obj({ origin: ident, seq: int() }, { hash: text(64, 64) });

export const breachAlertView = obj(
  {
    id: text(1, 240),
    kind: oneOf(['breach', 'review'] as const),
    rule: text(1, 64),
    subject: ident,
    day: text(10, 10),
    centres: list(ident, 16),
    firedAt: num,
    raisedAt: num,
    summary: text(0, 2000),
    evidence: list(obj({ origin: ident, seq: int(), hash: text(64, 64) }), 1000),
    finding: text(1, 32),
    status: oneOf(['open', 'acknowledged', 'assigned', 'resolved', 'superseded'] as const),
    assignee: nullable(ident),
    version: int(1),
    history: list(obj({ at: num, event: text(1, 32), by: text(1, 64), note: text(0, 2000) }, { ref }), 200),
  },
  {
    // As stored and published (net/hq/breach-alert.ts): the screens pass the alert on as it is.
    v: int(1, 1),
    type: oneOf(['breach-alert'] as const),
  },
);

export const alertsMethods = {
  /** Breach alerts, newest first; optionally one centre's. */
  'hq.breachAlerts': {
    access: 'read-breaches',
    params: obj({}, { centre: ident }),
    result: obj({ alerts: list(breachAlertView, 500) }),
  },
  /** On a kiosk's staff screen: the centre's alerts as HQ published them (net/centre-alerts.ts), newest first. */
  'staff.breachAlerts': {
    access: 'read-breaches',
    params: obj({}),
    result: obj({ alerts: list(breachAlertView, 500) }),
  },
  'hq.alertAction': {
    access: 'decide-review',
    params: obj(
      { id: text(1, 240), action: oneOf(['acknowledge', 'assign', 'resolve'] as const), note: text(1, 500) },
      { assignee: ident },
    ),
    result: obj({ alert: breachAlertView }),
  },
} as const;

export type BreachAlertView = Out<typeof breachAlertView>;
