// A command's option values read by schemas, the one way inputs are checked (core/schema.ts): node:util's
// parseArgs has given each option its declared type; these say what its text must be (present, a count, a port)
// and turn a mismatch into a usage error (exit 2) naming the option and what was given. Apart from command.ts, so
// `muster --help` and argument errors load no validation library.
import { Type } from '@sinclair/typebox';
import { decimal } from '../../core/api/check.ts';
import { SchemaMismatch, decodedAs, schemaDecoder } from '../../core/schema.ts';
import { type OptionValues, UsageError } from './command.ts';

const VALUE = Type.String({ minLength: 1, errorMessage: 'needs a value' });
const VALUES = Type.Array(VALUE, { errorMessage: 'needs a value' });
const PORT = decodedAs(
  Type.String({ pattern: '^[0-9]{1,5}$', errorMessage: 'expected a port from 0 to 65535' }),
  (text) => {
    const port = Number(text);
    if (port > 65535) throw new SchemaMismatch('', 'expected a port from 0 to 65535');
    return port;
  },
);

const valueText = schemaDecoder(VALUE);
const valueTexts = schemaDecoder(VALUES);
const countText = schemaDecoder(decimal);
const portText = schemaDecoder(PORT);

/** `value` decoded (its schema compiled on first use); a mismatch is a UsageError naming `name` and the value. */
function read<T>(decode: (value: unknown) => T, value: unknown, name: string): T {
  try {
    return decode(value);
  } catch (error) {
    if (!(error instanceof SchemaMismatch)) throw error;
    throw new UsageError(`${name}: ${error.problem}, got ${JSON.stringify(value)}`);
  }
}

export function requireString(values: OptionValues, name: string): string {
  if (values[name] === undefined || values[name] === '') throw new UsageError(`--${name} is required`);
  return read(valueText, values[name], `--${name}`);
}

export function optionalString(values: OptionValues, name: string): string | undefined {
  return values[name] === undefined ? undefined : read(valueText, values[name], `--${name}`);
}

/** An option given any number of times (`multiple: true`). */
export function stringList(values: OptionValues, name: string): string[] {
  return values[name] === undefined ? [] : read(valueTexts, values[name], `--${name}`);
}

/** An option's (or argument's) text as a non-negative integer; `name` as the user wrote it (`--seq`). */
export function nonNegativeInteger(text: string, name: string): number {
  return read(countText, text, name);
}

/** A TCP port, 0 for any free one. */
export function portNumber(text: string, name: string): number {
  return read(portText, text, name);
}
