// `device-health` entries: a device (or a whole kiosk) changed state at `since`. A kiosk back from an outage
// reports it after the fact (state 'disconnected' since it went down, then 'ok' since it came back), and a
// peer or HQ may report a silent kiosk; the rules order reports by `since`, not by when they were written.
import type { DeviceState } from '../device-health.ts';
import { asFields, id, oneOf, onlyKeys, optionalId, time } from './fields.ts';

export const HEALTH_DEVICES = ['kiosk', 'fingerprint', 'camera', 'badge'] as const;
export type HealthDevice = (typeof HEALTH_DEVICES)[number];
const STATES: readonly DeviceState[] = ['ok', 'degraded', 'disconnected', 'failing'];

export interface DeviceHealthRecord {
  readonly centre: string;
  readonly kiosk: string;
  readonly device: HealthDevice;
  readonly state: DeviceState;
  readonly since: number;
  /** A short fault code from the driver, never free text. */
  readonly fault?: string;
}

export function parseDeviceHealth(payload: unknown): DeviceHealthRecord {
  const p = asFields(payload, 'device-health');
  onlyKeys(p, 'device-health', ['centre', 'kiosk', 'device', 'state', 'since', 'fault']);
  const fault = optionalId(p, 'fault', 'device-health');
  return {
    centre: id(p, 'centre', 'device-health'),
    kiosk: id(p, 'kiosk', 'device-health'),
    device: oneOf(p, 'device', 'device-health', HEALTH_DEVICES),
    state: oneOf(p, 'state', 'device-health', STATES),
    since: time(p, 'since', 'device-health'),
    ...(fault === undefined ? {} : { fault }),
  };
}

/** An outage for fairness: the device could not be used at all. */
export function isOutage(state: DeviceState): boolean {
  return state === 'disconnected' || state === 'failing';
}
