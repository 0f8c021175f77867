// Errors that cross a boundary carry a stable, machine-readable code (like SqliteError.code);
// the message is for people and may change.

export class MusterError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MusterError';
    this.code = code;
  }
}

/** Throws a TypeError naming the argument: for bad input at an API boundary. */
export function badArgument(name: string, expected: string, got: unknown): never {
  throw new TypeError(`${name}: expected ${expected}, got ${describe(got)}`);
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value instanceof Uint8Array) return `${value.length} bytes`;
  if (typeof value === 'string') return value.length > 40 ? `string of ${value.length} chars` : JSON.stringify(value);
  if (typeof value === 'object') return Array.isArray(value) ? 'array' : 'object';
  return typeof value === 'number' || typeof value === 'boolean' ? `${typeof value} ${value}` : typeof value;
}
