// The screens' side of breach alerts (core/api/alerts-api.ts): served beside the HQ dashboard's backend by
// `muster hq --web`, and beside a kiosk's staff screen (the centre's alerts HQ published). Lists keep to the
// caller's centres; an action needs decide-review at one of the alert's centres and goes through the AlertDesk
// (HQ's log first). Changes reach the screens as `hq.changed` (`staff.changed` on the staff screen).
import type { EventMessage } from '../../core/api/api.ts';
import { type Principal, can } from '../../core/access/roles.ts';
import { MusterError } from '../../core/errors.ts';
import type { CentreAlerts } from '../../net/centre-alerts.ts';
import type { AlertDesk } from '../../net/hq/alert-desk.ts';
import type { BreachAlert, BreachAlertStore } from '../../net/hq/breach-alert.ts';
import type { HqService } from '../../net/hq/hq-service.ts';
import type { ApiBackend } from './api-service.ts';

const LIST_LIMIT = 500;
/** Who acts when the server has no user store (never the case for the web screens, which need one). */
const LOCAL_OPERATOR = 'local-operator';

export function alertsBackend(
  hq: Pick<HqService, 'events'>,
  store: BreachAlertStore,
  desk: AlertDesk,
  clock: () => number = Date.now,
): ApiBackend {
  const sees = (principal: Principal | undefined, alert: BreachAlert): boolean =>
    principal === undefined ||
    alert.centres.some((centre) => can(principal, 'read-breaches', { centre, subject: alert.subject }));
  return {
    handlers: {
      'hq.breachAlerts': async ({ centre }, caller) => {
        const alerts = await store.breachAlerts({ ...(centre === undefined ? {} : { centre }), limit: LIST_LIMIT });
        return { alerts: alerts.filter((a) => sees(caller.principal, a)) };
      },
      'hq.alertAction': async ({ id, action, note, assignee }, caller) => {
        const alert = await store.breachAlert(id);
        const principal = caller.principal;
        if (!alert || !sees(principal, alert)) throw new MusterError('not-found', `no breach alert ${id}`);
        if (
          principal &&
          !alert.centres.some((centre) => can(principal, 'decide-review', { centre, subject: alert.subject }))
        ) {
          throw new MusterError(
            'forbidden',
            `${principal.role} ${principal.user} may not act on alerts of ${alert.centres.join(', ')}`,
          );
        }
        const by = principal?.user ?? LOCAL_OPERATOR;
        return { alert: await desk.act(id, { action, by, note, ...(assignee === undefined ? {} : { assignee }) }) };
      },
    },
    subscribe(listener: (message: EventMessage) => void): () => void {
      const onAlert = (): void => {
        listener({ event: 'hq.changed', data: { at: clock(), what: 'breach-alert' } });
      };
      hq.events.on('breach-alert', onAlert);
      return () => {
        hq.events.off('breach-alert', onAlert);
      };
    },
  };
}

/**
 * A centre's staff screen on a kiosk: the centre's alerts as HQ published them (read-only; staff change a finding
 * by their own decisions, which supersede the alert). A new version reaches the screen as `staff.changed`.
 */
export function staffAlertsBackend(
  alerts: Pick<CentreAlerts, 'centre' | 'list' | 'onChange'>,
  clock: () => number = Date.now,
): ApiBackend {
  return {
    centre: alerts.centre,
    handlers: { 'staff.breachAlerts': () => ({ alerts: alerts.list() }) },
    subscribe: (listener: (message: EventMessage) => void) =>
      alerts.onChange(() => {
        listener({ event: 'staff.changed', data: { at: clock() } });
      }),
  };
}

/** One backend serving both: a screen's methods and events (and the centre it serves), and the alerts'. */
export function withAlerts(base: ApiBackend, alerts: ApiBackend): ApiBackend {
  return {
    ...(base.centre === undefined ? {} : { centre: base.centre }),
    handlers: { ...base.handlers, ...alerts.handlers },
    subscribe(listener: (message: EventMessage) => void): () => void {
      const stops = [base, alerts].map((b) => b.subscribe?.(listener));
      return () => {
        for (const stop of stops) stop?.();
      };
    },
  };
}
