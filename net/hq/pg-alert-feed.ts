// The screens' live alerts on HQ nodes sharing one PostgreSQL: the lease holder raises the breach alerts, any node
// the fleet and event alerts it sees (stored once by key), and an officer may be connected to any node. Every node
// listens for the store's notice of each alert stored or changed (ALERTS_CHANNEL, sent on commit), reads that alert
// back from the store and pushes it to its screens; HqService shows each alert version once, so the node that raised
// it does not push it twice.
import pg from 'pg';
import { errorMessage } from '../../core/errors.ts';
import type { Logger } from '../../runtime/logger.ts';
import { Backoff } from '../../runtime/retry.ts';
import type { HqService } from './hq-service.ts';
import { ALERTS_CHANNEL, type AlertNotice, alertNotice } from './postgres-hq-store.ts';

export interface PgAlertFeed {
  close(): Promise<void>;
}

/** Listens on its own connection until closed; a lost connection is logged and opened again with backoff. */
export function startPgAlertFeed(
  hq: Pick<HqService, 'store' | 'showBreachAlert' | 'showAlert'>,
  url: string,
  log: Logger,
): PgAlertFeed {
  const backoff = new Backoff({ initialMs: 500, maxMs: 10_000 });
  let client: pg.Client | undefined;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const show = async (notice: AlertNotice): Promise<void> => {
    if (notice.kind === 'breach') {
      const alert = await hq.store.breachAlert(notice.id);
      if (alert) hq.showBreachAlert(alert);
      return;
    }
    const [alert] = await hq.store.alerts(notice.id - 1, 1);
    if (alert?.id === notice.id) hq.showAlert(alert);
  };

  const retry = (why: unknown): void => {
    const was = client;
    client = undefined;
    void was?.end().catch(() => undefined);
    if (closed || timer) return;
    log.warn({ err: why }, 'alert notices from other HQ nodes lost; listening again');
    timer = setTimeout(() => {
      timer = undefined;
      void connect();
    }, backoff.next());
    timer.unref();
  };

  const connect = async (): Promise<void> => {
    const next = new pg.Client({ connectionString: url });
    client = next;
    next.on('error', retry);
    next.on('end', () => {
      if (client === next) retry(new Error('connection ended'));
    });
    next.on('notification', (message) => {
      if (message.channel !== ALERTS_CHANNEL) return;
      const notice = alertNotice(message.payload ?? '');
      if (!notice) {
        log.warn({ payload: message.payload }, 'alert notice not understood; ignored');
        return;
      }
      show(notice).catch((error: unknown) => {
        log.warn({ err: error, notice }, `alert not read back for the screens: ${errorMessage(error)}`);
      });
    });
    try {
      await next.connect();
      if (client !== next) {
        await next.end();
        return;
      }
      await next.query(`LISTEN ${next.escapeIdentifier(ALERTS_CHANNEL)}`);
      backoff.reset();
    } catch (error) {
      if (client === next) retry(error);
    }
  };

  void connect();
  return {
    close: async () => {
      closed = true;
      clearTimeout(timer);
      const was = client;
      client = undefined;
      await was?.end().catch(() => undefined);
    },
  };
}
