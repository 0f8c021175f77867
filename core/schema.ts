// The one way a TypeBox schema is applied, for records, API messages and configuration alike: compiled once (where
// code generation is refused, as under the renderer's CSP, TypeBox's interpreter checks the same schema), decoded
// (fields a schema transforms, such as text days, come back converted), and on a mismatch the first problem named
// by its field's path. Each schema carries its message as `errorMessage`; a union tagged by a field names the
// field of the variant meant. A transform may refuse a value with a rule the schema cannot say (between fields) by
// throwing SchemaMismatch with a path under the transformed value.
import { type Static, type StaticDecode, type TSchema, type TTransform, Type } from '@sinclair/typebox';
import { type TypeCheck, TypeCompiler } from '@sinclair/typebox/compiler';
import { type ValueError, ValueErrorType } from '@sinclair/typebox/errors';
import { TransformDecodeCheckError, TransformDecodeError, Value } from '@sinclair/typebox/value';
import { type ErrorCode, MusterError } from './errors.ts';

/** A value that does not fit: the field (`.methods[2]`, empty for the value itself) and what was wrong. */
export class SchemaMismatch extends Error {
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${path}: ${problem}`);
  }
}

/** A value as a schema decodes it, nothing in it changeable (lists and tuples become read-only ones). */
export type Decoded<S extends TSchema> = Frozen<StaticDecode<S>>;
type Frozen<T> = T extends Uint8Array ? T : T extends object ? { readonly [K in keyof T]: Frozen<T[K]> } : T;

/**
 * `schema` read one way, into what `decode` returns (defaults filled in, values converted): for input that is
 * never written back, such as a configuration file. `decode` may throw SchemaMismatch for a rule between fields.
 */
export function decodedAs<S extends TSchema, T>(schema: S, decode: (value: StaticDecode<S>) => T): TTransform<S, T> {
  return Type.Transform(schema)
    .Decode(decode)
    .Encode(() => {
      throw new TypeError('a schema read one way is never encoded');
    });
}

/** Says what is wrong, given TypeBox's first error (after the tagged-variant choice). */
export type Describe = (error: ValueError) => string;

/** The schema's own message, `unknown field` for a field it does not know, else TypeBox's. */
export const describeError: Describe = (error) => {
  const custom: unknown = error.schema.errorMessage;
  if (error.type === ValueErrorType.ObjectAdditionalProperties) return 'unknown field';
  if (typeof custom === 'string') return custom;
  return error.type === ValueErrorType.ObjectRequiredProperty ? 'missing' : error.message;
};

/**
 * Decodes a value by `schema`, or throws SchemaMismatch. The schema is compiled on first use, so a command pays
 * only for the schemas it applies (`muster --help` and `ledger verify` load modules holding many).
 */
export function schemaDecoder<S extends TSchema>(
  schema: S,
  describe: Describe = describeError,
): (value: unknown) => StaticDecode<S> {
  let decode: ((value: unknown) => StaticDecode<S>) | undefined;
  return (value) => {
    try {
      decode ??= decoder(schema);
      return decode(value);
    } catch (error) {
      if (error instanceof TransformDecodeError && error.error instanceof SchemaMismatch)
        throw new SchemaMismatch(`${fieldPath(error.path)}${error.error.path}`, error.error.problem);
      if (!(error instanceof TransformDecodeCheckError)) throw error;
      const first = Value.Errors(schema, value).First();
      if (!first) throw new SchemaMismatch('', 'does not fit its schema');
      const chosen = chosenVariant(first);
      throw new SchemaMismatch(fieldPath(chosen.path), describe(chosen));
    }
  };
}

/**
 * A parser for `schema` at a boundary with its own error code: a value that does not fit throws
 * MusterError(code) naming the field under `root` (the default root, or the caller's), e.g.
 * `proof.path[3]: expected a lowercase hex SHA-256`.
 */
export function schemaParser<S extends TSchema>(
  schema: S,
  code: ErrorCode,
  defaultRoot: string,
): (value: unknown, root?: string) => Decoded<S> {
  const decode = schemaDecoder(schema);
  return (value, root = defaultRoot) => {
    try {
      // Seen read-only: the same value (or its decoded copy), its type narrowed to readonly.
      return decode(value) as Decoded<S>;
    } catch (error) {
      if (error instanceof SchemaMismatch) throw new MusterError(code, `${root}${error.message}`);
      throw error;
    }
  };
}

/** A type guard for `schema`: compiled (on first use), or interpreted where code generation is refused. */
export function guard<S extends TSchema>(schema: S): (value: unknown) => value is Static<S> {
  let check: ((value: unknown) => boolean) | undefined;
  return (value): value is Static<S> => {
    check ??= checker(schema);
    return check(value);
  };
}

function decoder<S extends TSchema>(schema: S): (value: unknown) => StaticDecode<S> {
  const compiled = compile(schema);
  return compiled ? (value) => compiled.Decode(value) : (value) => Value.Decode(schema, value);
}

function checker(schema: TSchema): (value: unknown) => boolean {
  const compiled = compile(schema);
  return compiled ? (value) => compiled.Check(value) : (value) => Value.Check(schema, value);
}

function compile<S extends TSchema>(schema: S): TypeCheck<S> | undefined {
  try {
    return TypeCompiler.Compile(schema);
  } catch (error) {
    if (!(error instanceof EvalError)) throw error;
    return undefined;
  }
}

/** A JSON pointer as a field path: `/tasks/0/kind` -> `.tasks[0].kind`. */
function fieldPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((part) => (/^\d+$/.test(part) ? `[${part}]` : `.${part.replace(/~1/g, '/').replace(/~0/g, '~')}`))
    .join('');
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
