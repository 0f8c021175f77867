// The one way a record schema (TypeBox) is applied. Chosen by `npm run bench -- --only validation`: of the libraries
// measured, only TypeBox's compiled checkers parse the breach engine's records as fast as the hand-written parsers
// did (0.89x-1.13x; valibot and zod 2-5x slower), and they validate in place, with no copy. Where code generation is refused (the renderer's CSP has no unsafe-eval) the same schema
// is checked by TypeBox's interpreter. A record that does not fit throws MusterError('bad-record') naming the
// field (`checkin.methods[2]: expected one of ...`): each schema carries its message as `errorMessage`.
import {
  FormatRegistry,
  type TArray,
  type TInteger,
  type TObject,
  type TProperties,
  type TSchema,
  type TString,
  type TUint8Array,
  type TUnsafe,
  Type,
} from '@sinclair/typebox';
import { MusterError } from '../errors.ts';
import { type Decoded, SchemaMismatch, guard, schemaDecoder } from '../schema.ts';
import { formatClock, formatDay, parseClock, parseDay } from '../time/civil-day.ts';
import { isTimeZone } from '../time/zoned-time.ts';

/** A rule the schema cannot say (between fields): the field and message of the first broken one, else undefined. */
export type RecordRule<T> = (record: T) => { readonly field: string; readonly message: string } | undefined;

/** A record as parsed: its schema's decoded type (days as day numbers, defaults filled in), nothing in it changeable. */
export type Parsed<S extends TSchema> = Decoded<S>;

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
  const decode = schemaDecoder(schema);
  return (value, root = defaultRoot) => {
    let parsed: Parsed<S>;
    try {
      // Seen read-only: the same value, its type narrowed to readonly.
      parsed = decode(value) as Parsed<S>;
    } catch (error) {
      if (error instanceof SchemaMismatch) throw new MusterError('bad-record', `${root}${error.message}`);
      throw error;
    }
    const broken = rule?.(parsed);
    if (broken) throw new MusterError('bad-record', `${root}.${broken.field}: ${broken.message}`);
    return parsed;
  };
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

/** Bytes (a CBOR byte string), exactly `length` of them. */
export function bytes(length: number): TUint8Array {
  return Type.Uint8Array({ minByteLength: length, maxByteLength: length, errorMessage: `expected ${length} bytes` });
}

/** Bytes as standard base64 text (core/bytes.ts toBase64), for JSON files. */
export const BASE64 = Type.String({
  pattern: '^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$',
  errorMessage: 'expected standard base64',
});

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
