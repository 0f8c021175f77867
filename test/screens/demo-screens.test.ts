// The demo centre's screens in Chromium against the real kiosk runtime: after the scripted day, a person
// enrolled by the demo stands at kiosk-1 (their finger on the emulated R30x sensor, their own face before the
// emulated camera) and checks in from the kiosk screen's Start button. Nothing is scripted on this path: the
// R30x driver finds the finger, the face worker compares the camera frame with the person's encrypted template,
// and the check-in goes through the signed log. Staff then sign in with the demo's account and see it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeLeaf } from '../../core/entry.ts';
import { parseCheckin, parseCheckinAttempt } from '../../core/records/checkin.ts';
import { DEFAULT_MATCH_THRESHOLD } from '../../face/match.ts';
import { LedgerStore } from '../../ledger/store.ts';
import { DemoCenter } from '../../main/demo/demo-center.ts';
import { CAST, KIOSKS, ZONE } from '../../main/demo/scripted-day.ts';
import { topicId } from '../../net/topics.ts';
import { launchBrowser, screenshot } from './support/browser.ts';

const TIMEOUT = { timeout: 240_000 };
const UI_TIMEOUT = 120_000;
const KIOSK = KIOSKS[0];
const PERSON = CAST.onTime;

describe('demo centre screens with real face matching', () => {
  const dir = mkdtempSync(join(tmpdir(), 'muster-demo-screens-'));
  let center: DemoCenter;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  /** The receipt's entry number of the check-in made from the screen. */
  let seq: number;

  beforeAll(async () => {
    const starting = DemoCenter.start({
      dataDir: dir,
      fresh: true,
      people: 6,
      day: '2026-12-01',
      durationS: 1,
      httpPort: 0,
      mqttPort: 0,
      webPort: 0,
      say: () => undefined,
    });
    [center, browser] = await Promise.all([starting, launchBrowser()]);
    // The day enrols everyone on both kiosks (finger, badge, face) and signs the plans.
    await center.runDay();
    // The demo day's face tries take the blink challenge's four frames each: minutes on a loaded machine.
  }, 600_000);
  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser.close();
    await center.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function open(url: string | undefined): Promise<Page> {
    if (url === undefined) throw new Error('the demo serves no such screen');
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, timezoneId: ZONE });
    contexts.push(context);
    // The staff screen of a centre in China opens in Chinese; this test reads it in English (chosen once).
    await context.addInitScript(() => {
      localStorage.setItem('muster.language', 'en');
    });
    const page = await context.newPage();
    page.setDefaultTimeout(UI_TIMEOUT);
    await page.goto(url);
    return page;
  }

  it(
    'a person checks in from the kiosk screen, identified by the real fingerprint driver and face worker',
    TIMEOUT,
    async () => {
      const kiosk = await open(center.urls.kiosk);
      // The demo centre is in China, so its kiosk speaks Chinese; the last scripted visit's receipt goes by itself.
      await kiosk.getByRole('button', { name: /开始签到/ }).waitFor();
      await kiosk.getByRole('button', { name: /English/ }).click();
      const start = kiosk.getByRole('button', { name: /Start check-in/ });
      await start.waitFor();

      const store = LedgerStore.open(join(dir, topicId(KIOSK), `${topicId(KIOSK)}.db`), { readonly: true });
      try {
        const before = store.head(KIOSK).size;
        center.present(PERSON);
        await start.click();
        await kiosk.getByText("Here are today's tasks").waitFor();
        await kiosk.getByLabel(/Study module · Law basics, lesson 3/).check();
        await kiosk.getByRole('button', { name: /Save and continue/ }).click();
        await kiosk.getByText('You are checked in').waitFor();
        expect(await kiosk.locator('.receipt dd').first().textContent()).toBe(PERSON);
        await screenshot(kiosk, 'demo-kiosk-receipt');
        seq = Number((await kiosk.locator('.receipt dd').last().textContent())?.replace('#', ''));
        expect(seq).toBeGreaterThanOrEqual(before);

        // The receipt's entry is the new check-in on kiosk-1's own log, with the face worker's distance.
        const rows = [...store.range(KIOSK, before, store.head(KIOSK).size)].map((row) => ({
          seq: row.seq,
          type: row.type,
          payload: decodeLeaf(row.leaf).body.payload,
        }));
        const entry = rows.find((r) => r.seq === seq);
        expect(entry?.type).toBe('checkin');
        const checkin = parseCheckin(entry?.payload);
        expect(checkin).toMatchObject({
          subject: PERSON,
          kiosk: KIOSK,
          methods: ['fingerprint', 'face'],
          tasks: [{ task: 'study' }],
        });
        expect(checkin.faceScore).toBeGreaterThanOrEqual(0);
        expect(checkin.faceScore).toBeLessThan(DEFAULT_MATCH_THRESHOLD);
        // Its attempt's face step, written before the check-in, matched with the same distance.
        const faceSteps = rows
          .filter((r) => r.type === 'checkin-attempt')
          .map((r) => parseCheckinAttempt(r.payload))
          .filter((a) => a.attempt === checkin.attempt && a.method === 'face');
        expect(faceSteps).toEqual([
          expect.objectContaining({ step: 'verify', outcome: 'matched', subject: PERSON, score: checkin.faceScore }),
        ]);
      } finally {
        store.close();
      }
    },
  );

  it(
    'staff sign in with the demo account and see the person checked in, with the new entry in their history',
    TIMEOUT,
    async () => {
      const account = center.accounts.find((a) => a.role === 'staff');
      if (!account) throw new Error('the demo has no staff account');
      const staff = await open(center.urls.staff);
      await staff.getByLabel('User name').fill(account.user);
      await staff.getByLabel('Password').fill(account.password);
      await staff.getByRole('button', { name: 'Sign in' }).click();
      const row = staff.locator(`tr[data-subject="${PERSON}"][data-state="checked-in"]`);
      await row.waitFor();
      expect(await row.textContent()).toContain(KIOSK);
      await staff.getByRole('button', { name: `History of ${PERSON}` }).click();
      const entry = staff.locator('.timeline tbody tr', { hasText: `${KIOSK} #${seq}` });
      await entry.waitFor();
      expect(await entry.textContent()).toContain(`checked in at ${KIOSK} (fingerprint + face); tasks study`);
      await screenshot(staff, 'demo-staff-history');
    },
  );
});
