// Payloads on the wire. Every decoder takes untrusted bytes and either returns a checked value or throws
// MusterError('bad-message') naming the problem and the field (core/api/check.ts schemas); size limits are checked
// before anything is parsed. Entry batches are CBOR (leaves are bytes); requests, heartbeats and alerts are JSON
// (read by other systems). Fields a message does not know are let through: a newer peer's addition is no reason to
// drop its entries; its version field says when the shape really changed.
import { binary, check, int, list, literal, matching, openObj, text } from '../core/api/check.ts';
import { type CborValue, decodeCanonical, encodeCanonical } from '../core/canonical.ts';
import { MAX_LEAF_BYTES, ORIGIN_PATTERN } from '../core/entry.ts';
import { MusterError, errorMessage } from '../core/errors.ts';
import { type Decoded, SchemaMismatch, decodedAs } from '../core/schema.ts';

/** Leaves per message: a backfill reply of this many stays far below broker message limits. */
export const MAX_BATCH = 500;
export const MAX_MESSAGE_BYTES = MAX_BATCH * (MAX_LEAF_BYTES + 16) + 1024;
const MAX_JSON_BYTES = 64 * 1024;
/** Node ids have the shape of origins (see core/entry.ts). */
const NODE_ID = matching(ORIGIN_PATTERN, 'a node id');
/** A request's id, echoed in its reply. */
const CORRELATION = matching(/^[A-Za-z0-9._:-]{1,64}$/, 'a request id of 1-64 characters [A-Za-z0-9._:-]');

/** A run of entries of one log, in order: live (`muster/v1/log/<o>/entries`) or a backfill reply (inbox). */
const ENTRY_BATCH = decodedAs(
  openObj(
    { o: text(1, 128), l: list(binary(MAX_LEAF_BYTES), MAX_BATCH) },
    {
      /** Set on backfill replies: the request this answers. */
      id: CORRELATION,
    },
  ),
  ({ o, l, id }) => ({ origin: o, leaves: l, ...(id === undefined ? {} : { id }) }),
);

export type EntryBatch = Decoded<typeof ENTRY_BATCH>;

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
  return check(ENTRY_BATCH, value, 'entry batch');
}

/** "Send me entries [from, to) of this log": carried in the payload because MQTT 3.1.1 has no response topic. */
const BACKFILL_REQUEST = decodedAs(
  openObj({
    v: literal(1),
    from: int(),
    to: int(),
    /** Node id whose inbox gets the reply. */
    replyTo: NODE_ID,
    id: CORRELATION,
  }),
  ({ from, to, replyTo, id }) => {
    if (to <= from) throw new SchemaMismatch('.to', `expected more than from (${from}), got ${to}`);
    return { from, to, replyTo, id };
  },
);

export type BackfillRequest = Decoded<typeof BACKFILL_REQUEST>;

export function encodeRequest(request: BackfillRequest): Uint8Array {
  return Buffer.from(JSON.stringify({ v: 1, ...request }));
}

export function decodeRequest(bytes: Uint8Array): BackfillRequest {
  return check(BACKFILL_REQUEST, parseJson(bytes, 'backfill request'), 'backfill request');
}

/** A JSON message's value, not yet checked (its schema does that); too large or not JSON is bad-message. */
export function parseJson(bytes: Uint8Array, what: string): unknown {
  if (bytes.length > MAX_JSON_BYTES) bad(`${what} is ${bytes.length} bytes; the limit is ${MAX_JSON_BYTES}`);
  try {
    return JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch {
    return bad(`${what} is not JSON`);
  }
}

/** Checkpoint notes travel as their UTF-8 text. */
export function decodeNoteText(bytes: Uint8Array, what: string): string {
  if (bytes.length > 16 * 1024) bad(`${what} is ${bytes.length} bytes; the limit is 16384`);
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  if (text.includes('\uFFFD')) bad(`${what} is not UTF-8`);
  return text;
}

function bad(message: string): never {
  throw new MusterError('bad-message', message);
}
