// One page of a log's entries for HQ's API, from the verified read path (ledger/verified-reader.ts): the log is
// verified from its start up to the page's end (hash, chain link, key in force with the registry's revocations,
// signature; rows deleted from the end counted by the witnessed checkpoint), so a row edited at rest is never served.
import { REGISTRY_ORIGIN } from '../../core/records/registry-origin.ts';
import { type VerifiedEntry, VerifiedReader, type VerifyProblem } from '../../ledger/verified-reader.ts';
import { type WitnessingStore, witnessedEntrySource } from './verified-records.ts';

/**
 * Verified entries from <= seq < to of `origin`, or the problem (the log's own or the registry's) that withholds some
 * of them: the caller refuses such a page whole, since serving the entries around it would let a client page past
 * the gap.
 */
export async function verifiedPage(
  store: WitnessingStore,
  origin: string,
  from: number,
  to: number,
): Promise<{ entries: VerifiedEntry[]; problem?: VerifyProblem }> {
  const source = witnessedEntrySource(store);
  // Logs witnessed and deleted whole are listed too: their page is a problem, not empty.
  const held = new Set(await source.origins());
  const page: VerifiedEntry[] = [];
  const { problems } = await new VerifiedReader({
    // The registry's entries decide which key is in force (revocations included).
    origins: () => Promise.resolve([...new Set([REGISTRY_ORIGIN, origin])].filter((o) => held.has(o))),
    size: async (o) => (o === origin ? Math.min(to, await source.size(o)) : source.size(o)),
    rows: (o, start, end) => source.rows(o, start, end),
  }).next((entries) => {
    for (const entry of entries) if (entry.origin === origin && entry.seq >= from) page.push(entry);
  });
  const problem = problems.find((p) => p.origin === origin || p.origin === REGISTRY_ORIGIN);
  return problem ? { entries: page, problem } : { entries: page };
}
