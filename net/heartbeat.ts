// Fleet health. Each kiosk publishes a heartbeat (retained, so HQ sees the last one on start): its devices'
// states, its replication backlog, its clock and its software version, signed by its log key (the broker is not
// trusted: anyone on it could otherwise bring a dead kiosk "online"). HQ judges each kiosk by its own clock:
// offline when no fresh heartbeat arrived for a while (fresh by its signed time, so a retained or replayed one is
// not), degraded when a device is not ok, the clock is off, or the kiosk is far behind its peers.
import { check, int, list, literal, matching, oneOf, openObj, text } from '../core/api/check.ts';
import { fromBase64, toBase64 } from '../core/bytes.ts';
import { DEVICE_STATES } from '../core/device-health.ts';
import { type Decoded, decodedAs } from '../core/schema.ts';
import { parseJson } from './wire.ts';
import { WITNESS_REPORTS } from './witness-reports.ts';

const HEARTBEAT = decodedAs(
  openObj(
    {
      v: literal(1),
      kiosk: text(1, 128),
      /** Kiosk wall clock, milliseconds since the epoch. */
      at: int(),
      version: text(0, 64),
      /** Entries of the own log. */
      logSize: int(),
      /** Entries of peers' logs known to exist but not yet held. */
      backlog: int(),
      devices: list(openObj({ id: text(1, 128), state: oneOf(DEVICE_STATES) }), 32),
    },
    {
      /** What the kiosk found wrong with its peers' logs while witnessing them (net/witness-reports.ts). */
      witnessed: WITNESS_REPORTS,
    },
  ),
  ({ kiosk, at, version, logSize, backlog, devices, witnessed }) => ({
    kiosk,
    at,
    version,
    logSize,
    backlog,
    devices: devices.map(({ id, state }) => ({ id, state })),
    ...(witnessed === undefined ? {} : { witnessed }),
  }),
);

export type Heartbeat = Decoded<typeof HEARTBEAT>;

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

export function encodeHeartbeat(heartbeat: Heartbeat): Buffer {
  return Buffer.from(JSON.stringify({ v: 1, ...heartbeat }));
}

export function decodeHeartbeat(bytes: Uint8Array): Heartbeat {
  return check(HEARTBEAT, parseJson(bytes, 'heartbeat'), 'heartbeat');
}

/** Prefix of the signed bytes: a heartbeat signature can never pass for an entry's or a checkpoint's. */
const SIGNED_PREFIX = Buffer.from('muster/heartbeat/v1\n');

/** The heartbeat as published, `{body, sig}`: an unsigned heartbeat is refused. */
const SIGNED_HEARTBEAT = openObj({
  body: text(2, 64 * 1024),
  sig: matching(/^[A-Za-z0-9+/]{86}==$/, 'an Ed25519 signature in base64'),
});

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
  const { body, sig } = check(SIGNED_HEARTBEAT, parseJson(bytes, 'heartbeat'), 'signed heartbeat');
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
