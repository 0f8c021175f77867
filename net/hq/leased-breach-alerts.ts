// Breach alerts on HQ nodes sharing one PostgreSQL: every node ingests and serves dashboards, but the breach
// watcher runs on the holder of a PostgreSQL lease only (net/hq/pg-lease.ts), so each verdict is judged once.
// When the holder dies its session ends, another node takes the lease within a few seconds and its watcher's
// first pass judges everyone at the current time: what fell due meanwhile is raised then (alert ids are
// deterministic and inserted idempotently, so an alert the dead node had already stored is not raised twice).
// Every node's screens show every alert, whichever node raised or changed it (net/hq/pg-alert-feed.ts).
import { componentLogger } from '../../runtime/logger.ts';
import type { BreachAlert } from './breach-alert.ts';
import {
  type HqBreachAlerts,
  type HqBreachAlertsOptions,
  breachAlertDelivery,
  startHqBreachAlerts,
} from './hq-breach-alerts.ts';
import type { HqService } from './hq-service.ts';
import { startPgAlertFeed } from './pg-alert-feed.ts';
import { PgLease } from './pg-lease.ts';
import { ENTRIES_CHANNEL, entriesNotice } from './postgres-hq-store.ts';

export interface LeasedBreachAlerts {
  /** Publishes an alert changed outside the watcher (an officer's action), as the watcher does. */
  readonly deliver: (alert: BreachAlert) => void;
  close(): Promise<void>;
}

export interface LeasedBreachAlertsOptions extends HqBreachAlertsOptions {
  /** The PostgreSQL URL of the shared HQ store. */
  readonly url: string;
  /** How often a standby tries the lease (default 2000 ms, jittered). */
  readonly everyMs?: number;
  /** Told when this node starts or stops judging (the `muster hq` process prints it). */
  readonly onChange?: (holding: boolean) => void;
}

export async function startLeasedBreachAlerts(
  hq: HqService,
  options: LeasedBreachAlertsOptions,
): Promise<LeasedBreachAlerts> {
  const log = options.logger ?? componentLogger('breach-alerts');
  let running: HqBreachAlerts | undefined;
  /** The lease as last reported: a start queued behind a loss must not run. */
  let held = false;
  // Acquire and loss come as events; starting and stopping the watcher are done one after the other, in order.
  let turn: Promise<void> = Promise.resolve();
  const then = (step: () => Promise<void>): void => {
    turn = turn.then(step).catch((error: unknown) => {
      log.error({ err: error }, 'breach watcher could not start or stop');
    });
  };
  const stop = async (): Promise<void> => {
    const was = running;
    running = undefined;
    await was?.close();
  };
  // Whichever node raises an alert, every node's screens show it.
  const feed = startPgAlertFeed(hq, options.url, log);
  const lease = await PgLease.start({
    url: options.url,
    name: 'breach-watcher',
    // Entries the other nodes stored raise no ingest event here: the database tells the holder of them (the log
    // and its size).
    listen: {
      channel: ENTRIES_CHANNEL,
      onNotify: (payload) => {
        const { origin, size } = entriesNotice(payload);
        void running?.watcher.grew(origin, size);
      },
    },
    ...(options.everyMs === undefined ? {} : { everyMs: options.everyMs }),
    onAcquired: () => {
      held = true;
      then(async () => {
        if (running || !held) return;
        running = await startHqBreachAlerts(hq, options);
        options.onChange?.(true);
      });
    },
    onLost: () => {
      held = false;
      then(async () => {
        if (!running) return;
        await stop();
        options.onChange?.(false);
      });
    },
    onError: (message) => {
      log.warn({ lease: 'breach-watcher' }, message);
    },
  });
  return {
    deliver: breachAlertDelivery(hq, log, options.publish ?? true),
    close: async () => {
      await lease.close();
      await turn;
      await stop();
      await feed.close();
    },
  };
}
