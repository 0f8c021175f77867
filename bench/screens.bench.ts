// The staff screen's roster refresh on a kiosk holding a centre's month (300 people x 30 days, a real signed
// log): every open staff screen refreshes after each check-in. Baseline: judging from scratch (read the log,
// run the breach engine, build the roster), which is what each refresh cost before the backend fed one engine
// only the entries new since the last refresh.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { computeBreaches } from '../core/breach/engine.ts';
import { Signer } from '../ledger/keys.ts';
import { LogWriter } from '../ledger/log-writer.ts';
import { LedgerStore } from '../ledger/store.ts';
import { readLogRecords } from '../main/kiosk/log-records.ts';
import { dayRoster } from '../main/web/attendance.ts';
import { StaffBackend } from '../main/web/staff-backend.ts';
import { at, checkinPayload, planPayload } from '../test/checkin/support/log-builder.ts';
import type { Suite } from './suites.ts';

const PEOPLE = 300;
const DAYS = 30;
const ROUNDS = 5;
const NY = 'America/New_York';
const ORIGIN = 'centre-a/k1';

export const screensSuite: Suite = {
  name: 'screens',
  async run(report) {
    const dir = mkdtempSync(join(tmpdir(), 'muster-bench-screens-'));
    const store = LedgerStore.open(join(dir, 'k.db'), { create: true });
    try {
      let now = at('2026-03-01 07:00', NY);
      const writer = LogWriter.init(store, ORIGIN, Signer.generate(ORIGIN), () => now);
      // Appends of one tick commit together (group commit), so a day goes in one transaction.
      await Promise.all(
        Array.from({ length: PEOPLE }, (_, p) =>
          writer.append('plan', planPayload({ subject: `p-${p}`, start: '2026-03-01' })),
        ),
      );
      for (let d = 1; d <= DAYS; d++) {
        now = at(`2026-03-${String(d).padStart(2, '0')} 09:30`, NY);
        await Promise.all(
          Array.from({ length: PEOPLE - (d % 7) }, (_, p) => writer.append('checkin', checkinPayload(`p-${p}`))),
        );
      }
      now = at(`2026-03-${DAYS} 14:00`, NY);
      report.add('screens: centre log entries', store.head(ORIGIN).size, 'entries');

      const fromScratch = (): number => {
        const start = performance.now();
        const { records } = readLogRecords(store, now);
        dayRoster(records, computeBreaches(records, now), 'centre-a', now);
        return performance.now() - start;
      };
      const staff = new StaffBackend({
        centre: 'centre-a',
        kiosk: ORIGIN,
        store,
        append: (t, p) => writer.append(t, p),
        clock: () => now,
      });
      const roster = staff.handlers['staff.roster'] as (params: Record<string, never>, caller: never) => unknown;
      const refresh = (): number => {
        const start = performance.now();
        roster({}, undefined as never);
        return performance.now() - start;
      };
      const median = (times: number[]): number => [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)] ?? 0;
      report.add('screens: roster from scratch (baseline)', median(Array.from({ length: ROUNDS }, fromScratch)), 'ms');
      refresh();
      report.add(
        'screens: roster refresh, log unchanged',
        median(Array.from({ length: ROUNDS }, refresh)),
        'ms',
        'screens: roster from scratch (baseline)',
      );
      const afterAppend: number[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        await writer.append('checkin', checkinPayload(`p-${i}`));
        afterAppend.push(refresh());
      }
      report.add(
        'screens: roster refresh after a new entry',
        median(afterAppend),
        'ms',
        'screens: roster from scratch (baseline)',
      );
      staff.close();
    } finally {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
