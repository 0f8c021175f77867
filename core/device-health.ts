// Health of one kiosk device, shared by the drivers (which compute it), the kiosk workflow (which falls back
// when a device is down) and HQ's fleet view (which shows it). Pure: no Node, no timers.

export type DeviceKind = 'fingerprint' | 'camera' | 'badge';

/** ok: answering; degraded: answering with recent failures; failing: too many failures in a row; disconnected: link down. */
export const DEVICE_STATES = ['ok', 'degraded', 'disconnected', 'failing'] as const;
export type DeviceState = (typeof DEVICE_STATES)[number];

export interface DeviceCounters {
  readonly requests: number;
  readonly failures: number;
  readonly timeouts: number;
  readonly disconnects: number;
}

export interface DeviceFault {
  readonly code: string;
  readonly message: string;
  /** Milliseconds since the Unix epoch. */
  readonly at: number;
}

export interface DeviceHealth {
  readonly id: string;
  readonly kind: DeviceKind;
  readonly state: DeviceState;
  readonly lastError: DeviceFault | null;
  readonly counters: DeviceCounters;
  /** When the device entered `state`, milliseconds since the Unix epoch. */
  readonly since: number;
}

/** Consecutive failed requests after which a connected device counts as failing rather than degraded. */
export const FAILING_AFTER = 3;

export function deviceState(
  connected: boolean,
  consecutiveFailures: number,
  failingAfter = FAILING_AFTER,
): DeviceState {
  if (!connected) return 'disconnected';
  if (consecutiveFailures === 0) return 'ok';
  return consecutiveFailures >= failingAfter ? 'failing' : 'degraded';
}

/** Whether the workflow may use the device at all (degraded devices are still tried). */
export function deviceUsable(state: DeviceState): boolean {
  return state === 'ok' || state === 'degraded';
}
