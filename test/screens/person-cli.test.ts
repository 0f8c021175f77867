// `muster person plan|excuse|end` on a centre's staff log: each a signed entry naming the staff member, the
// same entries the staff screen writes, read back by the same roster; bad input changes nothing.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { computeBreaches } from '../../core/breach/engine.ts';
import { parseExcuse } from '../../core/records/staff-decisions.ts';
import { parsePlan } from '../../core/records/plan.ts';
import { formatDay } from '../../core/time/civil-day.ts';
import { LedgerStore } from '../../ledger/store.ts';
import { readLogRecords } from '../../main/kiosk/log-records.ts';
import { dayRoster } from '../../main/web/attendance.ts';
import { runMuster } from '../helpers/run-muster.ts';

const ZONE = 'Asia/Shanghai';

describe('muster person', () => {
  it('sets a plan with window, days, grace, tasks and flags, approves leave ahead of time and ends supervision, each signed on the staff log', async () => {
    const db = join(mkdtempSync(join(tmpdir(), 'muster-person-')), 'staff.db');
    expect((await runMuster(['ledger', 'init', '--db', db, '--origin', 'centre-01/staff'])).code).toBe(0);
    const base = ['--db', db, '--subject', 'p-0100', '--staff', 'sam'];
    const plan = await runMuster([
      'person',
      'plan',
      ...base,
      '--centre',
      'centre-01',
      '--zone',
      ZONE,
      '--start',
      '2027-02-01',
      '--window',
      '08:00-10:00',
      '--days',
      '1,2,3,4,5',
      '--grace',
      '20',
      '--late',
      '90',
      '--task',
      'study:law-basics-3',
      '--task',
      'questionnaire:mood-1:q1=yes,often;q2=no',
      '--reason',
      'legal',
    ]);
    expect(plan.stderr).toBe('');
    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(/^\d+ [0-9a-f]{64}\n$/);
    const leave = await runMuster([
      'person',
      'excuse',
      ...base,
      '--from',
      '2027-02-03',
      '--to',
      '2027-02-04',
      '--reason',
      'leave',
    ]);
    expect(leave.code).toBe(0);
    const end = await runMuster(['person', 'end', ...base, '--last', '2027-06-30', '--reason', 'supervision-ended']);
    expect(end.code).toBe(0);

    // Bad input: a window that is no window, a rule that does not exist, an unknown person to end, words for a reason
    // (they never go on the log; the staff screen keeps them in the personal-data store): nothing appended.
    const size = (): number => {
      const store = LedgerStore.open(db);
      try {
        return store.head('centre-01/staff').size;
      } finally {
        store.close();
      }
    };
    const before = size();
    expect(
      (
        await runMuster([
          'person',
          'plan',
          ...base,
          '--centre',
          'centre-01',
          '--zone',
          ZONE,
          '--start',
          '2026-06-01',
          '--window',
          '08:00-08:00',
          '--reason',
          'legal',
        ])
      ).code,
    ).not.toBe(0);
    expect(
      (
        await runMuster([
          'person',
          'plan',
          ...base,
          '--centre',
          'centre-01',
          '--zone',
          'Mars/Olympus',
          '--start',
          '2026-06-01',
          '--window',
          '08:00-10:00',
          '--reason',
          'legal',
        ])
      ).code,
    ).not.toBe(0);
    expect(
      (
        await runMuster([
          'person',
          'excuse',
          ...base,
          '--from',
          '2026-06-03',
          '--rule',
          'jaywalking',
          '--reason',
          'legal',
        ])
      ).code,
    ).not.toBe(0);
    expect(
      (
        await runMuster([
          'person',
          'end',
          '--db',
          db,
          '--subject',
          'p-9999',
          '--staff',
          'sam',
          '--last',
          '2026-12-31',
          '--reason',
          'legal',
        ])
      ).code,
    ).not.toBe(0);
    const words = await runMuster([
      'person',
      'excuse',
      ...base,
      '--from',
      '2027-02-05',
      '--reason',
      '病假, 张伟 110101199001011234',
    ]);
    expect(words.code).not.toBe(0);
    expect(words.stderr).toContain('--reason: one of leave');
    expect(size()).toBe(before);

    const store = LedgerStore.open(db);
    const { records } = readLogRecords(store);
    store.close();
    const plans = records.filter((r) => r.type === 'plan').map((r) => parsePlan(r.payload));
    expect(plans).toHaveLength(2);
    expect(plans[0]).toMatchObject({
      subject: 'p-0100',
      zone: ZONE,
      centres: ['centre-01'],
      days: [1, 2, 3, 4, 5],
      open: 480,
      close: 600,
      graceMinutes: 20,
      lateMinutes: 90,
      staff: 'sam',
      end: null,
    });
    expect(plans[0]?.tasks).toEqual([
      { id: 't1', kind: 'study', module: 'law-basics-3', days: 'reporting' },
      {
        id: 't2',
        kind: 'questionnaire',
        questionnaire: 'mood-1',
        flags: { q1: ['yes', 'often'], q2: ['no'] },
        days: 'reporting',
      },
    ]);
    expect(formatDay(plans[1]?.end ?? 0)).toBe('2027-06-30');
    expect(parseExcuse(records.find((r) => r.type === 'excuse')?.payload)).toMatchObject({
      subject: 'p-0100',
      reason: 'leave',
      staff: 'sam',
    });

    // The staff screen's roster reads these entries: on Wednesday 3 February, before the window, p-0100 is excused.
    const at = Date.parse('2027-02-03T07:00:00+08:00');
    const roster = dayRoster(records, computeBreaches(records, at), 'centre-01', at);
    expect(roster.rows.find((r) => r.subject === 'p-0100')?.state).toBe('excused');
  });
});
