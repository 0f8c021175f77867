// HQ's own signed log, in a SQLite file of its own: officers' actions on breach alerts go on it (alert-desk.ts),
// and every evidence export from the dashboard (main/web/evidence-export.ts). Its origin is `<node id>/log`
// (hq/log for the default node), its key beside the file.
import type { Payload } from '../../core/entry.ts';
import { MusterError } from '../../core/errors.ts';
import { loadOrCreateSigner } from '../../ledger/keys.ts';
import { LogWriter } from '../../ledger/log-writer.ts';
import { LedgerStore } from '../../ledger/store.ts';
import type { ActionLog } from './alert-desk.ts';

export interface HqLog extends ActionLog {
  append(type: 'alert-action' | 'evidence-export', payload: Payload): Promise<{ readonly seq: number }>;
  close(): void;
}

export function openHqLog(path: string, nodeId: string): HqLog {
  const origin = `${nodeId}/log`;
  const { signer } = loadOrCreateSigner(`${path}.key`, origin);
  const store = LedgerStore.open(path, { create: true });
  try {
    const own = store.ownOrigin();
    if (own !== undefined && own !== origin)
      throw new MusterError('bad-config', `${path} holds the log of ${own}, not ${origin}`);
    const writer = own === undefined ? LogWriter.init(store, origin, signer) : LogWriter.open(store, signer);
    return {
      origin,
      append: (type, payload) => writer.append(type, payload),
      close: () => {
        store.close();
      },
    };
  } catch (error) {
    store.close();
    throw error;
  }
}
