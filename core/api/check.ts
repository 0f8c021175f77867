// The typed API's message schemas (TypeBox, applied the one way of core/schema.ts): each message's shape is
// written once with these builders, and its TypeScript type is derived from it (`Out<typeof schema>`), so the
// type and the check can never disagree. A value that does not fit throws MusterError('bad-message') naming the
// path, e.g. `params.reason: expected text of 1-200 characters`.
import {
  type TArray,
  type TBoolean,
  type TInteger,
  type TLiteral,
  type TNull,
  type TNumber,
  type TObject,
  type TOptional,
  type TRecord,
  type TSchema,
  type TString,
  type TUint8Array,
  type TUnion,
  type TUnknown,
  type TUnsafe,
  Type,
} from '@sinclair/typebox';
import { MusterError } from '../errors.ts';
import { type Decoded, SchemaMismatch, schemaDecoder } from '../schema.ts';

/** A message schema whose checked value is a T. */
export type Check<T> = TSchema & { static: T };
/** The type a schema's messages have, read-only. */
export type Out<C extends TSchema> = Decoded<C>;

type Shape = Readonly<Record<string, TSchema>>;
type Optional<S extends Shape> = { [K in keyof S]: TOptional<S[K]> };

export function fail(path: string, problem: string): never {
  throw new MusterError('bad-message', `${path}: ${problem}`);
}

const decoders = new WeakMap<TSchema, (value: unknown) => unknown>();

/** Checks `value` against `schema` (compiled on first use) and returns it typed; `path` names it in errors. */
export function check<S extends TSchema>(schema: S, value: unknown, path: string): Out<S> {
  let decode = decoders.get(schema);
  if (!decode) {
    decode = schemaDecoder(schema);
    decoders.set(schema, decode);
  }
  try {
    // The decoded message, seen read-only.
    return decode(value) as Out<S>;
  } catch (error) {
    if (error instanceof SchemaMismatch) return fail(`${path}${error.path}`, error.problem);
    throw error;
  }
}

export function text(min = 0, max = 200): TString {
  return Type.String({ minLength: min, maxLength: max, errorMessage: `expected text of ${min}-${max} characters` });
}

const IDENT = '^[A-Za-z0-9][A-Za-z0-9._:/~-]{0,127}$';

/** A pseudonymous id or key (subject, kiosk, breach id): the same alphabet as the log's ids. */
export const ident: TString = Type.String({ pattern: IDENT, errorMessage: 'expected an id' });

export function int(min = 0, max = Number.MAX_SAFE_INTEGER): TInteger {
  return Type.Integer({ minimum: min, maximum: max, errorMessage: `expected an integer ${min}-${max}` });
}

export const num: TNumber = Type.Number({ errorMessage: 'expected a number' });

/** A non-negative integer written out in decimal (a URL query's, a command line's), read as its number. */
export const decimal = Type.Transform(
  Type.String({ pattern: '^[0-9]{1,15}$', errorMessage: 'expected a non-negative integer' }),
)
  .Decode(Number)
  .Encode(String);

export const bool: TBoolean = Type.Boolean({ errorMessage: 'expected true or false' });

/** Anything: a part checked later by a schema chosen from another part (a call's params by its method). */
export const anything: TUnknown = Type.Unknown();

export function oneOf<const T extends readonly string[]>(values: T): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>(
    Type.Union(
      values.map((value) => Type.Literal(value)),
      { errorMessage: `expected one of ${values.join(', ')}` },
    ),
  );
}

export function list<T extends TSchema>(item: T, max = 10_000): TArray<T> {
  return Type.Array(item, { maxItems: max, errorMessage: `expected a list of at most ${max}` });
}

export function nullable<T extends TSchema>(schema: T): TUnion<[TNull, T]> {
  return Type.Union([Type.Null(), schema]);
}

/** Id keys to one kind of value (e.g. questionnaire answers by question id). */
export function record<T extends TSchema>(value: T, max = 64): TRecord<TString, T> {
  return Type.Record(Type.String({ pattern: IDENT }), value, {
    maxProperties: max,
    additionalProperties: false,
    errorMessage: `expected an object of at most ${max} keys`,
  });
}

/** An object with exactly these keys (optional ones may be absent); unknown keys are refused. */
export function obj<R extends Shape>(required: R): TObject<R>;
export function obj<R extends Shape, O extends Shape>(required: R, optional: O): TObject<R & Optional<O>>;
export function obj(required: Shape, optional: Shape = {}): TObject {
  return Type.Object(properties(required, optional), {
    additionalProperties: false,
    errorMessage: 'expected an object',
  });
}

/**
 * Like `obj`, but keys it does not know are let through: a wire message from a newer peer, with a field added, is
 * still read (its version field says when the shape really changed).
 */
export function openObj<R extends Shape>(required: R): TObject<R>;
export function openObj<R extends Shape, O extends Shape>(required: R, optional: O): TObject<R & Optional<O>>;
export function openObj(required: Shape, optional: Shape = {}): TObject {
  return Type.Object(properties(required, optional), { errorMessage: 'expected an object' });
}

function properties(required: Shape, optional: Shape): Record<string, TSchema> {
  const all: Record<string, TSchema> = { ...required };
  for (const [key, schema] of Object.entries(optional)) all[key] = Type.Optional(schema);
  return all;
}

/** Text matching `pattern`; `expected` says what that is. */
export function matching(pattern: RegExp, expected: string): TString {
  return Type.String({ pattern: pattern.source, errorMessage: `expected ${expected}` });
}

/** Bytes (a CBOR byte string), 1 to `max` of them. */
export function binary(max: number): TUint8Array {
  return Type.Uint8Array({ minByteLength: 1, maxByteLength: max, errorMessage: `expected 1-${max} bytes` });
}

export function literal<const T extends string | number>(value: T): TLiteral<T> {
  return Type.Literal(value, { errorMessage: `expected ${JSON.stringify(value)}` });
}
