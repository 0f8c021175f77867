// Face captures in the personal-data store: the frames of a face check that went to staff review, sealed under
// the person's data key, read only with read-biometrics for the person's centre (one access entry first, naming
// both the captures and the enrolment photo), erased when their retention ends (an erasure entry of the field
// kind) or with the person.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PersonalDataStore } from '../../access/personal-data-store.ts';
import { parseAccessRecord, parseErasureRecord } from '../../core/access/access-records.ts';
import type { Principal } from '../../core/access/roles.ts';
import type { Payload } from '../../core/entry.ts';
import { tempDir } from '../checkin/support/kiosk-log.ts';

const T0 = Date.UTC(2026, 5, 1, 2, 0);
const DAY = 86_400_000;
const sam: Principal = { user: 'sam', role: 'staff', centres: ['centre-a'] };
const bea: Principal = { user: 'bea', role: 'staff', centres: ['centre-b'] };
const olga: Principal = { user: 'olga', role: 'officer', centres: [] };
const pat: Principal = { user: 'pat', role: 'police', centres: [] };
const aud: Principal = { user: 'aud', role: 'auditor', centres: [] };

/** Stand-in JPEG bytes with a marker that must never appear in clear on disk. */
const frame = (marker: string): Uint8Array => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.from(marker)]);

function store() {
  const dir = tempDir();
  const entries: { type: string; payload: Payload }[] = [];
  const path = join(dir, 'personal-data.db');
  const personal = PersonalDataStore.open(path, {
    centreKey: randomBytes(32),
    log: {
      append: (type, payload) => {
        entries.push({ type, payload });
        return Promise.resolve({ seq: entries.length });
      },
    },
    clock: () => T0,
  });
  personal.put('p-1', 'centre-a', { name: 'Pat Example', photo: frame('ENROLLED-PHOTO-MARKER') });
  return { path, personal, entries };
}

describe('face captures in the personal-data store', () => {
  it('are read only by staff of the centre and officers, after one access entry, and never lie in clear on disk', async () => {
    const { path, personal, entries } = store();
    const one = personal.putCapture('p-1', 'centre-a', [frame('CAPTURED-FRAME-ONE'), frame('CAPTURED-TWO')], T0);
    const other = personal.putCapture('p-1', 'centre-a', [frame('CAPTURED-FRAME-THREE')], T0 + 60_000);
    expect(one).toMatch(/^[0-9a-f]{64}$/);
    expect(() => personal.put('p-1', 'centre-a', { faceCapture: frame('x') })).toThrow(/putCapture/);

    for (const who of [pat, aud, bea])
      await expect(personal.readCaptures(who, 'p-1', [one], 'look')).rejects.toMatchObject({ code: 'forbidden' });
    expect(entries).toEqual([]);

    const seen = await personal.readCaptures(sam, 'p-1', [one, other, 'f'.repeat(64)], 'face review');
    expect(entries.map((e) => [e.type, parseAccessRecord(e.payload)])).toEqual([
      [
        'access',
        {
          subject: 'p-1',
          centre: 'centre-a',
          by: 'sam',
          role: 'staff',
          fields: ['faceCapture', 'photo'],
          reason: 'face review',
        },
      ],
    ]);
    expect(Buffer.from(seen.photo ?? []).toString('latin1')).toContain('ENROLLED-PHOTO-MARKER');
    expect(
      seen.captures.map((c) => [c.commitment, c.taken, c.frames.map((f) => Buffer.from(f).toString('latin1'))]),
    ).toEqual([
      [
        one,
        T0,
        [
          Buffer.from(frame('CAPTURED-FRAME-ONE')).toString('latin1'),
          Buffer.from(frame('CAPTURED-TWO')).toString('latin1'),
        ],
      ],
      [other, T0 + 60_000, [Buffer.from(frame('CAPTURED-FRAME-THREE')).toString('latin1')]],
    ]);
    expect((await personal.readCaptures(olga, 'p-1', [one], 'face review')).captures).toHaveLength(1);

    personal.close();
    const bytes = readFileSync(path);
    for (const marker of ['CAPTURED-FRAME-ONE', 'CAPTURED-TWO', 'CAPTURED-FRAME-THREE', 'ENROLLED-PHOTO-MARKER'])
      expect(bytes.includes(Buffer.from(marker))).toBe(false);
  });

  it('are erased when their retention ends, with an erasure entry, while the rest of the person stays', async () => {
    const { personal, entries } = store();
    const early = personal.putCapture('p-1', 'centre-a', [frame('EARLY')], T0, 30 * DAY);
    const late = personal.putCapture('p-1', 'centre-a', [frame('LATE')], T0 + 10 * DAY, 30 * DAY);

    expect(await personal.eraseDue(T0 + 30 * DAY - 1)).toEqual([]);
    expect(entries).toEqual([]);
    expect(await personal.eraseDue(T0 + 30 * DAY)).toEqual([]);
    expect(entries.map((e) => [e.type, parseErasureRecord(e.payload)])).toEqual([
      [
        'erasure',
        {
          subject: 'p-1',
          centre: 'centre-a',
          fields: ['faceCapture'],
          cause: 'retention-ended',
          by: 'scheduler',
          erasedAt: T0 + 30 * DAY,
        },
      ],
    ]);
    const left = await personal.readCaptures(sam, 'p-1', [early, late], 'face review');
    expect(left.captures.map((c) => c.commitment)).toEqual([late]);
    expect((await personal.read(sam, 'p-1', ['name'], 'identity')).name).toBe('Pat Example');
  });

  it('go with the person: erasure names them, and nothing is left to read', async () => {
    const { personal, entries } = store();
    const capture = personal.putCapture('p-1', 'centre-a', [frame('GONE')], T0);
    await personal.erase('p-1', 'request', 'olga');
    const erasure = entries.find((e) => e.type === 'erasure');
    expect(parseErasureRecord(erasure?.payload).fields).toEqual(['name', 'photo', 'faceCapture']);
    await expect(personal.readCaptures(olga, 'p-1', [capture], 'face review')).rejects.toMatchObject({
      code: 'no-person',
    });
  });

  it('refuses bad input at the boundary', () => {
    const { personal } = store();
    expect(() => personal.putCapture('p-1', 'centre-a', [], T0)).toThrow(TypeError);
    expect(() =>
      personal.putCapture(
        'p-1',
        'centre-a',
        Array.from({ length: 9 }, () => frame('x')),
        T0,
      ),
    ).toThrow(TypeError);
    expect(() => personal.putCapture('p-1', 'centre-a', [new Uint8Array(0)], T0)).toThrow(TypeError);
    expect(() => personal.putCapture('p-1', 'centre-b', [frame('x')], T0)).toThrow(/belongs to centre/);
    expect(() => personal.putCapture('p 1', 'centre-a', [frame('x')], T0)).toThrow(TypeError);
  });
});
