// The CLI's shape: every command declares its options and usage once; parsing, --help and errors are shared.
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

export function requireString(values: OptionValues, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${name} is required`);
  return value;
}

export function optionalString(values: OptionValues, name: string): string | undefined {
  const value = values[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${name} needs a value`);
  return value;
}

export function stringList(values: OptionValues, name: string): string[] {
  const value = values[name];
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((v): v is string => typeof v === 'string'))
    throw new UsageError(`--${name} needs a value`);
  return value;
}

export function nonNegativeInteger(text: string, name: string): number {
  if (!/^\d{1,15}$/.test(text))
    throw new UsageError(`${name} must be a non-negative integer, got ${JSON.stringify(text)}`);
  return Number(text);
}

/** A TCP port, 0 for any free one. */
export function portNumber(text: string, name: string): number {
  const port = nonNegativeInteger(text, name);
  if (port > 65535) throw new UsageError(`${name} must be a port from 0 to 65535, got ${text}`);
  return port;
}

export function writeLine(stream: Writable, line: string): void {
  stream.write(`${line}\n`);
}
