// HQ's wiring of the breach watcher: verified entries from HQ's store, a pass after each ingest, kiosk downtime
// from HQ's fleet judgement, and delivery of every raised or changed alert to the screens (the service's
// `breach-alert` event, which the HTTP API streams as SSE) and to other systems on muster/v1/alerts/<centre>.
import { createHash } from 'node:crypto';
import { type Logger, componentLogger } from '../../runtime/logger.ts';
import type { EngineOptions } from '../../core/breach/engine.ts';
import { centerOf } from '../alerts.ts';
import { topics } from '../topics.ts';
import type { BreachAlert } from './breach-alert.ts';
import { BreachWatcher } from './breach-watcher.ts';
import { FleetDowntime } from './fleet-downtime.ts';
import type { FleetEntry, HqService } from './hq-service.ts';
import { ReaderRecords, witnessedEntrySource } from './verified-records.ts';

export interface HqBreachAlertsOptions {
  readonly clock?: () => number;
  readonly engine?: EngineOptions;
  /** Per origin, the genesis key its log must start with (muster hq --trust). */
  readonly trustedKeys?: ReadonlyMap<string, Uint8Array>;
  /** Default: the process logger's `breach-alerts` child. */
  readonly logger?: Logger;
  /** Publish on muster/v1/alerts/<centre> (HQ); an agency node keeps its verdicts to its own store and screens. */
  readonly publish?: boolean;
  /** Least time between two passes that re-verify a sweep window below the marks (default SWEEP_EVERY_MS; 0: every pass). */
  readonly sweepEveryMs?: number;
}

/**
 * The watcher's passes re-verify a window of stored rows (512 signatures) at most this often, however many passes
 * run: at a province's peak they run back to back, a few new entries each, and re-verifying a window in every one
 * kept HQ's thread busy with it (bench/README.md, Province scale).
 */
export const SWEEP_EVERY_MS = 1000;

export interface HqBreachAlerts {
  readonly watcher: BreachWatcher;
  /** Publishes an alert changed outside the watcher (an officer's action) the same way. */
  readonly deliver: (alert: BreachAlert) => void;
  close(): Promise<void>;
}

/**
 * The copy for the alerts topic, which every node of the broker may read: an officer's note is free text and may
 * name people, so it goes out as its SHA-256 (the same as on HQ's log); the screens, role-gated, show the note.
 */
export function forOtherSystems(alert: BreachAlert): BreachAlert {
  return {
    ...alert,
    history: alert.history.map((h) =>
      h.by === 'hq' ? h : { ...h, note: `sha256:${createHash('sha256').update(h.note).digest('hex')}` },
    ),
  };
}

/** Delivery of a raised or changed alert: the service's `breach-alert` event (SSE) and the alerts topic. */
export function breachAlertDelivery(hq: HqService, log: Logger, publish = true): (alert: BreachAlert) => void {
  return (alert: BreachAlert): void => {
    hq.showBreachAlert(alert);
    if (publish) void publishAlert(hq, alert, log);
  };
}

/**
 * Publishes one version of an alert on each of its centres' topics, then takes it out of the outbox. Published
 * even while the link is down (at start, or the broker away): the MQTT client queues QoS 1 messages and sends
 * them once connected; if HQ dies first, the version is still in the outbox and the next start publishes it.
 */
function publishAlert(hq: HqService, alert: BreachAlert, log: Logger): Promise<void> {
  const payload = JSON.stringify(forOtherSystems(alert));
  return Promise.all(alert.centres.map((centre) => hq.link.publish(topics.alerts(centre), payload)))
    .then(() => hq.store.markAlertPublished(alert.id, alert.version))
    .catch((error: unknown) => {
      log.error(
        { err: error, alert: alert.id, version: alert.version },
        'breach alert not published (it stays in the outbox for the next start)',
      );
    });
}

export async function startHqBreachAlerts(hq: HqService, options: HqBreachAlertsOptions = {}): Promise<HqBreachAlerts> {
  const clock = options.clock ?? Date.now;
  const log = options.logger ?? componentLogger('breach-alerts');
  const publish = options.publish ?? true;
  const deliver = breachAlertDelivery(hq, log, publish);
  // What a crash left in the outbox goes out first, before the first pass publishes anything newer.
  if (publish)
    for (const alert of await hq.store.unpublishedAlerts(Number.MAX_SAFE_INTEGER)) void publishAlert(hq, alert, log);
  const downtime = new FleetDowntime(clock(), { log, spans: hq.store });
  await downtime.load();
  const watcher = new BreachWatcher({
    source: new ReaderRecords(witnessedEntrySource(hq.store), {
      ...(options.trustedKeys ? { trustedKeys: options.trustedKeys } : {}),
      sweepEveryMs: options.sweepEveryMs ?? SWEEP_EVERY_MS,
      clock,
    }),
    store: hq.store,
    deliver,
    downtime,
    clock,
    logger: componentLogger('breach-watcher', log),
    ...(options.engine ? { engine: options.engine } : {}),
  });
  // What HQ knows of its fleet now: a kiosk silent since before this start counts from now on, unless its stored
  // downtime says it was already down.
  for (const entry of hq.fleetView()) downtime.note(entry, clock());
  const onEntries = ({ origin, size }: { origin: string; size: number }): void => void watcher.grew(origin, size);
  const onKiosk = (entry: FleetEntry): void => {
    if (downtime.note(entry, clock())) void watcher.recheckCentre(centerOf(entry.kiosk));
  };
  hq.events.on('entries', onEntries);
  hq.events.on('kiosk', onKiosk);
  await watcher.start();
  return {
    watcher,
    deliver,
    close: async () => {
      hq.events.off('entries', onEntries);
      hq.events.off('kiosk', onKiosk);
      await watcher.close();
    },
  };
}
