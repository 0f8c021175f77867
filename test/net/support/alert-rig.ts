// A breach watcher over a real SQLite HQ store fed with real signed logs (a centre's staff log and one kiosk), on a
// clock the test sets: what the breach-watcher tests share.
import { join } from 'node:path';
import { afterEach } from 'vitest';
import type { Payload } from '../../../core/entry.ts';
import type { BreachAlert } from '../../../net/hq/breach-alert.ts';
import { BreachWatcher } from '../../../net/hq/breach-watcher.ts';
import { SqliteHqStore } from '../../../net/hq/sqlite-hq-store.ts';
import { MemoryLog } from '../../../runtime/logger.ts';
import { ReaderRecords } from '../../../net/hq/verified-records.ts';
import { type KioskLog, kioskLog, tempDir } from '../../checkin/support/kiosk-log.ts';
import { at, planPayload } from '../../checkin/support/log-builder.ts';

export const ZONE = 'UTC';
/** Window 09:00-11:00 plus 15 minutes' grace on 2026-03-02. */
export const CLOSE = at('2026-03-02 11:15', ZONE);

const open: { close(): void }[] = [];
const logs: MemoryLog[] = [];
afterEach(() => {
  for (const o of open.splice(0)) o.close();
  // A watcher that logged a warning or an error (a failed pass, withheld entries) fails its test.
  const records = logs
    .splice(0)
    .flatMap((l) => l.records)
    .filter((r) => r.level !== 'info' && r.level !== 'debug' && r.level !== 'trace');
  if (records.length > 0) throw new Error(`the breach watcher logged: ${JSON.stringify(records)}`);
});

/** Closed after the test. */
export function closeAfter(o: { close(): void }): void {
  open.push(o);
}

export interface AlertRig {
  readonly dir: string;
  readonly store: SqliteHqStore;
  readonly staff: KioskLog;
  readonly kiosk: KioskLog;
  /** Copies every entry of the writers' logs into HQ's store (verified there). */
  readonly sync: () => Promise<void>;
}

/** p-1, p-2 and p-3 (or `plans`) supervised at centre-a from 2026-03-02, with two hours' lateness. */
export async function alertRig(
  plans: readonly Payload[] = ['p-1', 'p-2', 'p-3'].map((subject) =>
    planPayload({ subject, zone: ZONE, start: '2026-03-02', late: 120 }),
  ),
): Promise<AlertRig> {
  const dir = tempDir();
  const store = SqliteHqStore.open(join(dir, 'hq.db'));
  const staff = kioskLog(dir, 'centre-a/staff', at('2026-03-01 08:00', ZONE));
  const kiosk = kioskLog(dir, 'centre-a/k1', at('2026-03-01 08:00', ZONE));
  open.push({
    close: () => {
      staff.store.close();
      kiosk.store.close();
    },
  });
  const sync = async (): Promise<void> => {
    for (const log of [staff, kiosk]) {
      const origin = log.writer.origin;
      const held = await store.size(origin);
      const leaves = [...log.store.range(origin, held, log.store.head(origin).size)].map((r) => r.leaf);
      if (leaves.length > 0) await store.ingest(origin, leaves, 'test');
    }
  };
  for (const plan of plans) await staff.writer.append('plan', plan);
  await sync();
  return { dir, store, staff, kiosk, sync };
}

/** A watcher on `clock` that collects what it delivers; a warning it logs fails the test. */
export function alertWatcher(store: SqliteHqStore, clock: () => number, delivered: BreachAlert[]): BreachWatcher {
  const log = new MemoryLog();
  logs.push(log);
  const w = new BreachWatcher({
    source: new ReaderRecords(store),
    store,
    clock,
    deliver: (a) => delivered.push(a),
    logger: log.logger,
  });
  open.push({ close: () => void w.close() });
  return w;
}
