// The hand-written field readers Muster's record parsers used before TypeBox (once core/records/fields.ts), kept
// only as the validation bench's baseline: each throws MusterError('bad-record') naming the field.
import type { CborValue } from '../core/canonical.ts';
import { MusterError } from '../core/errors.ts';

export type Fields = { readonly [key: string]: CborValue };

/** Pseudonymous ids: subjects, staff, centres, kiosks, tasks. Never a name or an ID number. */
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$/;

export function bad(path: string, message: string): never {
  throw new MusterError('bad-record', `${path}: ${message}`);
}

export function asFields(value: unknown, path: string): Fields {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array)
    bad(path, 'expected a map');
  return value as Fields;
}

/** Rejects fields the schema does not know, so a typo never passes silently. */
export function onlyKeys(fields: Fields, path: string, allowed: readonly string[]): void {
  for (const key in fields) if (!allowed.includes(key)) bad(`${path}.${key}`, 'unknown field');
}

export function isId(value: unknown): value is string {
  return typeof value === 'string' && ID_PATTERN.test(value);
}

export function id(fields: Fields, key: string, path: string): string {
  const v = fields[key];
  if (!isId(v)) bad(`${path}.${key}`, 'expected an id of 1-64 characters [A-Za-z0-9._:/-]');
  return v;
}

export function optionalId(fields: Fields, key: string, path: string): string | undefined {
  return fields[key] === undefined ? undefined : id(fields, key, path);
}

export function count(fields: Fields, key: string, path: string, max: number): number {
  const v = fields[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0 || v > max)
    bad(`${path}.${key}`, `expected an integer 0-${max}`);
  return v;
}

export function score(fields: Fields, key: string, path: string): number | undefined {
  const v = fields[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < -1e6 || v > 1e6)
    bad(`${path}.${key}`, 'expected a finite number');
  return v;
}

export function oneOf<T extends string>(fields: Fields, key: string, path: string, values: readonly T[]): T {
  const v = fields[key];
  if (typeof v !== 'string' || !(values as readonly string[]).includes(v))
    bad(`${path}.${key}`, `expected one of ${values.join(', ')}`);
  return v as T;
}

export function list(fields: Fields, key: string, path: string, max: number): readonly CborValue[] {
  const v = fields[key];
  if (!Array.isArray(v) || v.length > max) bad(`${path}.${key}`, `expected a list of at most ${max}`);
  return v as readonly CborValue[];
}
