// A kiosk's own export carries its peers' and HQ's cosignatures: kiosks provisioned with their witness keys in
// HQ's registry (`muster kiosk provision --witness-pub`, `muster witness register` for HQ's witness) follow the
// registry, witness each other and receive HQ's cosignatures over a real Mosquitto broker; `muster evidence
// export --db <kiosk store>` is given no witness key, yet the file verifies with only the registry's key trusted
// and is witnessed by every party. A witness key swapped in the file is named.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EvidenceBundle, parseBundle } from '../../core/evidence/bundle.ts';
import { formatNoteKey, noteKey } from '../../core/evidence/note-keys.ts';
import { isAnchored } from '../../core/evidence/summary.ts';
import { verifyBundle } from '../../core/evidence/verify-bundle.ts';
import { parseNote } from '../../core/signed-note.ts';
import { REGISTRY_ORIGIN } from '../../core/records/registry-records.ts';
import { Signer, readSignerFile, writeSignerFile } from '../../ledger/keys.ts';
import { LedgerStore } from '../../ledger/store.ts';
import { EvidenceExports } from '../../main/web/evidence-export.ts';
import { HqService } from '../../net/hq/hq-service.ts';
import { SqliteHqStore } from '../../net/hq/sqlite-hq-store.ts';
import { KioskNode } from '../../net/kiosk-node.ts';
import type { LinkOptions } from '../../net/mqtt-link.ts';
import { topicId } from '../../net/topics.ts';
import { attemptPayload, checkinPayload, planPayload } from '../checkin/support/log-builder.ts';
import { runMuster } from '../helpers/run-muster.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { startMosquitto } from '../helpers/mosquitto.ts';

const DAY = '2026-12-01';
const CENTRE = 'centre-x';
const K1 = `${CENTRE}/k1`;
const K2 = `${CENTRE}/k2`;
const at = (hhmm: string): number => Date.parse(`${DAY}T${hhmm}:00Z`);
/** Replication over a real broker on a loaded 2-core machine: a wait's bound, not a sleep. */
const SLOW_MS = 60_000;

describe("a kiosk's evidence export (kiosks and HQ on Mosquitto, witness keys bound by HQ's registry)", () => {
  const dir = mkdtempSync(join(tmpdir(), 'muster-kiosk-evidence-'));
  const closers: (() => unknown)[] = [];
  const registryPath = join(dir, 'registry.db');
  const kioskPath = (origin: string): string => join(dir, `${origin.replace('/', '~')}.db`);
  let now = at('07:00');
  const clock = (): number => now;
  let registryKey: Uint8Array;
  let file: string;
  let k1: KioskNode;

  beforeAll(async () => {
    // Provisioning as an operator does it: each kiosk's log and witness keys, HQ's witness key, into the registry.
    expect((await runMuster(['ledger', 'init', '--db', registryPath, '--origin', REGISTRY_ORIGIN])).code).toBe(0);
    for (const origin of [K1, K2]) {
      writeSignerFile(`${kioskPath(origin)}.key`, Signer.generate(origin));
      writeSignerFile(`${kioskPath(origin)}.witness.key`, Signer.generate(origin));
      const provisioned = await runMuster([
        'kiosk',
        'provision',
        '--registry',
        registryPath,
        '--origin',
        origin,
        '--pub',
        `${kioskPath(origin)}.key.pub`,
        '--witness-pub',
        `${kioskPath(origin)}.witness.key.pub`,
        ...(origin === K1 ? ['--staff-log'] : []),
      ]);
      expect(provisioned.code, provisioned.stderr).toBe(0);
    }
    writeSignerFile(join(dir, 'hq.witness.key'), Signer.generate('hq'));
    const hqWitness = await runMuster([
      'witness',
      'register',
      '--registry',
      registryPath,
      '--pub',
      join(dir, 'hq.witness.key.pub'),
    ]);
    expect(hqWitness.code, hqWitness.stderr).toBe(0);
    expect(hqWitness.stdout).toMatch(/registered the witness hq \(entry 3\)/);
    registryKey = readSignerFile(`${registryPath}.key`).verifier.publicKey;

    // Mosquitto with the ACL `muster kiosk acl` generates from the registry, as deployed.
    const aclFile = join(dir, 'acl');
    expect((await runMuster(['kiosk', 'acl', '--registry', registryPath, '--out', aclFile])).code).toBe(0);
    const users = new Map(['hq', K1, K2].map((id) => [topicId(id), randomBytes(12).toString('hex')]));
    const broker = await startMosquitto({ users, acl: readFileSync(aclFile, 'utf8') });
    closers.push(() => broker.stop());
    const link = (node: string): Omit<LinkOptions, 'nodeId'> => ({
      url: broker.url,
      username: topicId(node),
      password: users.get(topicId(node)) ?? '',
      reconnect: { initialMs: 100, maxMs: 1000 },
    });
    const registryStore = LedgerStore.open(registryPath);
    closers.push(() => {
      registryStore.close();
    });
    const hq = await HqService.start({
      store: SqliteHqStore.open(join(dir, 'hq.db')),
      broker: link('hq'),
      witnessSigner: readSignerFile(join(dir, 'hq.witness.key')),
      registry: registryStore,
      clock,
      checkEveryMs: 3_600_000,
      retryMs: 500,
    });
    closers.push(async () => {
      await hq.close();
      await hq.store.close();
    });
    const start = async (origin: string, peer: string): Promise<KioskNode> => {
      const node = await KioskNode.start({
        storePath: kioskPath(origin),
        signer: readSignerFile(`${kioskPath(origin)}.key`),
        witnessSigner: readSignerFile(`${kioskPath(origin)}.witness.key`),
        broker: link(origin),
        peers: [peer],
        registryKey,
        clock,
        retryMs: 500,
      });
      closers.push(() => node.close(true));
      return node;
    };
    k1 = await start(K1, K2);
    const k2 = await start(K2, K1);
    await waitFor(
      async () => (await k1.store.size(REGISTRY_ORIGIN)) === 4 && (await k2.store.size(REGISTRY_ORIGIN)) === 4,
      'both kiosks to follow the registry',
      SLOW_MS,
    );

    // k1 keeps, on the latest checkpoint of each log of its centre, the cosignatures of both other parties.
    const cosigners = (origin: string, size: number): string[] =>
      parseNote(k1.store.ledger.checkpointAt(origin, size)?.note ?? '\n\n')
        .signatures.map((s) => s.name)
        .sort();
    const allCosigned = async (): Promise<void> => {
      await waitFor(
        async () => {
          const [own, peer] = [await k1.store.size(K1), await k2.store.size(K2)];
          return (
            (await k1.store.size(K2)) === peer &&
            cosigners(K1, own).join() === [K1, K2, 'hq'].sort().join() &&
            cosigners(K2, peer).join() === [K1, K2, 'hq'].sort().join()
          );
        },
        "k1 to keep k2's and HQ's cosignatures of its log, and HQ's of k2's",
        SLOW_MS,
      );
    };

    // The day: plans at the staff kiosk, one on-time check-in, then an entry at each kiosk after the late period.
    for (const subject of ['p-miss', 'p-on'])
      await k1.append(
        'plan',
        planPayload({ subject, zone: 'UTC', start: '2026-11-01', centres: [CENTRE], effectiveFrom: at('06:00') }),
      );
    now = at('09:05');
    await k1.append('checkin', checkinPayload('p-on', CENTRE));
    // Every checkpoint so far cosigned before the clock moves: a witness keeps one cosigned checkpoint per log every
    // KEEP_EVERY_S of its clock, so a morning checkpoint cosigned at 14:00 would crowd out the afternoon's.
    await allCosigned();
    now = at('14:00');
    for (const [node, kiosk] of [
      [k1, K1],
      [k2, K2],
    ] as const)
      await node.append('checkin-attempt', attemptPayload(undefined, 'no-match', { kiosk, step: 'identify' }));

    await allCosigned();

    // The kiosk's store alone, while it runs; no witness key given.
    file = join(dir, 'p-miss.evidence.json');
    const exported = await runMuster([
      'evidence',
      'export',
      '--db',
      kioskPath(K1),
      '--subject',
      'p-miss',
      '--day',
      DAY,
      '--out',
      file,
    ]);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout).toMatch(/^missed: p-miss on 2026-12-01; 2 kiosk log\(s\)/);
  }, 3 * SLOW_MS);
  afterAll(async () => {
    for (const close of closers.reverse())
      await Promise.resolve()
        .then(close)
        .catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it("carries the peer's and HQ's cosignatures, and verifies trusting only the registry's key: witnessed by 3 parties", async () => {
    const bundle = parseBundle(readFileSync(file, 'utf8'));
    expect(bundle.witnesses.map((w) => w.split('+')[0]).sort()).toEqual([K1, K2, 'hq']);
    expect(
      bundle.segments.map((s) => [
        s.origin,
        parseNote(s.to)
          .signatures.map((sig) => sig.name)
          .sort(),
      ]),
    ).toEqual([
      [K1, [K1, K2, 'hq']],
      [K2, [K1, K2, 'hq']],
    ]);
    const verified = await runMuster(['evidence', 'verify', file, '--trust', `${registryPath}.key.pub`]);
    expect(verified.code, verified.stderr).toBe(0);
    const lines = verified.stdout.split('\n');
    expect(lines[0]).toBe(
      'p-miss did not check in at centre-x on 1 Dec 2026 between 09:00 and 11:15 (UTC), nor late until 13:15.',
    );
    expect(lines[1]).toBe(
      '2 kiosk log(s) complete for that period, witnessed by 3 parties (centre-x/k1, centre-x/k2, hq).',
    );
    expect(lines[2]).toContain("the witness keys of centre-x/k1, centre-x/k2, hq are the ones HQ's registry binds");
    const zh = await runMuster(['evidence', 'verify', file, '--trust', `${registryPath}.key.pub`, '--lang', 'zh']);
    expect(zh.stdout.split('\n')[1]).toBe(
      '2 台自助机的日志在该时段内完整，经 3 方见证（centre-x/k1、centre-x/k2、hq）。',
    );
    // Without a trusted key it is only self-consistent, and says so with a non-zero exit.
    const untrusted = await runMuster(['evidence', 'verify', file]);
    expect(untrusted.code).toBe(3);
    expect(untrusted.stdout).toMatch(/CAUTION: the file is only shown to be consistent with itself/);
  });

  it("the staff screen's export (as the kiosk serves it: its own store, no witness key) carries them too", async () => {
    // As main/kiosk/kiosk-screens.ts builds it.
    const exports = new EvidenceExports({
      stores: [k1.store.ledger],
      log: { origin: K1, append: (type, payload) => k1.append(type, payload) },
      clock,
    });
    const file = await exports.export(
      { subject: 'p-on', day: DAY },
      { principal: { user: 'sam', role: 'staff', centres: [CENTRE] }, kioskScreen: false },
      CENTRE,
    );
    expect(file.verdict).toBe('on-time');
    const report = await verifyBundle(parseBundle(file.bundle), [noteKey(REGISTRY_ORIGIN, registryKey)]);
    expect(report.ok && isAnchored(report)).toBe(true);
    expect(report.ok && report.facts.witnesses).toEqual([K1, K2, 'hq']);
  });

  it('a witness key swapped in the file is not the one the registry binds: named', async () => {
    const bundle = parseBundle(readFileSync(file, 'utf8'));
    const impostor = Signer.generate(K2);
    const swapped: EvidenceBundle = {
      ...bundle,
      witnesses: bundle.witnesses.map((w) =>
        w.startsWith(`${K2}+`) ? formatNoteKey(noteKey(K2, impostor.verifier.publicKey)) : w,
      ),
    };
    const tampered = join(dir, 'swapped.json');
    writeFileSync(tampered, JSON.stringify(swapped));
    const report = await verifyBundle(swapped, [noteKey(REGISTRY_ORIGIN, registryKey)]);
    expect(report).toEqual({
      ok: false,
      failure: "the witness key listed for centre-x/k2 is not the one HQ's registry binds to it (key swapped?)",
    });
    const cli = await runMuster(['evidence', 'verify', tampered, '--trust', `${registryPath}.key.pub`]);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(/NOT VALID: the witness key listed for centre-x\/k2 is not the one HQ's registry binds/);
  });
});
