// The staff screen and the HQ dashboard as a centre in China runs them, in Chromium, every point in the four seats
// of the language × zone matrix (zh-CN and English browsers, each on an Asia/Shanghai and a UTC clock; see
// support/matrix.ts): Chinese by default for a centre in China, English on request; no string outside the
// catalogues; every time in the centre's zone, labelled, whatever the browser's; live updates that leave a
// half-typed reason and its focus alone; one incident, one review item, no decision preselected, a two-character
// Chinese reason; identity aids (each view logged); contests lodged, upheld and dismissed; leave and travel
// approved ahead of time; a CSV with a BOM and local times with their offset; a new person's plan set, changed and
// ended; device health of another kiosk, live; loading, stale and error states in the person's language;
// activity, not the screen's own refreshes, keeping a session alive; HQ's centre table, feed, charts and a
// person's calendar agreeing, and HQ's face reviews saying where the faces can be compared.
import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAccessRecord } from '../../core/access/access-records.ts';
import { ACTIVITY_HEADER } from '../../core/api/session-api.ts';
import type { Payload } from '../../core/entry.ts';
import { parsePlan } from '../../core/records/plan.ts';
import { parseContest, parseExcuse, parseReview } from '../../core/records/staff-decisions.ts';
import { formatClock, formatDay } from '../../core/time/civil-day.ts';
import { readLogRecords } from '../../main/kiosk/log-records.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { CENTRE, KIOSK, PASSWORD, PEOPLE, type Centre, ZONE, localTime, startCentre } from './support/centre.ts';
import { launchBrowser, screenshot, seriousViolations } from './support/browser.ts';
import { type OpenOptions, SEATS, type Seat, closePages, openAt, say, seatLanguage, signIn } from './support/matrix.ts';
import { untranslated } from './support/untranslated.ts';

const PEER = `${CENTRE}/kiosk-2`;
/** One person per seat for each thing a seat does itself. */
const perSeat = (base: number): string[] => SEATS.map((_, i) => `p-00${base + i + 1}`);
const REVIEWED = perSeat(20);
const CONTESTED = perSeat(30);
const ON_LEAVE = perSeat(40);
const NEWCOMERS = perSeat(50);
const NAMES = ['张伟', '李娜', '王芳', '刘洋'];
/** Two seats dismiss their contest, two uphold it. */
const OUTCOMES = ['dismissed', 'upheld', 'dismissed', 'upheld'] as const;
/** Two seats approve leave (请假), two travel (外出). */
const KINDS = ['leave', 'travel', 'leave', 'travel'] as const;

describe('staff and HQ screens for a centre in China, in each language and browser zone', () => {
  let centre: Centre;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    [centre, browser] = await Promise.all([
      startCentre({
        people: [...PEOPLE, ...REVIEWED, ...CONTESTED, ...ON_LEAVE],
        names: { 'p-0002': '陈静', ...Object.fromEntries(REVIEWED.map((p, i) => [p, NAMES[i] ?? ''])) },
      }),
      launchBrowser(),
    ]);
  }, 60_000);
  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser.close();
    await centre.close();
  }, 60_000);

  const open = (seat: Seat, url: string, options?: OpenOptions): Promise<Page> =>
    openAt(browser, contexts, seat, url, options);

  /** The staff screen, signed in as sam, in the seat's language (chosen before, in this browser). */
  async function staffScreen(seat: Seat, options: OpenOptions = {}): Promise<Page> {
    const page = await open(seat, centre.kioskWeb.urls.staff ?? '', { ...options, languageChosen: true });
    await signIn(page, seat, 'sam', PASSWORD);
    return page;
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

  const records = () => readLogRecords(centre.node.writer.store).records;
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
  const history = (page: Page, seat: Seat, subject: string): Promise<void> =>
    page.getByRole('button', { name: say(seat, `${subject} 的记录`, `History of ${subject}`) }).click();
  const refresh = (page: Page, seat: Seat): Promise<void> =>
    page.getByRole('button', { name: say(seat, '刷新', 'Refresh') }).click();
  /** The page's catalogue check: clean in Chinese; in English it finds the English words (it has teeth). */
  async function checkWords(page: Page, seat: Seat): Promise<void> {
    if (seat.zh) expect(await untranslated(page), seat.name).toEqual([]);
    else expect((await untranslated(page)).join('\n'), seat.name).toMatch(/Attendance|HQ/);
  }

  /** The seats' staff screens, kept open through the tests that follow one another on the same day. */
  const staffPages: Page[] = [];

  it("opens in Chinese in every browser, English on request, every string from the catalogue, times on the centre's clock", async () => {
    for (const seat of SEATS) {
      const page = await open(seat, centre.kioskWeb.urls.staff ?? '');
      await signIn(page, seat, 'sam', PASSWORD);
      await page.locator('tr[data-subject="p-0001"][data-state="expected"]').waitFor();
      // A centre in China: Chinese first, whatever the browser's language.
      expect(await page.locator('html').getAttribute('lang'), seat.name).toBe('zh-CN');
      expect(await page.locator('tr[data-subject="p-0001"]').textContent()).toContain('待报到');
      await seatLanguage(page, seat);
      await page.locator('tr[data-subject="p-0001"]').waitFor();
      expect(await page.locator('html').getAttribute('lang'), seat.name).toBe(seat.zh ? 'zh-CN' : 'en');
      expect(await page.locator('.roster-table caption').textContent()).toContain(
        say(seat, '中国标准时间（UTC+08:00）', 'China Standard Time (UTC+08:00)'),
      );
      staffPages.push(page);
    }

    // A check-in at 08:30 in Zhongshan reads 08:30 on every seat, though a UTC browser's clock says 00:30.
    await append('08:30', 'checkin', checkin('p-0001'));
    for (const [i, seat] of SEATS.entries()) {
      const page = staffPages[i] as Page;
      const row = page.locator('tr[data-subject="p-0001"][data-state="checked-in"]');
      await row.waitFor();
      expect(await row.textContent(), seat.name).toContain('08:30');
      expect(await row.textContent(), seat.name).toContain(say(seat, '已报到', 'Checked in'));
      expect(await page.getByRole('heading', { name: say(seat, /centre-01 今日/, /Today at centre-01/) }).count()).toBe(
        1,
      );
      await checkWords(page, seat);
      expect(await seriousViolations(page), seat.name).toEqual([]);
      await screenshot(page, `staff-${seat.name.replace('/', '-')}`);

      // The printed daily report: its header in the page's language, the centre's zone named, printed on the
      // centre's clock; no controls; the Chinese print holds no English.
      await page.emulateMedia({ media: 'print' });
      const head = page.locator('.print-only');
      expect(await head.isVisible(), seat.name).toBe(true);
      const text = (await head.textContent()) ?? '';
      expect(text, seat.name).toContain(
        say(
          seat,
          '每日报到报告：centre-01，2026-06-01。时间按 中国标准时间（UTC+08:00）。由 sam 于 ',
          'Daily attendance report: centre-01, 2026-06-01. Times in China Standard Time (UTC+08:00). Printed ',
        ),
      );
      expect(text, seat.name).toMatch(/2026.*UTC\+08:00/);
      expect(await page.getByRole('button', { name: say(seat, /导出 CSV/, /Export CSV/) }).isVisible()).toBe(false);
      await checkWords(page, seat);
      if (i === 0 || i === 2) await screenshot(page, `staff-daily-report-${seat.name.replace('/', '-')}`);
      await page.emulateMedia({ media: 'screen' });
    }
  }, 120_000);

  it('one face mismatch is one review item with no decision chosen, the name and photo on request (logged), and a live update leaves a half-typed reason and its focus alone', async () => {
    for (const subject of REVIEWED)
      for (const n of [1, 2, 3]) await append(`08:4${n}`, 'checkin-attempt', mismatch(subject, n));
    const accessEntries = () =>
      records()
        .filter((r) => r.type === 'access')
        .map((r) => parseAccessRecord(r.payload));
    const accessBefore = accessEntries().length;
    const reasons: ReturnType<Page['locator']>[] = [];
    for (const [i, seat] of SEATS.entries()) {
      const page = staffPages[i] as Page;
      const subject = REVIEWED[i] as string;
      await page.locator(`tr[data-subject="${subject}"][data-state="review"]`).waitFor();
      await history(page, seat, subject);
      const items = page.locator('.reviews > li');
      await items.first().waitFor();
      expect(await items.count(), seat.name).toBe(1);
      expect(await items.first().locator('.parts').textContent()).toMatch(
        seat.zh ? /疑似冒名顶替.*多次核验失败/ : /Suspected impersonation.*Repeated failed verification/,
      );
      const radios = items.first().locator('input[type="radio"]');
      expect(await radios.count()).toBe(2);
      for (const radio of await radios.all()) expect(await radio.isChecked(), seat.name).toBe(false);

      // Identity aids: the name and enrolment photo, on request, each view an access entry naming the staff member.
      await page
        .getByRole('button', { name: say(seat, '显示姓名和登记照片', 'Show name and enrolment photo') })
        .click();
      await page.locator('.person .person-name', { hasText: NAMES[i] ?? '' }).waitFor();
      expect(await page.getByRole('img', { name: say(seat, '登记照片', 'Enrolment photo') }).isVisible()).toBe(true);

      const reason = items.first().getByLabel(say(seat, '理由', 'Reason'));
      await reason.click();
      await page.keyboard.type(say(seat, '核实中', 'checking'));
      reasons.push(reason);
    }
    expect(
      accessEntries()
        .slice(accessBefore)
        .map((a) => [a.subject, a.by, a.fields]),
    ).toEqual(REVIEWED.map((subject) => [subject, 'sam', ['name', 'photo']]));

    // Live updates: another person checks in, and the window closes (each incident gains a part).
    await append('09:10', 'checkin', { ...checkin('p-0001'), attempt: 'att-p-0001-again' });
    centre.now = localTime('10:30');
    centre.staff.changed();
    for (const [i, seat] of SEATS.entries()) {
      const page = staffPages[i] as Page;
      const item = page.locator('.reviews > li');
      await waitFor(
        async () =>
          ((await item.first().locator('.parts').textContent()) ?? '').includes(
            say(seat, '身份核验未通过', 'Identity not verified'),
          ),
        `${seat.name}: the incident to gain the closed window's part`,
      );
      expect(await item.count()).toBe(1);
      const reason = reasons[i] as ReturnType<Page['locator']>;
      expect(await reason.inputValue(), seat.name).toBe(say(seat, '核实中', 'checking'));
      expect(await reason.evaluate((el) => el === document.activeElement), seat.name).toBe(true);
      await checkWords(page, seat);
    }

    // One decision per incident, recorded for every part; a two-character Chinese reason is enough.
    for (const [i, seat] of SEATS.entries()) {
      const page = staffPages[i] as Page;
      const subject = REVIEWED[i] as string;
      const item = page.locator('.reviews > li').first();
      await (reasons[i] as ReturnType<Page['locator']>).fill(say(seat, '病假', 'ok'));
      await item.getByLabel(say(seat, '排除：不构成违规', 'Cleared: not a breach')).check();
      await item.getByRole('button', { name: say(seat, '记录决定', 'Record decision') }).click();
      await page.getByText(say(seat, `已记录对 ${subject} 的复核决定`, `Review of ${subject} recorded`)).waitFor();
      await page.locator('.reviews > li[data-status="cleared"]').waitFor();
      await waitFor(
        async () => (await page.locator(`tr[data-subject="${subject}"]`).getAttribute('data-state')) !== 'review',
        `${seat.name}: ${subject} no longer under review`,
      );
      if (i === 0) await screenshot(page, 'staff-zh-review');
    }
    const reviews = records()
      .filter((r) => r.type === 'review')
      .map((r) => parseReview(r.payload));
    for (const subject of REVIEWED)
      expect(
        reviews
          .filter((r) => r.subject === subject)
          .map((r) => r.item)
          .sort(),
      ).toEqual([
        `repeated-failed-verification/${subject}/2026-06-01`,
        `suspected-impersonation/${subject}/2026-06-01`,
        `verification-failed/${subject}/2026-06-01`,
      ]);
    // The words are no code: the log says `other` and holds only their commitment (the words are in the personal-data store).
    expect(
      new Set(
        reviews.map(
          (r) => `${r.decision}|${r.reason}|${r.staff}|${/^[0-9a-f]{64}$/.test(r.note ?? '') ? 'note' : 'no note'}`,
        ),
      ),
    ).toEqual(new Set(['cleared|other|sam|note']));
  }, 120_000);

  it("the camera-down request names the person; staff see the name and photo beside the id, in the centre's time", async () => {
    const accessBefore = records().filter((r) => r.type === 'access').length;
    const answer = centre.confirmations.confirm('p-0002');
    for (const [i, seat] of SEATS.entries()) {
      const page = staffPages[i] as Page;
      const banner = page.locator('.banner.confirm[data-confirm="p-0002"]');
      await banner.waitFor();
      // Asked at 10:30 in Zhongshan.
      expect(await banner.textContent(), seat.name).toContain(say(seat, '自 10:30 起等待', 'waiting since 10:30'));
      await banner
        .getByRole('button', { name: say(seat, '显示姓名和登记照片', 'Show name and enrolment photo') })
        .click();
      await banner.locator('.person-name', { hasText: '陈静' }).waitFor();
      expect(await banner.getByRole('img', { name: say(seat, '登记照片', 'Enrolment photo') }).isVisible()).toBe(true);
      await checkWords(page, seat);
    }
    expect(records().filter((r) => r.type === 'access').length).toBe(accessBefore + SEATS.length);
    // The first answer wins, named; the request leaves every screen.
    const last = SEATS.length - 1;
    await (staffPages[last] as Page).getByRole('button', { name: 'Not this person' }).click();
    expect(await answer).toEqual({ kind: 'refused', staff: 'sam' });
    for (const page of staffPages) await page.locator('.banner.confirm').waitFor({ state: 'detached' });
  }, 60_000);

  it('a breach is contested, then the contest upheld or dismissed, each with a reason, on the log', async () => {
    for (const [i, seat] of SEATS.entries()) {
      const page = staffPages[i] as Page;
      const subject = CONTESTED[i] as string;
      const outcome = OUTCOMES[i] as (typeof OUTCOMES)[number];
      await history(page, seat, subject);
      const breach = page.locator(`.breaches > li[data-finding^="missed-checkin/${subject}/"]`);
      await breach.waitFor();
      expect(await breach.getAttribute('data-status')).toBe('open');
      await breach
        .getByLabel(say(seat, '理由', 'Reason'))
        .fill(say(seat, '本人住院，有证明', 'in hospital, with a note'));
      await breach.getByRole('button', { name: say(seat, '提出申诉', 'Lodge a contest') }).click();
      await page.locator('.breaches > li[data-status="contested"]').waitFor();
      await breach
        .getByLabel(
          outcome === 'dismissed'
            ? say(seat, '申诉成立：撤销违规', 'Dismiss: withdraw the breach')
            : say(seat, '驳回申诉：维持违规', 'Uphold: the breach stands'),
        )
        .check();
      await breach.getByLabel(say(seat, '理由', 'Reason')).fill(say(seat, '证明属实', 'the note is genuine'));
      await breach.getByRole('button', { name: say(seat, '处理申诉', 'Resolve the contest') }).click();
      await page.locator(`.breaches > li[data-status="${outcome}"]`).waitFor();
      expect(await breach.locator('.status').textContent(), seat.name).toBe(
        outcome === 'dismissed' ? say(seat, '申诉成立（撤销）', 'dismissed') : say(seat, '申诉驳回（维持）', 'upheld'),
      );
      await checkWords(page, seat);
    }
    const contests = records()
      .filter((r) => r.type === 'contest')
      .map((r) => parseContest(r.payload));
    for (const [i, subject] of CONTESTED.entries())
      expect(contests.filter((c) => c.subject === subject).map((c) => [c.action, c.outcome, c.staff])).toEqual([
        ['open', undefined, 'sam'],
        ['resolve', OUTCOMES[i], 'sam'],
      ]);
  }, 120_000);

  it("device health of the centre's other kiosk is live: a replugged camera shows as working without a reload", async () => {
    await append('10:20', 'device-health', {
      centre: CENTRE,
      kiosk: PEER,
      device: 'camera',
      state: 'disconnected',
      since: localTime('10:20'),
    });
    const camera = (page: Page, state: string) =>
      page.locator(`table[data-kiosk="${PEER}"] tr[data-device="camera"][data-state="${state}"]`);
    for (const [i, seat] of SEATS.entries()) {
      const page = staffPages[i] as Page;
      await camera(page, 'disconnected').waitFor();
      expect(await camera(page, 'disconnected').textContent(), seat.name).toContain(
        say(seat, '已断开', 'disconnected'),
      );
      // Since 10:20 at the centre.
      expect(await camera(page, 'disconnected').textContent(), seat.name).toContain('10:20');
    }
    await append('10:25', 'device-health', {
      centre: CENTRE,
      kiosk: PEER,
      device: 'camera',
      state: 'ok',
      since: localTime('10:25'),
    });
    for (const [i, seat] of SEATS.entries()) {
      const page = staffPages[i] as Page;
      await camera(page, 'ok').waitFor();
      expect(await camera(page, 'ok').textContent(), seat.name).toContain(say(seat, '正常', 'working'));
    }
  }, 60_000);

  it("a server error and a slow server say so in the person's language, and the last figures stay marked stale", async () => {
    for (const [i, seat] of SEATS.entries()) {
      const page = staffPages[i] as Page;
      await page.route('**/api/call', (route) =>
        route.fulfill({ status: 500, contentType: 'text/plain', body: 'boom' }),
      );
      await refresh(page, seat);
      const status = page.locator('.status-line[data-state="stale"]');
      await status.waitFor();
      expect(await status.textContent(), seat.name).toContain(
        say(seat, '服务器无法响应', 'The server could not answer'),
      );
      expect(await status.textContent()).not.toContain('Unexpected token');
      expect(await page.locator('tr[data-subject="p-0001"]').count()).toBe(1);
      await page.unroute('**/api/call');
      await refresh(page, seat);
      await page.locator('.status-line[data-state="ok"]').waitFor();
    }

    // A slow first answer: the page says it is loading, in the person's language, until the roster comes.
    for (const seat of SEATS) {
      let release = (): void => undefined;
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      const slow = await open(seat, centre.kioskWeb.urls.staff ?? '', { languageChosen: true });
      await slow.route('**/api/call', async (route) => {
        await gate;
        await route.continue();
      });
      await signIn(slow, seat, 'sam', PASSWORD);
      await slow.locator('.status-line[data-state="loading"]', { hasText: say(seat, '正在加载', 'Loading') }).waitFor();
      release();
      await slow.locator('tr[data-subject="p-0001"]').waitFor();
      await slow.context().close();
    }
  }, 120_000);

  it('a CSV with a BOM and local times with their offset; leave and travel (请假/外出) approved ahead of time', async () => {
    for (const [i, seat] of SEATS.entries()) {
      const page = staffPages[i] as Page;
      const download = page.waitForEvent('download');
      await page.getByRole('button', { name: say(seat, /导出 CSV/, /Export CSV/) }).click();
      const csv = readFileSync(await (await download).path(), 'utf8');
      expect(csv.startsWith('\uFEFF'), seat.name).toBe(true);
      const [header] = csv.slice(1).split('\r\n');
      expect(header, seat.name).toBe(
        say(
          seat,
          '中心,日期,时区,人员编号,状态,报到时段,报到时间,自助机,违规,待复核',
          'centre,day,zone,subject,state,window,checked_in_at,kiosk,breaches,reviews',
        ),
      );
      // The same rows whatever the browser: the centre's day, its zone named, the check-in with its offset.
      expect(csv, seat.name).toContain(
        `\r\n${CENTRE},2026-06-01,${ZONE},p-0001,checked-in,08:00-10:00,2026-06-01T08:30:00+08:00,${KIOSK},`,
      );
    }

    // Tomorrow and the day after, approved today: each seat approves one person's leave or travel.
    for (const [i, seat] of SEATS.entries()) {
      const page = staffPages[i] as Page;
      const subject = ON_LEAVE[i] as string;
      await history(page, seat, subject);
      await page.getByRole('heading', { name: new RegExp(subject) }).waitFor();
      const form = page.locator('.excuse');
      await form.getByLabel(say(seat, '类型', 'Kind'), { exact: true }).selectOption(KINDS[i] ?? 'leave');
      await form.getByLabel(say(seat, '开始日期', 'From'), { exact: true }).fill('2026-06-02');
      await form.getByLabel(say(seat, '结束日期', 'To'), { exact: true }).fill('2026-06-03');
      await form.getByLabel(say(seat, '理由', 'Reason')).fill(say(seat, '回广州奔丧', 'family funeral in Guangzhou'));
      await page.getByRole('button', { name: say(seat, /记录准假/, /Record excuse/) }).click();
      await page.getByText(say(seat, `已记录 ${subject} 的准假`, `Excuse for ${subject} recorded`)).waitFor();
    }
    const excuses = records()
      .filter((r) => r.type === 'excuse')
      .map((r) => parseExcuse(r.payload));
    expect(
      ON_LEAVE.map((subject) => {
        const e = excuses.find((x) => x.subject === subject);
        return [e?.reason, e && formatDay(e.from), e && formatDay(e.to), e?.staff];
      }),
    ).toEqual(KINDS.map((kind) => [kind, '2026-06-02', '2026-06-03', 'sam']));

    // The next morning, before the window opens: excused, while the others are expected.
    centre.now = localTime('07:00') + 86_400_000;
    for (const [i, seat] of SEATS.entries()) {
      const page = staffPages[i] as Page;
      await refresh(page, seat);
      await page.locator(`tr[data-subject="${ON_LEAVE[i] ?? ''}"][data-state="excused"]`).waitFor();
      expect(await page.locator('tr[data-subject="p-0002"]').getAttribute('data-state')).toBe('expected');
      if (i === SEATS.length - 1) await screenshot(page, 'staff-en-excused-ahead');
    }
    centre.now = localTime('10:30');
    await closePages(staffPages);
  }, 120_000);

  it('people and plans: a new person with a plan (window, days, grace, tasks, questionnaire flags), the plan changed, supervision ended, each signed naming the staff member', async () => {
    // Signed in one after another (the throttle keeps one attempt per account in flight), then at work at once.
    const pages: Page[] = [];
    for (const seat of SEATS) pages.push(await staffScreen(seat));
    await Promise.all(
      SEATS.map(async (seat, i) => {
        const subject = NEWCOMERS[i] as string;
        const page = pages[i] as Page;
        await page.getByRole('button', { name: say(seat, '新增人员', 'New person') }).click();
        const form = page.locator('form.plan');
        await form.getByLabel(say(seat, '人员编号', 'Person id')).fill(subject);
        await form.getByLabel(say(seat, '开始日期', 'First day')).fill('2026-06-01');
        await form.getByLabel(say(seat, '报到开始时间', 'Window opens')).fill('11:00');
        await form.getByLabel(say(seat, '报到截止时间', 'Window closes')).fill('12:00');
        await form.getByLabel(say(seat, '宽限（分钟）', 'Grace (minutes)'), { exact: true }).fill('10');
        await form.getByRole('button', { name: say(seat, '添加任务', 'Add a task') }).click();
        await form.getByLabel(say(seat, '任务类型', 'Task kind')).selectOption('questionnaire');
        await form.getByLabel(say(seat, '问卷编号', 'Questionnaire id')).fill('mood-1');
        await form.getByLabel(say(seat, /需复核的答案/, /Answers to review/)).fill('q1=yes,often; q2=no');
        await form.getByLabel(say(seat, '理由', 'Reason')).fill(say(seat, '法院裁定 2026-201', 'court order 2026-201'));
        await form.getByRole('button', { name: say(seat, '保存计划', 'Save plan') }).click();
        await page.getByText(say(seat, `已保存 ${subject} 的计划`, `Plan for ${subject} saved`)).waitFor();
        const row = page.locator(`tr[data-subject="${subject}"][data-state="expected"]`);
        await row.waitFor();
        expect(await row.textContent(), seat.name).toContain('11:00-12:00');

        // Changed: the window closes half an hour later (the form opened with the plan in force).
        await page.getByRole('heading', { name: new RegExp(subject) }).waitFor();
        const change = page.locator('.person form.plan');
        expect(await change.getByLabel(say(seat, '报到开始时间', 'Window opens')).inputValue()).toBe('11:00');
        expect(await change.getByLabel(say(seat, /需复核的答案/, /Answers to review/)).inputValue()).toBe(
          'q1=yes,often; q2=no',
        );
        await change.getByLabel(say(seat, '报到截止时间', 'Window closes')).fill('12:30');
        // Reporting days: Saturday added, Wednesday dropped.
        await change.getByLabel(say(seat, '周六', 'Sat'), { exact: true }).check();
        await change.getByLabel(say(seat, '周三', 'Wed'), { exact: true }).uncheck();
        await change.getByLabel(say(seat, '理由', 'Reason')).fill(say(seat, '公交时刻调整', 'bus timetable changed'));
        await change.getByRole('button', { name: say(seat, '保存计划', 'Save plan') }).click();
        await page.locator(`tr[data-subject="${subject}"]`, { hasText: '11:00-12:30' }).waitFor();

        const end = page.locator('form.end-supervision');
        await end.getByLabel(say(seat, '最后监管日', 'Last supervised day')).fill('2026-06-30');
        await end.getByLabel(say(seat, '理由', 'Reason')).fill(say(seat, '刑期届满', 'sentence served'));
        await end.getByRole('button', { name: say(seat, '解除监管', 'End supervision') }).click();
        await page
          .getByText(
            say(seat, `${subject} 的监管于 2026-06-30 后解除`, `Supervision of ${subject} ends after 2026-06-30`),
          )
          .waitFor();
        await checkWords(page, seat);
        await closePages([page]);
      }),
    );
    for (const subject of NEWCOMERS) {
      const plans = records()
        .filter((r) => r.type === 'plan' && r.payload.subject === subject)
        .map((r) => parsePlan(r.payload));
      expect(
        plans.map((p) => [formatClock(p.close), p.end === null ? null : formatDay(p.end), p.staff, p.zone, p.centres]),
        subject,
      ).toEqual([
        ['12:00', null, 'sam', ZONE, [CENTRE]],
        ['12:30', null, 'sam', ZONE, [CENTRE]],
        ['12:30', '2026-06-30', 'sam', ZONE, [CENTRE]],
      ]);
      expect(
        plans.map((p) => p.days),
        subject,
      ).toEqual([
        [1, 2, 3, 4, 5],
        [1, 2, 4, 5, 6],
        [1, 2, 4, 5, 6],
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
    }
  }, 180_000);

  it("activity, not the screen's own refreshes, keeps the session alive", async () => {
    const activeCalls = new Set<Request>();
    const finished = (request: Request): void => {
      activeCalls.delete(request);
    };
    const reasons: { page: Page; seat: Seat; reason: ReturnType<Page['locator']> }[] = [];
    for (const seat of SEATS) {
      const page = await staffScreen(seat, { setup: (context) => context.clock.install() });
      page.on('request', (request) => {
        if (request.url().endsWith('/api/call') && request.headers()[ACTIVITY_HEADER] === 'active')
          activeCalls.add(request);
      });
      page.on('requestfinished', finished);
      page.on('requestfailed', finished);
      await history(page, seat, 'p-0002');
      const reason = page.locator('.excuse').getByLabel(say(seat, '理由', 'Reason'));
      await reason.fill('still typing');
      reasons.push({ page, seat, reason });
    }
    const minute = 60_000;
    const everyPage = (step: (p: (typeof reasons)[number]) => Promise<unknown>): Promise<unknown> =>
      Promise.all(reasons.map(step));
    // 14 minutes pass on the sessions' clock; each person typed just now, so the next refresh keeps them signed in.
    centre.sessionSkewMs += 14 * minute;
    await everyPage(async ({ page }) => {
      await page.clock.runFor(30_000);
      await page.locator('.status-line[data-state="ok"]').waitFor();
    });
    // Then nobody touches the screens for over a minute: their own refreshes from now on keep nothing alive.
    await everyPage(({ page }) => page.clock.runFor(60_000));
    // Calls made while the people were still active must have reached the server before the clock moves on.
    await everyPage(({ page }) => page.clock.runFor(5_000));
    await waitFor(() => Promise.resolve(activeCalls.size === 0), 'the last calls made while active to finish');
    // 28 minutes since sign-in, 14 since the last active call: still signed in, and what was typed is still there.
    centre.sessionSkewMs += 14 * minute;
    await everyPage(async ({ page, seat, reason }) => {
      await page.clock.runFor(30_000);
      expect(await page.getByLabel(say(seat, '用户名', 'User name')).count(), seat.name).toBe(0);
      expect(await reason.inputValue(), seat.name).toBe('still typing');
    });
    // Two more minutes: 16 since the person last did anything, and out they go.
    centre.sessionSkewMs += 2 * minute;
    await everyPage(async ({ page, seat }) => {
      await page.clock.runFor(30_000);
      await page.getByLabel(say(seat, '用户名', 'User name')).waitFor();
    });
    centre.sessionSkewMs = 0;
    await closePages(reasons.map((r) => r.page));
  }, 180_000);

  it("HQ: each centre in its zone whatever the browser's, table, feed, charts and calendar agreeing, face reviews saying where to compare faces", async () => {
    const size = centre.node.writer.store.head(KIOSK).size;
    await waitFor(async () => (await centre.hq.store.size(KIOSK)) === size, 'HQ to hold the kiosk log', 60_000);
    for (const seat of SEATS) {
      const page = await open(seat, centre.hqWeb.urls.hq ?? '');
      await signIn(page, seat, 'olga', PASSWORD);
      const row = page.locator(`tr[data-centre="${CENTRE}"][data-zone="${ZONE}"]`);
      // HQ's first overview judges the centre's history; a CI machine running other suites takes longer than 15 s.
      await row.waitFor({ timeout: 60_000 });
      expect(await page.locator('html').getAttribute('lang'), seat.name).toBe('zh-CN');
      await seatLanguage(page, seat);
      await row.waitFor({ timeout: 60_000 });
      expect(await page.locator('html').getAttribute('lang'), seat.name).toBe(seat.zh ? 'zh-CN' : 'en');
      expect(await row.textContent(), seat.name).toContain(
        say(seat, '中国标准时间（UTC+08:00）', 'China Standard Time (UTC+08:00)'),
      );
      const count = Number((await row.locator('[data-count="breaches"]').textContent())?.replace(/\D/g, ''));
      await page
        .locator('#feed-title')
        .filter({ hasText: `(${count})` })
        .waitFor();
      await page.locator('.feed > li').first().waitFor();
      // Charts: compliance per centre per day agrees with the table's figure for today; breaches by rule; kiosks.
      const compliance = page.locator(
        `figure[data-chart="${say(seat, '各中心每日合规率', 'Compliance per centre per day')}"]`,
      );
      await compliance.locator('canvas').first().waitFor();
      expect(
        await compliance.locator('tbody tr', { hasText: '2026-06-01' }).locator('td').last().textContent(),
        seat.name,
      ).toBe(await row.locator('[data-count="compliance"]').textContent());
      // Compliance is defined on the page, in the page's language, one tap away (and under its chart).
      const definition = page
        .locator('details', { has: page.getByText(say(seat, '合规率的含义', 'What compliance means')) })
        .first();
      await definition.locator('summary').click();
      await definition.locator('p').waitFor();
      expect(await definition.locator('p').textContent(), seat.name).toMatch(
        say(seat, /^合规率 = 按时报到或已准假的人数 ÷ 当日结果已确定的人数/, /^Compliance = people who checked in/),
      );
      await page
        .locator(`figure[data-chart="${say(seat, '按规则和日期统计的违规', 'Breaches by rule and day')}"] canvas`)
        .first()
        .waitFor();
      // Over a chosen range: one row per centre and day of it, nothing outside.
      const trends = page.locator('section.trends');
      await trends.getByLabel(say(seat, '从', 'From')).fill('2026-05-29');
      await trends.getByLabel(say(seat, '至', 'To')).fill('2026-06-01');
      await trends.getByRole('button', { name: say(seat, '查看', 'Show') }).click();
      // The figures' table is there for screen readers and printing, not drawn.
      await compliance.locator('tbody tr', { hasText: '2026-05-29' }).waitFor({ state: 'attached' });
      expect(
        await compliance.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.children[1]?.textContent)),
        seat.name,
      ).toEqual(['2026-05-29', '2026-05-30', '2026-05-31', '2026-06-01']);
      const kiosk = page.locator(
        `figure[data-chart="${say(seat, '自助机：误拒率与可用率', 'Kiosks: false-reject rate and uptime')}"] tbody tr`,
        { hasText: KIOSK },
      );
      // Three face mismatches per reviewed person, none followed by a check-in: verifications, not false rejects.
      expect(await kiosk.locator('td').nth(1).textContent(), seat.name).toBe(String(3 * REVIEWED.length));
      expect(await kiosk.locator('td').nth(2).textContent(), seat.name).toBe('0');

      // A person's calendar of check-ins and breaches, and their timeline on the centre's clock.
      const lookUp = async (subject: string): Promise<void> => {
        await page.getByLabel(say(seat, '人员时间线', 'Person timeline')).fill(subject);
        await page
          .getByRole('search')
          .getByRole('button', { name: say(seat, '查看', 'Show') })
          .click();
        await page.locator('#person-title', { hasText: subject }).waitFor();
      };
      await lookUp('p-0001');
      const calendar = page.locator(
        `figure[data-chart="${say(seat, '逐日报到与违规', 'Check-ins and breaches, day by day')}"]`,
      );
      await calendar.locator('canvas').first().waitFor();
      expect(await calendar.locator('tbody tr', { hasText: '2026-06-01' }).textContent(), seat.name).toBe(
        say(seat, '2026-06-01已报到✅0', '2026-06-01Checked in✅0'),
      );
      expect(await page.locator('table.timeline').textContent(), seat.name).toContain('08:30 UTC+08:00');

      // A face review at HQ says where the faces are compared: they stay sealed at the centre's kiosk.
      await lookUp(REVIEWED[0] as string);
      const faces = page.locator('.timeline-section .faces-at');
      await faces.first().waitFor();
      expect(await faces.first().textContent(), seat.name).toContain(KIOSK);
      expect(await faces.first().textContent(), seat.name).toContain(say(seat, '报到管理页面', 'attendance screen'));
      expect(await page.locator('.timeline-section img').count()).toBe(0);
      await checkWords(page, seat);
      expect(await seriousViolations(page), seat.name).toEqual([]);
      await screenshot(page, `hq-${seat.name.replace('/', '-')}`);
      await closePages([page]);
    }
  }, 300_000);
});
