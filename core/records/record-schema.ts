// The one way a record schema (TypeBox) is applied. Chosen by `npm run bench -- --only validation`: of the libraries
// measured, only TypeBox's compiled checkers parse the breach engine's records as fast as the hand-written parsers
// did (0.89x-1.13x; valibot and zod 2-5x slower), and they validate in place, with no copy. Where code generation is refused (the renderer's CSP has no unsafe-eval) the same schema
// is checked by TypeBox's interpreter. A record that does not fit throws MusterError('bad-record') naming the
// field (`checkin.methods[2]: expected one of ...`): each schema carries its message as `errorMessage`.
import {
  FormatRegistry,
  type Static,
  type StaticDecode,
  type TArray,
  type TInteger,
  type TObject,
  type TProperties,
  type TSchema,
  type TString,
  type TUnsafe,
  Type,
} from '@sinclair/typebox';
import { type TypeCheck, TypeCompiler } from '@sinclair/typebox/compiler';
import { type ValueError, ValueErrorType } from '@sinclair/typebox/errors';
import { TransformDecodeCheckError, Value } from '@sinclair/typebox/value';
import { MusterError } from '../errors.ts';
import { formatClock, formatDay, parseClock, parseDay } from '../time/civil-day.ts';
import { isTimeZone } from '../time/zoned-time.ts';

/** A rule the schema cannot say (between fields): the field and message of the first broken one, else undefined. */
export type RecordRule<T> = (record: T) => { readonly field: string; readonly message: string } | undefined;

/** A record as parsed: its schema's decoded type (days as day numbers, defaults filled in), nothing in it changeable. */
export type Parsed<S extends TSchema> = Frozen<StaticDecode<S>>;
type Frozen<T> = T extends readonly (infer E)[]
  ? readonly Frozen<E>[]
  : T extends Uint8Array
    ? T
    : T extends object
      ? { readonly [K in keyof T]: Frozen<T[K]> }
      : T;

/**
 * A parser for `schema` (compiled once): returns the value itself, typed (or, where the schema transforms fields,
 * a decoded copy), or throws MusterError('bad-record') with the field's path under `root` (the default root, or
 * the caller's).
 */
export function recordParser<S extends TSchema>(
  schema: S,
  defaultRoot: string,
  rule?: RecordRule<Parsed<S>>,
): (value: unknown, root?: string) => Parsed<S> {
  const decode = decoder(schema);
  return (value, root = defaultRoot) => {
    let parsed: Parsed<S>;
    try {
      // Seen read-only: the same value, its type narrowed to readonly.
      parsed = decode(value) as Parsed<S>;
    } catch (error) {
      if (error instanceof TransformDecodeCheckError)
        throw new MusterError('bad-record', firstError(schema, value, root));
      throw error;
    }
    const broken = rule?.(parsed);
    if (broken) throw new MusterError('bad-record', `${root}.${broken.field}: ${broken.message}`);
    return parsed;
  };
}

function decoder<S extends TSchema>(schema: S): (value: unknown) => StaticDecode<S> {
  const compiled = compile(schema);
  return compiled ? (value) => compiled.Decode(value) : (value) => Value.Decode(schema, value);
}

/** A type guard for `schema`: compiled, or interpreted where code generation is refused. */
export function guard<S extends TSchema>(schema: S): (value: unknown) => value is Static<S> {
  const compiled = compile(schema);
  return compiled ? (value) => compiled.Check(value) : (value): value is Static<S> => Value.Check(schema, value);
}

function compile<S extends TSchema>(schema: S): TypeCheck<S> | undefined {
  try {
    return TypeCompiler.Compile(schema);
  } catch (error) {
    if (!(error instanceof EvalError)) throw error;
    return undefined;
  }
}

function firstError(schema: TSchema, value: unknown, root: string): string {
  const first = Value.Errors(schema, value).First();
  if (!first) return `${root}: does not fit its schema`;
  const error = chosenVariant(first);
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

/**
 * A union's error, told as the error of the variant the value was meant to be: in a union tagged by a field
 * (`variants(...)`) the variant its tag names (an unknown tag is the tag field's error); otherwise the only variant
 * of the value's JSON type (a list of weekdays, not "daily").
 */
function chosenVariant(error: ValueError): ValueError {
  const { value, schema } = error;
  const options: unknown = schema.anyOf;
  if (error.type !== ValueErrorType.Union || !Array.isArray(options)) return error;
  const schemas = options.filter(isFields);
  const tag: unknown = schema.tag;
  let index: number;
  if (typeof tag === 'string') {
    if (!isFields(value)) return error;
    index = schemas.findIndex((option) => isFields(option.properties) && isTag(option.properties[tag], value[tag]));
    if (index < 0) return { ...error, path: `${error.path}/${tag}` };
  } else {
    const type = jsonType(value);
    index = schemas.findIndex((option) => option.type === type);
    if (index < 0 || schemas.findLastIndex((option) => option.type === type) !== index) return error;
  }
  const inner = error.errors[index]?.First();
  return inner === undefined ? error : chosenVariant(inner);
}

function isTag(schema: unknown, value: unknown): boolean {
  return isFields(schema) && schema.const === value;
}

function jsonType(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  return typeof value === 'number' ? 'number' : typeof value === 'object' ? 'object' : typeof value;
}

function isFields(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null;
}

/** Pseudonymous ids: subjects, staff, centres, kiosks, tasks. Never a name or an ID number. */
export const ID = Type.String({
  pattern: '^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$',
  errorMessage: 'expected an id of 1-64 characters [A-Za-z0-9._:/-]',
});

export const isId: (value: unknown) => value is string = guard(ID);

/** A matcher's score: a finite number within ±1e6. */
export const SCORE = Type.Number({ minimum: -1e6, maximum: 1e6, errorMessage: 'expected a finite number' });

export function count(max: number): TInteger {
  return Type.Integer({ minimum: 0, maximum: max, errorMessage: `expected an integer 0-${max}` });
}

/** One of `values` (typed as their union: TypeBox's own union type would need the values as a tuple type). */
export function oneOf<const T extends readonly string[]>(values: T): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>(
    Type.Union(
      values.map((value) => Type.Literal(value)),
      { errorMessage: `expected one of ${values.join(', ')}` },
    ),
  );
}

/** A map whose every field is known: an unknown one is refused, so a typo never passes silently. */
export function map<P extends TProperties>(properties: P): TObject<P> {
  return Type.Object(properties, { additionalProperties: false, errorMessage: 'expected a map' });
}

export function list<T extends TSchema>(items: T, max: number): TArray<T> {
  return Type.Array(items, { maxItems: max, errorMessage: `expected a list of at most ${max}` });
}

/** One of several maps, told apart by the literal in field `tag`: an error names the field of the variant meant. */
export function variants<T extends TSchema[]>(tag: string, options: [...T], errorMessage: string) {
  return Type.Union(options, { tag, errorMessage });
}

/** Keys naming derived things (a breach, a review item): rule/subject/day[/detail]. */
export const KEY = Type.String({
  pattern: '^[A-Za-z0-9][A-Za-z0-9._:/@-]{0,159}$',
  errorMessage: 'expected a key of 1-160 characters [A-Za-z0-9._:/@-]',
});

export const SHA256 = Type.String({ pattern: '^[0-9a-f]{64}$', errorMessage: 'expected a lowercase hex SHA-256' });

/** Milliseconds since the Unix epoch. */
export const TIME = Type.Integer({
  minimum: 0,
  maximum: Number.MAX_SAFE_INTEGER,
  errorMessage: 'expected milliseconds since the Unix epoch',
});

export const MAX_REASON_CHARS = 280;

/** Text with at least one visible character. */
export function text(max = MAX_REASON_CHARS): TString {
  return Type.String({
    minLength: 1,
    maxLength: max,
    pattern: '\\S',
    errorMessage: `expected text of 1-${max} characters`,
  });
}

export function ids(min: number): TArray<typeof ID> {
  return Type.Array(ID, { minItems: min, maxItems: 64, errorMessage: `expected a list of ${min}-64 ids` });
}

FormatRegistry.Set('muster-day', (value) => parseDay(value) !== undefined);
FormatRegistry.Set('muster-clock', (value) => parseClock(value) !== undefined);
FormatRegistry.Set('muster-zone', isTimeZone);

/** A calendar day as the log writes it (YYYY-MM-DD), kept as text. */
export const DAY_TEXT = Type.String({ format: 'muster-day', errorMessage: 'expected a calendar day YYYY-MM-DD' });

/** A calendar day, read as its day number (core/time/civil-day.ts). */
export const DAY = Type.Transform(DAY_TEXT)
  .Decode((value) => parseDay(value) ?? Number.NaN)
  .Encode(formatDay);

/** A clock time HH:MM, read as minutes after midnight. */
export const CLOCK = Type.Transform(
  Type.String({ format: 'muster-clock', errorMessage: 'expected a clock time HH:MM' }),
)
  .Decode((value) => parseClock(value) ?? Number.NaN)
  .Encode(formatClock);

export const ZONE = Type.String({ maxLength: 64, format: 'muster-zone', errorMessage: 'expected an IANA time zone' });
