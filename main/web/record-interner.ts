// HQ holds every verified record of a city's year (about 1.8 million for 5,000 people), and decoded payloads repeat
// the same short strings and small values on every check-in: a person's id, the centre, the kiosk, the methods,
// the tasks done. Each record here points at one shared instance of each instead of its own copy, which keeps
// HQ's heap for a city's year within Node's default (bench/README.md, HQ dashboard). Shared values are frozen:
// nothing may change a record's payload.
import type { CborValue } from '../../core/canonical.ts';
import type { LogRecord } from '../../core/records/entry-ref.ts';

/** Longest string or value (as JSON) shared; longer ones are rarely repeated. */
const MAX_SHARED = 128;

export class RecordInterner {
  private readonly strings = new Map<string, string>();
  /** Small arrays and maps of plain values, by their JSON. */
  private readonly values = new Map<string, CborValue>();

  /** The record with its type and payload values shared with earlier records where equal. */
  record(record: LogRecord): LogRecord {
    const payload: Record<string, CborValue> = {};
    for (const [key, value] of Object.entries(record.payload)) payload[key] = this.value(value);
    return { ref: record.ref, ts: record.ts, type: this.string(record.type), payload };
  }

  private string<T extends string>(value: T): T {
    if (value.length > MAX_SHARED) return value;
    const shared = this.strings.get(value);
    if (shared !== undefined) return shared as T;
    this.strings.set(value, value);
    return value;
  }

  private value(value: CborValue): CborValue {
    if (typeof value === 'string') return this.string(value);
    if (typeof value !== 'object' || value === null || !isPlain(value)) return value;
    const key = JSON.stringify(value);
    if (key.length > MAX_SHARED) return value;
    const shared = this.values.get(key);
    if (shared !== undefined) return shared;
    const copy: CborValue = Array.isArray(value)
      ? Object.freeze(value.map((v: CborValue) => this.value(v)))
      : Object.freeze(Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.value(v)])));
    this.values.set(key, copy);
    return copy;
  }
}

/** Values JSON writes exactly: anything but byte strings and -0 (which JSON writes as 0). */
function isPlain(value: CborValue): boolean {
  if (value instanceof Uint8Array || Object.is(value, -0)) return false;
  if (typeof value !== 'object' || value === null) return true;
  return Array.isArray(value) ? value.every((v: CborValue) => isPlain(v)) : Object.values(value).every(isPlain);
}
