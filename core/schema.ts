// The one way a TypeBox schema is applied, for records, API messages and configuration alike: compiled once (where
// code generation is refused, as under the renderer's CSP, TypeBox's interpreter checks the same schema), decoded
// (fields a schema transforms, such as text days, come back converted), and on a mismatch the first problem named
// by its field's path. Each schema carries its message as `errorMessage`; a union tagged by a field names the
// field of the variant meant.
import type { Static, StaticDecode, TSchema } from '@sinclair/typebox';
import { type TypeCheck, TypeCompiler } from '@sinclair/typebox/compiler';
import { type ValueError, ValueErrorType } from '@sinclair/typebox/errors';
import { TransformDecodeCheckError, Value } from '@sinclair/typebox/value';

/** A value that does not fit: the field (`.methods[2]`, empty for the value itself) and what was wrong. */
export class SchemaMismatch extends Error {
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${path}: ${problem}`);
  }
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

/** Decodes a value by `schema`, or throws SchemaMismatch. */
export function schemaDecoder<S extends TSchema>(
  schema: S,
  describe: Describe = describeError,
): (value: unknown) => StaticDecode<S> {
  const compiled = compile(schema);
  const decode = compiled
    ? (value: unknown) => compiled.Decode(value)
    : (value: unknown) => Value.Decode(schema, value);
  return (value) => {
    try {
      return decode(value);
    } catch (error) {
      if (!(error instanceof TransformDecodeCheckError)) throw error;
      const first = Value.Errors(schema, value).First();
      if (!first) throw new SchemaMismatch('', 'does not fit its schema');
      const chosen = chosenVariant(first);
      throw new SchemaMismatch(fieldPath(chosen.path), describe(chosen));
    }
  };
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
