// The staff screen and the HQ dashboard as a centre in China runs them, in Chromium: Chinese by default for a
// centre in China (in a zh-CN browser and in an English one), English on request; no string outside the
// catalogues; every time in the centre's zone, labelled, whatever the browser's zone (UTC and Asia/Shanghai);
// live updates that leave a half-typed reason and its focus alone; one incident, one review item, no decision
// preselected, a two-character Chinese reason; contests lodged and resolved; leave approved ahead of time;
// a CSV with a BOM and local times with their offset; device health of another kiosk, live; loading, stale and
// error states in the person's language; activity, not the screen's own refreshes, keeping a session alive;
// HQ's centre table and breach feed agreeing.
import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIVITY_HEADER } from '../../core/api/session-api.ts';
import type { Payload } from '../../core/entry.ts';
import { parsePlan } from '../../core/records/plan.ts';
import { parseReview } from '../../core/records/staff-decisions.ts';
import { formatClock, formatDay } from '../../core/time/civil-day.ts';
import { readLogRecords } from '../../main/kiosk/log-records.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { CENTRE, KIOSK, PASSWORD, type Centre, ZONE, localTime, startCentre } from './support/centre.ts';
import { launchBrowser, screenshot, seriousViolations } from './support/browser.ts';
import { untranslated } from './support/untranslated.ts';

const UI_TIMEOUT = 15_000;
const PEER = `${CENTRE}/kiosk-2`;

describe('staff and HQ screens for a centre in China', () => {
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

  async function open(
    url: string,
    locale: string,
    timezoneId: string,
    setup?: (context: BrowserContext) => Promise<void>,
  ): Promise<Page> {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      locale,
      timezoneId,
      acceptDownloads: true,
    });
    contexts.push(context);
    await setup?.(context);
    const page = await context.newPage();
    page.setDefaultTimeout(UI_TIMEOUT);
    await page.goto(url);
    return page;
  }

  async function signIn(page: Page, user: string, zh: boolean): Promise<void> {
    await page.getByLabel(zh ? '用户名' : 'User name').fill(user);
    await page.getByLabel(zh ? '密码' : 'Password').fill(PASSWORD);
    await page.getByRole('button', { name: zh ? '登录' : 'Sign in' }).click();
  }

  async function append(
    at: string,
    type: 'checkin' | 'checkin-attempt' | 'device-health',
    payload: Payload,
  ): Promise<void> {
    const before = centre.now;
    centre.now = localTime(at);
    await centre.node.append(type, payload);
    centre.now = Math.max(before, centre.now);
    centre.staff.changed();
  }

  const checkin = (subject: string): Payload => ({
    subject,
    centre: CENTRE,
    kiosk: KIOSK,
    attempt: `att-${subject}`,
    methods: ['fingerprint', 'face'],
    fingerprintScore: 120,
    faceScore: 0.31,
    tasks: [{ task: 'study' }],
  });
  const mismatch = (subject: string, n: number): Payload => ({
    attempt: `att-${subject}-${n}`,
    centre: CENTRE,
    kiosk: KIOSK,
    step: 'verify',
    method: 'face',
    outcome: 'mismatch',
    subject,
    identifiedBy: 'fingerprint',
    score: 0.72,
    try: n,
  });

  let staffZh: Page;

  it("opens in Chinese for a centre in China, in a zh-CN browser on UTC, with every string from the catalogue and times on the centre's clock", async () => {
    staffZh = await open(centre.kioskWeb.urls.staff ?? '', 'zh-CN', 'UTC');
    await signIn(staffZh, 'sam', true);
    await staffZh.locator('tr[data-subject="p-0001"][data-state="expected"]').waitFor();
    expect(await staffZh.locator('html').getAttribute('lang')).toBe('zh-CN');
    expect(await staffZh.locator('tr[data-subject="p-0001"]').textContent()).toContain('待报到');
    expect(await staffZh.locator('.roster-table caption').textContent()).toContain('中国标准时间（UTC+08:00）');

    // A check-in at 08:30 in Zhongshan reads 08:30 here, though this browser's clock says 00:30.
    await append('08:30', 'checkin', checkin('p-0001'));
    const row = staffZh.locator('tr[data-subject="p-0001"][data-state="checked-in"]');
    await row.waitFor();
    expect(await row.textContent()).toContain('08:30');
    expect(await row.textContent()).toContain('已报到');
    expect(await untranslated(staffZh)).toEqual([]);
    expect(await seriousViolations(staffZh)).toEqual([]);
    await screenshot(staffZh, 'staff-zh');
  });

  it('one face mismatch is one review item with no decision chosen; a live update leaves a half-typed reason and its focus alone', async () => {
    for (const n of [1, 2, 3]) await append(`08:4${n}`, 'checkin-attempt', mismatch('p-0002', n));
    await staffZh.locator('tr[data-subject="p-0002"][data-state="review"]').waitFor();
    await staffZh.getByRole('button', { name: 'p-0002 的记录' }).click();
    const items = staffZh.locator('.reviews > li');
    await items.first().waitFor();
    expect(await items.count()).toBe(1);
    expect(await items.first().locator('.parts').textContent()).toMatch(/疑似冒名顶替.*多次核验失败/);
    const radios = items.first().locator('input[type="radio"]');
    expect(await radios.count()).toBe(2);
    for (const radio of await radios.all()) expect(await radio.isChecked()).toBe(false);

    // Identity aids: the name and enrolment photo, on request, each view an access entry naming the staff member.
    await staffZh.getByRole('button', { name: '显示姓名和登记照片' }).click();
    await staffZh.locator('.person .person-name', { hasText: '张伟' }).waitFor();
    expect(await staffZh.getByRole('img', { name: '登记照片' }).isVisible()).toBe(true);
    const access = readLogRecords(centre.node.writer.store).records.filter((r) => r.type === 'access');
    expect(access.map((r) => [r.payload.subject, r.payload.by, r.payload.fields])).toEqual([
      ['p-0002', 'sam', ['name', 'photo']],
    ]);

    const reason = items.first().getByLabel('理由');
    await reason.click();
    await staffZh.keyboard.type('核实中');
    // Live updates: another person checks in, and the window closes (the incident gains a part).
    await append('09:10', 'checkin', { ...checkin('p-0001'), attempt: 'att-p-0001-again' });
    centre.now = localTime('10:30');
    centre.staff.changed();
    await waitFor(
      async () => ((await items.first().locator('.parts').textContent()) ?? '').includes('身份核验未通过'),
      "the incident to gain the closed window's part",
    );
    expect(await items.count()).toBe(1);
    expect(await reason.inputValue()).toBe('核实中');
    expect(await reason.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await untranslated(staffZh)).toEqual([]);
    await screenshot(staffZh, 'staff-zh-review');

    // One decision, a two-character Chinese reason, recorded for every part.
    await reason.fill('病假');
    await items.first().getByLabel('排除：不构成违规').check();
    await items.first().getByRole('button', { name: '记录决定' }).click();
    await staffZh.getByText('已记录对 p-0002 的复核决定').waitFor();
    await staffZh.locator('.reviews > li[data-status="cleared"]').waitFor();
    expect(await staffZh.locator('tr[data-subject="p-0002"]').getAttribute('data-state')).not.toBe('review');
    const reviews = readLogRecords(centre.node.writer.store)
      .records.filter((r) => r.type === 'review')
      .map((r) => parseReview(r.payload));
    expect(reviews.map((r) => r.item).sort()).toEqual([
      'repeated-failed-verification/p-0002/2026-06-01',
      'suspected-impersonation/p-0002/2026-06-01',
      'verification-failed/p-0002/2026-06-01',
    ]);
    // The words are no code: the log says `other` and holds only their commitment (the words are in the personal-data store).
    expect(
      new Set(
        reviews.map(
          (r) => `${r.decision}|${r.reason}|${r.staff}|${/^[0-9a-f]{64}$/.test(r.note ?? '') ? 'note' : 'no note'}`,
        ),
      ),
    ).toEqual(new Set(['cleared|other|sam|note']));
  });

  it('a breach is contested, then the contest dismissed, each with a reason, on the log', async () => {
    await staffZh.getByRole('button', { name: 'p-0003 的记录' }).click();
    const breach = staffZh.locator('.breaches > li[data-finding^="missed-checkin/p-0003/"]');
    await breach.waitFor();
    expect(await breach.getAttribute('data-status')).toBe('open');
    await breach.getByLabel('理由').fill('本人住院，有证明');
    await breach.getByRole('button', { name: '提出申诉' }).click();
    await staffZh.locator('.breaches > li[data-status="contested"]').waitFor();
    await breach.getByLabel('申诉成立：撤销违规').check();
    await breach.getByLabel('理由').fill('医院证明属实');
    await breach.getByRole('button', { name: '处理申诉' }).click();
    await staffZh.locator('.breaches > li[data-status="dismissed"]').waitFor();
    expect(await breach.locator('.status').textContent()).toBe('申诉成立（撤销）');
    expect(await untranslated(staffZh)).toEqual([]);
  });

  it("device health of the centre's other kiosk is live: a replugged camera shows as working without a reload", async () => {
    await append('10:20', 'device-health', {
      centre: CENTRE,
      kiosk: PEER,
      device: 'camera',
      state: 'disconnected',
      since: localTime('10:20'),
    });
    const camera = staffZh.locator(`table[data-kiosk="${PEER}"] tr[data-device="camera"]`);
    await staffZh.locator(`table[data-kiosk="${PEER}"] tr[data-device="camera"][data-state="disconnected"]`).waitFor();
    expect(await camera.textContent()).toContain('已断开');
    await append('10:25', 'device-health', {
      centre: CENTRE,
      kiosk: PEER,
      device: 'camera',
      state: 'ok',
      since: localTime('10:25'),
    });
    await staffZh.locator(`table[data-kiosk="${PEER}"] tr[data-device="camera"][data-state="ok"]`).waitFor();
    expect(await camera.textContent()).toContain('正常');
  });

  it('a server error and a slow server say so in Chinese, and the last figures stay marked stale', async () => {
    await staffZh.route('**/api/call', (route) =>
      route.fulfill({ status: 500, contentType: 'text/plain', body: 'boom' }),
    );
    await staffZh.getByRole('button', { name: '刷新' }).click();
    const status = staffZh.locator('.status-line[data-state="stale"]');
    await status.waitFor();
    expect(await status.textContent()).toContain('服务器无法响应');
    expect(await status.textContent()).not.toContain('Unexpected token');
    expect(await staffZh.locator('tr[data-subject="p-0001"]').count()).toBe(1);
    await staffZh.unroute('**/api/call');

    // A slow first answer: the page says it is loading, in the person's language, until the roster comes.
    let release = (): void => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const slow = await open(centre.kioskWeb.urls.staff ?? '', 'zh-CN', 'UTC');
    await slow.route('**/api/call', async (route) => {
      await gate;
      await route.continue();
    });
    await signIn(slow, 'sam', true);
    await slow.locator('.status-line[data-state="loading"]', { hasText: '正在加载' }).waitFor();
    release();
    await slow.locator('tr[data-subject="p-0001"]').waitFor();
  });

  it("in an English browser in the centre's zone: Chinese first, English on request; leave approved ahead of time; CSV with a BOM and local times with offset", async () => {
    const page = await open(centre.kioskWeb.urls.staff ?? '', 'en-US', ZONE);
    await signIn(page, 'sam', false);
    await page.getByRole('button', { name: 'English' }).click();
    await page.locator('tr[data-subject="p-0001"]').waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    expect(await page.getByRole('heading', { name: /Today at centre-01/ }).isVisible()).toBe(true);
    // The check on Chinese pages has teeth: on this English page it finds what it would flag.
    expect((await untranslated(page)).join('\n')).toContain('Attendance');

    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: /Export CSV/ }).click();
    const csv = readFileSync(await (await download).path(), 'utf8');
    expect(csv.startsWith('\uFEFF')).toBe(true);
    expect(csv).toContain(
      `${CENTRE},2026-06-01,${ZONE},p-0001,checked-in,08:00-10:00,2026-06-01T08:30:00+08:00,${KIOSK},`,
    );

    // Leave (请假) approved ahead of time: tomorrow p-0001 is excused before the window even opens.
    await page.getByRole('button', { name: 'History of p-0001' }).click();
    await page.getByLabel('Kind', { exact: true }).selectOption('leave');
    await page.getByLabel('From', { exact: true }).fill('2026-06-02');
    await page.getByLabel('To', { exact: true }).fill('2026-06-03');
    await page.locator('.excuse').getByLabel('Reason').fill('family funeral in Guangzhou');
    await page.getByRole('button', { name: /Record excuse/ }).click();
    await page.getByText('Excuse for p-0001 recorded').waitFor();
    centre.now = localTime('07:00') + 86_400_000;
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.locator('tr[data-subject="p-0001"][data-state="excused"]').waitFor();
    expect(await page.locator('tr[data-subject="p-0002"]').getAttribute('data-state')).toBe('expected');
    await screenshot(page, 'staff-en-excused-ahead');
    centre.now = localTime('10:30');
  });

  it('people and plans: a new person with a plan (window, days, grace, tasks, questionnaire flags), the plan changed, supervision ended, each signed naming the staff member', async () => {
    const page = await open(centre.kioskWeb.urls.staff ?? '', 'en-GB', ZONE, async (context) => {
      await context.addInitScript(() => {
        localStorage.setItem('muster.language', 'en');
      });
    });
    await signIn(page, 'sam', false);
    await page.getByRole('button', { name: 'New person' }).click();
    const form = page.locator('form.plan');
    await form.getByLabel('Person id').fill('p-0009');
    await form.getByLabel('First day').fill('2026-06-01');
    await form.getByLabel('Window opens').fill('11:00');
    await form.getByLabel('Window closes').fill('12:00');
    await form.getByLabel('Grace (minutes)', { exact: true }).fill('10');
    await form.getByRole('button', { name: 'Add a task' }).click();
    await form.getByLabel('Task kind').selectOption('questionnaire');
    await form.getByLabel('Questionnaire id').fill('mood-1');
    await form.getByLabel(/Answers to review/).fill('q1=yes,often; q2=no');
    await form.getByLabel('Reason').fill('court order 2026-201');
    await form.getByRole('button', { name: 'Save plan' }).click();
    await page.getByText('Plan for p-0009 saved').waitFor();
    const row = page.locator('tr[data-subject="p-0009"][data-state="expected"]');
    await row.waitFor();
    expect(await row.textContent()).toContain('11:00-12:00');

    // Changed: the window closes half an hour later (the form opened with the plan in force).
    await page.getByRole('heading', { name: /p-0009/ }).waitFor();
    const change = page.locator('.person form.plan');
    expect(await change.getByLabel('Window opens').inputValue()).toBe('11:00');
    expect(await change.getByLabel(/Answers to review/).inputValue()).toBe('q1=yes,often; q2=no');
    await change.getByLabel('Window closes').fill('12:30');
    await change.getByLabel('Reason').fill('bus timetable changed');
    await change.getByRole('button', { name: 'Save plan' }).click();
    await page.locator('tr[data-subject="p-0009"]', { hasText: '11:00-12:30' }).waitFor();

    const end = page.locator('form.end-supervision');
    await end.getByLabel('Last supervised day').fill('2026-06-30');
    await end.getByLabel('Reason').fill('sentence served');
    await end.getByRole('button', { name: 'End supervision' }).click();
    await page.getByText('Supervision of p-0009 ends after 2026-06-30').waitFor();
    const plans = readLogRecords(centre.node.writer.store)
      .records.filter((r) => r.type === 'plan' && r.payload.subject === 'p-0009')
      .map((r) => parsePlan(r.payload));
    expect(
      plans.map((p) => [formatClock(p.close), p.end === null ? null : formatDay(p.end), p.staff, p.zone, p.centres]),
    ).toEqual([
      ['12:00', null, 'sam', ZONE, [CENTRE]],
      ['12:30', null, 'sam', ZONE, [CENTRE]],
      ['12:30', '2026-06-30', 'sam', ZONE, [CENTRE]],
    ]);
    expect(plans[0]?.tasks).toEqual([
      {
        id: expect.any(String) as string,
        kind: 'questionnaire',
        questionnaire: 'mood-1',
        flags: { q1: ['yes', 'often'], q2: ['no'] },
        days: 'reporting',
      },
    ]);
    expect(plans[0]?.graceMinutes).toBe(10);
  }, 90_000);

  it("activity, not the screen's own refreshes, keeps the session alive", async () => {
    const page = await open(centre.kioskWeb.urls.staff ?? '', 'en-US', 'UTC', async (context) => {
      await context.addInitScript(() => {
        localStorage.setItem('muster.language', 'en');
      });
      await context.clock.install();
    });
    const activeCalls = new Set<Request>();
    page.on('request', (request) => {
      if (request.url().endsWith('/api/call') && request.headers()[ACTIVITY_HEADER] === 'active')
        activeCalls.add(request);
    });
    const finished = (request: Request): void => {
      activeCalls.delete(request);
    };
    page.on('requestfinished', finished);
    page.on('requestfailed', finished);
    await signIn(page, 'sam', false);
    await page.getByRole('button', { name: 'History of p-0002' }).click();
    const reason = page.locator('.excuse').getByLabel('Reason');
    await reason.fill('still typing');
    const minute = 60_000;
    // 14 minutes pass on the sessions' clock; the person typed just now, so the next refresh keeps them signed in.
    centre.sessionSkewMs += 14 * minute;
    await page.clock.runFor(30_000);
    await page.locator('.status-line[data-state="ok"]').waitFor();
    // Then nobody touches the screen for over a minute: its own refreshes from now on keep nothing alive.
    await page.clock.runFor(60_000);
    // Calls made while the person was still active must have reached the server before the clock moves on.
    await page.clock.runFor(5_000);
    await waitFor(() => Promise.resolve(activeCalls.size === 0), 'the last calls made while active to finish');
    // 28 minutes since sign-in, 14 since the last active call: still signed in, and what was typed is still there.
    centre.sessionSkewMs += 14 * minute;
    await page.clock.runFor(30_000);
    expect(await page.getByLabel('User name').count()).toBe(0);
    expect(await reason.inputValue()).toBe('still typing');
    // Two more minutes: 16 since the person last did anything, and out they go.
    centre.sessionSkewMs += 2 * minute;
    await page.clock.runFor(30_000);
    await page.getByLabel('User name').waitFor();
    centre.sessionSkewMs = 0;
  }, 90_000);

  it("HQ in Chinese on a UTC browser: each centre in its zone, the table's breach count and the feed agree", async () => {
    const size = centre.node.writer.store.head(KIOSK).size;
    await waitFor(async () => (await centre.hq.store.size(KIOSK)) === size, 'HQ to hold the kiosk log');
    const page = await open(centre.hqWeb.urls.hq ?? '', 'zh-CN', 'UTC');
    await signIn(page, 'olga', true);
    const row = page.locator(`tr[data-centre="${CENTRE}"][data-zone="${ZONE}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain('中国标准时间（UTC+08:00）');
    const count = Number((await row.locator('[data-count="breaches"]').textContent())?.replace(/\D/g, ''));
    await page
      .locator('#feed-title')
      .filter({ hasText: `(${count})` })
      .waitFor();
    await page.locator('.feed > li').first().waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
    // Charts: compliance per centre per day agrees with the table's figure for today; breaches by rule; kiosks.
    const compliance = page.locator('figure[data-chart="各中心每日合规率"]');
    await compliance.locator('canvas').first().waitFor();
    const todayRow = compliance.locator('tbody tr', { hasText: '2026-06-01' });
    expect(await todayRow.locator('td').last().textContent()).toBe(
      await row.locator('[data-count="compliance"]').textContent(),
    );
    await page.locator('figure[data-chart="按规则和日期统计的违规"] canvas').first().waitFor();
    const kiosk = page.locator('figure[data-chart="自助机：误拒率与可用率"] tbody tr', { hasText: KIOSK });
    // p-0002's three face mismatches, none followed by a check-in: verifications, not false rejects.
    expect(await kiosk.locator('td').nth(1).textContent()).toBe('3');
    expect(await kiosk.locator('td').nth(2).textContent()).toBe('0');
    // A person's calendar of check-ins and breaches.
    await page.getByLabel('人员时间线').fill('p-0001');
    await page.getByRole('search').getByRole('button', { name: '查看' }).click();
    const calendar = page.locator('figure[data-chart="逐日报到与违规"]');
    await calendar.locator('canvas').first().waitFor();
    expect(await calendar.locator('tbody tr', { hasText: '2026-06-01' }).textContent()).toBe('2026-06-01已报到✅0');
    expect(await untranslated(page)).toEqual([]);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'hq-zh');
  }, 90_000);
});
