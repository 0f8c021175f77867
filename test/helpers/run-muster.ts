// Runs `muster` commands in process, through the dispatcher the binary uses, capturing what they print.
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { Command } from '../../main/cli/command.ts';
import { COMMANDS } from '../../main/cli/commands.ts';
import { runCli } from '../../main/cli/run-cli.ts';

/**
 * Node arguments that run `muster` from the sources (tsx), for tests that need a process of its own: bin/muster.js
 * runs the build in dist/, which a test must not depend on being fresh (test/cli/build.test.ts builds its own).
 */
export const MUSTER_FROM_SOURCES: readonly string[] = ['../../bin/run-ts.js', '../../main/cli/main.ts'].map((p) =>
  fileURLToPath(new URL(p, import.meta.url)),
);

export interface MusterRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runMuster(
  args: readonly string[],
  stdin = '',
  commands: readonly Command[] = COMMANDS,
): Promise<MusterRun> {
  const input = new PassThrough();
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  err.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  input.end(stdin);
  const code = await runCli(commands, args, { stdin: input, stdout: out, stderr: err });
  return { code, stdout, stderr };
}
