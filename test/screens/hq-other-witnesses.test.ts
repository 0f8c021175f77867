// The HQ dashboard's "Other witnesses" column in Chromium (issue 20): the police's own node cosigns a kiosk's log, HQ
// (pinning the police witness key) finds the cosignature matching its copy, and the log's row names the police
// witness with the size it cosigned and the matching mark, with no log problem raised. Real nodes over Mosquitto: a
// kiosk appending, HQ and the police agency node each on its own SQLite store. Shown to the roles that see the fleet
// (an officer and an auditor) in each seat of the language x zone matrix, axe clean and, in Chinese, nothing left
// untranslated; the police's own users at HQ do not see the fleet at all. The disagreeing witness:
// hq-log-problems.test.ts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserStore } from '../../access/user-store.ts';
import type { Role } from '../../core/access/roles.ts';
import { HqBackend } from '../../main/web/hq-backend.ts';
import { type WebServer, startWebServer } from '../../main/web/web-server.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { type BrokerFixture, startBroker } from '../net/support/brokers.ts';
import { startPoliceCosigning } from '../net/support/cosigning-nodes.ts';
import { launchBrowser, seriousViolations } from './support/browser.ts';
import { SEATS, type Seat, openAt, say, signIn } from './support/matrix.ts';
import { untranslated } from './support/untranslated.ts';

const KIOSK = 'c1/k1';
const PASSWORD = 'correct horse battery';
const USERS: Readonly<Record<'officer' | 'auditor' | 'police', string>> = {
  officer: 'olga',
  auditor: 'ada',
  police: 'pat',
};

describe("the HQ dashboard's other witnesses: the police node's cosignature matching HQ's copy", () => {
  let broker: BrokerFixture;
  let browser: Browser;
  let users: UserStore;
  let web: WebServer;
  /** The kiosk log's size the police node cosigned and HQ found matching. */
  let size: number;
  const dir = mkdtempSync(join(tmpdir(), 'muster-hq-other-witnesses-'));
  const closers: (() => Promise<void>)[] = [];
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    broker = await startBroker('mosquitto', ['hq', 'police', KIOSK]);
    const nodes = await startPoliceCosigning(dir, broker, KIOSK);
    closers.push(() => nodes.close());
    const { logKey, hq, kiosk } = nodes;
    for (let i = 0; i < 4; i++) await kiosk.append('checkin', { subject: `p-${i}` });
    size = await kiosk.store.size(KIOSK);
    await waitFor(
      () => hq.cosignatures(KIOSK).some((c) => c.witness === 'police' && c.size === size && c.matchesHq),
      "HQ to find the police node's cosignature matching its copy",
      120_000,
    );
    users = UserStore.open(join(dir, 'users.db'), { scrypt: { logN: 10, r: 8, p: 1 } });
    for (const [role, name] of Object.entries(USERS) as [Role, string][])
      await users.add({ name, role, password: PASSWORD });
    // The dashboard as `muster hq --trust` serves it: the kiosk's log key pinned, so its log verifies.
    web = await startWebServer({
      hq: new HqBackend({ hq, trustedKeys: new Map([[KIOSK, logKey.verifier.publicKey]]) }),
      users,
    });
    closers.push(() => web.close());
    browser = await launchBrowser();
  }, 240_000);

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser.close();
    for (const close of closers.reverse()) await close().catch(() => undefined);
    users.close();
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  async function signedIn(seat: Seat, user: string): Promise<Page> {
    const page = await openAt(browser, contexts, seat, web.urls.hq ?? '');
    await signIn(page, seat, user, PASSWORD);
    return page;
  }

  it.each(SEATS.flatMap((seat) => (['officer', 'auditor'] as const).map((role) => ({ ...seat, role }))))(
    'as $role, in $name: the row names the police witness, its size and the matching mark',
    async ({ role, ...seat }) => {
      const page = await signedIn(seat, USERS[role]);
      const row = page.locator(`tr[data-log="${KIOSK}"]`);
      await row.waitFor();
      // The column by its heading, in the page's language.
      const headings = await row.locator('xpath=ancestor::table//thead/tr/th').allTextContents();
      const column = headings.indexOf(say(seat, '其他见证方', 'Other witnesses'));
      expect(column, headings.join(' | ')).toBeGreaterThan(0);
      expect(await row.locator('th, td').nth(column).textContent()).toBe(`police ${size} ✅`);
      // Matching is no problem: the log verifies and no witness is said to disagree.
      await row.locator(`[data-trust="ok"]`).waitFor();
      expect(await page.locator('li.log-problem, .banner.danger').count()).toBe(0);
      if (seat.zh) expect(await untranslated(page)).toEqual([]);
      expect(await seriousViolations(page)).toEqual([]);
    },
    120_000,
  );

  it("the police's own users at HQ do not see the fleet, nor its witnesses", async () => {
    const seat = SEATS[0] as Seat;
    const page = await signedIn(seat, USERS.police);
    // The breach feed is theirs: once it is drawn, the page is.
    await page.locator('#feed-from').waitFor();
    expect(await page.locator('#fleet-title, tr[data-log]').count()).toBe(0);
    expect(await page.getByText(say(seat, '其他见证方', 'Other witnesses')).count()).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);
  }, 120_000);
});
