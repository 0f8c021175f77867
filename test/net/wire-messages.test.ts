// The broker is not trusted: every MQTT payload HQ and the kiosks read (entry batches, backfill requests,
// heartbeats and their signed envelope) is checked by a schema (net/wire.ts, net/heartbeat.ts), and what does not
// fit is bad-message naming the field. Fields a newer peer adds are let through.
import { describe, expect, it } from 'vitest';
import { encodeCanonical } from '../../core/canonical.ts';
import { decodeHeartbeat, decodeSignedHeartbeat, encodeHeartbeat, signHeartbeat } from '../../net/heartbeat.ts';
import { MAX_BATCH, decodeBatch, decodeRequest, encodeBatch, encodeRequest } from '../../net/wire.ts';

function refusal(decode: () => unknown): string {
  try {
    decode();
  } catch (error) {
    expect(error).toMatchObject({ code: 'bad-message' });
    return (error as Error).message;
  }
  throw new Error('the message was accepted');
}

const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));
const LEAF = new Uint8Array([1, 2, 3]);
const REQUEST = { v: 1, from: 0, to: 5, replyTo: 'hq', id: 'r-1' };
const BEAT = {
  kiosk: 'c1/k1',
  at: 1,
  version: '1.0',
  logSize: 3,
  backlog: 0,
  devices: [{ id: 'fp', state: 'ok' }],
} as const;

describe('entry batches (CBOR)', () => {
  it('round-trip, with and without a reply id', () => {
    expect(decodeBatch(encodeBatch({ origin: 'c1/k1', leaves: [LEAF] }))).toEqual({ origin: 'c1/k1', leaves: [LEAF] });
    expect(decodeBatch(encodeBatch({ origin: 'c1/k1', leaves: [LEAF], id: 'r-1' })).id).toBe('r-1');
  });

  it.each<[string, unknown, string]>([
    ['no origin', { l: [LEAF] }, 'entry batch.o: expected text'],
    ['leaves as text', { o: 'c1/k1', l: ['x'] }, 'entry batch.l[0]: expected 1-'],
    ['an empty leaf', { o: 'c1/k1', l: [new Uint8Array(0)] }, 'entry batch.l[0]: expected 1-'],
    [
      'too many leaves',
      { o: 'c1/k1', l: Array(MAX_BATCH + 1).fill(LEAF) },
      `entry batch.l: expected a list of at most ${MAX_BATCH}`,
    ],
    ['a malformed id', { o: 'c1/k1', l: [], id: 'a b' }, 'entry batch.id: expected a request id'],
    ['a list', [1], 'entry batch: expected an object'],
  ])('refuse %s', (_name, value, message) => {
    expect(refusal(() => decodeBatch(encodeCanonical(value as Parameters<typeof encodeCanonical>[0])))).toContain(
      message,
    );
  });
});

describe('backfill requests (JSON)', () => {
  it('round-trip; a field a newer peer adds is let through', () => {
    const { v: _, ...request } = REQUEST;
    expect(decodeRequest(encodeRequest(request))).toEqual(request);
    expect(decodeRequest(json({ ...REQUEST, priority: 'high' }))).toEqual(request);
  });

  it.each<[string, unknown, string]>([
    ['version 2', { ...REQUEST, v: 2 }, 'backfill request.v: expected 1'],
    ['a negative from', { ...REQUEST, from: -1 }, 'backfill request.from: expected an integer'],
    ['to not past from', { ...REQUEST, to: 0 }, 'backfill request.to: expected more than from (0), got 0'],
    ['a replyTo with a space', { ...REQUEST, replyTo: 'h q' }, 'backfill request.replyTo: expected a node id'],
    ['no id', { v: 1, from: 0, to: 5, replyTo: 'hq' }, 'backfill request.id: expected a request id'],
    ['a number', 7, 'backfill request: expected an object'],
  ])('refuse %s', (_name, value, message) => {
    expect(refusal(() => decodeRequest(json(value)))).toContain(message);
  });

  it('refuse what is not JSON, or too large to parse', () => {
    expect(refusal(() => decodeRequest(Buffer.from('{"v":')))).toBe('backfill request is not JSON');
    expect(refusal(() => decodeRequest(Buffer.alloc(64 * 1024 + 1, 32)))).toMatch(/limit is 65536/);
  });
});

describe('heartbeats (JSON, signed)', () => {
  it('round-trip through the signed envelope', () => {
    const signed = decodeSignedHeartbeat(signHeartbeat(BEAT, () => new Uint8Array(64)));
    expect(signed.heartbeat).toEqual(BEAT);
    expect(decodeHeartbeat(encodeHeartbeat(BEAT))).toEqual(BEAT);
  });

  it.each<[string, unknown, string]>([
    ['an unknown version', { v: 2, ...BEAT }, 'heartbeat.v: expected 1'],
    ['a fractional logSize', { v: 1, ...BEAT, logSize: 1.5 }, 'heartbeat.logSize: expected an integer'],
    [
      'a long version',
      { v: 1, ...BEAT, version: 'x'.repeat(65) },
      'heartbeat.version: expected text of 0-64 characters',
    ],
    [
      'an unknown device state',
      { v: 1, ...BEAT, devices: [{ id: 'fp', state: 'melted' }] },
      'heartbeat.devices[0].state: expected one of ok, degraded, disconnected, failing',
    ],
    [
      '33 devices',
      { v: 1, ...BEAT, devices: Array(33).fill({ id: 'fp', state: 'ok' }) },
      'heartbeat.devices: expected a list of at most 32',
    ],
    ['no kiosk', { v: 1, ...BEAT, kiosk: undefined }, 'heartbeat.kiosk: expected text'],
  ])('refuse %s', (_name, value, message) => {
    expect(refusal(() => decodeHeartbeat(json(value)))).toContain(message);
  });

  it.each<[string, unknown, string]>([
    ['no signature', { body: '{}' }, 'signed heartbeat.sig: expected an Ed25519 signature'],
    ['a short signature', { body: '{}', sig: 'AAAA' }, 'signed heartbeat.sig: expected an Ed25519 signature in base64'],
    ['a body that is an object', { body: {}, sig: `${'A'.repeat(86)}==` }, 'signed heartbeat.body: expected text'],
  ])('refuse an envelope with %s: unsigned heartbeats are refused', (_name, value, message) => {
    expect(refusal(() => decodeSignedHeartbeat(json(value)))).toContain(message);
  });
});
