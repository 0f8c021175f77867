// Enrolling a new person from the staff screen, in Chromium, in the four seats of the language × zone matrix
// (support/matrix.ts), against the demo centre's real kiosk runtime: the seat creates the person with their first
// plan, then enrols them on the kiosk (the emulated R30x sensor takes the finger placed, lifted and placed as it
// asks; the face worker seals a template from the emulated camera). Each enrolment is a signed entry on the
// kiosk's log naming the staff member; the Chinese page holds no English, the kiosk's own message included.
import { mkdtempSync, rmSync } from 'node:fs';
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

    const store = LedgerStore.open(join(dir, topicId(KIOSK), `${topicId(KIOSK)}.db`), { readonly: true });
    try {
      const enrolments = [...store.range(KIOSK, 0, store.head(KIOSK).size)]
        .filter((row) => row.type === 'enrolment')
        .map((row) => parseEnrolment(decodeLeaf(row.leaf).body.payload))
        .filter((e) => NEWCOMERS.includes(e.subject));
      expect(enrolments.map((e) => [e.subject, e.kiosk, e.staff, e.replaces, [...e.methods].sort()])).toEqual(
        NEWCOMERS.map((subject) => [subject, KIOSK, STAFF, undefined, ['face', 'fingerprint']]),
      );
      expect(enrolments.every((e) => e.faceCommitment !== undefined)).toBe(true);
    } finally {
      store.close();
    }
  }, 600_000);
});
