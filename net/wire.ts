// Payloads on the wire. Every decoder takes untrusted bytes and either returns a checked value or throws
// MusterError('bad-message') naming the problem; size limits are checked before anything is parsed.
// Entry batches are CBOR (leaves are bytes); requests, heartbeats and alerts are JSON (read by other systems).
import { type CborValue, decodeCanonical, encodeCanonical } from '../core/canonical.ts';
import { MAX_LEAF_BYTES } from '../core/entry.ts';
import { MusterError, errorMessage } from '../core/errors.ts';

/** Leaves per message: a backfill reply of this many stays far below broker message limits. */
export const MAX_BATCH = 500;
export const MAX_MESSAGE_BYTES = MAX_BATCH * (MAX_LEAF_BYTES + 16) + 1024;
const MAX_JSON_BYTES = 64 * 1024;
/** Node ids have the shape of origins (see core/entry.ts). */
const ORIGIN_LIKE = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/;
const CORRELATION_PATTERN = /^[A-Za-z0-9._:-]{1,64}$/;

/** A run of entries of one log, in order: live (`muster/v1/log/<o>/entries`) or a backfill reply (inbox). */
export interface EntryBatch {
  readonly origin: string;
  readonly leaves: readonly Uint8Array[];
  /** Set on backfill replies: the request this answers. */
  readonly id?: string;
}

export function encodeBatch(batch: EntryBatch): Uint8Array {
  const value: Record<string, CborValue> = { o: batch.origin, l: [...batch.leaves] };
  if (batch.id !== undefined) value.id = batch.id;
  return encodeCanonical(value);
}

export function decodeBatch(bytes: Uint8Array): EntryBatch {
  if (bytes.length > MAX_MESSAGE_BYTES) bad(`entry batch is ${bytes.length} bytes; the limit is ${MAX_MESSAGE_BYTES}`);
  let value: CborValue;
  try {
    value = decodeCanonical(bytes);
  } catch (error) {
    bad(`entry batch is not canonical CBOR: ${errorMessage(error)}`);
  }
  if (!isRecord(value)) bad('entry batch is not a map');
  const { o, l, id } = value;
  if (typeof o !== 'string') bad('entry batch has no origin');
  if (!Array.isArray(l) || l.length > MAX_BATCH || !l.every((leaf): leaf is Uint8Array => leaf instanceof Uint8Array)) {
    bad(`entry batch needs a list of at most ${MAX_BATCH} byte strings`);
  }
  if (id !== undefined && (typeof id !== 'string' || !CORRELATION_PATTERN.test(id)))
    bad('entry batch has a malformed id');
  return { origin: o, leaves: l, ...(id === undefined ? {} : { id }) };
}

/** "Send me entries [from, to) of this log": carried in the payload because MQTT 3.1.1 has no response topic. */
export interface BackfillRequest {
  readonly from: number;
  readonly to: number;
  /** Node id whose inbox gets the reply. */
  readonly replyTo: string;
  readonly id: string;
}

export function encodeRequest(request: BackfillRequest): Uint8Array {
  return Buffer.from(JSON.stringify({ v: 1, ...request }));
}

export function decodeRequest(bytes: Uint8Array): BackfillRequest {
  const value = parseJson(bytes, 'backfill request');
  const { v, from, to, replyTo, id } = value;
  if (v !== 1) bad('backfill request has an unknown version');
  if (!isCount(from) || !isCount(to) || to <= from) bad('backfill request needs integers 0 <= from < to');
  if (typeof replyTo !== 'string' || !ORIGIN_LIKE.test(replyTo)) bad('backfill request has a malformed replyTo');
  if (typeof id !== 'string' || !CORRELATION_PATTERN.test(id)) bad('backfill request has a malformed id');
  return { from, to, replyTo, id };
}

export function parseJson(bytes: Uint8Array, what: string): Record<string, unknown> {
  if (bytes.length > MAX_JSON_BYTES) bad(`${what} is ${bytes.length} bytes; the limit is ${MAX_JSON_BYTES}`);
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch {
    bad(`${what} is not JSON`);
  }
  if (!isRecord(value)) bad(`${what} is not a JSON object`);
  return value;
}

/** Checkpoint notes travel as their UTF-8 text. */
export function decodeNoteText(bytes: Uint8Array, what: string): string {
  if (bytes.length > 16 * 1024) bad(`${what} is ${bytes.length} bytes; the limit is 16384`);
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  if (text.includes('\uFFFD')) bad(`${what} is not UTF-8`);
  return text;
}

export function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

function bad(message: string): never {
  throw new MusterError('bad-message', message);
}
