// Evidence exported from HQ on PostgreSQL: HQ's store holds the registry and both kiosk logs of a centre's day, its
// witness accepted each log's checkpoint; `muster evidence export --db postgres://...` copies the person's logs
// out, verified, and gives for every verdict kind the bundle HQ's SQLite store gives, which verifies against the
// registry's key.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBundle } from '../../core/evidence/bundle.ts';
import { noteKey } from '../../core/evidence/note-keys.ts';
import { verifyBundle } from '../../core/evidence/verify-bundle.ts';
import { REGISTRY_ORIGIN } from '../../core/records/registry-records.ts';
import { Signer, writeSignerFile } from '../../ledger/keys.ts';
import { LogWriter } from '../../ledger/log-writer.ts';
import { ingestEntries } from '../../ledger/replica.ts';
import { LedgerStore } from '../../ledger/store.ts';
import { exportEvidence } from '../../main/evidence/export-evidence.ts';
import { subjectSnapshot } from '../../main/evidence/replica-snapshot.ts';
import { EvidenceExports } from '../../main/web/evidence-export.ts';
import { PostgresHqStore } from '../../net/hq/postgres-hq-store.ts';
import { Witness } from '../../net/witness.ts';
import { type PostgresServer, startPostgres } from '../helpers/postgres.ts';
import { runMuster } from '../helpers/run-muster.ts';
import { DAY, type EvidenceCentre, K1, K2, PEOPLE, at, evidenceCentre } from './support/evidence-centre.ts';

const EXPORTED_AT = Date.parse('2026-12-02T00:00:00Z');
const leavesOf = (store: LedgerStore, origin: string): Uint8Array[] =>
  [...store.range(origin, 0, store.head(origin).size)].map((r) => r.leaf);

describe('evidence from HQ on PostgreSQL', () => {
  let server: PostgresServer;
  let centre: EvidenceCentre;
  const dir = mkdtempSync(join(tmpdir(), 'muster-pg-evidence-'));
  const registry = Signer.generate(REGISTRY_ORIGIN);
  const witnessKey = join(dir, 'hq.witness.key');

  beforeAll(async () => {
    server = await startPostgres();
    centre = await evidenceCentre();
    writeSignerFile(witnessKey, centre.witness);
    // HQ's registry (k1 the centre's staff log), also in HQ's SQLite store for the reference export.
    const registryStore = LedgerStore.open(join(dir, 'registry.db'), { create: true });
    const registryWriter = LogWriter.init(registryStore, REGISTRY_ORIGIN, registry, () => at('06:00'));
    for (const [origin, staffLog] of [
      [K1, true],
      [K2, false],
    ] as const)
      await registryWriter.append('kiosk-registration', {
        origin,
        centre: 'centre-a',
        key: centre.signers[origin].verifier.publicKey,
        ...(staffLog ? { staffLog } : {}),
      });
    registryWriter.checkpoint();
    ingestEntries(centre.hq, REGISTRY_ORIGIN, leavesOf(registryStore, REGISTRY_ORIGIN), {
      source: 'test',
      trustedKey: registry.verifier.publicKey,
    });
    centre.hq.saveCheckpoint(REGISTRY_ORIGIN, registryStore.latestCheckpoint(REGISTRY_ORIGIN) ?? never());

    const hq = await PostgresHqStore.open(server.url);
    try {
      const witness = new Witness(hq, centre.witness, () => at('14:05'));
      for (const [origin, source] of [
        [REGISTRY_ORIGIN, registryStore],
        [K1, centre.kiosks[0]],
        [K2, centre.kiosks[1]],
      ] as const) {
        const result = await hq.ingest(origin, leavesOf(source, origin), 'test');
        expect(result.rejected).toEqual([]);
        expect((await witness.observe(origin, source.latestCheckpoint(origin)?.note ?? never())).kind).toBe('cosigned');
      }
    } finally {
      await hq.close();
      registryStore.close();
    }
  });
  afterAll(async () => {
    centre.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(Object.values(PEOPLE))(
    '%s: the bundle from PostgreSQL is the one from SQLite, and verifies trusting the registry',
    async (subject) => {
      const file = join(dir, `${subject}.json`);
      const run = await runMuster([
        'evidence',
        'export',
        '--db',
        server.url,
        '--subject',
        subject,
        '--day',
        DAY,
        '--witness-key',
        witnessKey,
        '--at',
        String(at('14:00')),
        '--out',
        file,
      ]);
      expect(run.code, run.stderr).toBe(0);
      const fromPostgres = parseBundle(readFileSync(file, 'utf8'));
      const fromSqlite = await exportEvidence({
        stores: [centre.hq, ...centre.kiosks],
        subject,
        day: DAY,
        at: at('14:00'),
        witnessSigners: [centre.witness],
        now: () => EXPORTED_AT,
      });
      expect(fromPostgres.verdict).toEqual(fromSqlite.verdict);
      expect(fromPostgres.registry?.entries).toEqual(fromSqlite.registry?.entries);
      expect(fromPostgres.segments.map((s) => s.origin)).toEqual([K1, K2]);
      const report = await verifyBundle(fromPostgres, [noteKey(REGISTRY_ORIGIN, registry.verifier.publicKey)]);
      expect(report.ok && report.unanchored).toEqual([]);
      expect(report.ok && report.facts.witnesses).toEqual(['hq']);
      const cli = await runMuster(['evidence', 'verify', file, '--trust', `${witnessKey}.pub`]);
      expect(cli.code, cli.stderr).toBe(0);
    },
  );

  it("HQ's dashboard on PostgreSQL exports from a copy made for the export: logged on HQ's log, verifies, copy removed", async () => {
    // As `muster hq --postgres` builds it (main/cli/net-commands.ts).
    const hq = await PostgresHqStore.open(server.url);
    const hqLog = LedgerStore.open(join(dir, 'hq-log.db'), { create: true });
    try {
      const hqWriter = LogWriter.init(hqLog, 'hq/log', Signer.generate('hq/log'), () => EXPORTED_AT);
      const exports = new EvidenceExports({
        stores: async (subject) => {
          const copy = await subjectSnapshot(hq, subject);
          return { stores: [copy.store], release: copy.remove };
        },
        log: { origin: 'hq/log', append: (type, payload) => hqWriter.append(type, payload) },
        witnessSigners: [centre.witness],
        clock: () => at('14:00'),
      });
      const before = readdirTmp();
      const logged = hqLog.head('hq/log').size;
      const officer = { principal: { user: 'olga', role: 'officer', centres: [] }, kioskScreen: false } as const;
      const file = await exports.export({ subject: PEOPLE.missed, day: DAY }, officer);
      expect(file.verdict).toBe('missed');
      expect(file.logged).toEqual({ origin: 'hq/log', seq: logged });
      expect(readdirTmp()).toEqual(before);
      const report = await verifyBundle(parseBundle(file.bundle), [
        noteKey(REGISTRY_ORIGIN, registry.verifier.publicKey),
      ]);
      expect(report.ok && report.facts.witnesses).toEqual(['hq']);
      // A person HQ holds no plan for: refused, nothing logged, no copy left behind.
      await expect(exports.export({ subject: 'p-nobody', day: DAY }, officer)).rejects.toThrow(/p-nobody/);
      expect(hqLog.head('hq/log').size).toBe(logged + 1);
      expect(readdirTmp()).toEqual(before);
    } finally {
      hqLog.close();
      await hq.close();
    }
  });

  it("a person with no plan in HQ's store is refused, and the temporary copy is removed", async () => {
    const before = readdirTmp();
    const run = await runMuster([
      'evidence',
      'export',
      '--db',
      server.url,
      '--subject',
      'p-nobody',
      '--day',
      DAY,
      '--out',
      join(dir, 'nobody.json'),
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/p-nobody/);
    expect(readdirTmp()).toEqual(before);
  });
});

function never(): never {
  throw new Error('expected a checkpoint');
}

function readdirTmp(): string[] {
  return readdirSync(tmpdir())
    .filter((n) => n.startsWith('muster-evidence-copy-'))
    .sort();
}
