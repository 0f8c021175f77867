// Small pure validators for the typed API: each message's shape is written once as a Check, and its TypeScript
// type is derived from it, so the type and the validator can never disagree. A failing check throws
// MusterError('bad-message') naming the path, e.g. `params.reason: expected text of 1-200 characters`.
import { MusterError } from '../errors.ts';

export type Check<T> = (value: unknown, path: string) => T;
export type Out<C> = C extends Check<infer T> ? T : never;

type Shape = Readonly<Record<string, Check<unknown>>>;
type Required<S extends Shape> = { readonly [K in keyof S]: Out<S[K]> };
type Optional<S extends Shape> = { readonly [K in keyof S]?: Out<S[K]> };

export function fail(path: string, problem: string): never {
  throw new MusterError('bad-message', `${path}: ${problem}`);
}

export function text(min = 0, max = 200): Check<string> {
  return (v, path) =>
    typeof v === 'string' && v.length >= min && v.length <= max
      ? v
      : fail(path, `expected text of ${min}-${max} characters`);
}

/** A pseudonymous id or key (subject, kiosk, breach id): the same alphabet as the log's ids. */
export const ident: Check<string> = (v, path) =>
  typeof v === 'string' && /^[A-Za-z0-9][A-Za-z0-9._:/~-]{0,127}$/.test(v) ? v : fail(path, 'expected an id');

export function int(min = 0, max = Number.MAX_SAFE_INTEGER): Check<number> {
  return (v, path) =>
    typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max
      ? v
      : fail(path, `expected an integer ${min}-${max}`);
}

export const num: Check<number> = (v, path) =>
  typeof v === 'number' && Number.isFinite(v) ? v : fail(path, 'expected a number');

export const bool: Check<boolean> = (v, path) => (typeof v === 'boolean' ? v : fail(path, 'expected true or false'));

export function oneOf<const T extends string>(values: readonly T[]): Check<T> {
  return (v, path) =>
    typeof v === 'string' && (values as readonly string[]).includes(v)
      ? (v as T)
      : fail(path, `expected one of ${values.join(', ')}`);
}

export function list<T>(item: Check<T>, max = 10_000): Check<readonly T[]> {
  return (v, path) => {
    if (!Array.isArray(v) || v.length > max) fail(path, `expected a list of at most ${max}`);
    return (v as unknown[]).map((x, i) => item(x, `${path}[${i}]`));
  };
}

export function nullable<T>(check: Check<T>): Check<T | null> {
  return (v, path) => (v === null ? null : check(v, path));
}

/** Text keys to one kind of value (e.g. questionnaire answers by question id). */
export function record<T>(value: Check<T>, max = 64): Check<Readonly<Record<string, T>>> {
  return (v, path) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(path, 'expected an object');
    const entries = Object.entries(v as Record<string, unknown>);
    if (entries.length > max) fail(path, `expected at most ${max} keys`);
    return Object.fromEntries(entries.map(([k, x]) => [ident(k, `${path} key`), value(x, `${path}.${k}`)]));
  };
}

/** An object with exactly these keys (optional ones may be absent); unknown keys are refused. */
export function obj<R extends Shape>(required: R): Check<Required<R>>;
export function obj<R extends Shape, O extends Shape>(required: R, optional: O): Check<Required<R> & Optional<O>>;
export function obj(required: Shape, optional: Shape = {}): Check<Readonly<Record<string, unknown>>> {
  return (v, path) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(path, 'expected an object');
    const fields = v as Record<string, unknown>;
    for (const key of Object.keys(fields)) {
      if (!Object.hasOwn(required, key) && !Object.hasOwn(optional, key)) fail(`${path}.${key}`, 'unknown field');
    }
    const out: Record<string, unknown> = {};
    for (const [key, check] of Object.entries(required)) out[key] = check(fields[key], `${path}.${key}`);
    for (const [key, check] of Object.entries(optional))
      if (fields[key] !== undefined) out[key] = check(fields[key], `${path}.${key}`);
    return out;
  };
}

export function literal<const T extends string>(value: T): Check<T> {
  return (v, path) => (v === value ? value : fail(path, `expected ${JSON.stringify(value)}`));
}
