// HQ's records share their repeated payload values: equal to what was decoded, one frozen instance of each value,
// byte strings and values JSON would change left as they are.
import { describe, expect, it } from 'vitest';
import { toHex } from '../../core/bytes.ts';
import type { LogRecord } from '../../core/records/entry-ref.ts';
import { RecordInterner } from '../../main/web/record-interner.ts';
import { checkinPayload } from '../checkin/support/log-builder.ts';

function checkin(seq: number, subject: string): LogRecord {
  return {
    ref: { origin: 'c1/k1', seq, hash: toHex(Uint8Array.of(seq, 1, 2)) },
    ts: 1_000 + seq,
    type: 'checkin',
    payload: {
      ...checkinPayload(subject, 'c1', [{ task: 't-study' }]),
      methods: ['fingerprint', 'face'],
      photo: Uint8Array.of(1, 2, 3),
      drift: -0,
    },
  };
}

describe('RecordInterner', () => {
  it('keeps every record equal to the decoded one and shares its repeated values', () => {
    const interner = new RecordInterner();
    const a = checkin(1, 's-1');
    const b = checkin(2, 's-1');
    const sharedA = interner.record(a);
    const sharedB = interner.record(b);
    expect(sharedA).toEqual(a);
    expect(sharedB).toEqual(b);
    expect(sharedA.ref).toBe(a.ref);
    expect(sharedB.payload.methods).toBe(sharedA.payload.methods);
    expect(sharedB.payload.tasks).toBe(sharedA.payload.tasks);
    expect(Object.isFrozen(sharedA.payload.tasks)).toBe(true);
    expect(() => (sharedA.payload.methods as string[]).push('badge')).toThrow(TypeError);
    // Bytes are never shared (a consumer may keep them) and -0 stays -0 (JSON would make it 0).
    expect(sharedB.payload.photo).toBe(b.payload.photo);
    expect(Object.is(sharedB.payload.drift, -0)).toBe(true);
  });

  it('shares nothing between different values', () => {
    const interner = new RecordInterner();
    const one = interner.record(checkin(1, 's-1'));
    const other = interner.record({
      ...checkin(2, 's-2'),
      payload: { ...checkin(2, 's-2').payload, methods: ['face'] },
    });
    expect(other.payload.subject).toBe('s-2');
    expect(other.payload.methods).toEqual(['face']);
    expect(one.payload.methods).toEqual(['fingerprint', 'face']);
  });
});

describe('toHex', () => {
  it('writes two lowercase digits per byte', () => {
    expect(toHex(Uint8Array.of(0, 15, 16, 255))).toBe('000f10ff');
    expect(toHex(new Uint8Array(0))).toBe('');
  });
});
