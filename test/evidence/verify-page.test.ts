// The static verifier page, opened from a file:// URL in Chromium (no server, no network): a bundle and a
// receipt (its JSON file and its QR text after '#') show valid, self-consistent or invalid results.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeBundle } from '../../core/evidence/bundle.ts';
import { buildVerifyPage } from '../../main/evidence/verify-page.ts';
import { exportEvidence } from '../../main/evidence/export-evidence.ts';
import { buildReceipt, parseReceipt, receiptToQrText } from '../../main/kiosk/receipt.ts';
import { launchBrowser, screenshot } from '../screens/support/browser.ts';
import { DAY, type EvidenceCentre, K1, PEOPLE, evidenceCentre } from './support/evidence-centre.ts';

let centre: EvidenceCentre;
let browser: Browser;
let pageUrl: string;
const files: Record<string, string> = {};
let qr = '';

beforeAll(async () => {
  [centre, browser] = await Promise.all([evidenceCentre(), launchBrowser()]);
  const write = (name: string, text: string): string => {
    const path = join(centre.dir, name);
    writeFileSync(path, text);
    return path;
  };
  pageUrl = pathToFileURL(write('verify.html', await buildVerifyPage())).href;
  const bundle = await exportEvidence({
    stores: [centre.hq, ...centre.kiosks],
    subject: PEOPLE.missed,
    day: DAY,
    witnessSigners: [centre.witness],
    now: () => Date.parse('2026-12-02T00:00:00Z'),
  });
  files.bundle = write('missed.json', encodeBundle(bundle));
  files.tampered = write('tampered.json', encodeBundle({ ...bundle, verdict: { ...bundle.verdict, kind: 'excused' } }));
  const [k1] = centre.kiosks;
  const checkin = [...k1.range(K1, 0, k1.head(K1).size)].find((r) => r.type === 'checkin');
  const checkpoint = k1.latestCheckpoint(K1);
  if (!checkin || !checkpoint) throw new Error('the fixture has no check-in or checkpoint');
  const receipt = buildReceipt(k1, K1, checkin.seq, checkpoint);
  files.receipt = write('receipt.json', `${JSON.stringify(receipt)}\n`);
  qr = receiptToQrText(receipt, pageUrl);
}, 60_000);

afterAll(async () => {
  await browser.close();
  centre.close();
});

async function open(hash = ''): Promise<Page> {
  const page = await browser.newPage();
  // Nothing may leave the machine: every request the page makes is to its own file.
  page.on('request', (request) => {
    if (!request.url().startsWith('file://')) throw new Error(`the page reached out to ${request.url()}`);
  });
  await page.goto(`${pageUrl}${hash}`);
  return page;
}

async function outcome(page: Page): Promise<{ outcome: string | null; text: string }> {
  const result = page.locator('#result[data-outcome]');
  await result.waitFor();
  return { outcome: await result.getAttribute('data-outcome'), text: await result.innerText() };
}

describe('the static verifier page', () => {
  it('verifies a bundle against a trusted witness key', async () => {
    const page = await open();
    await page.fill('#trust', centre.witness.verifier.encode());
    await page.setInputFiles('#file', files.bundle as string);
    const shown = await outcome(page);
    await screenshot(page, 'evidence-page-valid');
    expect(shown.outcome).toBe('valid');
    expect(shown.text).toContain('p-miss did not check in at centre-a on 1 Dec 2026 between 09:00 and 11:15 (UTC)');
    expect(shown.text).toContain('2 kiosk log(s) complete for that period, witnessed by 1 party (hq).');
    await page.close();
  });

  it('says a bundle with no trusted key is only self-consistent, in Chinese when asked', async () => {
    const page = await open();
    await page.selectOption('#lang', 'zh');
    await page.setInputFiles('#file', files.bundle as string);
    const shown = await outcome(page);
    expect(shown.outcome).toBe('self-consistent');
    expect(shown.text).toContain('注意：本文件只证明其自身前后一致');
    await page.close();
  });

  it('refuses a tampered bundle and names why', async () => {
    const page = await open();
    await page.setInputFiles('#file', files.tampered as string);
    const shown = await outcome(page);
    await screenshot(page, 'evidence-page-invalid');
    expect(shown.outcome).toBe('invalid');
    expect(shown.text).toContain(
      'NOT VALID: the stated verdict (excused) is not what the breach engine finds in the evidence (missed)',
    );
    await page.close();
  });

  it('verifies a receipt file, pinned by the kiosk key', async () => {
    const page = await open();
    await page.fill('#trust', centre.signers[K1].verifier.encode());
    await page.setInputFiles('#file', files.receipt as string);
    const shown = await outcome(page);
    expect(shown.outcome).toBe('valid');
    expect(shown.text).toMatch(
      /check-in of p-on at centre-a \(centre-a\/k1\) at 2026-12-01T09:05:00.000Z is entry \d+ of centre-a\/k1/,
    );
    await page.close();
  });

  it("is where a receipt's QR leads: opened at the QR's address it verifies the receipt, and refuses a damaged one", async () => {
    expect(qr.startsWith(`${pageUrl}#MR1:`)).toBe(true);
    expect(parseReceipt(qr).proof.origin).toBe(K1);
    const page = await open(qr.slice(pageUrl.length));
    const shown = await outcome(page);
    expect(shown.outcome).toBe('self-consistent');
    expect(shown.text).toContain('check-in of p-on');
    // One character of the signed entry changed: the payload still decodes, the signature no longer holds.
    const at = qr.length - 200;
    const damaged = `${qr.slice(0, at)}${qr[at] === 'A' ? 'B' : 'A'}${qr.slice(at + 1)}`;
    await page.fill('#paste', damaged);
    await page.click('#check');
    const refused = await outcome(page);
    expect(refused.outcome).toBe('invalid');
    await page.close();
  });
});
