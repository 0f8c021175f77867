// Call staff reaches the staff screen, in Chromium: a person taps Call staff on the kiosk screen, and the staff
// screen of the centre shows the request with the same reference the kiosk shows, until a member of staff
// answers it. Also the request list's own rules (bounded, answered once, leaves when answered).
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StaffConfirmations } from '../../main/web/staff-confirmations.ts';
import { t } from '../../renderer/kiosk/kiosk-text.ts';
import { PASSWORD, type Centre, startCentre } from './support/centre.ts';
import { launchBrowser, screenshot, seriousViolations } from './support/browser.ts';

const UI_TIMEOUT = 20_000;

describe('Call staff on the kiosk reaches the staff screen', () => {
  let centre: Centre;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    [centre, browser] = await Promise.all([startCentre(), launchBrowser()]);
  }, 60_000);
  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser.close();
    await centre.close();
  });

  async function open(url: string, viewport: { width: number; height: number }, locale: string): Promise<Page> {
    const context = await browser.newContext({ viewport, locale, timezoneId: 'UTC', hasTouch: true });
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(UI_TIMEOUT);
    await page.goto(url);
    return page;
  }

  it("shows the request with the kiosk's reference on the staff screen, in the staff's language, until staff answer it", async () => {
    const staff = await open(centre.kioskWeb.urls.staff ?? '', { width: 1280, height: 900 }, 'zh-CN');
    await staff.getByLabel('用户名').fill('sam');
    await staff.getByLabel('密码').fill(PASSWORD);
    await staff.getByRole('button', { name: '登录' }).click();
    await staff.locator('tr[data-subject="p-0001"]').waitFor();
    expect(await staff.locator('.banner.call').count()).toBe(0);

    const kiosk = await open(centre.kioskWeb.urls.kiosk ?? '', { width: 1080, height: 1920 }, 'en-US');
    await kiosk.getByRole('button', { name: t('en', 'start') }).tap();
    await kiosk.locator('[data-pictogram="finger"]').waitFor();
    await kiosk.getByRole('button', { name: t('en', 'callStaff') }).tap();
    const reference = (await kiosk.locator('.reference strong').textContent()) ?? '';
    expect(reference).toMatch(/^a-[0-9a-f]+$/);

    // The staff screen is told of the change (no reload, no waiting for its next poll).
    const banner = staff.locator(`.banner.call[data-call="${reference}"]`);
    await banner.waitFor();
    const text = (await banner.textContent()) ?? '';
    expect(text).toContain(reference);
    expect(text).toContain('自助机前的人员请求工作人员协助');
    expect(await seriousViolations(staff)).toEqual([]);
    await screenshot(staff, 'staff-call-from-kiosk');

    await staff.getByRole('button', { name: '我这就去' }).click();
    await banner.waitFor({ state: 'detached' });
    expect(await staff.locator('.banner.call').count()).toBe(0);
  }, 90_000);
});

describe("the kiosk's calls for staff", () => {
  it('keeps each call with its reference and reason until it is answered, once', () => {
    const calls = new StaffConfirmations({ clock: () => 1_000 });
    let changes = 0;
    calls.onChange(() => changes++);
    calls.call('a-1', 'staff-called');
    calls.call('a-2', 'see-staff');
    expect(calls.calls().map(({ reference, reason, since }) => ({ reference, reason, since }))).toEqual([
      { reference: 'a-1', reason: 'staff-called', since: 1_000 },
      { reference: 'a-2', reason: 'see-staff', since: 1_000 },
    ]);
    const [first] = calls.calls();
    calls.answerCall(first?.id ?? '');
    calls.answerCall(first?.id ?? '');
    calls.answerCall('no-such-call');
    expect(calls.calls().map((c) => c.reference)).toEqual(['a-2']);
    expect(changes).toBe(3);
  });

  it('holds at most 100 calls, dropping the oldest, so a kiosk that keeps calling cannot grow it without bound', () => {
    const calls = new StaffConfirmations();
    for (let i = 0; i < 105; i++) calls.call(`a-${i}`, 'devices-down');
    const references = calls.calls().map((c) => c.reference);
    expect(references).toHaveLength(100);
    expect(references[0]).toBe('a-5');
    expect(references.at(-1)).toBe('a-104');
  });
});
