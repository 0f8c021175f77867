// The CLI's shape: every command declares its options and usage once; parsing, --help and errors are shared.
// Its option values are read by main/cli/options.ts.
import type { ParseArgsConfig } from 'node:util';
import type { Readable, Writable } from 'node:stream';

type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>;

export interface CliIo {
  readonly stdin: Readable;
  readonly stdout: Writable;
  readonly stderr: Writable;
}

export type OptionValues = Record<string, string | boolean | Array<string | boolean> | undefined>;

export interface CommandContext {
  readonly values: OptionValues;
  readonly positionals: readonly string[];
  readonly io: CliIo;
}

export interface Command {
  /** Words after `muster`, e.g. ['ledger', 'init']. */
  readonly path: readonly string[];
  readonly summary: string;
  /** One usage line without the leading `muster `. */
  readonly usage: string;
  /** Further lines for --help: what options mean, exit codes. */
  readonly details?: readonly string[];
  readonly options: ParseArgsOptionsConfig;
  readonly positionals?: { readonly min: number; readonly max: number };
  /** Returns the process exit code. */
  run(context: CommandContext): Promise<number>;
}

/** A mistake in how the command was called: one line and exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function writeLine(stream: Writable, line: string): void {
  stream.write(`${line}\n`);
}
