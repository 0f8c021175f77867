// HQ's registry log (origin `hq/registry`): `kiosk-registration` entries name the key a kiosk's log must start
// with (and the kiosk's witness key), `witness-registration` entries bind another witness's key (HQ's, an
// agency's) to its name, `key-revocation` entries revoke a kiosk key from a seq on. Pure: the ledger applies them
// to key schedules, the evidence exporter and verifier to the logs and cosignatures in a bundle.
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
  /** The kiosk's witness key (its cosignatures are named like its log), when provisioning gave it. */
  readonly witnessKey?: Uint8Array;
}

/** A witness other than a kiosk (HQ, an agency's node): its cosignatures carry `name`. */
export interface WitnessRegistration {
  readonly name: string;
  readonly publicKey: Uint8Array;
}

export function parseRegistration(payload: Payload): Registration {
  const { origin, key, centre, staffLog, witness } = payload;
  if (
    typeof origin !== 'string' ||
    origin === REGISTRY_ORIGIN ||
    !(key instanceof Uint8Array) ||
    key.length !== 32 ||
    typeof centre !== 'string' ||
    !origin.startsWith(`${centre}/`) ||
    (staffLog !== undefined && staffLog !== true) ||
    (witness !== undefined && !(witness instanceof Uint8Array && witness.length === 32))
  ) {
    throw new MusterError(
      'bad-record',
      'kiosk-registration: expected {origin: "<centre>/<kiosk>", centre, key: 32 bytes, staffLog?: true, witness?: 32 bytes}',
    );
  }
  return {
    origin,
    publicKey: key,
    centre,
    staffLog: staffLog === true,
    ...(witness === undefined ? {} : { witnessKey: witness }),
  };
}

export function parseWitnessRegistration(payload: Payload): WitnessRegistration {
  // `witness`, not `name`: the log refuses field names that suggest personal data.
  const { witness: name, key } = payload;
  // A note key's name: no space, no '+' (core/evidence/note-keys.ts); never the registry's own.
  if (
    typeof name !== 'string' ||
    !/^[^\s+]+$/.test(name) ||
    name === REGISTRY_ORIGIN ||
    !(key instanceof Uint8Array) ||
    key.length !== 32
  ) {
    throw new MusterError('bad-record', 'witness-registration: expected {witness: a key name, key: 32 bytes}');
  }
  return { name, publicKey: key };
}

/**
 * Witness keys by name, as the registry's entries in order bind them: a kiosk's registration its witness key
 * (under its origin), a witness registration its key; a later entry for a name decides. Malformed entries bind
 * nothing (the ledger skips them too).
 */
export function registryWitnesses(
  entries: Iterable<{ readonly type: string; readonly payload: Payload }>,
): Map<string, Uint8Array> {
  const bound = new Map<string, Uint8Array>();
  for (const { type, payload } of entries) {
    try {
      if (type === 'kiosk-registration') {
        const r = parseRegistration(payload);
        if (r.witnessKey) bound.set(r.origin, r.witnessKey);
        else bound.delete(r.origin);
      } else if (type === 'witness-registration') {
        const w = parseWitnessRegistration(payload);
        bound.set(w.name, w.publicKey);
      }
    } catch (error) {
      if (!(error instanceof MusterError)) throw error;
    }
  }
  return bound;
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
