// HQ's registry log (origin `hq/registry`): `kiosk-registration` entries name the key a kiosk's log must start
// with, `key-revocation` entries revoke a kiosk key from a seq on. Pure: the ledger applies them to key schedules,
// the evidence verifier to the logs in a bundle.
import type { Payload } from '../entry.ts';
import { MusterError } from '../errors.ts';

/** The registry log: HQ's own log of kiosk registrations and key revocations. */
export const REGISTRY_ORIGIN = 'hq/registry';

export interface Revocation {
  readonly origin: string;
  readonly publicKey: Uint8Array;
  /** Entries at this seq and after, signed by the key, are refused. */
  readonly fromSeq: number;
}

export interface Registration {
  readonly origin: string;
  readonly publicKey: Uint8Array;
  readonly centre: string;
  /** The centre's staff log: staff decisions (plans, tasks, excuses, reviews, contests) count only from such logs. */
  readonly staffLog: boolean;
}

export function parseRegistration(payload: Payload): Registration {
  const { origin, key, centre, staffLog } = payload;
  if (
    typeof origin !== 'string' ||
    origin === REGISTRY_ORIGIN ||
    !(key instanceof Uint8Array) ||
    key.length !== 32 ||
    typeof centre !== 'string' ||
    !origin.startsWith(`${centre}/`) ||
    (staffLog !== undefined && staffLog !== true)
  ) {
    throw new MusterError(
      'bad-record',
      'kiosk-registration: expected {origin: "<centre>/<kiosk>", centre, key: 32 bytes, staffLog?: true}',
    );
  }
  return { origin, publicKey: key, centre, staffLog: staffLog === true };
}

export function parseRevocation(payload: Payload): Revocation {
  const { origin, key, fromSeq } = payload;
  if (
    typeof origin !== 'string' ||
    !(key instanceof Uint8Array) ||
    key.length !== 32 ||
    typeof fromSeq !== 'number' ||
    !Number.isSafeInteger(fromSeq) ||
    fromSeq < 0
  ) {
    throw new MusterError(
      'bad-record',
      'key-revocation: expected {origin, key: 32 bytes, fromSeq: entry number, reason}',
    );
  }
  return { origin, publicKey: key, fromSeq };
}
