// HQ's registry log (origin `hq/registry`): `kiosk-registration` entries name the key a kiosk's log must start
// with (and the kiosk's witness key), `witness-registration` entries bind another witness's key (HQ's, an
// agency's) to its name, `key-revocation` entries revoke a kiosk key from a seq on. Pure: the ledger applies them
// to key schedules, the evidence exporter and verifier to the logs and cosignatures in a bundle.
import { type TProperties, Type } from '@sinclair/typebox';
import type { Payload } from '../entry.ts';
import { MusterError } from '../errors.ts';
import { type Parsed, bytes, recordParser } from './record-schema.ts';
import { REGISTRY_ORIGIN } from './registry-origin.ts';

export { REGISTRY_ORIGIN } from './registry-origin.ts';

const PUBLIC_KEY = bytes(32);
const TEXT = Type.String({ errorMessage: 'expected text' });

/**
 * A registry entry's fields. Unlike other records, fields it does not know are let through: a registry entry
 * decides whose keys count, and a field added later must never make a reader drop a revocation (leaving a stolen
 * key in force) or a registration.
 */
function entry<P extends TProperties>(properties: P) {
  return Type.Object(properties, { errorMessage: 'expected a map' });
}

const REGISTRATION = Type.Transform(
  entry({
    /** `<centre>/<kiosk>`. */
    origin: TEXT,
    centre: TEXT,
    key: PUBLIC_KEY,
    staffLog: Type.Optional(Type.Literal(true, { errorMessage: 'expected true or nothing' })),
    witness: Type.Optional(PUBLIC_KEY),
  }),
)
  .Decode(({ origin, centre, key, staffLog, witness }) => ({
    origin,
    publicKey: key,
    centre,
    /** The centre's staff log: staff decisions (plans, tasks, excuses, reviews, contests) count only from such logs. */
    staffLog: staffLog === true,
    /** The kiosk's witness key (its cosignatures are named like its log), when provisioning gave it. */
    ...(witness === undefined ? {} : { witnessKey: witness }),
  }))
  .Encode(({ publicKey, staffLog, witnessKey, ...registration }) => ({
    ...registration,
    key: publicKey,
    ...(staffLog ? { staffLog: true as const } : {}),
    ...(witnessKey === undefined ? {} : { witness: witnessKey }),
  }));

export type Registration = Parsed<typeof REGISTRATION>;

export const parseRegistration: (payload: unknown) => Registration = recordParser(
  REGISTRATION,
  'kiosk-registration',
  (r) => {
    if (r.origin === REGISTRY_ORIGIN) return { field: 'origin', message: 'is the registry itself' };
    if (!r.origin.startsWith(`${r.centre}/`)) return { field: 'origin', message: 'expected "<centre>/<kiosk>"' };
    return undefined;
  },
);

/** A witness other than a kiosk (HQ, an agency's node): its cosignatures carry `name`. */
const WITNESS_REGISTRATION = Type.Transform(
  entry({
    // `witness`, not `name`: the log refuses field names that suggest personal data. A note key's name: no space,
    // no '+' (core/evidence/note-keys.ts).
    witness: Type.String({ pattern: '^[^\\s+]+$', errorMessage: 'expected a key name' }),
    key: PUBLIC_KEY,
  }),
)
  .Decode(({ witness, key }) => ({ name: witness, publicKey: key }))
  .Encode(({ name, publicKey }) => ({ witness: name, key: publicKey }));

export type WitnessRegistration = Parsed<typeof WITNESS_REGISTRATION>;

export const parseWitnessRegistration: (payload: unknown) => WitnessRegistration = recordParser(
  WITNESS_REGISTRATION,
  'witness-registration',
  (w) => (w.name === REGISTRY_ORIGIN ? { field: 'witness', message: 'is the registry itself' } : undefined),
);

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

const REVOCATION = Type.Transform(
  entry({
    origin: TEXT,
    key: PUBLIC_KEY,
    /** Entries at this seq and after, signed by the key, are refused. */
    fromSeq: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, errorMessage: 'expected an entry number' }),
  }),
)
  .Decode(({ origin, key, fromSeq }) => ({ origin, publicKey: key, fromSeq }))
  .Encode(({ publicKey, ...revocation }) => ({ ...revocation, key: publicKey }));

export type Revocation = Parsed<typeof REVOCATION>;

export const parseRevocation: (payload: unknown) => Revocation = recordParser(REVOCATION, 'key-revocation');
