// HQ's storage: every kiosk's verified log (the ReplicaStore part), the alerts it raised (fleet alerts, and breach
// alerts by deterministic id with their outbox: net/hq/breach-alert.ts), the last heartbeat of each kiosk and the
// downtime HQ saw from heartbeats. Two backends
// implement it: SQLite (embedded default) and PostgreSQL (province scale); one conformance suite
// (test/net/hq-store.test.ts) runs against both.
import type { Alert, StoredAlert } from '../alerts.ts';
import type { Heartbeat, KioskState } from '../heartbeat.ts';
import type { AlertOutbox, BreachAlertStore } from './breach-alert.ts';
import type { ReplicaStore } from '../replica-store.ts';

export interface LastHeartbeat {
  readonly heartbeat: Heartbeat;
  /** HQ clock when it arrived. */
  readonly receivedAt: number;
}

/** A span when HQ saw a kiosk offline or degraded (net/hq/fleet-downtime.ts); `to` null: still down. */
export interface StoredDowntime {
  readonly kiosk: string;
  readonly from: number;
  readonly to: number | null;
  readonly note: string;
}

/** A kiosk's fleet state as the nodes on a store last turned to it, and the signed time of the heartbeat it began at. */
export interface FleetEpisode {
  readonly state: KioskState;
  readonly since: number;
}

export interface HqStore extends ReplicaStore, BreachAlertStore, AlertOutbox {
  /** Appends an alert; ids increase, so `alerts(afterId)` pages through them. */
  recordAlert(alert: Alert): Promise<StoredAlert>;
  /**
   * Appends an alert unless one was stored under `key` before (by this node, an earlier run, or another HQ node on
   * the same store): the key names the event (every node derives the same one), so it is raised once. Returns
   * undefined when it was stored before.
   */
  recordAlertOnce(alert: Alert, key: string): Promise<StoredAlert | undefined>;
  alerts(afterId: number, limit: number): Promise<StoredAlert[]>;
  /**
   * Keeps a kiosk's newest heartbeat by its signed time: HQ nodes sharing a store each record what they receive, and
   * one late with an older one must not put it back (the last heartbeat names a kiosk's offline episode).
   */
  recordHeartbeat(heartbeat: Heartbeat, receivedAt: number): Promise<void>;
  heartbeats(): Promise<Map<string, LastHeartbeat>>;
  /** Stores a downtime span, or its end, by kiosk and start: HQ's judgement of its fleet outlives a restart. */
  recordDowntime(span: StoredDowntime): Promise<void>;
  downtime(): Promise<StoredDowntime[]>;
  /**
   * Notes that a node judged `kiosk` turned `state` by the heartbeat signed at `at` (offline: the last one), and
   * returns the episode as stored. The same state keeps its start, whoever noted it first (another node, an earlier
   * run), so every node names the episode alike; another state starts a new one at `at`, unless a later heartbeat
   * was judged already (a node behind the others): the stored episode stands.
   */
  noteFleetState(kiosk: string, state: KioskState, at: number): Promise<FleetEpisode>;
}
