// `device-health` entries: a device (or a whole kiosk) changed state at `since`. A kiosk back from an outage
// reports it after the fact (state 'disconnected' since it went down, then 'ok' since it came back), and a
// peer or HQ may report a silent kiosk; the rules order reports by `since`, not by when they were written.
import { Type } from '@sinclair/typebox';
import { DEVICE_STATES, type DeviceState } from '../device-health.ts';
import { ID, type Parsed, TIME, map, oneOf, recordParser } from './record-schema.ts';

export const HEALTH_DEVICES = ['kiosk', 'fingerprint', 'camera', 'badge'] as const;
export type HealthDevice = (typeof HEALTH_DEVICES)[number];

const DEVICE_HEALTH = map({
  centre: ID,
  kiosk: ID,
  device: oneOf(HEALTH_DEVICES),
  state: oneOf(DEVICE_STATES),
  since: TIME,
  /** A short fault code from the driver, never free text. */
  fault: Type.Optional(ID),
});

export type DeviceHealthRecord = Parsed<typeof DEVICE_HEALTH>;

export const parseDeviceHealth: (payload: unknown) => DeviceHealthRecord = recordParser(DEVICE_HEALTH, 'device-health');

/** An outage for fairness: the device could not be used at all. */
export function isOutage(state: DeviceState): boolean {
  return state === 'disconnected' || state === 'failing';
}
