// Fleet health. Each kiosk publishes a heartbeat (retained, so HQ sees the last one on start): its devices'
// states, its replication backlog, its clock and its software version, signed by its log key (the broker is not
// trusted: anyone on it could otherwise bring a dead kiosk "online"). HQ judges each kiosk by its own clock:
// offline when no fresh heartbeat arrived for a while (fresh by its signed time, so a retained or replayed one is
// not), degraded when a device is not ok, the clock is off, or the kiosk is far behind its peers.
import { fromBase64, toBase64 } from '../core/bytes.ts';
import type { DeviceState } from '../core/device-health.ts';
import { MusterError } from '../core/errors.ts';
import { isCount, parseJson } from './wire.ts';
import { type WitnessReport, parseWitnessReports } from './witness-reports.ts';

export interface Heartbeat {
  readonly kiosk: string;
  /** Kiosk wall clock, milliseconds since the epoch. */
  readonly at: number;
  readonly version: string;
  /** Entries of the own log. */
  readonly logSize: number;
  /** Entries of peers' logs known to exist but not yet held. */
  readonly backlog: number;
  readonly devices: readonly { readonly id: string; readonly state: DeviceState }[];
  /** What the kiosk found wrong with its peers' logs while witnessing them (net/witness-reports.ts). */
  readonly witnessed?: readonly WitnessReport[];
}

export type KioskState = 'online' | 'degraded' | 'offline';

export interface FleetPolicy {
  /** No heartbeat for this long: offline. */
  readonly offlineAfterMs: number;
  /** Kiosk clock further than this from HQ's: degraded. */
  readonly maxSkewMs: number;
  /** Backlog above this: degraded. */
  readonly maxBacklog: number;
}

export const DEFAULT_FLEET_POLICY: FleetPolicy = { offlineAfterMs: 90_000, maxSkewMs: 120_000, maxBacklog: 10_000 };

const DEVICE_STATES: readonly string[] = ['ok', 'degraded', 'disconnected', 'failing'];

export function encodeHeartbeat(heartbeat: Heartbeat): Buffer {
  return Buffer.from(JSON.stringify({ v: 1, ...heartbeat }));
}

export function decodeHeartbeat(bytes: Uint8Array): Heartbeat {
  const value = parseJson(bytes, 'heartbeat');
  const { v, kiosk, at, version, logSize, backlog, devices, witnessed } = value;
  if (v !== 1) throw new MusterError('bad-message', 'heartbeat has an unknown version');
  if (typeof kiosk !== 'string' || typeof version !== 'string' || version.length > 64)
    throw new MusterError('bad-message', 'heartbeat needs kiosk and version strings');
  if (!isCount(at) || !isCount(logSize) || !isCount(backlog))
    throw new MusterError('bad-message', 'heartbeat at, logSize and backlog must be counts');
  if (!Array.isArray(devices) || devices.length > 32)
    throw new MusterError('bad-message', 'heartbeat devices must be a list');
  const checked = devices.map((d: unknown) => {
    const device = d as { id?: unknown; state?: unknown } | null;
    if (
      typeof device?.id !== 'string' ||
      device.id.length > 128 ||
      typeof device.state !== 'string' ||
      !DEVICE_STATES.includes(device.state)
    ) {
      throw new MusterError('bad-message', 'heartbeat device needs an id and a known state');
    }
    return { id: device.id, state: device.state as DeviceState };
  });
  return {
    kiosk,
    at,
    version,
    logSize,
    backlog,
    devices: checked,
    ...(witnessed === undefined ? {} : { witnessed: parseWitnessReports(witnessed) }),
  };
}

/** Prefix of the signed bytes: a heartbeat signature can never pass for an entry's or a checkpoint's. */
const SIGNED_PREFIX = Buffer.from('muster/heartbeat/v1\n');

/** The heartbeat as published: `{body, sig}`, the body the heartbeat's JSON, the signature over prefix + body. */
export function signHeartbeat(heartbeat: Heartbeat, sign: (message: Uint8Array) => Uint8Array): Buffer {
  const body = encodeHeartbeat(heartbeat);
  return Buffer.from(
    JSON.stringify({ body: body.toString('utf8'), sig: toBase64(sign(Buffer.concat([SIGNED_PREFIX, body]))) }),
  );
}

export interface SignedHeartbeat {
  readonly heartbeat: Heartbeat;
  /** What the signature covers. */
  readonly signed: Uint8Array;
  readonly signature: Uint8Array;
}

/** A published heartbeat, decoded but not yet verified (the verifier is the kiosk's key in force). */
export function decodeSignedHeartbeat(bytes: Uint8Array): SignedHeartbeat {
  const { body, sig } = parseJson(bytes, 'heartbeat');
  if (typeof body !== 'string' || typeof sig !== 'string' || !/^[A-Za-z0-9+/]{86}==$/.test(sig))
    throw new MusterError('bad-message', 'heartbeat must be {body, sig}: unsigned heartbeats are refused');
  const encoded = Buffer.from(body, 'utf8');
  return {
    heartbeat: decodeHeartbeat(encoded),
    signed: Buffer.concat([SIGNED_PREFIX, encoded]),
    signature: fromBase64(sig),
  };
}

/**
 * A kiosk's state as HQ sees it, given the last heartbeat and when HQ received it. Freshness is the heartbeat's
 * signed time, never later than its arrival: a retained heartbeat delivered again on reconnect, or an old one
 * replayed, says nothing about now.
 */
export function kioskState(
  last: { readonly heartbeat: Heartbeat; readonly receivedAt: number } | undefined,
  now: number,
  policy: FleetPolicy,
): { state: KioskState; reasons: string[] } {
  const seen = last ? Math.min(last.heartbeat.at, last.receivedAt) : undefined;
  if (!last || seen === undefined || now - seen > policy.offlineAfterMs) {
    return {
      state: 'offline',
      reasons: [seen !== undefined ? `no heartbeat for ${Math.round((now - seen) / 1000)} s` : 'never seen'],
    };
  }
  const reasons: string[] = [];
  for (const device of last.heartbeat.devices)
    if (device.state !== 'ok') reasons.push(`${device.id} is ${device.state}`);
  const skew = last.heartbeat.at - last.receivedAt;
  if (Math.abs(skew) > policy.maxSkewMs) reasons.push(`clock is off by ${Math.round(skew / 1000)} s`);
  if (last.heartbeat.backlog > policy.maxBacklog) reasons.push(`${last.heartbeat.backlog} entries behind its peers`);
  return { state: reasons.length > 0 ? 'degraded' : 'online', reasons };
}
