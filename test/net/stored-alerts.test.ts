// HQ reads its stored breach-alert rows back through the alert's schema (net/hq/breach-alert.ts): a row edited or
// cut by hand is corrupt-alert naming the row and the field, and a list leaves that row out (with a warning)
// while the others are still shown.
import { describe, expect, it } from 'vitest';
import { type BreachAlert, parseStoredAlert, parseStoredAlerts } from '../../net/hq/breach-alert.ts';
import { MemoryLog } from '../../runtime/logger.ts';

const ID = 'breach:missed-checkin/p-1/2026-03-02';
const HASH = 'ab'.repeat(32);
const ALERT: BreachAlert = {
  v: 1,
  type: 'breach-alert',
  id: ID,
  kind: 'breach',
  rule: 'missed-checkin',
  subject: 'p-1',
  day: '2026-03-02',
  centres: ['centre-a'],
  firedAt: 1_772_500_000_000,
  raisedAt: 1_772_500_060_000,
  summary: 'no check-in by 17:00',
  evidence: [{ origin: 'hq', seq: 1, hash: HASH }],
  finding: 'open',
  status: 'acknowledged',
  assignee: null,
  version: 2,
  history: [
    { at: 1_772_500_060_000, event: 'raised', by: 'hq', note: '' },
    { at: 1_772_500_120_000, event: 'acknowledged', by: 'olu', note: 'calling', ref: { origin: 'hq', seq: 7 } },
  ],
};

function refusal(body: unknown): string {
  try {
    parseStoredAlert(ID, JSON.stringify(body));
  } catch (error) {
    expect(error).toMatchObject({ code: 'corrupt-alert' });
    return (error as Error).message;
  }
  throw new Error('the row was read');
}

describe('stored breach-alert rows', () => {
  it('read back as stored', () => {
    expect(parseStoredAlert(ID, JSON.stringify(ALERT))).toEqual(ALERT);
  });

  it.each<[string, unknown, string]>([
    ['an unknown status', { ...ALERT, status: 'closed' }, `stored alert ${ID}.status: expected one of open,`],
    ['a rule that is no rule', { ...ALERT, rule: 'curfew' }, `stored alert ${ID}.rule: expected one of`],
    ['a day that is no day', { ...ALERT, day: '2026-02-30' }, `stored alert ${ID}.day: expected a calendar day`],
    ['a version of 0', { ...ALERT, version: 0 }, `stored alert ${ID}.version: expected an integer 1-`],
    [
      'a history event it does not know',
      { ...ALERT, history: [{ ...ALERT.history[0], event: 'deleted' }] },
      `stored alert ${ID}.history[0].event: expected one of`,
    ],
    [
      'evidence without its hash',
      { ...ALERT, evidence: [{ origin: 'hq', seq: 1 }] },
      `stored alert ${ID}.evidence[0].hash`,
    ],
    ['a field it does not know', { ...ALERT, priority: 'high' }, `stored alert ${ID}.priority: unknown field`],
    ['no version field', { ...ALERT, v: undefined }, `stored alert ${ID}.v: expected 1`],
    [
      'another alert',
      { ...ALERT, id: 'breach:late-checkin/p-1/2026-03-02' },
      `stored alert ${ID} is alert breach:late-checkin/p-1/2026-03-02`,
    ],
  ])('refuses a row with %s, naming the row and the field', (_name, body, message) => {
    expect(refusal(body)).toContain(message);
  });

  it('a list leaves a damaged row out with a warning naming it, and keeps the rest', () => {
    const memory = new MemoryLog();
    const other = { ...ALERT, id: 'breach:missed-checkin/p-2/2026-03-02', subject: 'p-2' };
    const rows = [
      { id: ID, body: JSON.stringify({ ...ALERT, status: 'closed' }) },
      { id: other.id, body: JSON.stringify(other) },
    ];
    expect(parseStoredAlerts(rows, memory.logger)).toEqual([other]);
    expect(memory.records).toEqual([
      expect.objectContaining({ level: 'warn', alert: ID, msg: 'stored alert left out of the list' }),
    ]);
  });
});
