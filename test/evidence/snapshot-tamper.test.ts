// An export from HQ's store (main/evidence/replica-snapshot.ts) chooses the logs to copy from verified entries only:
// a plan's subject edited at rest in HQ's store would otherwise leave the log that decides the person's day out of
// the copy, where no check ever sees it.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeLeaf } from '../../core/entry.ts';
import { exportEvidence } from '../../main/evidence/export-evidence.ts';
import { subjectSnapshot } from '../../main/evidence/replica-snapshot.ts';
import { SqliteReplicaStore } from '../../net/sqlite-replica-store.ts';
import { editRow } from '../helpers/tamper-store.ts';
import { DAY, type EvidenceCentre, K1, PEOPLE, at, evidenceCentre } from './support/evidence-centre.ts';

describe("evidence copied from HQ's store", () => {
  let centre: EvidenceCentre;
  beforeAll(async () => {
    centre = await evidenceCentre();
  });
  afterAll(() => {
    centre.close();
  });

  const missedVerdict = async (hq: SqliteReplicaStore): Promise<string> => {
    const copy = await subjectSnapshot(hq, PEOPLE.missed);
    try {
      const bundle = await exportEvidence({
        // The kiosks' own stores hold their signed checkpoints (this HQ store has witnessed none).
        stores: [copy.store, ...centre.kiosks],
        subject: PEOPLE.missed,
        day: DAY,
        at: at('14:00'),
        witnessSigners: [centre.witness],
        now: () => Date.parse('2026-12-02T00:00:00Z'),
      });
      return bundle.verdict.kind;
    } finally {
      copy.remove();
    }
  };

  it("refuses to export when a plan's subject was edited at rest, naming the log and entry", async () => {
    const hq = new SqliteReplicaStore(centre.hq);
    expect(await missedVerdict(hq)).toBe('missed');
    const plan = [...centre.hq.range(K1, 0, centre.hq.head(K1).size)].find(
      (row) => row.type === 'plan' && decodeLeaf(row.leaf).body.payload.subject === PEOPLE.missed,
    );
    if (!plan) throw new Error(`no plan for ${PEOPLE.missed}`);
    editRow(join(centre.dir, 'hq.db'), K1, plan.seq, PEOPLE.missed, 'p-misx');
    await expect(missedVerdict(hq)).rejects.toThrow(
      new RegExp(`^${K1}#${plan.seq} in HQ's store fails verification .*${PEOPLE.missed}`),
    );
  });
});
