// The one way a record schema (TypeBox) is applied. Chosen by `npm run bench -- --only validation`: of the libraries
// measured, only TypeBox's compiled checkers parse the breach engine's records as fast as the hand-written parsers
// did (0.89x-1.13x; valibot and zod 2-5x slower), and they validate in place, with no copy. Where code generation is refused (the renderer's CSP has no unsafe-eval) the same schema
// is checked by TypeBox's interpreter. A record that does not fit throws MusterError('bad-record') naming the
// field (`checkin.methods[2]: expected one of ...`): each schema carries its message as `errorMessage`.
import {
  type Static,
  type TArray,
  type TInteger,
  type TLiteral,
  type TObject,
  type TProperties,
  type TSchema,
  type TUnion,
  Type,
} from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { ValueErrorType } from '@sinclair/typebox/errors';
import { Value } from '@sinclair/typebox/value';
import { MusterError } from '../errors.ts';

/** A rule the schema cannot say (between fields): the field and message of the first broken one, else undefined. */
export type RecordRule<T> = (record: T) => { readonly field: string; readonly message: string } | undefined;

/** A record as parsed: derived from its schema, and nothing in it may be changed. */
export type Parsed<S extends TSchema> = Frozen<Static<S>>;
type Frozen<T> = T extends readonly (infer E)[]
  ? readonly Frozen<E>[]
  : T extends object
    ? { readonly [K in keyof T]: Frozen<T[K]> }
    : T;

/**
 * A parser for `schema` (compiled once): returns the value itself, typed, or throws MusterError('bad-record') with
 * the field's path under `root` (the default root, or the caller's).
 */
export function recordParser<S extends TSchema>(
  schema: S,
  defaultRoot: string,
  rule?: RecordRule<Parsed<S>>,
): (value: unknown, root?: string) => Parsed<S> {
  const check = checker(schema);
  return (value, root = defaultRoot) => {
    if (!check(value)) throw new MusterError('bad-record', firstError(schema, value, root));
    const broken = rule?.(value);
    if (broken) throw new MusterError('bad-record', `${root}.${broken.field}: ${broken.message}`);
    return value;
  };
}

function checker<S extends TSchema>(schema: S): (value: unknown) => value is Parsed<S> {
  try {
    const compiled = TypeCompiler.Compile(schema);
    return (value): value is Parsed<S> => compiled.Check(value);
  } catch (error) {
    if (!(error instanceof EvalError)) throw error;
    return (value): value is Parsed<S> => Value.Check(schema, value);
  }
}

function firstError(schema: TSchema, value: unknown, root: string): string {
  const error = Value.Errors(schema, value).First();
  if (!error) return `${root}: does not fit its schema`;
  const path = error.path
    .split('/')
    .slice(1)
    .map((part) => (/^\d+$/.test(part) ? `[${part}]` : `.${part.replace(/~1/g, '/').replace(/~0/g, '~')}`))
    .join('');
  const custom: unknown = error.schema.errorMessage;
  const message =
    error.type === ValueErrorType.ObjectAdditionalProperties
      ? 'unknown field'
      : typeof custom === 'string'
        ? custom
        : error.message;
  return `${root}${path}: ${message}`;
}

/** Pseudonymous ids: subjects, staff, centres, kiosks, tasks. Never a name or an ID number. */
export const ID = Type.String({
  pattern: '^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$',
  errorMessage: 'expected an id of 1-64 characters [A-Za-z0-9._:/-]',
});

/** A matcher's score: a finite number within ±1e6. */
export const SCORE = Type.Number({ minimum: -1e6, maximum: 1e6, errorMessage: 'expected a finite number' });

export function count(max: number): TInteger {
  return Type.Integer({ minimum: 0, maximum: max, errorMessage: `expected an integer 0-${max}` });
}

export function oneOf<const T extends readonly string[]>(values: T): TUnion<TLiteral<T[number]>[]> {
  return Type.Union(
    values.map((value: T[number]) => Type.Literal(value)),
    { errorMessage: `expected one of ${values.join(', ')}` },
  );
}

/** A map whose every field is known: an unknown one is refused, so a typo never passes silently. */
export function map<P extends TProperties>(properties: P): TObject<P> {
  return Type.Object(properties, { additionalProperties: false, errorMessage: 'expected a map' });
}

export function list<T extends TSchema>(items: T, max: number): TArray<T> {
  return Type.Array(items, { maxItems: max, errorMessage: `expected a list of at most ${max}` });
}
