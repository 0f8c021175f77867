// The HQ dashboard in English, in an Asia/Shanghai browser (staff-hq.test.ts runs it in Chinese on UTC): English
// on request for a centre in China, the centre's zone named on its row, the charts drawn with their figures as
// tables agreeing with the centre table, a person's calendar, accessible.
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait-for.ts';
import { launchBrowser, screenshot, seriousViolations } from './support/browser.ts';
import { CENTRE, KIOSK, PASSWORD, type Centre, ZONE, localTime, startCentre } from './support/centre.ts';

describe('the HQ dashboard in English', () => {
  let centre: Centre;
  let browser: Browser;
  let context: BrowserContext | undefined;

  beforeAll(async () => {
    [centre, browser] = await Promise.all([startCentre(), launchBrowser()]);
    centre.now = localTime('11:00');
  }, 60_000);
  afterAll(async () => {
    await context?.close();
    await browser.close();
    await centre.close();
  });

  it("in an Asia/Shanghai browser: the centre's zone named, charts and calendar with their tables", async () => {
    const size = centre.node.writer.store.head(KIOSK).size;
    await waitFor(async () => (await centre.hq.store.size(KIOSK)) === size, 'HQ to hold the kiosk log');
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US', timezoneId: ZONE });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(centre.hqWeb.urls.hq ?? '');
    await page.getByLabel('User name').fill('olga');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'English' }).click();
    const row = page.locator(`tr[data-centre="${CENTRE}"][data-zone="${ZONE}"]`);
    // HQ's first overview judges the centre's history; a CI machine running other suites takes longer than 15 s.
    await row.waitFor({ timeout: 60_000 });
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    expect(await row.textContent()).toContain('UTC+08:00');
    const compliance = page.locator('figure[data-chart="Compliance per centre per day"]');
    await compliance.locator('canvas').first().waitFor();
    expect(await compliance.locator('tbody tr', { hasText: '2026-06-01' }).locator('td').last().textContent()).toBe(
      await row.locator('[data-count="compliance"]').textContent(),
    );
    await page.locator('figure[data-chart="Breaches by rule and day"] canvas').first().waitFor();
    await page.locator('figure[data-chart="Kiosks: false-reject rate and uptime"]').waitFor();
    await page.getByLabel('Person timeline').fill('p-0002');
    await page.getByRole('search').getByRole('button').click();
    const calendar = page.locator('figure[data-chart="Check-ins and breaches, day by day"]');
    await calendar.locator('tbody tr', { hasText: '2026-06-01' }).waitFor({ state: 'attached' });
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'hq-en-shanghai');
  }, 90_000);
});
