// Re-enrolment on the staff screen: a person enrolled already (at any kiosk whose log this one holds) is enrolled
// again only once a second person approved, the enrolment naming both; the approval serves once. Used to be a
// silent replacement of their template and sensor page by any one staff member.
import { describe, expect, it } from 'vitest';
import type { Caller } from '../../core/api/api.ts';
import type { Principal, Role } from '../../core/access/roles.ts';
import { ApiService } from '../../main/web/api-service.ts';
import { APPROVAL_MS } from '../../main/web/reenrolment-approvals.ts';
import { StaffBackend } from '../../main/web/staff-backend.ts';
import { kioskLog, tempDir } from '../checkin/support/kiosk-log.ts';
import { at, planPayload } from '../checkin/support/log-builder.ts';

function as(role: Role, user: string, centres: readonly string[] = []): Caller {
  const principal: Principal = { user, role, centres };
  return { principal, kioskScreen: false };
}
const sam = as('staff', 'sam', ['centre-a']);
const kim = as('staff', 'kim', ['centre-a']);
const olga = as('officer', 'olga');
const pat = as('police', 'pat');
const bea = as('staff', 'bea', ['centre-b']);

async function centre() {
  const log = kioskLog(tempDir(), 'centre-a/k1', at('2026-03-02 12:00', 'America/New_York'));
  await log.writer.append('plan', planPayload({ subject: 's-alice', start: '2026-03-01' }));
  const enrolled: { subject: string; by: { staff: string; approvedBy?: string } }[] = [];
  const staff = new StaffBackend({
    centre: 'centre-a',
    kiosk: 'centre-a/k1',
    store: log.store,
    append: (t, p) => log.writer.append(t, p),
    clock: () => log.now,
    // The runtime's part, as far as the log goes: an enrolment entry naming who enrolled and who approved.
    enrol: async (subject, by) => {
      enrolled.push({ subject, by });
      const replaces = by.approvedBy === undefined ? {} : { replaces: true, approvedBy: by.approvedBy };
      await log.writer.append('enrolment', {
        subject,
        centre: 'centre-a',
        kiosk: 'centre-a/k1',
        methods: ['fingerprint'],
        staff: by.staff,
        ...replaces,
      });
      return { ok: true, message: `${subject} enrolled` };
    },
  });
  const api = new ApiService([staff]);
  const call = (method: string, params: unknown, caller: Caller) => api.call({ method, params }, caller);
  return { log, api, call, enrolled };
}

const code = async (promise: Promise<unknown>): Promise<string> =>
  promise.then(
    () => 'ok',
    (error: unknown) => (error as { code: string }).code,
  );

describe('re-enrolment on the staff screen', () => {
  it('a first enrolment names the staff member; a second waits for another person, who approves; it then names both', async () => {
    const c = await centre();
    expect(await c.call('staff.enrol', { subject: 's-alice' }, sam)).toMatchObject({ ok: true });
    expect(c.enrolled).toEqual([{ subject: 's-alice', by: { staff: 'sam' } }]);

    const asked = (await c.call('staff.enrol', { subject: 's-alice' }, sam)) as { ok: boolean; message: string };
    expect(asked.ok).toBe(false);
    expect(asked.message).toMatch(/enrolled already.*approve/);
    expect(c.enrolled).toHaveLength(1);
    expect(await c.call('staff.reenrolments', {}, kim)).toMatchObject({
      requests: [{ subject: 's-alice', requestedBy: 'sam', approvedBy: null }],
    });

    // Not by the requester, not by the police, not by staff of another centre; nobody asked for s-bob.
    expect(await code(c.call('staff.approveEnrolment', { subject: 's-alice' }, sam))).toBe('forbidden');
    expect(await code(c.call('staff.approveEnrolment', { subject: 's-alice' }, pat))).toBe('forbidden');
    expect(await code(c.call('staff.approveEnrolment', { subject: 's-alice' }, bea))).toBe('forbidden');
    expect(await code(c.call('staff.approveEnrolment', { subject: 's-bob' }, olga))).toBe('not-found');
    // Kim's own enrolment of s-alice is a request of its own, not approved by Olga's approval of Sam's.
    expect(await c.call('staff.approveEnrolment', { subject: 's-alice' }, olga)).toEqual({ requestedBy: 'sam' });
    expect((await c.call('staff.enrol', { subject: 's-alice' }, kim)) as { ok: boolean }).toMatchObject({ ok: false });

    expect(await c.call('staff.enrol', { subject: 's-alice' }, sam)).toMatchObject({ ok: true });
    expect(c.enrolled.at(-1)).toEqual({ subject: 's-alice', by: { staff: 'sam', approvedBy: 'olga' } });
    // The approval served once.
    expect((await c.call('staff.enrol', { subject: 's-alice' }, sam)) as { ok: boolean }).toMatchObject({ ok: false });
    expect(c.enrolled).toHaveLength(2);

    // The re-enrolment is a review item on the person's day, for staff to check it was them; Kim clears it.
    type Finding = { id: string; rule: string; status: string; detail: string };
    const reviews = async (): Promise<Finding[]> =>
      ((await c.call('staff.history', { subject: 's-alice' }, kim)) as { reviews: Finding[] }).reviews.filter(
        (r) => r.rule === 're-enrolment',
      );
    const [item] = await reviews();
    expect(item).toMatchObject({
      status: 'pending',
      detail: 'biometrics replaced at centre-a/k1 by sam, approved by olga',
    });
    await c.call(
      'staff.review',
      { item: item?.id, subject: 's-alice', day: '2026-03-02', decision: 'cleared', reason: 'identity-confirmed' },
      kim,
    );
    expect((await reviews()).map((r) => r.status)).toEqual(['cleared']);
  });

  it('an approval not used in time lapses', async () => {
    const c = await centre();
    await c.call('staff.enrol', { subject: 's-alice' }, sam);
    await c.call('staff.enrol', { subject: 's-alice' }, sam);
    await c.call('staff.approveEnrolment', { subject: 's-alice' }, kim);
    c.log.now += APPROVAL_MS;
    expect((await c.call('staff.enrol', { subject: 's-alice' }, sam)) as { ok: boolean }).toMatchObject({ ok: false });
    expect(c.enrolled).toHaveLength(1);
  });
});
