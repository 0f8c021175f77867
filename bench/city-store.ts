// A synthetic city (test/checkin/support/synthetic-city.ts) as signed logs in an HQ SQLite store, built once per
// set of parameters and kept under the temp dir: a 5,000-person year is about 1.8 million entries to sign and
// store, minutes on a shared 2-core host, and a bench copies the file instead. The key names the parameters and
// a hash of the generator's sources, so a changed generator builds a new store (LAYOUT: a changed builder). Building holds the city's records
// once (no signed copy): each log is signed and stored in batches. The logs' keys are throwaway bench keys kept
// beside the file, so a bench can append to a log as its kiosk would.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EntryBody, type EntryType, type Payload, ZERO_HASH } from '../core/entry.ts';
import type { LogRecord } from '../core/records/entry-ref.ts';
import { signEntry } from '../ledger/entry-signing.ts';
import { Signer } from '../ledger/keys.ts';
import type { EntryRow, Head, LedgerStore } from '../ledger/store.ts';
import { toHex } from '../core/bytes.ts';
import { decodeLeaf } from '../core/entry.ts';
import { SqliteHqStore } from '../net/hq/sqlite-hq-store.ts';
import { type CityOptions, syntheticCity } from '../test/checkin/support/synthetic-city.ts';

export interface CityStoreOptions extends CityOptions {
  /** Names what `map` does (part of the cache key). */
  readonly variant: string;
  /** Applied to each record before it is signed (e.g. renaming origins). */
  readonly map?: (record: LogRecord) => LogRecord;
  /** Only records with kiosk time at or before this. */
  readonly until?: number;
}

export interface CityStore {
  /** The cached store: copy it before writing to it. */
  readonly path: string;
  readonly entries: number;
  /** Every log's signer, by origin. */
  readonly signers: ReadonlyMap<string, Signer>;
}

/** The cached city store for `options`, built first if missing. */
export function cityStore(options: CityStoreOptions): CityStore {
  const path = join(tmpdir(), `muster-bench-city-${cacheKey(options)}.db`);
  const keys = `${path}.keys.json`;
  if (!existsSync(path) || !existsSync(keys)) build(options, path, keys);
  const saved = JSON.parse(readFileSync(keys, 'utf8')) as { entries: number; signers: string[] };
  const signers = new Map(saved.signers.map((text) => Signer.parse(text)).map((s) => [s.name, s]));
  return { path, entries: saved.entries, signers };
}

/** The entry after `head` in a log, signed with its bench key, as its writer would hand it over. */
export function nextLeaf(head: Head, signer: Signer, type: EntryType, payload: Payload, ts: number): Uint8Array {
  const body: EntryBody = {
    v: 1,
    origin: signer.name,
    seq: head.size,
    ts,
    type,
    prev: head.hash,
    kid: signer.verifier.id,
    payload,
  };
  return signEntry(body, signer).leaf;
}

/** Changes whenever this file writes a store differently (the generator's sources are hashed). */
const LAYOUT = 'city-store 1';

function cacheKey(options: CityStoreOptions): string {
  const sources = ['../test/checkin/support/synthetic-city.ts', '../test/checkin/support/log-builder.ts'];
  const hash = createHash('sha256').update(LAYOUT);
  for (const source of sources) hash.update(readFileSync(new URL(source, import.meta.url)));
  // JSON leaves out `map`; `variant` names it.
  hash.update(JSON.stringify(options));
  return `${options.variant}-${options.people}x${options.days}-${hash.digest('hex').slice(0, 16)}`;
}

function build(options: CityStoreOptions, path: string, keys: string): void {
  const started = performance.now();
  const partial = `${path}.partial`;
  rmSync(partial, { force: true });
  const byOrigin = new Map<string, LogRecord[]>();
  for (const raw of syntheticCity(options).records) {
    if (raw.ts > (options.until ?? Infinity)) continue;
    const record = options.map ? options.map(raw) : raw;
    let list = byOrigin.get(record.ref.origin);
    if (!list) byOrigin.set(record.ref.origin, (list = []));
    list.push(record);
  }
  const store = SqliteHqStore.open(partial);
  const signers: string[] = [];
  let entries = 0;
  try {
    for (const [origin, list] of byOrigin) {
      const signer = Signer.generate(origin);
      signers.push(signer.encodeSecret());
      entries += writeLog(
        store.ledger,
        signer,
        list.sort((a, b) => a.ts - b.ts),
      );
      byOrigin.delete(origin);
    }
  } finally {
    store.ledger.close();
  }
  renameSync(partial, path);
  writeFileSync(keys, JSON.stringify({ entries, signers }), { mode: 0o600 });
  process.stderr.write(
    `bench city store: ${entries} entries built in ${((performance.now() - started) / 1000).toFixed(0)} s (${path})\n`,
  );
}

const BATCH = 4000;

/** Signs one log (genesis, then `records` in time order) into `store`, a batch at a time; its entry count. */
function writeLog(store: LedgerStore, signer: Signer, records: readonly LogRecord[]): number {
  const origin = signer.name;
  store.addLog(origin, signer.verifier.publicKey, false);
  let prev: Uint8Array = ZERO_HASH;
  const sign = (seq: number, ts: number, type: EntryType, payload: Payload): EntryRow => {
    const signed = signEntry({ v: 1, origin, seq, ts, type, prev, kid: signer.verifier.id, payload }, signer);
    prev = signed.hash;
    return { seq, ts, type, leaf: signed.leaf, hash: signed.hash };
  };
  // Kiosk times below 1 ms become 1 (plans written at time 0), as test/helpers/signed-logs.ts does.
  let rows = [sign(0, Math.max(1, (records[0]?.ts ?? 1) - 1), 'genesis', { key: signer.verifier.publicKey })];
  let size = 0;
  for (const [i, record] of records.entries()) {
    rows.push(sign(i + 1, Math.max(1, record.ts), record.type, record.payload));
    if (rows.length === BATCH) {
      store.appendVerified(origin, size, rows);
      size += rows.length;
      rows = [];
    }
  }
  if (rows.length > 0) store.appendVerified(origin, size, rows);
  return records.length + 1;
}

/** Every stored entry decoded, nothing checked (a store this file built): what readers took before the verified path. */
export function storedRecords(store: LedgerStore): LogRecord[] {
  const records: LogRecord[] = [];
  for (const origin of store.origins()) {
    for (const row of store.range(origin, 0, store.head(origin).size)) {
      const { body } = decodeLeaf(row.leaf);
      records.push({
        ref: { origin, seq: row.seq, hash: toHex(row.hash) },
        ts: body.ts,
        type: body.type,
        payload: body.payload,
      });
    }
  }
  return records;
}
