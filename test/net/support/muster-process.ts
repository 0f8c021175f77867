// A long-running `muster` command (hq, kiosk) as a process of its own, started from the sources: waits for its
// ready line, keeps what it prints, and stops with a signal (SIGINT: a clean stop; SIGKILL: a crash). And the
// password files such a process reads its broker password from.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MUSTER_FROM_SOURCES } from '../../helpers/run-muster.ts';
import { waitFor } from '../../helpers/wait-for.ts';

export interface MusterProcess {
  readonly child: ChildProcess;
  /** The ready line it printed. */
  readonly ready: string;
  /** Its HTTP API (from the ready line's "http URL"), if it has one. */
  readonly http: string;
  /** Everything it printed so far. */
  output(): string;
  /** Resolves once it printed `text` (already, or at the output that brings it); rejects after `timeoutMs`. */
  printed(text: string, what: string, timeoutMs?: number): Promise<void>;
  /** Sends the signal and waits for the exit; nothing if it already exited. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * The password file (`--password-file`) of each node id in `passwords` (id to password): written to `dir`/ID.pw,
 * readable by its owner only, when asked for; returns the file's path.
 */
export function passwordFiles(dir: string, passwords: ReadonlyMap<string, string>): (id: string) => string {
  return (id) => {
    const file = join(dir, `${id}.pw`);
    writeFileSync(file, passwords.get(id) ?? '', { mode: 0o600 });
    return file;
  };
}

/** `readyMs`: how long the ready line may take (a process started from the sources on a starved host takes minutes). */
export async function startMuster(args: readonly string[], what: string, readyMs = 120_000): Promise<MusterProcess> {
  const child = spawn(process.execPath, [...MUSTER_FROM_SOURCES, ...args], { stdio: 'pipe' });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = once(child, 'exit');
  const ready = await waitFor(
    () => (child.exitCode !== null ? 'exited' : output.split('\n').find((l) => l.includes(' ready: '))),
    `${what} to be ready`,
    readyMs,
  );
  if (ready === 'exited') throw new Error(`${what} exited ${child.exitCode}: ${output}`);
  return {
    child,
    ready,
    http: /http (http:\/\/\S+?)(,|$)/.exec(ready)?.[1] ?? '',
    output: () => output,
    printed: (text, what, timeoutMs = 120_000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          stop();
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
        }, timeoutMs);
        // Registered after the constructor's listeners: `output` already holds the chunk when this runs.
        const check = (): void => {
          if (!output.includes(text)) return;
          stop();
          resolve();
        };
        function stop(): void {
          clearTimeout(timer);
          child.stdout.off('data', check);
          child.stderr.off('data', check);
        }
        child.stdout.on('data', check);
        child.stderr.on('data', check);
        check();
      }),
    stop: async (signal = 'SIGINT') => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      await exited;
    },
  };
}
