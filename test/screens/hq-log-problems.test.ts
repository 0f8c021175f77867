// The HQ dashboard's fleet over HQ's own SQLite store, in Chromium, in Chinese and in English: untouched, every log
// shows how far it is verified and the fleet reads healthy; edited at rest (a check-in's subject changed with its
// hash kept in step, a kiosk's whole log re-signed under a key the registry does not bind), with a fork the
// kiosk's key signed and a witness whose cosignature is not HQ's root, each log that is no longer trusted is named
// with what is wrong and what it means for verdicts, in the page's language, with a banner at the top of the page,
// the times in the centre's zone; no English on the Chinese page, axe clean, and the banner and the recorded detail
// reachable by keyboard. With the registry itself re-signed, it is named as refused, and every kiosk log with it.
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserStore } from '../../access/user-store.ts';
import { decodeLeaf } from '../../core/entry.ts';
import { signEntry } from '../../ledger/entry-signing.ts';
import { REGISTRY_ORIGIN } from '../../ledger/key-schedule.ts';
import { Signer } from '../../ledger/keys.ts';
import { HqBackend } from '../../main/web/hq-backend.ts';
import { type WebServer, startWebServer } from '../../main/web/web-server.ts';
import type { HqEvents } from '../../net/hq/hq-service.ts';
import { SqliteHqStore } from '../../net/hq/sqlite-hq-store.ts';
import { kioskLog } from '../checkin/support/kiosk-log.ts';
import { at, checkinPayload, planPayload } from '../checkin/support/log-builder.ts';
import { editRow, resignLog } from '../helpers/tamper-store.ts';
import { launchBrowser, screenshot, seriousViolations } from './support/browser.ts';
import { SEATS, type Seat, openAt, say, signIn } from './support/matrix.ts';
import { untranslated } from './support/untranslated.ts';

const NY = 'America/New_York';
const K1 = 'centre-a/k1';
const K2 = 'centre-a/k2';
const PASSWORD = 'correct horse battery';

describe("the HQ dashboard's fleet: each log's verified state, and the logs HQ cannot trust", () => {
  let browser: Browser;
  let dir: string;
  let hqFile: string;
  let users: UserStore;
  let registryKey: Uint8Array;
  /** k1's entry 1 signed again by k1's own key with another subject: a second history the kiosk's key vouches for. */
  let fork: Uint8Array;
  /** HQ's clock: the evening of 2 March in the centre's zone. */
  const now = at('2026-03-02 23:00', NY);
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    browser = await launchBrowser();
    // Not tempDir(): that one is removed after each test, and HQ's store outlives them.
    dir = mkdtempSync(join(tmpdir(), 'muster-hq-log-problems-'));
    // The registry binds both kiosks' keys. k1 plans s-1 and s-2 from 2 March and takes s-1's check-in (entry 3);
    // k2 takes s-2's.
    const registry = kioskLog(dir, REGISTRY_ORIGIN, at('2026-03-01 08:00', NY));
    const k1 = kioskLog(dir, K1, at('2026-03-01 12:00', NY));
    const k2 = kioskLog(dir, K2, at('2026-03-01 12:00', NY));
    registryKey = registry.signer.verifier.publicKey;
    for (const kiosk of [k1, k2])
      await registry.writer.append('kiosk-registration', {
        origin: kiosk.signer.name,
        centre: 'centre-a',
        key: kiosk.signer.verifier.publicKey,
      });
    await k1.writer.append('plan', planPayload({ subject: 's-1', start: '2026-03-02' }));
    await k1.writer.append('plan', planPayload({ subject: 's-2', start: '2026-03-02' }));
    k1.now = at('2026-03-02 09:30', NY);
    expect((await k1.writer.append('checkin', checkinPayload('s-1'))).seq).toBe(3);
    const { body } = decodeLeaf(k1.store.rangeAll(K1, 1, 2)[0]?.leaf as Uint8Array);
    fork = signEntry({ ...body, payload: planPayload({ subject: 's-9', start: '2026-03-02' }) }, k1.signer).leaf;
    k2.now = at('2026-03-02 09:40', NY);
    await k2.writer.append('checkin', checkinPayload('s-2'));
    hqFile = join(dir, 'hq.db');
    const store = SqliteHqStore.open(hqFile);
    for (const log of [registry, k1, k2]) {
      const origin = log.signer.name;
      const leaves = log.store.rangeAll(origin, 0, log.store.head(origin).size).map((r) => r.leaf);
      expect(await store.ingest(origin, leaves, 'test')).toMatchObject({ rejected: [] });
      log.store.close();
    }
    await store.close();
    users = UserStore.open(join(dir, 'users.db'), { scrypt: { logN: 10, r: 8, p: 1 } });
    await users.add({ name: 'olga', role: 'officer', password: PASSWORD });
  }, 60_000);

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser.close();
    users.close();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  /**
   * HQ started on the store as it is now (a restart reads the rows afresh); both kiosks beat a few minutes ago.
   * `disagrees`: the police witness's cosignature of k2's log is not HQ's root.
   */
  async function startHq(disagrees = false): Promise<{ web: WebServer; close: () => Promise<void> }> {
    const store = SqliteHqStore.open(hqFile);
    const beat = at('2026-03-02 22:55', NY);
    const hq = new HqBackend({
      hq: {
        store,
        events: new EventEmitter<HqEvents>(),
        fleetView: () => [K1, K2].map((kiosk) => ({ kiosk, state: 'online', reasons: [], lastHeartbeatAt: beat })),
        cosignatures: (origin) =>
          disagrees && origin === K2
            ? [{ witness: 'agency/police', size: 2, time: beat / 1000, matchesHq: false }]
            : [],
      },
      clock: () => now,
      trustedKeys: new Map([[REGISTRY_ORIGIN, registryKey]]),
    });
    const web = await startWebServer({ hq, users });
    return {
      web,
      close: async () => {
        await web.close();
        await store.close();
      },
    };
  }

  async function signedIn(web: WebServer, seat: Seat): Promise<Page> {
    const page = await openAt(browser, contexts, seat, web.urls.hq ?? '');
    await signIn(page, seat, 'olga', PASSWORD);
    return page;
  }

  /** The fleet once every log is verified as far as it goes or stopped at a problem (the reader's first pass is done). */
  async function settledFleet(page: Page): Promise<void> {
    await page.locator('[data-log-health]').waitFor({ timeout: 60_000 });
    await page.locator('tr[data-log] td[data-trust="pending"]').first().waitFor({ state: 'detached', timeout: 60_000 });
  }

  it.each(SEATS)(
    'untouched, in $name: every log verified to its last entry, the fleet healthy',
    async (seat) => {
      const hq = await startHq();
      try {
        const page = await signedIn(hq.web, seat);
        await settledFleet(page);
        expect(await page.locator('html').getAttribute('lang')).toBe(say(seat, 'zh-CN', 'en'));
        await page.locator('[data-log-health="ok"]').waitFor();
        expect(await page.locator('.log-problem, .banner.danger').count()).toBe(0);
        const trust = await page
          .locator('tr[data-log]')
          .evaluateAll((rows) =>
            rows.map((r) => [r.getAttribute('data-log'), r.querySelector('[data-trust]')?.getAttribute('data-trust')]),
          );
        expect(trust).toEqual(
          expect.arrayContaining([
            [REGISTRY_ORIGIN, 'ok'],
            [K1, 'ok'],
            [K2, 'ok'],
          ]),
        );
        expect(trust).toHaveLength(3);
        // k1's last entry is #3; its heartbeat at 22:55 in the centre's zone (UTC-05:00), whatever the browser's.
        const k1 = page.locator(`tr[data-log="${K1}"]`);
        expect(await k1.locator('[data-trust]').textContent()).toContain(say(seat, '至第 3 号', 'up to #3'));
        expect(await k1.textContent()).toMatch(/22:55 UTC-05:00/);
        // The centre's day is judged: both checked in (s-1 at k1, s-2 at k2).
        const centre = page.locator('tr[data-centre="centre-a"]');
        expect(await centre.locator('[data-count="breaches"]').textContent()).toBe('0');
        expect(await centre.locator('[data-count="compliance"]').textContent()).toMatch(/^100/);
        if (seat.zh) expect(await untranslated(page)).toEqual([]);
        expect(await seriousViolations(page)).toEqual([]);
      } finally {
        await hq.close();
      }
    },
    120_000,
  );

  it.each(SEATS)(
    'edited at rest, in $name: the forged check-in and the re-signed log named, with what they mean for verdicts',
    async (seat) => {
      // Once, before the first seat: k1 equivocates (HQ keeps the second version as evidence), then, at rest,
      // s-1's check-in is made s-2's (hash kept in step) and k2's log is re-signed under another key.
      if (seat === SEATS[0]) {
        const store = SqliteHqStore.open(hqFile);
        expect(await store.ingest(K1, [fork], 'test')).toMatchObject({ rejected: [] });
        expect(await store.conflicts(K1)).toHaveLength(1);
        await store.close();
        editRow(hqFile, K1, 3, 's-1', 's-2');
        resignLog(hqFile, Signer.generate(K2));
      }
      const hq = await startHq(true);
      try {
        const page = await signedIn(hq.web, seat);
        await settledFleet(page);
        const forged = page.locator(`li.log-problem[data-log="${K1}"][data-kind="forged"]`);
        const rogue = page.locator(`li.log-problem[data-log="${K2}"][data-kind="unregistered-key"]`);
        const forked = page.locator(`li.log-problem[data-log="${K1}"][data-kind="forked"]`);
        const witness = page.locator(`li.log-problem[data-log="${K2}"][data-kind="witness-disagrees"]`);
        await forged.waitFor();
        await rogue.waitFor();
        await forked.waitFor();
        await witness.waitFor();
        expect(await witness.textContent()).toContain('agency/police');
        // Only these: the registry and nothing else is in doubt.
        expect(await page.locator('li.log-problem').count()).toBe(4);
        const banner = page.locator('.banner.danger');
        expect(await banner.getAttribute('data-log-problems')).toBe('2');
        expect(await page.locator(`tr[data-log="${K1}"] [data-trust]`).getAttribute('data-trust')).toBe('problem');
        expect(await page.locator(`tr[data-log="${K2}"] [data-trust]`).getAttribute('data-trust')).toBe('problem');
        expect(await page.locator(`tr[data-log="${REGISTRY_ORIGIN}"] [data-trust]`).getAttribute('data-trust')).toBe(
          'ok',
        );
        const forgedText = (await forged.textContent()) ?? '';
        const rogueText = (await rogue.textContent()) ?? '';
        // k1 is held from its last verified entry (entry 2, the s-2 plan at noon on 1 March, centre time).
        expect(forgedText).toMatch(/12:00 UTC-05:00/);
        if (!seat.zh) {
          expect(forgedText).toContain('Forged entry');
          expect(forgedText).toContain('Entry #3 and every later entry of this log are not used');
          expect(forgedText).toContain('held as “not judged”');
          expect(rogueText).toContain('Key not registered');
          expect(rogueText).toContain('every finding HQ reaches is held as “not judged”');
          expect(await banner.textContent()).toContain('verdicts that rest on them are not trusted');
          expect(await forked.textContent()).toContain('Two versions of this log');
        } else {
          expect(forgedText).toContain('伪造条目');
          expect(forgedText).toContain('该日志第 3 号条目及其后的所有条目均不予采用');
          expect(forgedText).toContain('“未判定”');
          expect(rogueText).toContain('密钥未登记');
          expect(await banner.textContent()).toContain('判定不可信');
          expect(await forked.textContent()).toContain('该日志存在两个版本');
          expect(await untranslated(page)).toEqual([]);
        }
        // Neither the centre's counts nor the breach feed give a verdict for that day.
        const centre = page.locator('tr[data-centre="centre-a"]');
        expect(await centre.locator('[data-count="breaches"]').textContent()).toBe(
          say(seat, '⚠️ 未判定：记录校验失败', '⚠️ not judged: an entry failed verification'),
        );
        expect(await centre.locator('[data-count="compliance"]').textContent()).toBe('—');
        const statuses = await page
          .locator('.feed .finding .status')
          .evaluateAll((s) => s.map((e) => e.getAttribute('data-status')));
        expect(statuses.length).toBeGreaterThan(0);
        expect(statuses.every((s) => s === 'unverified')).toBe(true);
        // s-1's calendar holds the day under review, not as a breach.
        await page.locator('#subject').fill('s-1');
        await page.getByRole('search').getByRole('button').click();
        const calendar = say(seat, '逐日报到与违规', 'Check-ins and breaches, day by day');
        const day = page.locator(`figure[data-chart="${calendar}"] tbody tr`, { hasText: '2026-03-02' });
        await day.waitFor({ state: 'attached' });
        expect(await day.locator('td').nth(1).textContent()).toBe(say(seat, '待复核', 'Under review'));
        expect(await day.locator('td').last().textContent()).toBe('0');
        // The trend charts hold the centre's 2 March under review too: no compliance figure, no breach by rule.
        const trends = page.locator('section.trends');
        await trends.getByLabel(say(seat, '从', 'From')).fill('2026-03-01');
        await trends.getByLabel(say(seat, '至', 'To')).fill('2026-03-02');
        await trends.getByRole('button', { name: say(seat, '查看', 'Show') }).click();
        const compliance = say(seat, '各中心每日合规率', 'Compliance per centre per day');
        const trendDay = page.locator(`figure[data-chart="${compliance}"] tbody tr`, { hasText: '2026-03-02' });
        await trendDay.waitFor({ state: 'attached' });
        expect(await trendDay.locator('td').last().textContent()).toBe(say(seat, '🔎 待复核', '🔎 Under review'));
        expect(
          await page.locator(`figure[data-chart="${compliance}"] [data-doubt]`).getAttribute('data-doubt'),
        ).toContain('2026-03-02');
        // Breaches by rule: only the rows under review, none with a count.
        const byRule = say(seat, '按规则和日期统计的违规', 'Breaches by rule and day');
        const counts = await page.locator(`figure[data-chart="${byRule}"] tbody td:last-child`).allTextContents();
        expect(counts.length).toBeGreaterThan(0);
        expect(counts.every((c) => c === '—')).toBe(true);
        if (seat.zh) expect(await untranslated(page)).toEqual([]);
        // By keyboard: the banner's link leads to the problems, and each one's recorded detail opens.
        await banner.getByRole('link').focus();
        await page.keyboard.press('Enter');
        await page.waitForFunction(() => document.activeElement?.id === 'log-problems-title');
        await page.keyboard.press('Tab');
        expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('SUMMARY');
        await page.keyboard.press('Enter');
        expect(await page.evaluate(() => (document.activeElement?.parentElement as HTMLDetailsElement).open)).toBe(
          true,
        );
        expect(await forged.locator('details .log-text').textContent()).toBe('signature does not verify');
        expect(await seriousViolations(page)).toEqual([]);
        await screenshot(page, `hq-log-problems-${seat.locale}-${seat.zone.replace('/', '-')}`);
      } finally {
        await hq.close();
      }
    },
    120_000,
  );

  it('the registry itself re-signed, in zh-CN: refused against the trusted key, and no kiosk log verifies', async () => {
    resignLog(hqFile, Signer.generate(REGISTRY_ORIGIN));
    const hq = await startHq();
    try {
      const page = await signedIn(hq.web, SEATS[0] as Seat);
      await settledFleet(page);
      const refused = page.locator(`li.log-problem[data-log="${REGISTRY_ORIGIN}"][data-kind="registry-refused"]`);
      await refused.waitFor();
      expect(await refused.textContent()).toContain('登记册被拒绝');
      expect(await refused.textContent()).toContain('不作出任何判定');
      // With no registry believed, neither kiosk's key is bound: both logs are named too.
      for (const kiosk of [K1, K2])
        await page.locator(`li.log-problem[data-log="${kiosk}"][data-kind="unregistered-key"]`).waitFor();
      expect(await page.locator('.banner.danger').getAttribute('data-log-problems')).toBe('3');
      expect(await untranslated(page)).toEqual([]);
      expect(await seriousViolations(page)).toEqual([]);
    } finally {
      await hq.close();
    }
  }, 120_000);
});
