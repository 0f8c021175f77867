// Evidence bundles for a centre's day: two kiosks, 300 people checking in (900 entries in the window), one
// person's missed day exported from HQ's store and verified, in Node and in the static page in Chromium.
// Baselines, in the same run: for export, reading the same store through the verified read path (what any
// reader of the logs does first); for verification, checking the bundle's entry signatures with node:crypto
// (the least any verifier must do). Goals: export and verify < 1 s, the page < 2 s, a few hundred KB.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { fromBase64 } from '../core/bytes.ts';
import { encodeBundle, parseBundle } from '../core/evidence/bundle.ts';
import { verifyBundle } from '../core/evidence/verify-bundle.ts';
import { decodeLeaf } from '../core/entry.ts';
import { entrySignatureValid } from '../ledger/entry-signing.ts';
import { Verifier } from '../ledger/keys.ts';
import { VerifiedReader, ledgerEntrySource } from '../ledger/verified-reader.ts';
import { exportEvidence } from '../main/evidence/export-evidence.ts';
import { buildVerifyPage } from '../main/evidence/verify-page.ts';
import { launchBrowser } from '../test/screens/support/browser.ts';
import { DAY, PEOPLE, evidenceCentre } from '../test/evidence/support/evidence-centre.ts';
import type { BenchReport } from './report.ts';
import type { Suite } from './suites.ts';

const REGULARS = 300;
const RUNS = 5;

export const evidenceSuite: Suite = {
  name: 'evidence',
  async run(report) {
    const centre = await evidenceCentre(REGULARS);
    try {
      const exportOnce = (): ReturnType<typeof exportEvidence> =>
        exportEvidence({
          stores: [centre.hq, ...centre.kiosks],
          subject: PEOPLE.missed,
          day: DAY,
          witnessSigners: [centre.witness],
          now: () => Date.parse('2026-12-02T00:00:00Z'),
        });
      const bundle = await exportOnce();
      const text = encodeBundle(bundle);
      report.add('evidence bundle size (centre day, 2 kiosks, 300 people)', text.length / 1024, 'KiB');
      const entries = bundle.segments.reduce((n, s) => n + s.entries.length, 0);
      report.add('evidence entries in the bundle', entries, 'entries');

      await best(report, 'evidence read store through verified read path (baseline)', () =>
        new VerifiedReader(ledgerEntrySource(centre.hq)).next(),
      );
      await best(
        report,
        'evidence export (one person, centre day)',
        exportOnce,
        'evidence read store through verified read path (baseline)',
      );

      const keys = new Map(
        Object.values(centre.signers).map((s) => [s.name, new Verifier(s.name, s.verifier.publicKey)]),
      );
      await best(report, 'evidence bundle entry signatures, node:crypto (baseline)', () => {
        for (const segment of bundle.segments)
          for (const e of segment.entries)
            entrySignatureValid(decodeLeaf(fromBase64(e)), keys.get(segment.origin) as Verifier);
        return Promise.resolve();
      });
      await best(
        report,
        'evidence verify in Node (parse, every check, re-judge)',
        async () => {
          const result = await verifyBundle(parseBundle(text), []);
          if (!result.ok) throw new Error(result.failure);
        },
        'evidence bundle entry signatures, node:crypto (baseline)',
      );

      const file = join(centre.dir, 'bundle.json');
      writeFileSync(file, text);
      const page = join(centre.dir, 'verify.html');
      writeFileSync(page, await buildVerifyPage());
      const browser = await launchBrowser();
      try {
        const times: number[] = [];
        for (let i = 0; i < RUNS; i++) {
          const tab = await browser.newPage();
          await tab.goto(pathToFileURL(page).href);
          const started = performance.now();
          await tab.setInputFiles('#file', file);
          await tab.locator('#result[data-outcome]').waitFor();
          times.push(performance.now() - started);
          await tab.close();
        }
        report.add(
          'evidence verify in the static page, Chromium (file chosen to result shown)',
          Math.min(...times),
          'ms',
          'evidence verify in Node (parse, every check, re-judge)',
        );
      } finally {
        await browser.close();
      }
    } finally {
      centre.close();
    }
  },
};

/** The best of RUNS runs, in ms. */
async function best(
  report: BenchReport,
  name: string,
  fn: () => Promise<unknown>,
  baseline: string = name,
): Promise<void> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    await fn();
    times.push(performance.now() - started);
  }
  report.add(name, Math.min(...times), 'ms', baseline);
}
