// Peer kiosks' and HQ's cosignatures in evidence: witnesses keep the cosignatures they issue and receive (over a
// real Mosquitto broker), the exporter takes them from the stores, and the verifier checks each one: a forged
// cosignature, or a missing one (a listed witness that cosigned nothing, a trusted witness absent from a
// kiosk log's closing checkpoint), is named.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EvidenceBundle, encodeBundle, parseBundle } from '../../core/evidence/bundle.ts';
import { noteKey } from '../../core/evidence/note-keys.ts';
import { summarise } from '../../core/evidence/summary.ts';
import { verifyBundle } from '../../core/evidence/verify-bundle.ts';
import { fromBase64, toBase64 } from '../../core/bytes.ts';
import { parseCheckpoint, parseNote } from '../../core/signed-note.ts';
import { signCheckpoint } from '../../ledger/note.ts';
import { Signer } from '../../ledger/keys.ts';
import { ingestEntries } from '../../ledger/replica.ts';
import { LedgerStore } from '../../ledger/store.ts';
import { exportEvidence } from '../../main/evidence/export-evidence.ts';
import { cosign, verifyCosignature } from '../../net/cosignature.ts';
import { KEEP_EVERY_S, keepCosigned, receiveCosigned } from '../../net/cosigned-notes.ts';
import { SqliteReplicaStore } from '../../net/sqlite-replica-store.ts';
import { Witness } from '../../net/witness.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { type BrokerFixture, startBroker } from '../net/support/brokers.ts';
import { TestWorld, allWorldIds } from '../net/support/nodes.ts';
import { DAY, type EvidenceCentre, K1, K2, PEOPLE, at, evidenceCentre } from './support/evidence-centre.ts';

describe('witnesses keep the cosignatures they issue and receive (Mosquitto)', () => {
  let broker: BrokerFixture;
  beforeAll(async () => {
    broker = await startBroker('mosquitto', allWorldIds(1));
  });
  afterAll(async () => {
    await broker.stop();
  });

  it("a peer keeps its cosignature of a kiosk's checkpoint; the kiosk keeps its peer's and HQ's, merged into the checkpoint it signed", async () => {
    const world = new TestWorld(broker, 0);
    const [W1, W2] = world.ids;
    try {
      const hq = await world.hq();
      const k1 = await world.kiosk(W1, [W2]);
      const k2 = await world.kiosk(W2, [W1]);
      for (let i = 0; i < 5; i++) await k1.node.append('checkin', { subject: `s-${i}` });
      await waitFor(
        async () => (await k2.node.store.witnessed(W1))?.size === 6 && (await hq.store.witnessed(W1))?.size === 6,
        'k2 and HQ to witness k1 at 6',
      );
      // Issued: k2's and HQ's stores hold their own cosignature of k1's checkpoint.
      expect(
        verifyCosignature(k2.node.store.ledger.checkpointAt(W1, 6)?.note ?? '', world.keysOf(W2).witness.verifier),
      ).toBeGreaterThan(0);
      expect(verifyCosignature(hq.store.ledger.checkpointAt(W1, 6)?.note ?? '', hq.witness.verifier)).toBeGreaterThan(
        0,
      );
      // Received: k1 keeps both, on the checkpoint it signed itself.
      const both = (): boolean => {
        const note = k1.node.store.ledger.checkpointAt(W1, 6)?.note ?? '';
        return parseNote(note).signatures.length === 3;
      };
      await waitFor(() => both(), "k1 to keep k2's and HQ's cosignatures of its checkpoint");
      const note = k1.node.store.ledger.checkpointAt(W1, 6)?.note ?? '';
      expect(verifyCosignature(note, world.keysOf(W2).witness.verifier)).toBeGreaterThan(0);
      expect(verifyCosignature(note, hq.witness.verifier)).toBeGreaterThan(0);
    } finally {
      await world.close();
    }
  });
});

describe('keeping a cosigned checkpoint', () => {
  let centre: EvidenceCentre;
  beforeAll(async () => {
    centre = await evidenceCentre();
  });
  afterAll(() => {
    centre.close();
  });

  it("keeps only the publishing witness's line, refuses a checkpoint of a fork, and thins checkpoints it did not hold", () => {
    const [k1] = centre.kiosks;
    const verifiers = [centre.signers[K1].verifier];
    const latest = k1.latestCheckpoint(K1);
    if (!latest) throw new Error('no checkpoint');
    const w = Signer.generate('w');
    const other = Signer.generate('other');
    const time = at('14:05') / 1000;
    // A note cosigned by w and by another: only w's line is kept (w published it).
    expect(keepCosigned(k1, K1, cosign(cosign(latest.note, w, time), other, time), verifiers, 'w')).toBe(true);
    const kept = parseNote(k1.checkpointAt(K1, latest.size)?.note ?? '').signatures.map((s) => s.name);
    expect(kept).toEqual([K1, 'w']);
    expect(keepCosigned(k1, K1, cosign(latest.note, w, time), verifiers, 'w')).toBe(false);
    // A checkpoint whose root is not the entries' (a fork), or signed by another key, is not kept.
    const forked = signCheckpoint(
      { ...parseCheckpoint(parseNote(latest.note).text), root: new Uint8Array(32).fill(7) },
      centre.signers[K1],
    );
    expect(keepCosigned(k1, K1, cosign(forked, w, time), verifiers, 'w')).toBe(false);
    expect(keepCosigned(k1, K1, cosign(latest.note, w, time), [Signer.generate(K1).verifier], 'w')).toBe(false);

    // At HQ (no checkpoint of k1 stored yet): a witness's new checkpoint is kept once per KEEP_EVERY_S of its time;
    // another witness's, or a line on a checkpoint already stored, is kept at once.
    // The kiosk's checkpoints as it signed them (the lines kept above taken off again).
    const [early, late] = k1.checkpoints(K1).map((c) => ({
      size: c.size,
      note: `${c.note.slice(0, c.note.indexOf('\n\n') + 2)}${c.note.split('\n\n')[1]?.split('\n')[0] ?? ''}\n`,
    }));
    if (!early || !late) throw new Error('two checkpoints expected');
    const t = at('14:05') / 1000;
    expect(keepCosigned(centre.hq, K1, cosign(early.note, w, t), verifiers, 'w')).toBe(true);
    expect(keepCosigned(centre.hq, K1, cosign(late.note, w, t + 60), verifiers, 'w')).toBe(false);
    expect(keepCosigned(centre.hq, K1, cosign(late.note, w, t + KEEP_EVERY_S), verifiers, 'w')).toBe(true);
    expect(keepCosigned(centre.hq, K1, cosign(late.note, other, t + 61), verifiers, 'other')).toBe(true);
    expect(parseNote(centre.hq.checkpointAt(K1, late.size)?.note ?? '').signatures.map((s) => s.name)).toEqual([
      K1,
      'w',
      'other',
    ]);
  });
});

describe('a cosignature that arrives before the entries it covers', () => {
  let centre: EvidenceCentre;
  const dir = mkdtempSync(join(tmpdir(), 'muster-early-cosign-'));
  beforeAll(async () => {
    centre = await evidenceCentre();
  });
  afterAll(() => {
    centre.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is held, and kept once the entries are committed (a retained cosignature is not sent again)', async () => {
    const [k1] = centre.kiosks;
    const latest = k1.latestCheckpoint(K1);
    if (!latest) throw new Error('no checkpoint');
    const ledger = LedgerStore.open(join(dir, 'peer.db'), { create: true });
    try {
      const peer = new SqliteReplicaStore(ledger);
      const hq = Signer.generate('hq');
      expect(await peer.keepCosigned(K1, cosign(latest.note, hq, at('14:05') / 1000), 'hq')).toBe(false);
      expect(ledger.checkpointAt(K1, latest.size)).toBeUndefined();
      const leaves = [...k1.range(K1, 0, latest.size)].map((r) => r.leaf);
      expect((await peer.ingest(K1, leaves, 'test')).rejected).toEqual([]);
      const kept = parseNote(ledger.checkpointAt(K1, latest.size)?.note ?? '').signatures.map((s) => s.name);
      expect(kept).toEqual([K1, 'hq']);
    } finally {
      ledger.close();
    }
  });
});

describe("peer kiosks' and HQ's cosignatures in an evidence bundle", () => {
  let centre: EvidenceCentre;
  const k1Witness = Signer.generate(K1);
  const k2Witness = Signer.generate(K2);
  let bundle: EvidenceBundle;
  const trusted = (): ReturnType<typeof noteKey>[] => [noteKey('hq', centre.witness.verifier.publicKey)];

  /** `store` replicates `origin` from the kiosk's own store, then its witness cosigns the kiosk's latest checkpoint. */
  async function witness(store: LedgerStore, signer: Signer, origin: string, kiosk: LedgerStore): Promise<string> {
    if (store !== centre.hq) {
      ingestEntries(
        store,
        origin,
        [...kiosk.range(origin, 0, kiosk.head(origin).size)].map((r) => r.leaf),
        { source: 'test', trustedKey: centre.signers[origin as typeof K1].verifier.publicKey },
      );
    }
    const verdict = await new Witness(new SqliteReplicaStore(store), signer, () => at('14:05')).observe(
      origin,
      kiosk.latestCheckpoint(origin)?.note ?? '',
    );
    if (verdict.kind !== 'cosigned') throw new Error(`witness: ${verdict.kind}`);
    return verdict.note;
  }

  beforeAll(async () => {
    centre = await evidenceCentre();
    const [k1, k2] = centre.kiosks;
    // k2 witnesses k1 and k1 witnesses k2 (each keeps what it issued); HQ witnesses both.
    const byK2 = await witness(k2, k2Witness, K1, k1);
    const byK1 = await witness(k1, k1Witness, K2, k2);
    const byHq = [await witness(centre.hq, centre.witness, K1, k1), await witness(centre.hq, centre.witness, K2, k2)];
    // Each kiosk receives the others' cosignatures of its own log, as on muster/v1/log/<o>/cosign/<witness>.
    await receiveCosigned(new SqliteReplicaStore(k1), { kind: 'cosign', origin: K1, witness: K2 }, Buffer.from(byK2));
    await receiveCosigned(new SqliteReplicaStore(k2), { kind: 'cosign', origin: K2, witness: K1 }, Buffer.from(byK1));
    await receiveCosigned(
      new SqliteReplicaStore(k1),
      { kind: 'cosign', origin: K1, witness: 'hq' },
      Buffer.from(byHq[0] ?? ''),
    );
    // No witness cosigns at export time: every cosignature comes from the stores.
    bundle = await exportEvidence({
      stores: [centre.hq, k1, k2],
      subject: PEOPLE.missed,
      day: DAY,
      witnessKeys: [centre.witness.verifier, k1Witness.verifier, k2Witness.verifier],
      now: () => Date.parse('2026-12-02T00:00:00Z'),
    });
  });
  afterAll(() => {
    centre.close();
  });

  it("carries the cosignatures of HQ and the peer kiosk on each kiosk log's closing checkpoint, and verifies them", async () => {
    expect(bundle.witnesses.map((w) => w.split('+')[0]).sort()).toEqual([K1, K2, 'hq']);
    const cosigners = bundle.segments.map((s) =>
      parseNote(s.to)
        .signatures.map((sig) => sig.name)
        .sort(),
    );
    expect(cosigners).toEqual([
      [K1, K2, 'hq'],
      [K1, K2, 'hq'],
    ]);
    const report = await verifyBundle(parseBundle(encodeBundle(bundle)), trusted());
    expect(report.ok).toBe(true);
    expect(report.ok && report.facts.segments.map((s) => [...s.witnesses].sort())).toEqual([
      [K2, 'hq'],
      [K1, 'hq'],
    ]);
    expect(summarise(report, 'en')[1]).toBe(
      '2 kiosk log(s) complete for that period, witnessed by 3 parties (centre-a/k1, centre-a/k2, hq).',
    );
  });

  /** The bundle with one signature line of a segment's closing checkpoint changed by `edit`. */
  const withLine = (segment: number, name: string, edit: (line: string) => string | undefined): EvidenceBundle => {
    const copy = JSON.parse(encodeBundle(bundle)) as { segments: { to: string }[] };
    const s = copy.segments[segment] as { to: string };
    s.to = s.to
      .split('\n')
      .flatMap((line) => (line.startsWith(`\u2014 ${name} `) ? [edit(line)].filter((l) => l !== undefined) : [line]))
      .join('\n');
    return parseBundle(JSON.stringify(copy));
  };

  it('a forged cosignature is named', async () => {
    const forged = withLine(0, K2, (line) => {
      const raw = fromBase64(line.split(' ')[2] ?? '');
      raw[20] = (raw[20] ?? 0) ^ 1;
      return `\u2014 ${K2} ${toBase64(raw)}`;
    });
    expect(await verifyBundle(forged, trusted())).toMatchObject({
      ok: false,
      failure: expect.stringMatching(
        /the closing checkpoint of centre-a\/k1: the cosignature by centre-a\/k2 does not verify/,
      ) as unknown,
    });
  });

  it("a trusted witness's cosignature missing from a kiosk log's closing checkpoint is named", async () => {
    const missing = withLine(1, 'hq', () => undefined);
    expect(await verifyBundle(missing, trusted())).toMatchObject({
      ok: false,
      failure:
        'the closing checkpoint of centre-a/k2 carries no cosignature by hq, a trusted witness (a cosignature was removed?)',
    });
  });

  it('a listed witness whose every cosignature was removed is named', async () => {
    const copy = JSON.parse(encodeBundle(bundle)) as {
      segments: { to: string }[];
      records: { checkpoint: string }[];
      keyEntries: { checkpoint: string }[];
    };
    // k2's cosignatures (key id, time and signature: 76 bytes), not its log's signatures (68 bytes).
    const strip = (note: string): string =>
      note
        .split('\n')
        .filter((l) => !(l.startsWith(`\u2014 ${K2} `) && fromBase64(l.split(' ')[2] ?? '').length === 76))
        .join('\n');
    for (const s of copy.segments) s.to = strip(s.to);
    for (const r of [...copy.records, ...copy.keyEntries]) r.checkpoint = strip(r.checkpoint);
    expect(await verifyBundle(parseBundle(JSON.stringify(copy)), trusted())).toMatchObject({
      ok: false,
      failure: `${K2} is listed as a witness but no checkpoint in the bundle carries its cosignature (a cosignature was removed?)`,
    });
  });

  it('a cosignature a store kept that does not verify is left out of the export, not passed on', async () => {
    const [k1] = centre.kiosks;
    const latest = k1.latestCheckpoint(K1);
    if (!latest) throw new Error('no checkpoint');
    const impostor = Signer.generate('centre-a/k9');
    const lines = latest.note.split('\n');
    // A line under k2's witness name and key id, signed by someone else.
    const real = lines.find((l) => l.startsWith(`\u2014 ${K2} `)) ?? '';
    const fake = fromBase64(
      cosign(latest.note, impostor, at('14:06') / 1000)
        .trimEnd()
        .split('\n')
        .at(-1)
        ?.split(' ')[2] ?? '',
    );
    fake.set(fromBase64(real.split(' ')[2] ?? '').subarray(0, 4), 0);
    k1.db
      .prepare('UPDATE checkpoints SET note = ? WHERE origin = ? AND size = ?')
      .run(latest.note.replace(real, `\u2014 ${K2} ${toBase64(fake)}`), K1, latest.size);
    const again = await exportEvidence({
      stores: [centre.hq, k1, centre.kiosks[1]],
      subject: PEOPLE.missed,
      day: DAY,
      witnessKeys: [centre.witness.verifier, k1Witness.verifier, k2Witness.verifier],
      now: () => Date.parse('2026-12-02T00:00:00Z'),
    });
    // k2's genuine line on k1's checkpoint came from k2's own store: it is kept, the impostor's is not.
    expect((again.segments[0]?.to ?? '').split('\n').filter((l) => l.startsWith(`\u2014 ${K2} `))).toEqual([real]);
    expect((await verifyBundle(again, trusted())).ok).toBe(true);
  });
});
