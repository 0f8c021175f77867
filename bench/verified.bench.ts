// The verified read path's cost (ledger/verified-reader.ts) on a city: 5,000 people x 365 days as signed logs in
// one SQLite store. The first full verification against fsck's rate on the same logs, and the judge once the
// reader's high-water mark is warm (HQ's and the staff screens' case: only new entries are verified) against the
// unverified judge that decoded every stored leaf and judged (what `breaches` did before), both in this run.
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { computeBreaches } from '../core/breach/engine.ts';
import { toHex } from '../core/bytes.ts';
import { type EntryBody, ZERO_HASH, decodeLeaf } from '../core/entry.ts';
import type { LogRecord } from '../core/records/entry-ref.ts';
import { parseDay } from '../core/time/civil-day.ts';
import { signEntry } from '../ledger/entry-signing.ts';
import { fsck } from '../ledger/fsck.ts';
import { Signer } from '../ledger/keys.ts';
import { LedgerStore } from '../ledger/store.ts';
import { VerifiedReader, ledgerEntrySource } from '../ledger/verified-reader.ts';
import { toRecord } from '../main/kiosk/log-records.ts';
import { syntheticCity } from '../test/checkin/support/synthetic-city.ts';
import type { Suite } from './suites.ts';

const PEOPLE = Number(process.env.MUSTER_BENCH_CITY_PEOPLE ?? 5000);
const DAYS = 365;

export const verifiedSuite: Suite = {
  name: 'verified',
  async run(report) {
    const dir = mkdtempSync(join(tmpdir(), 'muster-bench-verified-'));
    try {
      const path = join(dir, 'city.db');
      // The city's records are dropped once written: a year of 5,000 people held three times over (records,
      // verified entries, decoded leaves) ran out of heap.
      const { entries, end } = writeCityStore(path);
      report.add('verified: city entries (signed, one store)', entries, 'entries');

      const reading = LedgerStore.open(path, { readonly: true });
      let start = performance.now();
      for (const origin of reading.origins()) {
        const result = await fsck(path, { origin });
        if (!result.ok) throw new Error(`fsck of the bench city failed: ${result.reason}`);
      }
      report.add('verified: fsck, every log (baseline)', entries / ((performance.now() - start) / 1000), 'entries/s');

      start = performance.now();
      const unverified = computeBreaches(decodedRecords(reading), end).breaches.length;
      report.add(
        `verified: unverified judge (decode every leaf + judge), ${PEOPLE} people x ${DAYS} days (baseline)`,
        (performance.now() - start) / 1000,
        's',
      );

      // The reader hands its entries over chunk by chunk (a sink), so only the records are held, as a judge holds them.
      start = performance.now();
      const reader = new VerifiedReader(ledgerEntrySource(reading));
      const held: LogRecord[] = [];
      const first = reader.nextSync((chunk) => {
        for (const entry of chunk) held.push(toRecord(entry));
      });
      if (first.problems.length > 0 || held.length !== entries) throw new Error('the bench city did not verify');
      report.add(
        'verified: first full verification (VerifiedReader)',
        entries / ((performance.now() - start) / 1000),
        'entries/s',
        'verified: fsck, every log (baseline)',
      );

      start = performance.now();
      const batch = reader.nextSync();
      for (const entry of batch.entries) held.push(toRecord(entry));
      const verified = computeBreaches(held, end);
      report.add(
        `verified: judge from the verified store, high-water mark warm, ${PEOPLE} people x ${DAYS} days`,
        (performance.now() - start) / 1000,
        's',
        `verified: unverified judge (decode every leaf + judge), ${PEOPLE} people x ${DAYS} days (baseline)`,
      );
      if (verified.breaches.length !== unverified)
        throw new Error('verified and unverified judges disagree on the untampered city');
      reading.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

/** Writes the city into a new store at `path`; returns its entry count and the end of its period. */
function writeCityStore(path: string): { entries: number; end: number } {
  const city = syntheticCity({
    people: PEOPLE,
    startDay: parseDay('2025-01-01') as number,
    days: DAYS,
    seed: 7,
    outagePerMille: 5,
    compliance: 0.95,
  });
  const store = LedgerStore.open(path, { create: true, synchronous: 'NORMAL' });
  try {
    return { entries: writeCity(store, city.records), end: city.end };
  } finally {
    store.close();
  }
}

/** The city's records as one signed log per origin, appended in batches. */
function writeCity(store: LedgerStore, records: readonly LogRecord[]): number {
  const byOrigin = new Map<string, LogRecord[]>();
  for (const r of records) {
    const list = byOrigin.get(r.ref.origin) ?? [];
    list.push(r);
    byOrigin.set(r.ref.origin, list);
  }
  let total = 0;
  for (const [origin, list] of byOrigin) {
    const signer = Signer.generate(origin);
    store.addLog(origin, signer.verifier.publicKey, false);
    const bodies: EntryBody[] = [
      {
        v: 1,
        origin,
        seq: 0,
        ts: (list[0]?.ts ?? 1) - 1,
        type: 'genesis',
        prev: ZERO_HASH,
        kid: signer.verifier.id,
        payload: { key: signer.verifier.publicKey },
      },
      ...list
        .sort((a, b) => a.ts - b.ts)
        .map((r, i): EntryBody => ({
          v: 1,
          origin,
          seq: i + 1,
          ts: r.ts,
          type: r.type,
          prev: ZERO_HASH,
          kid: signer.verifier.id,
          payload: r.payload,
        })),
    ];
    let prev: Uint8Array = ZERO_HASH;
    for (let at = 0; at < bodies.length; at += 2000) {
      const rows = bodies.slice(at, at + 2000).map((body) => {
        const signed = signEntry({ ...body, prev }, signer);
        prev = signed.hash;
        return { seq: body.seq, ts: body.ts, type: body.type, leaf: signed.leaf, hash: signed.hash };
      });
      store.appendVerified(origin, at, rows);
    }
    total += bodies.length;
  }
  return total;
}

/** What the judge read before the verified path: every stored leaf decoded, nothing checked. */
function decodedRecords(store: LedgerStore): LogRecord[] {
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
