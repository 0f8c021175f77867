// HQ's registry log as a store holds it, and the key schedules it governs: a log's schedule rebuilt from its key
// entries with the registry's registrations and revocations applied. Apart from ledger/key-schedule.ts because
// reading registry entries needs their schemas (the validation library), which a verification worker, handed its
// key spans, never loads.
import { decodeLeaf, type DecodedLeaf } from '../core/entry.ts';
import { MusterError, errorMessage } from '../core/errors.ts';
import {
  REGISTRY_ORIGIN,
  type Revocation,
  parseRegistration,
  parseRevocation,
} from '../core/records/registry-records.ts';
import { KeySchedule, type Registry } from './key-schedule.ts';
import { readVerifierFile } from './keys.ts';
import type { LedgerStore } from './store.ts';

export {
  REGISTRY_ORIGIN,
  type Registration,
  type Revocation,
  parseRegistration,
  parseRevocation,
} from '../core/records/registry-records.ts';
export type { Registry } from './key-schedule.ts';

/** Rebuilds a log's schedule from the genesis and rotation entries a store holds (checking each). */
export function loadKeySchedule(store: LedgerStore, origin: string, trustedGenesisKey?: Uint8Array): KeySchedule {
  const { schedule, failure } = loadKeyScheduleUntilBad(store, origin, trustedGenesisKey);
  if (failure) throw new MusterError('bad-entry', `entry ${failure.seq}: ${failure.reason}`);
  return schedule;
}

/**
 * As loadKeySchedule, but a bad key entry ends the schedule instead of throwing: the schedule then holds the keys
 * in force before it (fsck checks those entries, since one of them may be the first bad entry).
 */
export function loadKeyScheduleUntilBad(
  store: LedgerStore,
  origin: string,
  trustedGenesisKey?: Uint8Array,
): { schedule: KeySchedule; failure?: { seq: number; reason: string } } {
  const schedule = new KeySchedule(origin, []);
  const registry = readRegistry(store);
  if (registry) schedule.applyRegistry(registry, store.ownOrigin() === origin);
  for (const row of store.keyEntries(origin)) {
    let decoded: DecodedLeaf;
    try {
      decoded = decodeLeaf(row.leaf);
    } catch (error) {
      return { schedule, failure: { seq: row.seq, reason: errorMessage(error) } };
    }
    const reason =
      decoded.body.seq !== row.seq
        ? 'stored under the wrong sequence number'
        : schedule.check(decoded, trustedGenesisKey);
    if (reason) return { schedule, failure: { seq: row.seq, reason } };
  }
  return { schedule };
}

/**
 * The registry as a store holds it (entries were verified when stored), or undefined when it holds none.
 * Read by a scan of the (small) registry log, again only when it has grown.
 */
export function readRegistry(store: LedgerStore): Registry | undefined {
  if (!store.log(REGISTRY_ORIGIN)) return undefined;
  const { size } = store.head(REGISTRY_ORIGIN);
  // Called on every ingest: re-read only when the registry log has grown.
  const cached = registryCache.get(store);
  if (cached?.size === size) return cached.registry;
  const registry = registryFrom(store.range(REGISTRY_ORIGIN, 0, size));
  registryCache.set(store, { size, registry });
  return registry;
}

const registryCache = new WeakMap<LedgerStore, { size: number; registry: Registry }>();

/** The registry from the registry log's entries in order (any store's rows: SQLite here, PostgreSQL at HQ). */
export function registryFrom(rows: Iterable<{ readonly type: string; readonly leaf: Uint8Array }>): Registry {
  const registered = new Map<string, Uint8Array>();
  const revocations: Revocation[] = [];
  const staffLogs = new Set<string>();
  for (const row of rows) {
    if (row.type !== 'kiosk-registration' && row.type !== 'key-revocation') continue;
    const { payload } = decodeLeaf(row.leaf).body;
    // A malformed entry (HQ appended it by hand) names no usable key: it is skipped, never allowed to make every
    // log's schedule unloadable. `muster kiosk provision|revoke` write only well-formed ones.
    try {
      if (row.type === 'kiosk-registration') {
        const r = parseRegistration(payload);
        registered.set(r.origin, r.publicKey);
        // A later registration of the origin decides, as for its key.
        if (r.staffLog) staffLogs.add(r.origin);
        else staffLogs.delete(r.origin);
      } else {
        revocations.push(parseRevocation(payload));
      }
    } catch (error) {
      if (!(error instanceof MusterError)) throw error;
    }
  }
  return { registered, revocations, staffLogs };
}

/** HQ's registry genesis key from its public key file (`FILE.pub` beside the registry's key): a kiosk's trust anchor. */
export function readRegistryKey(file: string): Uint8Array {
  const [key] = readVerifierFile(file);
  if (key?.name !== REGISTRY_ORIGIN)
    throw new MusterError('bad-key', `${file} is not the ${REGISTRY_ORIGIN} public key`);
  return key.publicKey;
}
