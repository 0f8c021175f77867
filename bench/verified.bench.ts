// The verified read path's cost (ledger/verified-reader.ts) on a city: 5,000 people x 365 days as signed logs in
// one SQLite store. The first full verification against fsck's rate on the same logs, and the judge once the
// reader's high-water mark is warm (HQ's and the staff screens' case: only new entries are verified) against the
// unverified judge that decoded every stored leaf and judged (what `breaches` did before), both in this run. The
// first verification is measured twice: alone (fsck's work) and with every record kept, as a judge's first call.
// MUSTER_BENCH_CITY_PEOPLE sets a smaller city.
import { loadavg } from 'node:os';
import { computeBreaches } from '../core/breach/engine.ts';
import type { LogRecord } from '../core/records/entry-ref.ts';
import { parseDay } from '../core/time/civil-day.ts';
import { zonedInstant } from '../core/time/zoned-time.ts';
import { fsck } from '../ledger/fsck.ts';
import { LedgerStore } from '../ledger/store.ts';
import { VerifiedReader, ledgerEntrySource } from '../ledger/verified-reader.ts';
import { toRecord } from '../main/kiosk/log-records.ts';
import { cityStore, storedRecords } from './city-store.ts';
import type { Suite } from './suites.ts';

const PEOPLE = Number(process.env.MUSTER_BENCH_CITY_PEOPLE ?? 5000);
const DAYS = 365;
const START = parseDay('2025-01-01') as number;
const FSCK = 'verified: fsck, every log (baseline)';
const UNVERIFIED = `verified: unverified judge (decode every leaf + judge), ${PEOPLE} people x ${DAYS} days (baseline)`;

export const verifiedSuite: Suite = {
  name: 'verified',
  async run(report) {
    report.add('verified: load average (1 min) at start', loadavg()[0] ?? 0, 'runnable');
    // Built once per parameters and kept under the temp dir (bench/city-store.ts); only read here.
    const city = cityStore({
      variant: 'verified',
      people: PEOPLE,
      startDay: START,
      days: DAYS,
      seed: 7,
      outagePerMille: 5,
      compliance: 0.95,
    });
    // The synthetic city's end: the day after its last, when every deadline has passed.
    const end = zonedInstant(START + DAYS + 1, 0, 'UTC');
    const entries = city.entries;
    report.add('verified: city entries (signed, one store)', entries, 'entries');

    const reading = LedgerStore.open(city.path, { readonly: true });
    try {
      // The host is shared and its load drifts over minutes: each log is verified by fsck and by the reader alone,
      // in alternating order, and the totals compared.
      const spent = { fsck: 0, bare: 0 };
      for (const [i, origin] of reading.origins().entries()) {
        const steps: (keyof typeof spent)[] = i % 2 === 0 ? ['fsck', 'bare'] : ['bare', 'fsck'];
        for (const step of steps) {
          const start = performance.now();
          if (step === 'fsck') await fsckLog(city.path, origin);
          else bareVerify(reading, origin);
          spent[step] += performance.now() - start;
        }
      }
      report.add(FSCK, entries / (spent.fsck / 1000), 'entries/s');
      // Verification alone, as fsck does it: the sink only counts, nothing is held.
      report.add(
        'verified: first full verification (VerifiedReader)',
        entries / (spent.bare / 1000),
        'entries/s',
        FSCK,
      );
      // The unverified judge before any record is held, so that two copies of the city never share the heap.
      let start = performance.now();
      const unverified = computeBreaches(storedRecords(reading), end).breaches.length;
      report.add(UNVERIFIED, (performance.now() - start) / 1000, 's');

      // A judge's first call: one reader over the store keeps every record, 1.8 million at 5,000 people (the heap
      // they fill is the judge's cost, not the verification's). The reader stays, its high-water mark warm.
      start = performance.now();
      const reader = new VerifiedReader(ledgerEntrySource(reading));
      const held: LogRecord[] = [];
      const first = reader.nextSync((chunk) => {
        for (const entry of chunk) held.push(toRecord(entry));
      });
      if (first.problems.length > 0 || held.length !== entries) throw new Error('the bench city did not verify');
      report.add(
        'verified: first full verification, every record kept for the judge',
        entries / ((performance.now() - start) / 1000),
        'entries/s',
        FSCK,
      );

      start = performance.now();
      const verified = warmJudge(reader, held, end).breaches.length;
      report.add(
        `verified: judge from the verified store, high-water mark warm, ${PEOPLE} people x ${DAYS} days`,
        (performance.now() - start) / 1000,
        's',
        UNVERIFIED,
      );
      if (verified !== unverified) throw new Error('verified and unverified judges disagree on the untampered city');
    } finally {
      reading.close();
    }
    report.add('verified: load average (1 min) at end', loadavg()[0] ?? 0, 'runnable');
  },
};

async function fsckLog(path: string, origin: string): Promise<void> {
  const result = await fsck(path, { origin });
  if (!result.ok) throw new Error(`fsck of the bench city failed: ${result.reason}`);
}

/** One log (and the registry it needs) through a fresh reader whose sink only counts. */
function bareVerify(reading: LedgerStore, origin: string): void {
  let counted = 0;
  const batch = new VerifiedReader(ledgerEntrySource(reading, [origin])).nextSync((chunk) => {
    counted += chunk.length;
  });
  if (batch.problems.length > 0 || counted < reading.head(origin).size)
    throw new Error('the bench city did not verify');
}

/** What HQ does on a new call: the reader verifies what arrived since (nothing here) and sweeps, then the judge runs. */
function warmJudge(reader: VerifiedReader, held: LogRecord[], end: number) {
  for (const entry of reader.nextSync().entries) held.push(toRecord(entry));
  return computeBreaches(held, end);
}
