// An HQ store as the breach watcher's reader sees it, counting what it reads: the tests that a pass reads only the
// logs it was told of (breach-watcher-reads, verified-records-named).
import type { SqliteHqStore } from '../../../net/hq/sqlite-hq-store.ts';

/**
 * `store` behind a view (`source`) that notes the reads that list logs (every origins() and size() call: `lists`)
 * and every range of rows read (`rows`, as "origin from-to").
 */
export function counted(store: SqliteHqStore): { source: SqliteHqStore; lists: () => number; rows: string[] } {
  let lists = 0;
  const rows: string[] = [];
  const source = Object.create(store) as SqliteHqStore;
  source.origins = () => {
    lists++;
    return store.origins();
  };
  source.size = (origin) => {
    lists++;
    return store.size(origin);
  };
  source.rows = (origin, from, to) => {
    rows.push(`${origin} ${from}-${to}`);
    return store.rows(origin, from, to);
  };
  return { source, lists: () => lists, rows };
}
