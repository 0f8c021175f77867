// Unsigned records (test/checkin/support/log-builder.ts, synthetic-city.ts) as real signed logs, one chain per
// origin with its genesis, ready for a store's appendVerified or ingest; and one more entry at a log's head.
import { type EntryBody, type EntryType, type Payload, ZERO_HASH } from '../../core/entry.ts';
import type { LogRecord } from '../../core/records/entry-ref.ts';
import { signEntry } from '../../ledger/entry-signing.ts';
import { Signer } from '../../ledger/keys.ts';
import type { EntryRow } from '../../ledger/store.ts';

export interface SignedLog {
  readonly origin: string;
  readonly signer: Signer;
  /** Every row, genesis first; appendSigned extends it. */
  readonly rows: EntryRow[];
}

/** Every origin's records, in time order, signed as one chain (kiosk times below 1 ms become 1). */
export function signLogs(records: readonly LogRecord[]): SignedLog[] {
  const byOrigin = new Map<string, LogRecord[]>();
  for (const r of records) {
    let list = byOrigin.get(r.ref.origin);
    if (!list) byOrigin.set(r.ref.origin, (list = []));
    list.push(r);
  }
  return [...byOrigin].map(([origin, list]) => {
    const signer = Signer.generate(origin);
    const sorted = [...list].sort((a, b) => a.ts - b.ts);
    const log: SignedLog = { origin, signer, rows: [] };
    appendSigned(log, 'genesis', { key: signer.verifier.publicKey }, Math.max(1, (sorted[0]?.ts ?? 1) - 1));
    for (const r of sorted) appendSigned(log, r.type, r.payload, Math.max(1, r.ts));
    return log;
  });
}

/** Signs one more entry at the head of `log` and returns its leaf. */
export function appendSigned(log: SignedLog, type: EntryType, payload: Payload, ts: number): Uint8Array {
  const head = log.rows.at(-1);
  const body: EntryBody = {
    v: 1,
    origin: log.origin,
    seq: log.rows.length,
    ts,
    type,
    prev: head?.hash ?? ZERO_HASH,
    kid: log.signer.verifier.id,
    payload,
  };
  const signed = signEntry(body, log.signer);
  log.rows.push({ seq: body.seq, ts, type, leaf: signed.leaf, hash: signed.hash });
  return signed.leaf;
}
