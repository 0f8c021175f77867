// Enrolling a new person from the staff screen, in Chromium, in the four seats of the language × zone matrix
// (support/matrix.ts), against the demo centre's real kiosk runtime: the seat creates the person with their first
// plan, then enrols them on the kiosk (the emulated R30x sensor takes the finger placed, lifted and placed as it
// asks; the face worker seals a template from the emulated camera). Each enrolment is a signed entry on the
// kiosk's log naming the staff member; the Chinese page holds no English, the kiosk's own message included.
// `muster person enrol` does the same from a terminal, signed in at the kiosk's staff screen, and a re-enrolment
// waits for a second person's `muster person approve-enrolment`.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeLeaf } from '../../core/entry.ts';
import { parseEnrolment } from '../../core/records/enrolment.ts';
import { LedgerStore } from '../../ledger/store.ts';
import { DemoCenter } from '../../main/demo/demo-center.ts';
import { KIOSKS, STAFF } from '../../main/demo/scripted-day.ts';
import { topicId } from '../../net/topics.ts';
import { runMuster } from '../helpers/run-muster.ts';
import { launchBrowser, screenshot } from './support/browser.ts';
import { SEATS, openAt, say, signIn } from './support/matrix.ts';
import { untranslated } from './support/untranslated.ts';

const KIOSK = KIOSKS[0];
/** One newcomer per seat. */
const NEWCOMERS = SEATS.map((_, i) => `p-090${i + 1}`);

describe('a new person enrolled from the staff screen, in each language and browser zone', () => {
  const dir = mkdtempSync(join(tmpdir(), 'muster-staff-enrol-'));
  let center: DemoCenter;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    [center, browser] = await Promise.all([
      DemoCenter.start({
        dataDir: dir,
        fresh: true,
        people: 2,
        day: '2026-12-01',
        durationS: 1,
        httpPort: 0,
        mqttPort: 0,
        webPort: 0,
        say: () => undefined,
      }),
      launchBrowser(),
    ]);
  }, 240_000);
  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser.close();
    await center.close();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('each seat creates a person with a plan and enrols them on the kiosk; each enrolment signed naming the staff member', async () => {
    const password = center.accounts.find((a) => a.user === STAFF)?.password ?? '';
    // One person at the kiosk at a time: the seats enrol one after another.
    for (const [i, seat] of SEATS.entries()) {
      const subject = NEWCOMERS[i] as string;
      const page: Page = await openAt(browser, contexts, seat, center.urls.staff ?? '', { languageChosen: true });
      await signIn(page, seat, STAFF, password);
      await page.getByRole('button', { name: say(seat, '新增人员', 'New person') }).click();
      const form = page.locator('form.plan');
      await form.getByLabel(say(seat, '人员编号', 'Person id')).fill(subject);
      await form.getByLabel(say(seat, '开始日期', 'First day')).fill('2026-12-02');
      await form.getByLabel(say(seat, '报到开始时间', 'Window opens')).fill('09:00');
      await form.getByLabel(say(seat, '报到截止时间', 'Window closes')).fill('10:00');
      await form.getByLabel(say(seat, '理由', 'Reason')).fill(say(seat, '法院裁定 2026-301', 'court order 2026-301'));
      await form.getByRole('button', { name: say(seat, '保存计划', 'Save plan') }).click();
      await page.getByText(say(seat, `已保存 ${subject} 的计划`, `Plan for ${subject} saved`)).waitFor();
      // Their panel opens: enrol them here.
      await page.getByRole('heading', { name: new RegExp(subject) }).waitFor();
      await page.getByRole('button', { name: say(seat, '在本自助机采集', 'Enrol on this kiosk') }).click();
      const result = page.locator('.person p[role="status"]', { hasText: say(seat, '采集', 'Enrol') });
      await expect
        .poll(() => result.textContent(), { message: seat.name, timeout: 180_000 })
        .toBe(say(seat, '✅ 采集完成。', '✅ Enrolled.'));
      if (seat.zh) expect(await untranslated(page), seat.name).toEqual([]);
      if (i === 0) await screenshot(page, 'staff-enrol-zh');
      await page.context().close();
    }

    const enrolments = kioskEnrolments().filter((e) => NEWCOMERS.includes(e.subject));
    expect(enrolments.map((e) => [e.subject, e.kiosk, e.staff, e.replaces, [...e.methods].sort()])).toEqual(
      NEWCOMERS.map((subject) => [subject, KIOSK, STAFF, undefined, ['face', 'fingerprint']]),
    );
    expect(enrolments.every((e) => e.faceCommitment !== undefined)).toBe(true);
  }, 600_000);

  it('`muster person enrol` enrols at the running kiosk as the signed-in staff member; a re-enrolment waits for a second person', async () => {
    const passwordFile = (user: string, password?: string): string => {
      const file = join(dir, `${user}.pw`);
      writeFileSync(file, `${password ?? center.accounts.find((a) => a.user === user)?.password ?? ''}\n`, {
        mode: 0o600,
      });
      return file;
    };
    const subject = 'p-0950';
    const atKiosk = (command: string, user: string, file = passwordFile(user)) =>
      runMuster([
        'person',
        command,
        '--staff-screen',
        center.urls.staff ?? '',
        '--user',
        user,
        '--password-file',
        file,
        '--subject',
        subject,
      ]);
    const ofSubject = () => kioskEnrolments().filter((e) => e.subject === subject);

    const first = await atKiosk('enrol', STAFF);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^p-0950 enrolled \(.*entry \d+\)\n$/);
    expect(ofSubject().map((e) => [e.kiosk, e.staff, e.replaces, e.approvedBy, [...e.methods].sort()])).toEqual([
      [KIOSK, STAFF, undefined, undefined, ['face', 'fingerprint']],
    ]);

    // Enrolled already: replacing their biometrics waits for a second person, never the requester.
    const again = await atKiosk('enrol', STAFF);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('must approve');
    const own = await atKiosk('approve-enrolment', STAFF);
    expect(own.code, own.stdout).toBe(1);
    const approved = await atKiosk('approve-enrolment', 'officer-1');
    expect(approved, approved.stderr).toMatchObject({
      code: 0,
      stdout: `approved: ${STAFF} may re-enrol ${subject}\n`,
    });
    const replaced = await atKiosk('enrol', STAFF);
    expect(replaced, replaced.stderr).toMatchObject({ code: 0 });
    expect(ofSubject().map((e) => [e.staff, e.replaces, e.approvedBy])).toEqual([
      [STAFF, undefined, undefined],
      [STAFF, true, 'officer-1'],
    ]);

    // A wrong password or a server that is not there: a clear error, nothing enrolled.
    const refused = await atKiosk('enrol', 'officer-1', passwordFile('wrong', 'not the password'));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('sign-in refused');
    const nobody = await runMuster([
      'person',
      'enrol',
      '--staff-screen',
      'http://127.0.0.1:1/staff',
      '--user',
      STAFF,
      '--password-file',
      passwordFile(STAFF),
      '--subject',
      subject,
    ]);
    expect(nobody.code).toBe(1);
    expect(nobody.stderr).toContain('cannot reach the staff screen');
    expect(ofSubject()).toHaveLength(2);
  }, 600_000);

  /** The enrolments on the kiosk's log. */
  function kioskEnrolments(): ReturnType<typeof parseEnrolment>[] {
    const store = LedgerStore.open(join(dir, topicId(KIOSK), `${topicId(KIOSK)}.db`), { readonly: true });
    try {
      return [...store.range(KIOSK, 0, store.head(KIOSK).size)]
        .filter((row) => row.type === 'enrolment')
        .map((row) => parseEnrolment(decodeLeaf(row.leaf).body.payload));
    } finally {
      store.close();
    }
  }
});
