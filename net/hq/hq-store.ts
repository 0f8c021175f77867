// HQ's storage: every kiosk's verified log (the ReplicaStore part), the alerts it raised (fleet alerts, and breach
// alerts by deterministic id: net/hq/breach-alert.ts), and the last heartbeat of each kiosk. Two backends
// implement it: SQLite (embedded default) and PostgreSQL (province scale); one conformance suite
// (test/net/hq-store.test.ts) runs against both.
import type { Alert, StoredAlert } from '../alerts.ts';
import type { Heartbeat } from '../heartbeat.ts';
import type { BreachAlertStore } from './breach-alert.ts';
import type { ReplicaStore } from '../replica-store.ts';

export interface LastHeartbeat {
  readonly heartbeat: Heartbeat;
  /** HQ clock when it arrived. */
  readonly receivedAt: number;
}

export interface HqStore extends ReplicaStore, BreachAlertStore {
  /** Appends an alert; ids increase, so `alerts(afterId)` pages through them. */
  recordAlert(alert: Alert): Promise<StoredAlert>;
  alerts(afterId: number, limit: number): Promise<StoredAlert[]>;
  recordHeartbeat(heartbeat: Heartbeat, receivedAt: number): Promise<void>;
  heartbeats(): Promise<Map<string, LastHeartbeat>>;
}
