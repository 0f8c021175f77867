// Evidence from a store that is not a SQLite log store (HQ on PostgreSQL): the logs an export of one person's day
// reads are copied into a SQLite log store, each entry verified as a replica's is (HQ's registry first, so it binds
// the kiosk logs' keys), with the checkpoint the store last witnessed of each log, and the exporter runs on that
// copy. Copied: HQ's registry, every log of the centres the person's plans name, and every log holding a staff
// decision about the person; a log's entries are read from HQ in pages.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Payload } from '../../core/entry.ts';
import { MusterError } from '../../core/errors.ts';
import { REGISTRY_ORIGIN } from '../../core/records/registry-records.ts';
import { ingestEntries } from '../../ledger/replica.ts';
import { type EntryRow, LedgerStore } from '../../ledger/store.ts';
import { VerifiedReader } from '../../ledger/verified-reader.ts';
import type { ReplicaStore } from '../../net/replica-store.ts';
import { witnessedEntrySource } from '../../net/hq/verified-records.ts';
import { SUBJECT_TYPES } from './export-evidence.ts';

const PAGE = 5_000;

export type SnapshotSource = Pick<ReplicaStore, 'origins' | 'size' | 'rows' | 'witnessed' | 'witnessedOrigins'>;

/** A temporary SQLite store holding `subject`'s logs copied from `source`; `remove` closes and deletes it. */
export interface SubjectSnapshot {
  readonly store: LedgerStore;
  readonly remove: () => void;
}

export async function subjectSnapshot(source: SnapshotSource, subject: string): Promise<SubjectSnapshot> {
  const dir = mkdtempSync(join(tmpdir(), 'muster-evidence-copy-'));
  // A throwaway copy: durability is not wanted, the source keeps the record.
  const store = LedgerStore.open(join(dir, 'hq.db'), { create: true, synchronous: 'NORMAL' });
  const remove = (): void => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await copySubjectLogs(source, store, subject);
    return { store, remove };
  } catch (error) {
    remove();
    throw error;
  }
}

async function copySubjectLogs(source: SnapshotSource, target: LedgerStore, subject: string): Promise<void> {
  const origins = await source.origins();
  const centres = new Set<string>();
  const deciding = new Set<string>();
  // Which logs to copy is chosen from verified entries only: a row edited at rest (a plan's subject or centres) would
  // otherwise leave out the log that decides the day, and the copy's own checks would never see it.
  const { problems } = await new VerifiedReader(witnessedEntrySource(source)).next((entries) => {
    for (const { origin, type, payload } of entries) {
      if (!SUBJECT_TYPES.has(type) || payload.subject !== subject) continue;
      deciding.add(origin);
      if (type === 'plan') for (const c of planCentres(payload)) centres.add(c);
    }
  });
  // What a failing entry (or any after it) said cannot be known: it may have been about this person.
  const problem = problems[0];
  if (problem)
    throw new MusterError(
      'unverified',
      `${problem.origin}#${problem.seq} in HQ's store fails verification (${problem.reason}): it may hold evidence about ${subject}, so none can be exported`,
    );
  const wanted = origins
    .filter((o) => o === REGISTRY_ORIGIN || deciding.has(o) || [...centres].some((c) => o.startsWith(`${c}/`)))
    .sort((a, b) => Number(b === REGISTRY_ORIGIN) - Number(a === REGISTRY_ORIGIN));
  for (const origin of wanted) {
    for await (const rows of pages(source, origin)) {
      const result = ingestEntries(
        target,
        origin,
        rows.map((r) => r.leaf),
        { source: 'hq-store' },
      );
      const rejected = result.rejected[0];
      if (rejected)
        throw new MusterError(
          'unverified',
          `${origin}#${rejected.seq ?? '?'} from HQ's store fails verification (${rejected.reason}): evidence from that log cannot be exported`,
        );
    }
    const witnessed = await source.witnessed(origin);
    if (witnessed && witnessed.size <= target.head(origin).size)
      target.saveCheckpoint(origin, { size: witnessed.size, root: witnessed.root, note: witnessed.note });
  }
}

async function* pages(source: SnapshotSource, origin: string): AsyncGenerator<EntryRow[]> {
  const size = await source.size(origin);
  for (let from = 0; from < size; from += PAGE) yield await source.rows(origin, from, Math.min(size, from + PAGE));
}

function planCentres(payload: Payload): string[] {
  const { centres } = payload;
  return Array.isArray(centres) ? centres.filter((c): c is string => typeof c === 'string') : [];
}
