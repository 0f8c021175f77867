// Reasons on the log are codes: the words a staff member writes beside a decision go to the personal-data store
// (sealed, erasable, each read an access entry) and the entry carries only the code and the words' salted
// commitment. The police see the code only; staff of the person's centre and officers open the words.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PersonalDataStore } from '../../access/personal-data-store.ts';
import type { Caller } from '../../core/api/api.ts';
import type { Principal, Role } from '../../core/access/roles.ts';
import { parseAccessRecord } from '../../core/access/access-records.ts';
import { parseExcuse } from '../../core/records/staff-decisions.ts';
import { parsePlan } from '../../core/records/plan.ts';
import { readLogRecords } from '../../main/kiosk/log-records.ts';
import { ApiService } from '../../main/web/api-service.ts';
import { StaffBackend } from '../../main/web/staff-backend.ts';
import { kioskLog, tempDir } from '../checkin/support/kiosk-log.ts';
import { at, planPayload } from '../checkin/support/log-builder.ts';

const NY = 'America/New_York';
const WORDS = 'Zhang Wei, ID 110101199001011234, HIV clinic';
const COMMITMENT = /^[0-9a-f]{64}$/;

function as(role: Role, user: string, centres: readonly string[] = []): Caller {
  const principal: Principal = { user, role, centres, ...(role === 'parolee' ? { subject: 's-alice' } : {}) };
  return { principal, kioskScreen: false };
}

const sam = as('staff', 'sam', ['centre-a']);
const olga = as('officer', 'olga');
const pat = as('police', 'pat');
const aud = as('auditor', 'aud');
const bea = as('staff', 'bea', ['centre-b']);
const alice = as('parolee', 'alice');

async function centre(withStore = true) {
  const dir = tempDir();
  const log = kioskLog(dir, 'centre-a/k1', at('2026-03-02 12:00', NY));
  await log.writer.append('plan', planPayload({ subject: 's-alice', start: '2026-03-02' }));
  const personal = PersonalDataStore.open(join(dir, 'personal-data.db'), {
    centreKey: randomBytes(32),
    log: { append: (type, payload) => log.writer.append(type, payload) },
  });
  const staff = new StaffBackend({
    centre: 'centre-a',
    kiosk: 'centre-a/k1',
    store: log.store,
    append: (t, p) => log.writer.append(t, p),
    clock: () => log.now,
    ...(withStore ? { personal } : {}),
  });
  const api = new ApiService([staff]);
  const records = (type: string) => readLogRecords(log.store).records.filter((r) => r.type === type);
  return { dir, log, personal, staff, api, records };
}

const code = async (promise: Promise<unknown>): Promise<string> =>
  promise.then(
    () => 'ok',
    (error: unknown) => (error as { code: string }).code,
  );

describe('decision reasons on the log', () => {
  it('keeps the words of an excuse off the log: a code and a commitment there, the sealed words in the store', async () => {
    const c = await centre();
    await c.api.call(
      {
        method: 'staff.excuse',
        params: { subject: 's-alice', from: '2026-03-02', to: '2026-03-02', rules: [], reason: WORDS },
      },
      sam,
    );
    const [excuse] = c.records('excuse');
    const { note, ...rest } = excuse?.payload ?? {};
    expect(rest).toEqual({
      subject: 's-alice',
      from: '2026-03-02',
      to: '2026-03-02',
      rules: [],
      reason: 'other',
      staff: 'sam',
    });
    expect(note).toMatch(COMMITMENT);
    // Not a byte of the words in the log file or the personal-data file (checkpointed, so the WAL is folded in).
    c.log.store.close();
    c.personal.close();
    for (const file of [c.log.path, join(c.dir, 'personal-data.db')]) {
      const bytes = readFileSync(file);
      for (const part of ['Zhang Wei', '110101199001011234', 'HIV clinic'])
        expect(bytes.includes(Buffer.from(part))).toBe(false);
    }
  });

  it('a code alone goes as it is; words beside a code become its note', async () => {
    const c = await centre();
    await c.api.call(
      {
        method: 'staff.excuse',
        params: { subject: 's-alice', from: '2026-03-03', to: '2026-03-03', rules: [], reason: 'sick' },
      },
      sam,
    );
    await c.api.call(
      {
        method: 'staff.excuse',
        params: { subject: 's-alice', from: '2026-03-04', to: '2026-03-04', rules: [], reason: 'medical', note: WORDS },
      },
      sam,
    );
    const [plain, noted] = c.records('excuse').map((r) => parseExcuse(r.payload));
    expect(plain).toMatchObject({ reason: 'sick' });
    expect(plain?.note).toBeUndefined();
    expect(noted?.reason).toBe('medical');
    expect(noted?.note).toMatch(COMMITMENT);
    expect(await c.api.call({ method: 'staff.note', params: { subject: 's-alice', note: noted?.note } }, olga)).toEqual(
      { text: WORDS },
    );
  });

  it('staff of the centre and officers open the words (each read on the log first); police, auditors, other centres and parolees cannot', async () => {
    const c = await centre();
    await c.api.call(
      {
        method: 'staff.excuse',
        params: { subject: 's-alice', from: '2026-03-02', to: '2026-03-02', rules: [], reason: WORDS },
      },
      sam,
    );
    const note = parseExcuse(c.records('excuse')[0]?.payload).note;
    const open = (caller: Caller) => c.api.call({ method: 'staff.note', params: { subject: 's-alice', note } }, caller);
    expect(await open(sam)).toEqual({ text: WORDS });
    expect(await open(olga)).toEqual({ text: WORDS });
    for (const caller of [pat, aud, bea, alice]) expect(await code(open(caller))).toBe('forbidden');
    // Exactly the two reads are on the log, naming who read the notes.
    expect(c.records('access').map((r) => parseAccessRecord(r.payload))).toMatchObject([
      { subject: 's-alice', by: 'sam', role: 'staff', fields: ['notes'] },
      { subject: 's-alice', by: 'olga', role: 'officer', fields: ['notes'] },
    ]);
    // A commitment that is no note of this person's: not found, and nothing logged.
    expect(
      await code(c.api.call({ method: 'staff.note', params: { subject: 's-alice', note: 'a'.repeat(64) } }, sam)),
    ).toBe('not-found');
    expect(c.records('access')).toHaveLength(2);
  });

  it('the police see the code only: no view carries the words, the notes of a contest and an excuse included', async () => {
    const c = await centre();
    const history = (await c.api.call({ method: 'staff.history', params: { subject: 's-alice' } }, sam)) as {
      breaches: { id: string; day: string }[];
    };
    const breach = history.breaches[0];
    expect(breach).toBeDefined();
    await c.api.call(
      {
        method: 'staff.contest',
        params: { breach: breach?.id, subject: 's-alice', day: breach?.day, action: 'open', reason: WORDS },
      },
      sam,
    );
    await c.api.call(
      {
        method: 'staff.excuse',
        params: { subject: 's-alice', from: breach?.day, to: breach?.day, rules: [], reason: 'medical', note: WORDS },
      },
      sam,
    );
    for (const caller of [pat, olga, sam]) {
      const seen = JSON.stringify(
        await c.api.call({ method: 'staff.history', params: { subject: 's-alice' } }, caller),
      );
      expect(seen).toContain('medical');
      for (const part of ['Zhang Wei', '110101199001011234', 'HIV']) expect(seen).not.toContain(part);
    }
    // The timeline gives staff the note to open.
    const events = (
      (await c.api.call({ method: 'staff.history', params: { subject: 's-alice' } }, sam)) as {
        events: { type: string; note?: string }[];
      }
    ).events;
    expect(events.filter((e) => e.note !== undefined).map((e) => e.type)).toEqual(['contest', 'excuse']);
  });

  it('an entry written before reasons were codes shows its words to nobody', async () => {
    const c = await centre();
    await c.log.writer.append('excuse', {
      subject: 's-alice',
      from: '2026-03-02',
      to: '2026-03-02',
      reason: WORDS,
      staff: 'staff-1',
    });
    expect(parseExcuse(c.records('excuse')[0]?.payload)).toMatchObject({ reason: 'other' });
    const seen = JSON.stringify(await c.api.call({ method: 'staff.history', params: { subject: 's-alice' } }, pat));
    expect(seen).not.toContain('Zhang Wei');
  });

  it('words without a personal-data store are refused, never written; plans and their end carry codes too', async () => {
    const bare = await centre(false);
    expect(
      await code(
        bare.api.call(
          {
            method: 'staff.excuse',
            params: { subject: 's-alice', from: '2026-03-02', to: '2026-03-02', rules: [], reason: WORDS },
          },
          sam,
        ),
      ),
    ).toBe('bad-message');
    expect(bare.records('excuse')).toEqual([]);
    const c = await centre();
    const plan = {
      subject: 's-bob',
      start: '2026-03-05',
      end: null,
      days: [1, 2, 3, 4, 5],
      open: '09:00',
      close: '11:00',
      graceMinutes: 15,
      lateMinutes: 60,
      tasks: [],
      reason: 'court order 2026-114, 张伟',
    };
    await c.api.call({ method: 'staff.plan', params: plan }, sam);
    await c.api.call(
      { method: 'staff.endSupervision', params: { subject: 's-bob', last: '2026-06-30', reason: 'supervision-ended' } },
      sam,
    );
    const [set, ended] = c
      .records('plan')
      .slice(1)
      .map((r) => parsePlan(r.payload));
    expect(set?.reason).toBe('other');
    expect(set?.note).toMatch(COMMITMENT);
    // The end is its own decision: the earlier plan's note does not carry over.
    expect(ended).toMatchObject({ reason: 'supervision-ended' });
    expect(ended?.note).toBeUndefined();
    expect(JSON.stringify(c.records('plan').map((r) => r.payload))).not.toContain('court order');
  });

  it('erasing the person erases their notes; the erasure names them', async () => {
    const c = await centre();
    await c.api.call(
      {
        method: 'staff.excuse',
        params: { subject: 's-alice', from: '2026-03-02', to: '2026-03-02', rules: [], reason: WORDS },
      },
      sam,
    );
    const note = parseExcuse(c.records('excuse')[0]?.payload).note;
    await c.personal.erase('s-alice', 'request', 'olga');
    expect(await code(c.api.call({ method: 'staff.note', params: { subject: 's-alice', note } }, olga))).toBe(
      'not-found',
    );
    expect(c.records('erasure')[0]?.payload).toMatchObject({ subject: 's-alice', fields: ['notes'] });
  });
});
