// The kiosk's enrolment table (enrolment.json) is read by a schema (main/kiosk/enrolment-store.ts): a table
// damaged on disk stops the kiosk with bad-enrolment naming the file and the field, instead of enrolments that
// silently point nowhere.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EnrolmentStore } from '../../main/kiosk/enrolment-store.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const noKeys = (): Uint8Array => {
  throw new Error('no templates here');
};
const BADGE_KEY = new Uint8Array(32).fill(7);
const GOOD = { v: 1, pages: { '3': 'p-0001' }, badges: {} };

function opened(table: unknown): { dir: string; open: () => EnrolmentStore } {
  const dir = mkdtempSync(join(tmpdir(), 'muster-enrolment-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'enrolment.json'), JSON.stringify(table));
  return { dir, open: () => EnrolmentStore.open(dir, noKeys, BADGE_KEY) };
}

describe('the enrolment table on disk', () => {
  it('reads a good table', () => {
    expect(opened(GOOD).open().subjectOfPage(3)).toBe('p-0001');
  });

  it.each<[string, unknown, string]>([
    ['another version', { ...GOOD, v: 2 }, 'enrolment table.v: expected 1'],
    ['no badges', { v: 1, pages: {} }, 'enrolment table.badges: expected an object of at most 100000 keys'],
    [
      'a subject that is no id',
      { ...GOOD, pages: { '3': 'Pat Example' } },
      'enrolment table.pages[3]: expected a subject id',
    ],
    ['a salt that is not hex', { ...GOOD, salt: 'salty' }, 'enrolment table.salt: expected a hex salt'],
    ['a field it does not know', { ...GOOD, names: {} }, 'enrolment table.names: unknown field'],
    ['a list', [], 'enrolment table: expected an object'],
  ])('refuses %s, naming the file and the field', (_name, table, message) => {
    const { dir, open } = opened(table);
    expect(open).toThrow(expect.objectContaining({ code: 'bad-enrolment' }));
    expect(open).toThrow(`${join(dir, 'enrolment.json')}: ${message}`);
  });
});
