// HQ's wiring of the breach watcher: verified entries from HQ's store, a pass after each ingest, kiosk downtime
// from HQ's fleet judgement, and delivery of every raised or changed alert to the screens (the service's
// `breach-alert` event, which the HTTP API streams as SSE) and to other systems on muster/v1/alerts/<centre>.
import { createHash } from 'node:crypto';
import { errorMessage } from '../../core/errors.ts';
import type { EngineOptions } from '../../core/breach/engine.ts';
import { centerOf } from '../alerts.ts';
import { topics } from '../topics.ts';
import type { BreachAlert } from './breach-alert.ts';
import { BreachWatcher } from './breach-watcher.ts';
import { FleetDowntime } from './fleet-downtime.ts';
import type { FleetEntry, HqService } from './hq-service.ts';
import { ReaderRecords } from './verified-records.ts';

export interface HqBreachAlertsOptions {
  readonly clock?: () => number;
  readonly engine?: EngineOptions;
  /** Per origin, the genesis key its log must start with (muster hq --trust). */
  readonly trustedKeys?: ReadonlyMap<string, Uint8Array>;
  readonly warn?: (message: string) => void;
  /** Publish on muster/v1/alerts/<centre> (HQ); an agency node keeps its verdicts to its own store and screens. */
  readonly publish?: boolean;
}

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
  return { ...alert, history: alert.history.map((h) => (h.by === 'hq' ? h : { ...h, note: `sha256:${createHash('sha256').update(h.note).digest('hex')}` })) };
}

/** Delivery of a raised or changed alert: the service's `breach-alert` event (SSE) and the alerts topic. */
export function breachAlertDelivery(hq: HqService, warn: (message: string) => void, publish = true): (alert: BreachAlert) => void {
  return (alert: BreachAlert): void => {
    hq.events.emit('breach-alert', alert);
    // Published even while the link is down (at start, or the broker away): the MQTT client queues QoS 1
    // messages and sends them once connected.
    const payload = JSON.stringify(forOtherSystems(alert));
    for (const centre of publish ? alert.centres : []) {
      hq.link.publish(topics.alerts(centre), payload).catch((error: unknown) => {
        warn(`breach alert ${alert.id} not published for ${centre}: ${errorMessage(error)}`);
      });
    }
  };
}

export async function startHqBreachAlerts(hq: HqService, options: HqBreachAlertsOptions = {}): Promise<HqBreachAlerts> {
  const clock = options.clock ?? Date.now;
  const warn = options.warn ?? ((message: string) => { process.emitWarning(message); });
  const deliver = breachAlertDelivery(hq, warn, options.publish ?? true);
  const downtime = new FleetDowntime(clock());
  const watcher = new BreachWatcher({ source: new ReaderRecords(hq.store, options.trustedKeys ? { trustedKeys: options.trustedKeys } : {}), store: hq.store, deliver, downtime, clock, warn, ...(options.engine ? { engine: options.engine } : {}) });
  // What HQ already knows of its fleet counts from now on (FleetDowntime ignores gaps before it started).
  for (const entry of hq.fleetView()) downtime.note(entry, clock());
  const onEntries = (): void => void watcher.poke();
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
