// Runs `muster` commands in process, through the dispatcher the binary uses, capturing what they print.
import { PassThrough } from 'node:stream';
import type { Command } from '../../main/cli/command.ts';
import { COMMANDS } from '../../main/cli/commands.ts';
import { runCli } from '../../main/cli/run-cli.ts';

export interface MusterRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runMuster(args: readonly string[], stdin = '', commands: readonly Command[] = COMMANDS): Promise<MusterRun> {
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
