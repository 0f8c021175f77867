// The second HQ node's share of the alert path in bench/scale: a process of its own holding what an HQ node that did
// not raise an alert runs to show it (net/hq/pg-alert-feed.ts: LISTEN muster_alerts on its own connection, each
// notice read back from its own store), so its CPU is read from /proc alone. It notes when each breach alert reached
// the node's screens (HqService.showBreachAlert, which the SSE stream writes at once) and tells the parent on asking.
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { StoredAlert } from '../net/alerts.ts';
import type { BreachAlert } from '../net/hq/breach-alert.ts';
import { startPgAlertFeed } from '../net/hq/pg-alert-feed.ts';
import { PostgresHqStore } from '../net/hq/postgres-hq-store.ts';
import { createLogger } from '../runtime/logger.ts';

export interface OtherNode {
  readonly pid: number | undefined;
  /** When each breach alert (by subject, its first version) reached the node's screens, ms since the epoch. */
  arrivals(): Promise<Map<string, number>>;
  stop(): Promise<void>;
}

export async function startOtherNode(url: string): Promise<OtherNode> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      resolve();
    });
  });
  const reply = <T>(): Promise<T> =>
    new Promise((resolve, reject) => {
      const onExit = (code: number | null): void => {
        reject(new Error(`the other HQ node exited with ${code}`));
      };
      child.once('exit', onExit);
      child.once('message', (message: T) => {
        child.off('exit', onExit);
        resolve(message);
      });
    });
  const ready = reply<'ready'>();
  child.send({ url });
  await ready;
  return {
    pid: child.pid,
    arrivals: async () => {
      const answer = reply<[string, number][]>();
      child.send('arrivals');
      return new Map(await answer);
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Child side: the store and the feed, until killed. */
function runChild(): void {
  process.once('message', (first: { url: string }) => {
    void (async () => {
      const store = await PostgresHqStore.open(first.url);
      const arrived = new Map<string, number>();
      startPgAlertFeed(
        {
          store,
          showBreachAlert: (alert: BreachAlert) => {
            if (!arrived.has(alert.subject)) arrived.set(alert.subject, Date.now());
          },
          showAlert: (_alert: StoredAlert) => undefined,
        },
        first.url,
        createLogger({ level: 'error' }),
      );
      process.on('message', () => {
        process.send?.([...arrived]);
      });
      process.send?.('ready');
    })();
  });
}

if (process.send && process.argv[1] === fileURLToPath(import.meta.url)) runChild();
