// Readers for payload fields. Payloads come from the log and may be malformed (an old or hostile kiosk):
// each reader throws MusterError('bad-record') naming the field, never a TypeError from deep inside.
import type { CborValue } from '../canonical.ts';
import { MusterError } from '../errors.ts';
import { parseClock, parseDay } from '../time/civil-day.ts';
import { isTimeZone } from '../time/zoned-time.ts';

export type Fields = { readonly [key: string]: CborValue };

/** Pseudonymous ids: subjects, staff, centres, kiosks, tasks. Never a name or an ID number. */
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$/;
/** Keys naming derived things (a breach, a review item): rule/subject/day[/detail]. */
const KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:/@-]{0,159}$/;
export const MAX_REASON_CHARS = 280;

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

export function key(fields: Fields, name: string, path: string): string {
  const v = fields[name];
  if (typeof v !== 'string' || !KEY_PATTERN.test(v))
    bad(`${path}.${name}`, 'expected a key of 1-160 characters [A-Za-z0-9._:/@-]');
  return v;
}

export function optionalId(fields: Fields, key: string, path: string): string | undefined {
  return fields[key] === undefined ? undefined : id(fields, key, path);
}

export function ids(fields: Fields, key: string, path: string, min = 0): string[] {
  const v = fields[key];
  if (!Array.isArray(v) || v.length < min || v.length > 64) bad(`${path}.${key}`, `expected a list of ${min}-64 ids`);
  return (v as readonly CborValue[]).map((item, i) => {
    if (typeof item !== 'string' || !ID_PATTERN.test(item))
      bad(`${path}.${key}[${i}]`, 'expected an id of 1-64 characters [A-Za-z0-9._:/-]');
    return item;
  });
}

export function text(fields: Fields, key: string, path: string, max = MAX_REASON_CHARS): string {
  const v = fields[key];
  if (typeof v !== 'string' || v.trim() === '' || v.length > max)
    bad(`${path}.${key}`, `expected text of 1-${max} characters`);
  return v;
}

export function time(fields: Fields, key: string, path: string): number {
  const v = fields[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
    bad(`${path}.${key}`, 'expected milliseconds since the Unix epoch');
  return v;
}

export function count(fields: Fields, key: string, path: string, max: number): number {
  const v = fields[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0 || v > max)
    bad(`${path}.${key}`, `expected an integer 0-${max}`);
  return v;
}

export function optionalCount(fields: Fields, key: string, path: string, max: number, fallback: number): number {
  return fields[key] === undefined ? fallback : count(fields, key, path, max);
}

export function score(fields: Fields, key: string, path: string): number | undefined {
  const v = fields[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < -1e6 || v > 1e6)
    bad(`${path}.${key}`, 'expected a finite number');
  return v;
}

export function day(fields: Fields, key: string, path: string): number {
  const v = fields[key];
  const parsed = typeof v === 'string' ? parseDay(v) : undefined;
  if (parsed === undefined) bad(`${path}.${key}`, 'expected a calendar day YYYY-MM-DD');
  return parsed;
}

export function clock(fields: Fields, key: string, path: string): number {
  const v = fields[key];
  const parsed = typeof v === 'string' ? parseClock(v) : undefined;
  if (parsed === undefined) bad(`${path}.${key}`, 'expected a clock time HH:MM');
  return parsed;
}

export function zone(fields: Fields, key: string, path: string): string {
  const v = fields[key];
  if (typeof v !== 'string' || v.length > 64 || !isTimeZone(v)) bad(`${path}.${key}`, 'expected an IANA time zone');
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
