// Staff decisions in evidence: a contest opened and dismissed, and a review that holds a person responsible, logged
// after the window closed (and after the first checkpoint that shows it closed). The bundle carries them, the
// verdict follows them (dismissed: excused; the review: missed, on staff's finding), and taking one out is caught.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromBase64 } from '../../core/bytes.ts';
import { type EvidenceBundle, encodeBundle, parseBundle } from '../../core/evidence/bundle.ts';
import { noteKey } from '../../core/evidence/note-keys.ts';
import { summarise } from '../../core/evidence/summary.ts';
import { verifyBundle } from '../../core/evidence/verify-bundle.ts';
import { decodeLeaf } from '../../core/entry.ts';
import { exportEvidence } from '../../main/evidence/export-evidence.ts';
import { SqliteReplicaStore } from '../../net/sqlite-replica-store.ts';
import { Witness } from '../../net/witness.ts';
import { DAY, type EvidenceCentre, K1, K2, PEOPLE, at, evidenceCentre } from './support/evidence-centre.ts';

let centre: EvidenceCentre;
const trusted = (): ReturnType<typeof noteKey>[] => [noteKey('hq', centre.witness.verifier.publicKey)];

beforeAll(async () => {
  centre = await evidenceCentre(0, { decisions: true });
  // HQ witnessed k2's last checkpoint at 14:05 and k1's at 15:45 (its stored cosignatures show both logs closed);
  // no witness cosigns at export time.
  for (const [origin, kiosk, time] of [
    [K2, centre.kiosks[1], '14:05'],
    [K1, centre.kiosks[0], '15:45'],
  ] as const) {
    const witness = new Witness(new SqliteReplicaStore(centre.hq), centre.witness, () => at(time));
    expect((await witness.observe(origin, kiosk.latestCheckpoint(origin)?.note ?? '')).kind).toBe('cosigned');
  }
});
afterAll(() => {
  centre.close();
});

const exported = (subject: string): Promise<EvidenceBundle> =>
  exportEvidence({
    stores: [centre.hq, ...centre.kiosks],
    subject,
    day: DAY,
    witnessKeys: [centre.witness.verifier],
    now: () => Date.parse('2026-12-02T00:00:00Z'),
  });

/** The types of the entries about `subject` the bundle carries, in its segments and records. */
function decisionsIn(bundle: EvidenceBundle, subject: string): string[] {
  const leaves = [...bundle.segments.flatMap((s) => s.entries), ...bundle.records.map((r) => r.entry)];
  return leaves
    .map((e) => decodeLeaf(fromBase64(e)).body)
    .filter((b) => (b.type === 'contest' || b.type === 'review') && b.payload.subject === subject)
    .map((b) => `${b.type}:${JSON.stringify(b.type === 'contest' ? b.payload.action : b.payload.decision)}`);
}

describe('staff decisions logged after the window closed', () => {
  it('a contest dismissed: the bundle carries it and the missed check-in reads excused', async () => {
    const bundle = await exported(PEOPLE.missed);
    expect(bundle.verdict.kind).toBe('excused');
    expect(bundle.verdict.breaches.map((b) => [b.rule, b.status])).toEqual([['missed-checkin', 'dismissed']]);
    expect(decisionsIn(bundle, PEOPLE.missed)).toEqual(['contest:"open"', 'contest:"resolve"']);
    const report = await verifyBundle(parseBundle(encodeBundle(bundle)), trusted());
    expect(report.ok).toBe(true);
    expect(summarise(report, 'en')[0]).toBe(
      "p-miss's breach on 1 Dec 2026 is excused or dismissed: missed-checkin: contest dismissed (staff-3): evidence-checked.",
    );
  });

  it('a review holding the person responsible: the bundle carries it and the day reads as missed', async () => {
    const bundle = await exported(PEOPLE.review);
    expect(bundle.verdict.kind).toBe('missed');
    expect(bundle.verdict.breaches.map((b) => b.detail)).toEqual([
      'no check-in; staff review found no excuse (no-excuse)',
    ]);
    expect(decisionsIn(bundle, PEOPLE.review)).toEqual(['review:"breach"']);
    const report = await verifyBundle(parseBundle(encodeBundle(bundle)), trusted());
    expect(report.ok).toBe(true);
    expect(summarise(report, 'zh')[0]).toBe(
      'p-rev 未于 2026年12月1日 09:00 至 11:15（UTC）在 centre-a 报到，迟到时段（至 13:15）内也未报到。',
    );
  });

  it('the dismissal taken out of the bundle is caught', async () => {
    const bundle = await exported(PEOPLE.missed);
    const k1 = bundle.segments.findIndex((s) => s.origin === K1);
    const withoutResolve = JSON.parse(encodeBundle(bundle)) as { segments: { entries: string[] }[] };
    const entries = withoutResolve.segments[k1]?.entries ?? [];
    const resolve = entries.findIndex((e) => decodeLeaf(fromBase64(e)).body.payload.action === 'resolve');
    expect(resolve).toBeGreaterThan(0);
    entries.splice(resolve, 1);
    const report = await verifyBundle(parseBundle(JSON.stringify(withoutResolve)), trusted());
    expect(report).toMatchObject({ ok: false, failure: expect.stringMatching(/an entry was removed/) as unknown });
  });
});
