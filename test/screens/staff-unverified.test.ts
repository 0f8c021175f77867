// The staff screen in Chromium over a kiosk's SQLite file whose check-in was edited at rest (s-1's check-in made
// s-2's, the hash column kept in step): untouched, s-1 is checked in and s-2 breached; edited, neither verdict is
// shown: both rows ask staff to look, and each finding says it is not judged and names the entry that failed, in
// Chinese and in English, with no English on the Chinese page and axe clean.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserStore } from '../../access/user-store.ts';
import { StaffBackend } from '../../main/web/staff-backend.ts';
import { type WebServer, startWebServer } from '../../main/web/web-server.ts';
import { type KioskLog, kioskLog } from '../checkin/support/kiosk-log.ts';
import { at, checkinPayload, planPayload } from '../checkin/support/log-builder.ts';
import { editRow } from '../helpers/tamper-store.ts';
import { launchBrowser, seriousViolations } from './support/browser.ts';
import { SEATS, type Seat, openAt, say, signIn } from './support/matrix.ts';
import { untranslated } from './support/untranslated.ts';

const NY = 'America/New_York';
const KIOSK = 'centre-a/k1';
const PASSWORD = 'correct horse battery';

describe('the staff screen over a kiosk log edited at rest', () => {
  let browser: Browser;
  let dir: string;
  let log: KioskLog;
  let users: UserStore;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    browser = await launchBrowser();
    // Not tempDir(): that one is removed after each test, and the log outlives them.
    dir = mkdtempSync(join(tmpdir(), 'muster-staff-unverified-'));
    log = kioskLog(dir, KIOSK, at('2026-03-01 12:00', NY));
    await log.writer.append('plan', planPayload({ subject: 's-1', start: '2026-03-02' }));
    await log.writer.append('plan', planPayload({ subject: 's-2', start: '2026-03-02' }));
    log.now = at('2026-03-02 09:30', NY);
    expect((await log.writer.append('checkin', checkinPayload('s-1'))).seq).toBe(3);
    log.now = at('2026-03-02 23:00', NY);
    users = UserStore.open(join(dir, 'users.db'), { scrypt: { logN: 10, r: 8, p: 1 } });
    await users.add({ name: 'sam', role: 'staff', password: PASSWORD, centres: ['centre-a'] });
  }, 60_000);

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser.close();
    users.close();
    log.store.close();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  /** The attendance screen started on the log as it is now (a restart reads it afresh). */
  function startStaff(): Promise<WebServer> {
    const staff = new StaffBackend({
      centre: 'centre-a',
      kiosk: KIOSK,
      store: log.store,
      append: (type, payload) => log.writer.append(type, payload),
      clock: () => log.now,
    });
    return startWebServer({ staff, users });
  }

  async function roster(web: WebServer, seat: Seat): Promise<Page> {
    const page = await openAt(browser, contexts, seat, web.urls.staff ?? '');
    await signIn(page, seat, 'sam', PASSWORD);
    await page.locator('tr[data-subject="s-2"]').waitFor({ timeout: 60_000 });
    return page;
  }

  const states = (page: Page): Promise<(string | null)[][]> =>
    page
      .locator('tr[data-subject]')
      .evaluateAll((rows) => rows.map((r) => [r.getAttribute('data-subject'), r.getAttribute('data-state')]));

  it('untouched: s-1 checked in, s-2 breached', async () => {
    const web = await startStaff();
    try {
      const page = await roster(web, SEATS[2] as Seat);
      expect(await states(page)).toEqual([
        ['s-1', 'checked-in'],
        ['s-2', 'breached'],
      ]);
    } finally {
      await web.close();
    }
  }, 120_000);

  it.each(SEATS)(
    'edited at rest, in $name: no verdict, both rows ask staff to look, the failing entry named',
    async (seat) => {
      if (seat === SEATS[0]) editRow(log.path, KIOSK, 3, 's-1', 's-2');
      const web = await startStaff();
      try {
        const page = await roster(web, seat);
        // Without verification s-1 would be breached and s-2 checked in; neither verdict is shown.
        expect(await states(page)).toEqual([
          ['s-1', 'review'],
          ['s-2', 'review'],
        ]);
        const row = page.locator('tr[data-subject="s-2"]');
        expect(await row.textContent()).toContain(
          say(seat, '未判定：记录校验失败', 'not judged: an entry failed verification'),
        );
        await row.locator('th button').click();
        const finding = page.locator('.findings.breaches .finding[data-status="unverified"]').first();
        await finding.waitFor();
        const text = (await finding.textContent()) ?? '';
        expect(text).toContain('centre-a/k1#3');
        expect(text).toContain('signature does not verify');
        expect(text).toContain(say(seat, '未判定：记录', 'not judged'));
        if (seat.zh) expect(await untranslated(page)).toEqual([]);
        expect(await seriousViolations(page)).toEqual([]);
      } finally {
        await web.close();
      }
    },
    120_000,
  );
});
