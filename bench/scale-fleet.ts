// A share of the scale bench's simulated kiosks in a process of its own (bench/scale.bench.ts), so that the bench's
// process holds HQ (and the few probe kiosks) alone: its resident memory and CPU are then HQ's, not the fleet's.
// The child runs net.bench's kiosk worker and relays its messages: the parent's 'go' in, the worker's replies out.
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startWorker } from '../runtime/worker.ts';

export interface FleetJob {
  readonly url: string;
  readonly users: readonly (readonly [string, string])[];
  readonly origins: readonly string[];
  readonly perKioskPerS: number;
  readonly seconds: number;
  readonly people: number;
}

export interface FleetReply {
  readonly sent?: number;
  readonly acked?: readonly number[];
}

export interface FleetProcess {
  /**
   * The next reply: once every kiosk's genesis is sent, then at the end of the run `sent` and `acked` (per entry,
   * its signing to the broker's PUBACK, ms).
   */
  next(): Promise<FleetReply>;
  go(): void;
  stop(): Promise<void>;
}

export function startFleet(job: FleetJob): FleetProcess {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  child.send({ job });
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      resolve();
    });
  });
  return {
    next: () =>
      new Promise((resolve, reject) => {
        const onExit = (code: number | null): void => {
          reject(new Error(`fleet process exited with ${code}`));
        };
        child.once('exit', onExit);
        child.once('message', (reply: FleetReply) => {
          child.off('exit', onExit);
          resolve(reply);
        });
      }),
    go: () => {
      child.send('go');
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Child side: the first message is the job; later ones go to the worker. */
function runChild(): void {
  process.once('message', (first: { job: FleetJob }) => {
    const worker = startWorker(new URL('./net.bench.ts', import.meta.url), {
      workerData: { role: 'net-bench-kiosks', job: first.job },
    });
    worker.on('message', (reply: object) => {
      process.send?.(reply);
    });
    worker.on('error', (error) => {
      process.stderr.write(`fleet worker failed: ${String(error)}\n`);
      process.exit(1);
    });
    process.on('message', (message: unknown) => {
      worker.postMessage(message);
    });
  });
}

if (process.send && process.argv[1] === fileURLToPath(import.meta.url)) runChild();
