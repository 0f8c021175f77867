// A face mismatch's review on the staff screen, in Chromium: the frames the kiosk kept (sealed in the
// personal-data store, only their commitment on the attempt entry) beside the enrolment photo, on request, each
// view an access entry on the log naming the staff member; never offered to the police. In each seat of the
// language × zone matrix (support/matrix.ts); times are the centre's.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAccessRecord } from '../../core/access/access-records.ts';
import { readLogRecords } from '../../main/kiosk/log-records.ts';
import { CENTRE, KIOSK, PASSWORD, type Centre, localTime, startCentre } from './support/centre.ts';
import { launchBrowser, screenshot, seriousViolations } from './support/browser.ts';
import { SEATS, type Seat, openAt, say, seatLanguage, signIn } from './support/matrix.ts';
import { untranslated } from './support/untranslated.ts';

const FACES = join(import.meta.dirname, '..', 'fixtures', 'faces');
const PERSON = 'p-0002';

describe('face review on the staff screen', () => {
  let centre: Centre;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    [centre, browser] = await Promise.all([startCentre(), launchBrowser()]);
    // At 08:10 the fingerprint said p-0002 and the face did not: the kiosk kept the frame for staff.
    centre.now = localTime('08:10');
    const capture = centre.personal.putCapture(
      PERSON,
      CENTRE,
      [new Uint8Array(readFileSync(join(FACES, 'kit_harington_1.jpg')))],
      centre.now,
    );
    await centre.node.append('checkin-attempt', {
      attempt: 'a-faces-1',
      centre: CENTRE,
      kiosk: KIOSK,
      step: 'verify',
      method: 'face',
      outcome: 'mismatch',
      subject: PERSON,
      identifiedBy: 'fingerprint',
      score: 0.71,
      try: 1,
      capture,
    });
    centre.now = localTime('08:30');
  }, 60_000);
  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser.close();
    await centre.close();
  });

  async function signedIn(user: string, seat: Seat): Promise<Page> {
    const page = await openAt(browser, contexts, seat, centre.kioskWeb.urls.staff ?? '');
    await signIn(page, seat, user, PASSWORD);
    await seatLanguage(page, seat);
    await page.locator(`tr[data-subject="${PERSON}"]`).waitFor();
    return page;
  }

  const accessBy = (): string[] =>
    readLogRecords(centre.node.writer.store)
      .records.filter((r) => r.type === 'access')
      .map((r) => parseAccessRecord(r.payload))
      .filter((a) => a.fields.includes('faceCapture'))
      .map((a) => `${a.by}:${a.subject}`);

  it('in each language and browser zone: captured and enrolled faces side by side, each view logged first', async () => {
    for (const seat of SEATS) {
      const page = await signedIn('sam', seat);
      await page.getByRole('button', { name: say(seat, `${PERSON} 的记录`, `History of ${PERSON}`) }).click();
      const item = page.locator(`.reviews > li[data-finding^="suspected-impersonation/${PERSON}/"]`);
      await item.waitFor();
      const before = accessBy().length;
      await item.getByRole('button', { name: say(seat, '比对人脸', 'Compare faces') }).click();
      const enrolled = item.locator('figure.face-enrolled img.enrolment-photo');
      const captured = item.locator('figure.face-captured img.captured-frame');
      await enrolled.waitFor();
      await captured.waitFor();
      expect(accessBy().slice(before)).toEqual([`sam:${PERSON}`]);
      // Side by side: the two pictures share a row.
      const [a, b] = [await enrolled.boundingBox(), await captured.boundingBox()];
      expect(a && b && Math.abs(a.y - b.y) < 40 && b.x > a.x).toBe(true);
      // Both are real pictures the browser decoded.
      for (const img of [enrolled, captured])
        expect(await img.evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
      const caption = await item.locator('figure.face-captured figcaption').textContent();
      expect(caption, seat.name).toContain(say(seat, '拍摄', 'Captured at'));
      // 08:10 at the centre (UTC+8), whatever the browser's zone.
      expect(caption, seat.name).toContain('08:10');
      expect(caption).toContain('0.71');
      if (seat.zh) expect(await untranslated(page), seat.name).toEqual([]);
      expect(await seriousViolations(page), seat.name).toEqual([]);
      await screenshot(page, `staff-face-review-${seat.name.replace('/', '-')}`);
    }
  }, 120_000);

  it('the police are never offered the faces, and a call from their session is refused without a log entry', async () => {
    const page = await signedIn('pat', SEATS[1] as Seat);
    await page.getByRole('button', { name: `${PERSON} 的记录` }).click();
    const item = page.locator(`.reviews > li[data-finding^="suspected-impersonation/${PERSON}/"]`);
    await item.waitFor();
    expect(await item.locator('[data-faces]').count()).toBe(0);
    const before = accessBy().length;
    const status = await page.evaluate(async (subject) => {
      const response = await fetch('/api/call', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ method: 'staff.faceReview', params: { subject, item: 'x' } }),
      });
      return response.status;
    }, PERSON);
    expect(status).toBe(403);
    expect(accessBy().length).toBe(before);
  });
});
