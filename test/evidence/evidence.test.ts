// Evidence bundles end to end: exported from real log stores, verified with the pure verifier (as the CLI and the
// page run it), for every verdict kind; and every tampering the bundle must catch, each with its reason.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromBase64, toBase64 } from '../../core/bytes.ts';
import { type EvidenceBundle, encodeBundle, parseBundle } from '../../core/evidence/bundle.ts';
import { noteKey } from '../../core/evidence/note-keys.ts';
import { isAnchored, summarise } from '../../core/evidence/summary.ts';
import { verifyBundle } from '../../core/evidence/verify-bundle.ts';
import { type Verdict, judgeDay } from '../../core/evidence/verdict.ts';
import { parseDay } from '../../core/time/civil-day.ts';
import { decodeLeaf, encodeBody, encodeLeaf } from '../../core/entry.ts';
import { parseCheckpoint, parseNote } from '../../core/signed-note.ts';
import { REGISTRY_ORIGIN } from '../../core/records/registry-records.ts';
import { signEntry } from '../../ledger/entry-signing.ts';
import { Signer } from '../../ledger/keys.ts';
import { LogWriter } from '../../ledger/log-writer.ts';
import { signCheckpoint } from '../../ledger/note.ts';
import { cosign } from '../../net/cosignature.ts';
import { exportEvidence } from '../../main/evidence/export-evidence.ts';
import { runMuster } from '../helpers/run-muster.ts';
import { DAY, type EvidenceCentre, K1, PEOPLE, evidenceCentre } from './support/evidence-centre.ts';

const EXPORTED_AT = Date.parse('2026-12-02T00:00:00Z');
let centre: EvidenceCentre;
const bundles = new Map<string, EvidenceBundle>();

beforeAll(async () => {
  centre = await evidenceCentre();
  for (const subject of Object.values(PEOPLE)) {
    bundles.set(
      subject,
      await exportEvidence({
        stores: [centre.hq, ...centre.kiosks],
        subject,
        day: DAY,
        witnessSigners: [centre.witness],
        now: () => EXPORTED_AT,
      }),
    );
  }
});
afterAll(() => {
  centre.close();
});

const trustWitness = (): ReturnType<typeof noteKey>[] => [noteKey('hq', centre.witness.verifier.publicKey)];
const bundle = (subject: string): EvidenceBundle => bundles.get(subject) as EvidenceBundle;
interface MutableSegment {
  entries: string[];
  to: string;
}
type MutableBundle = Omit<EvidenceBundle, 'segments' | 'verdict' | 'keyEntries'> & {
  segments: MutableSegment[];
  verdict: Verdict;
  keyEntries: { entry: string }[];
};
/** A deep copy to tamper with. */
const copy = (subject: string): MutableBundle => JSON.parse(encodeBundle(bundle(subject))) as MutableBundle;

async function failure(b: MutableBundle): Promise<string> {
  const report = await verifyBundle(parseBundle(JSON.stringify(b)), trustWitness());
  if (report.ok) throw new Error('the tampered bundle verified');
  return report.failure;
}

describe('every verdict kind exports and verifies', () => {
  it.each([
    [
      PEOPLE.onTime,
      'on-time',
      /p-on checked in on time at centre-a\/k1 on 1 Dec 2026 at 09:05/,
      'p-on 于 2026年12月1日 09:05 在 centre-a/k1 按时报到（时段 09:00 至 11:15（UTC））。',
    ],
    [
      PEOPLE.late,
      'late',
      /p-late checked in late at centre-a on 1 Dec 2026/,
      'p-late 于 2026年12月1日 在 centre-a 迟到报到：',
    ],
    [
      PEOPLE.missed,
      'missed',
      /p-miss did not check in at centre-a on 1 Dec 2026 between 09:00 and 11:15 \(UTC\)/,
      'p-miss 未于 2026年12月1日 09:00 至 11:15（UTC）在 centre-a 报到，迟到时段（至 13:15）内也未报到。',
    ],
    [PEOPLE.excused, 'excused', /excused by staff-1: medical/, 'p-exc 于 2026年12月1日 的违规已获豁免或撤销：'],
    [
      PEOPLE.review,
      'review',
      /1 item\(s\) for staff review \(verification-failed\) and no breach/,
      'p-rev 于 2026年12月1日 有 1 项待工作人员审核（verification-failed），没有违规。',
    ],
  ])('%s: %s (summaries in English and Chinese)', async (subject, kind, words, chinese) => {
    const b = bundle(subject);
    expect(b.verdict.kind).toBe(kind);
    const report = await verifyBundle(parseBundle(encodeBundle(b)), trustWitness());
    expect(report.ok).toBe(true);
    expect(isAnchored(report)).toBe(true);
    const lines = summarise(report, 'en');
    expect(lines[0]).toMatch(words);
    expect(lines[1]).toBe('2 kiosk log(s) complete for that period, witnessed by 1 party (hq).');
    const zh = summarise(report, 'zh');
    expect(zh[0]?.startsWith(chinese)).toBe(true);
    expect(zh[1]).toBe('2 台自助机的日志在该时段内完整，经 1 方见证（hq）。');
    expect(zh[2]).toMatch(/^信任依据：/);
  });

  it('holds both kiosk logs as segments opened by a checkpoint before the window and closed by one after it', () => {
    const b = bundle(PEOPLE.missed);
    expect(b.segments.map((s) => s.origin)).toEqual([K1, 'centre-a/k2']);
    for (const s of b.segments) {
      expect(s.from).not.toBeNull();
      const from = parseCheckpoint(parseNote(s.from ?? '').text);
      expect(from.size).toBeGreaterThan(0);
      expect(s.compact.length).toBeGreaterThan(0);
      expect(parseCheckpoint(parseNote(s.to).text).size).toBe(from.size + s.entries.length);
    }
    // The plans were signed before the window: they come as records with audit paths.
    expect(b.records.map((r) => decodeLeaf(fromBase64(r.entry)).body.type)).toContain('plan');
  });

  it('is deterministic: the same stores and time give the same bytes', async () => {
    const again = await exportEvidence({
      stores: [centre.hq, ...centre.kiosks],
      subject: PEOPLE.missed,
      day: DAY,
      witnessSigners: [centre.witness],
      now: () => EXPORTED_AT,
    });
    expect(encodeBundle(again)).toBe(encodeBundle(bundle(PEOPLE.missed)));
  });

  it('without a trusted key or witness is only self-consistent', async () => {
    const report = await verifyBundle(bundle(PEOPLE.missed), []);
    expect(report.ok).toBe(true);
    expect(isAnchored(report)).toBe(false);
    expect(summarise(report, 'en')[2]).toMatch(
      /^CAUTION: the file is only shown to be consistent with itself: the keys of centre-a\/k1, centre-a\/k2 are not vouched for/,
    );
  });

  it("a pinned kiosk key anchors only that kiosk's log", async () => {
    const report = await verifyBundle(bundle(PEOPLE.missed), [noteKey(K1, centre.signers[K1].verifier.publicKey)]);
    expect(report.ok && report.unanchored).toEqual(['centre-a/k2']);
  });

  it('the export cannot show the window complete without a later entry or a witness', async () => {
    await expect(
      exportEvidence({ stores: [centre.hq, ...centre.kiosks], subject: PEOPLE.missed, day: DAY }),
    ).rejects.toThrow(/centre-a\/k2 is not shown to run past the end of the late period/);
  });
});

describe('tampered bundles fail with the reason', () => {
  it('an entry removed from the window', async () => {
    const b = copy(PEOPLE.onTime);
    const segment = b.segments[0] as MutableSegment;
    const i = segment.entries.findIndex((e) => decodeLeaf(fromBase64(e)).body.type === 'checkin');
    segment.entries.splice(i, 1);
    expect(await failure(b)).toMatch(/where entry \d+ belongs \(an entry was removed or moved\)/);
  });

  it('the last entry of a segment removed: the compact range no longer reproduces the signed root', async () => {
    const b = copy(PEOPLE.missed);
    (b.segments[1] as MutableSegment).entries.pop();
    expect(await failure(b)).toMatch(/do not reproduce the closing checkpoint's root .*an entry was removed/);
  });

  it('an entry edited', async () => {
    const b = copy(PEOPLE.onTime);
    const segment = b.segments[0] as MutableSegment;
    const i = segment.entries.findIndex((e) => decodeLeaf(fromBase64(e)).body.type === 'checkin');
    const leaf = fromBase64(segment.entries[i] as string);
    const text = new TextDecoder('latin1').decode(leaf);
    const at = text.indexOf('p-on');
    leaf.set(new TextEncoder().encode('p-no'), at);
    segment.entries[i] = toBase64(leaf);
    expect(await failure(b)).toMatch(
      /centre-a\/k1#\d+: the signature does not verify \(the entry was changed after it was signed\)/,
    );
  });

  it('an entry re-signed by another key (a key swapped)', async () => {
    const b = copy(PEOPLE.missed);
    const segment = b.segments[0] as MutableSegment;
    const thief = Signer.generate(K1);
    const { body } = decodeLeaf(fromBase64(segment.entries[0] as string));
    segment.entries[0] = toBase64(signEntry({ ...body, kid: thief.id }, thief).leaf);
    expect(await failure(b)).toMatch(/is signed by a key other than the one in force for it \(key swapped\?\)/);
  });

  it('a genesis entry naming another key (a key swapped)', async () => {
    const b = copy(PEOPLE.missed);
    const thief = Signer.generate(K1);
    const genesisAt = b.keyEntries.findIndex((k) => decodeLeaf(fromBase64(k.entry)).body.origin === K1);
    const proven = b.keyEntries[genesisAt] as { entry: string };
    const { body } = decodeLeaf(fromBase64(proven.entry));
    const bodyBytes = encodeBody({ ...body, kid: thief.id, payload: { key: thief.verifier.publicKey } });
    proven.entry = toBase64(
      encodeLeaf(
        bodyBytes,
        thief.sign(new Uint8Array([...new TextEncoder().encode('muster/entry/v1\0'), ...bodyBytes])),
      ),
    );
    expect(await failure(b)).toMatch(/centre-a\/k1.*key swapped\?/);
  });

  it('a closing checkpoint replaced by one from a fork', async () => {
    const b = copy(PEOPLE.missed);
    const segment = b.segments[0] as MutableSegment;
    const real = parseCheckpoint(parseNote(segment.to).text);
    const forked = signCheckpoint({ ...real, root: new Uint8Array(32).fill(7) }, centre.signers[K1]);
    segment.to = cosign(forked, centre.witness, EXPORTED_AT / 1000);
    expect(await failure(b)).toMatch(
      /do not reproduce the closing checkpoint's root .*or the checkpoint is from a fork/,
    );
  });

  it('a cosignature from an unknown witness', async () => {
    const b = copy(PEOPLE.missed);
    const segment = b.segments[0] as MutableSegment;
    segment.to = cosign(segment.to, Signer.generate('friendly-witness'), EXPORTED_AT / 1000);
    expect(await failure(b)).toMatch(
      /a signature by friendly-witness, a key the bundle does not list, is on the checkpoint/,
    );
  });

  it('a verdict changed', async () => {
    const b = copy(PEOPLE.missed);
    b.verdict = { ...bundle(PEOPLE.onTime).verdict, kind: 'on-time', breaches: [] };
    expect(await failure(b)).toMatch(
      /the stated verdict \(on-time\) is not what the breach engine finds in the evidence \(missed\)/,
    );
  });

  it("a breach's status changed while its kind is kept", async () => {
    const b = copy(PEOPLE.excused);
    b.verdict = { ...b.verdict, breaches: b.verdict.breaches.map((x) => ({ ...x, status: 'open' as const })) };
    expect(await failure(b)).toMatch(/the stated verdict \(excused\) is not what the breach engine finds/);
  });

  it('the excuse withheld', async () => {
    const b = copy(PEOPLE.excused);
    const segment = b.segments[0] as MutableSegment;
    segment.entries = segment.entries.filter((e) => decodeLeaf(fromBase64(e)).body.type !== 'excuse');
    expect(await failure(b)).toMatch(/an entry was removed/);
  });

  it('a whole kiosk log left out', async () => {
    const b = copy(PEOPLE.late);
    b.segments = b.segments.slice(0, 1);
    expect(await failure(b)).toMatch(
      /stated verdict \(late\) is not what the breach engine finds in the evidence \(missed\)/,
    );
  });

  it('a bundle that is not one', () => {
    expect(() => parseBundle('{"kind":"muster-evidence","v":2}')).toThrow(/version 2 is not supported/);
    expect(() => parseBundle('not json')).toThrow(/not JSON/);
    const b = JSON.parse(encodeBundle(bundle(PEOPLE.missed))) as Record<string, unknown>;
    delete b.segments;
    expect(() => parseBundle(JSON.stringify(b))).toThrow(/segments: expected a list/);
  });

  it("a stated verdict that is not the engine's shape: named by field, and the CLI says NOT VALID (exit 1)", async () => {
    const edited = (edit: (breach: Record<string, unknown>, verdict: Record<string, unknown>) => void): string => {
      const b = JSON.parse(encodeBundle(bundle(PEOPLE.late))) as { verdict: { breaches: Record<string, unknown>[] } };
      const [breach] = b.verdict.breaches;
      if (!breach) throw new Error('the late bundle states a breach');
      edit(breach, b.verdict);
      return JSON.stringify(b);
    };
    const unknownRule = edited((breach) => (breach.rule = 'no-such-rule'));
    expect(() => parseBundle(unknownRule)).toThrow(
      /^bundle\.verdict\.breaches\[0\]\.rule: expected one of missed-checkin, late-checkin, /,
    );
    expect(() => parseBundle(edited((breach) => (breach.evidence = 'k1@3')))).toThrow(
      /^bundle\.verdict\.breaches\[0\]\.evidence: expected a list/,
    );
    expect(() => parseBundle(edited((breach) => delete breach.history))).toThrow(
      /^bundle\.verdict\.breaches\[0\]\.history: expected a list/,
    );
    expect(() => parseBundle(edited((_, verdict) => (verdict.reviews = [{ id: 'x' }])))).toThrow(
      /^bundle\.verdict\.reviews\[0\]\.\w+: expected /,
    );
    expect(() =>
      parseBundle(edited((_, verdict) => (verdict.checkins = [{ origin: K1, seq: -1, hash: '0'.repeat(64) }]))),
    ).toThrow(/^bundle\.verdict\.checkins\[0\]\.seq: expected an integer/);
    const dir = mkdtempSync(join(tmpdir(), 'muster-bad-bundle-'));
    try {
      writeFileSync(join(dir, 'bad.json'), unknownRule);
      const cli = await runMuster(['evidence', 'verify', join(dir, 'bad.json')]);
      expect(cli.stderr).toMatch(/NOT VALID: bundle\.verdict\.breaches\[0\]\.rule: expected one of/);
      expect(cli.code).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("key bindings by HQ's registry", () => {
  let bound: EvidenceCentre;
  let registry: Signer;
  let registryWriter: LogWriter;
  beforeAll(async () => {
    bound = await evidenceCentre(0, { forgedExcuse: true });
    registry = Signer.generate(REGISTRY_ORIGIN);
    registryWriter = LogWriter.init(bound.hq, REGISTRY_ORIGIN, registry, () => Date.parse('2026-11-01T00:00:00Z'));
    // k1 is the centre's staff log (the plans and the real excuse are on it); k2 is only a kiosk.
    for (const [origin, signer] of Object.entries(bound.signers))
      await registryWriter.append('kiosk-registration', {
        origin,
        centre: 'centre-a',
        key: signer.verifier.publicKey,
        ...(origin === K1 ? { staffLog: true } : {}),
      });
    registryWriter.checkpoint();
  });
  afterAll(() => {
    bound.close();
  });
  const exportBound = (): Promise<EvidenceBundle> =>
    exportEvidence({
      stores: [bound.hq, ...bound.kiosks],
      subject: PEOPLE.missed,
      day: DAY,
      witnessSigners: [bound.witness],
      now: () => EXPORTED_AT,
    });

  it("carries the registry whole, and HQ's registry key anchors every registered kiosk log", async () => {
    const b = await exportBound();
    expect(b.registry?.entries).toHaveLength(3);
    const report = await verifyBundle(b, [noteKey(REGISTRY_ORIGIN, registry.verifier.publicKey)]);
    expect(isAnchored(report)).toBe(true);
    expect(report.ok && report.anchors).toEqual([
      "HQ's registry (hq/registry) is signed by a pinned key or cosigned by a trusted witness",
      "centre-a/k1: its key is the one HQ's registry binds to it",
      "centre-a/k2: its key is the one HQ's registry binds to it",
    ]);
  });

  it('staff decisions count only from the staff logs the registry names: an excuse logged by a kiosk is no excuse', async () => {
    const b = await exportBound();
    expect(b.verdict.kind).toBe('missed');
    const report = await verifyBundle(b, [noteKey(REGISTRY_ORIGIN, registry.verifier.publicKey)]);
    expect(report.ok && report.facts.staffLogs).toEqual([K1]);
    // The verdict the kiosk's excuse would give if any log's decisions counted: the verifier does not accept it.
    const records = [...b.segments.flatMap((s) => s.entries), ...b.records.map((r) => r.entry)].map((e) => {
      const { body } = decodeLeaf(fromBase64(e));
      return {
        ref: { origin: body.origin, seq: body.seq, hash: '' },
        ts: body.ts,
        type: body.type,
        payload: body.payload,
      };
    });
    const anyLog = judgeDay(records, PEOPLE.missed, parseDay(DAY) as number, b.at).verdict;
    expect(anyLog.kind).toBe('excused');
    const forged = { ...b, verdict: anyLog };
    expect((await verifyBundle(forged, [])) as { failure?: string }).toMatchObject({
      failure: expect.stringMatching(
        /the stated verdict \(excused\) is not what the breach engine finds in the evidence \(missed\)/,
      ) as unknown,
    });
  });

  it('a registry entry edited, or one left out, fails', async () => {
    const b = JSON.parse(encodeBundle(await exportBound())) as { registry: { entries: string[] } };
    const edited = JSON.parse(JSON.stringify(b)) as typeof b;
    const last = fromBase64(edited.registry.entries[2] as string);
    last[last.length - 70] = (last[last.length - 70] ?? 0) ^ 1;
    edited.registry.entries[2] = toBase64(last);
    expect((await verifyBundle(parseBundle(JSON.stringify(edited)), [])) as { failure?: string }).toMatchObject({
      failure: expect.stringMatching(/hq\/registry#2: the signature does not verify/) as unknown,
    });
    b.registry.entries.pop();
    expect((await verifyBundle(parseBundle(JSON.stringify(b)), [])) as { failure?: string }).toMatchObject({
      failure: expect.stringMatching(
        /the registry entries do not reproduce the root of its signed checkpoint/,
      ) as unknown,
    });
  });

  it('a kiosk the registry lists at the centre must have its log in the bundle', async () => {
    await registryWriter.append('kiosk-registration', {
      origin: 'centre-a/k3',
      centre: 'centre-a',
      key: Signer.generate('centre-a/k3').verifier.publicKey,
    });
    registryWriter.checkpoint();
    await expect(exportBound()).rejects.toThrow(
      /the registry lists centre-a\/k3 at centre-a, but the bundle has no segment of its log/,
    );
  });
});
