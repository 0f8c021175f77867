// A socat PTY pair: two linked ttys that carry bytes both ways through the kernel. Used by the PTY contract tests,
// the benchmarks and `muster emulate` users who have no spare USB-serial adapters.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { MusterError } from '../core/errors.ts';

export interface PtyPair {
  /** The end a host driver opens. */
  readonly host: string;
  /** The end the emulator opens. */
  readonly device: string;
  close(): Promise<void>;
}

/** Starts socat with both links in `dir`; resolves once socat reports its data loop, i.e. both ends exist. */
export async function openPtyPair(dir: string, name = 'tty'): Promise<PtyPair> {
  const host = join(dir, `${name}-host`);
  const device = join(dir, `${name}-device`);
  const socat: ChildProcess = spawn(
    'socat',
    ['-d', '-d', `pty,raw,echo=0,link=${host}`, `pty,raw,echo=0,link=${device}`],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  const ready = new Promise<void>((resolve, reject) => {
    socat.stderr?.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes('starting data transfer loop')) resolve();
    });
    socat.once('error', (error) => {
      reject(new MusterError('pty.socat', `cannot start socat: ${error.message}`, { cause: error }));
    });
    socat.once('exit', (code) => {
      reject(new MusterError('pty.socat', `socat exited (${code}): ${log.trim()}`));
    });
  });
  await ready;
  return {
    host,
    device,
    close: async () => {
      if (socat.exitCode !== null || socat.signalCode !== null) return;
      const exited = once(socat, 'exit');
      socat.kill('SIGTERM');
      await exited;
    },
  };
}
