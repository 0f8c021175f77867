// The personal-data store on real SQLite files beside a real log: reads go through the policy and leave an
// access entry first; erasure deletes data and key, leaves an erasure entry, and the log still verifies; a
// copied kiosk (log file + personal-data file) holds no name, ID number or template in any byte.
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { parseAccessRecord, parseErasureRecord } from '../../core/access/access-records.ts';
import type { Principal } from '../../core/access/roles.ts';
import { decodeLeaf } from '../../core/entry.ts';
import { startErasureJob } from '../../access/erasure-job.ts';
import { PersonalDataStore } from '../../access/personal-data-store.ts';
import { createTemplate, openTemplate, sealTemplate } from '../../face/template.ts';
import { fsck } from '../../ledger/fsck.ts';
import { newLog, tempDir } from '../ledger/fixtures.ts';

const STAFF: Principal = { user: 'sam', role: 'staff', centres: ['centre-01'] };
const OTHER_STAFF: Principal = { user: 'oz', role: 'staff', centres: ['centre-02'] };
const POLICE: Principal = { user: 'pia', role: 'police', centres: [] };
const OFFICER: Principal = { user: 'olu', role: 'officer', centres: [] };
const AUDITOR: Principal = { user: 'abe', role: 'auditor', centres: [] };
const NAME = 'Jane Quincy Example';
const ID_NUMBER = 'AB1234567Z';

function setup(centreKey = new Uint8Array(randomBytes(32))) {
  const log = newLog('centre-01/kiosk-1');
  let now = Date.UTC(2027, 0, 1);
  const piiPath = join(log.dir, 'personal-data.db');
  const pii = PersonalDataStore.open(piiPath, { centreKey, log: log.writer, clock: () => now });
  const entries = (type: string) => {
    const size = log.store.head(log.writer.origin).size;
    return [...log.store.range(log.writer.origin, 0, size)]
      .map((r) => decodeLeaf(r.leaf).body)
      .filter((b) => b.type === type);
  };
  return { log, pii, piiPath, centreKey, entries, advance: (ms: number) => (now += ms), now: () => now };
}

describe('PersonalDataStore', () => {
  it('keeps its file owner-only and refuses another centre key', () => {
    const { pii, piiPath } = setup();
    pii.put('p-0001', 'centre-01', { name: NAME });
    pii.close();
    expect(statSync(piiPath).mode & 0o077).toBe(0);
    expect(() =>
      PersonalDataStore.open(piiPath, {
        centreKey: new Uint8Array(32),
        log: { append: () => Promise.reject(new Error('unused')) },
      }),
    ).toThrow(expect.objectContaining({ code: 'wrong-centre-key' }));
  });

  it('writes an access entry (who, whose, which data, why) before handing data out', async () => {
    const { pii, entries } = setup();
    const template = new Uint8Array(randomBytes(512));
    const commitments = pii.put('p-0001', 'centre-01', { name: NAME, idNumber: ID_NUMBER, faceTemplate: template });
    expect(Object.keys(commitments).sort()).toEqual(['faceTemplate', 'idNumber', 'name']);
    expect(await pii.read(STAFF, 'p-0001', ['name', 'idNumber'], 'identity check at the desk')).toEqual({
      name: NAME,
      idNumber: ID_NUMBER,
    });
    expect(await pii.read(STAFF, 'p-0001', ['faceTemplate'], 're-enrolment')).toEqual({ faceTemplate: template });
    expect(await pii.read(POLICE, 'p-0001', ['name'], 'warrant 2027/17')).toEqual({ name: NAME });
    const records = entries('access').map((b) => parseAccessRecord(b.payload));
    expect(records).toEqual([
      {
        subject: 'p-0001',
        centre: 'centre-01',
        by: 'sam',
        role: 'staff',
        fields: ['name', 'idNumber'],
        reason: 'identity check at the desk',
      },
      {
        subject: 'p-0001',
        centre: 'centre-01',
        by: 'sam',
        role: 'staff',
        fields: ['faceTemplate'],
        reason: 're-enrolment',
      },
      {
        subject: 'p-0001',
        centre: 'centre-01',
        by: 'pia',
        role: 'police',
        fields: ['name'],
        reason: 'warrant 2027/17',
      },
    ]);

    await expect(pii.read(POLICE, 'p-0001', ['faceTemplate'], 'curious')).rejects.toMatchObject({ code: 'forbidden' });
    await expect(pii.read(AUDITOR, 'p-0001', ['name'], 'audit')).rejects.toMatchObject({ code: 'forbidden' });
    await expect(pii.read(OTHER_STAFF, 'p-0001', ['name'], 'curious')).rejects.toMatchObject({ code: 'forbidden' });
    await expect(pii.read(OTHER_STAFF, 'p-9999', ['name'], 'curious')).rejects.toMatchObject({ code: 'forbidden' });
    await expect(pii.read(STAFF, 'p-0001', ['name'], ' ')).rejects.toMatchObject({ code: 'reason-required' });
    const parolee: Principal = { user: 'p1', role: 'parolee', centres: [], subject: 'p-0001' };
    expect(await pii.read(parolee, 'p-0001', ['name'], 'my own record')).toEqual({ name: NAME });
    await expect(pii.read(parolee, 'p-0001', ['faceTemplate'], 'mine')).rejects.toMatchObject({ code: 'forbidden' });
    expect(entries('access')).toHaveLength(4);
  });

  it('erases at the end of supervision plus retention: data and key gone, an erasure entry, the log verifies', async () => {
    const { log, pii, piiPath, entries, advance, now } = setup();
    pii.put('p-0001', 'centre-01', { name: NAME, idNumber: ID_NUMBER, photo: new Uint8Array(randomBytes(2048)) });
    pii.put('p-0002', 'centre-01', { name: 'Someone Else Entirely' });
    await log.writer.append('checkin', { subject: 'p-0001', centre: 'centre-01' });
    const wrapped = wrappedKey(piiPath, 'p-0001');
    const ninetyDays = 90 * 86_400_000;
    pii.endSupervision('p-0001', now(), ninetyDays);

    advance(ninetyDays - 1);
    expect(await pii.eraseDue()).toEqual([]);
    advance(1);
    expect(await pii.eraseDue()).toEqual(['p-0001']);

    const [erasure] = entries('erasure').map((b) => parseErasureRecord(b.payload));
    expect(erasure).toEqual({
      subject: 'p-0001',
      centre: 'centre-01',
      fields: ['name', 'idNumber', 'photo'],
      cause: 'retention-ended',
      by: 'scheduler',
      erasedAt: now(),
    });
    await expect(pii.read(OFFICER, 'p-0001', ['name'], 'after erasure')).rejects.toMatchObject({ code: 'no-person' });
    await expect(pii.read(STAFF, 'p-0001', ['name'], 'after erasure')).rejects.toMatchObject({ code: 'forbidden' });
    expect(() => pii.dataKey('p-0001')).toThrow(expect.objectContaining({ code: 'no-person' }));
    expect(await pii.read(STAFF, 'p-0002', ['name'], 'still here')).toEqual({ name: 'Someone Else Entirely' });
    expect(pii.list().map((p) => p.subject)).toEqual(['p-0002']);

    // Unrecoverable: the wrapped data key is in no byte of the file or its WAL, so not even the centre key opens the data.
    for (const file of [piiPath, `${piiPath}-wal`])
      if (existsSync(file)) expect(readFileSync(file).includes(wrapped)).toBe(false);
    log.store.close();
    expect(await fsck(log.path, { workers: 0 })).toMatchObject({ ok: true });
  });

  it('erases on request with the user named, and records it even if the log failed the first time', async () => {
    const { log, piiPath, centreKey, entries } = setup();
    let failing = true;
    const flaky = {
      append: (type: 'access' | 'erasure', payload: Parameters<typeof log.writer.append>[1]) =>
        failing ? Promise.reject(new Error('disk full')) : log.writer.append(type, payload),
    };
    const pii = PersonalDataStore.open(`${piiPath}.2`, { centreKey, log: flaky });
    pii.put('p-0003', 'centre-01', { name: NAME });
    await expect(pii.erase('p-0003', 'request', 'olu')).rejects.toThrow('disk full');
    expect(pii.list()).toEqual([]);
    failing = false;
    expect(await pii.eraseDue()).toEqual([]);
    expect(entries('erasure').map((b) => parseErasureRecord(b.payload))).toMatchObject([
      { subject: 'p-0003', cause: 'request', by: 'olu' },
    ]);
  });

  it('a copied kiosk (log file + personal-data file) reveals no name, ID number or template', async () => {
    const { log, pii, piiPath } = setup();
    const template = new Uint8Array(randomBytes(1024));
    const people = Array.from({ length: 20 }, (_, i) => ({
      subject: `p-${String(i).padStart(4, '0')}`,
      name: `Person Number${i} Surname`,
      id: `ZX${String(900000 + i)}Q`,
    }));
    for (const p of people) {
      pii.put(p.subject, 'centre-01', { name: p.name, idNumber: p.id, faceTemplate: template });
      await log.writer.append('checkin', { subject: p.subject, centre: 'centre-01' });
      await pii.read(STAFF, p.subject, ['name'], 'desk check');
    }
    const copy = tempDir();
    for (const file of [log.path, `${log.path}-wal`, piiPath, `${piiPath}-wal`])
      if (existsSync(file)) copyFileSync(file, join(copy, file.split('/').at(-1) ?? 'x'));
    const bytes = Buffer.concat(
      [log.path, `${log.path}-wal`, piiPath, `${piiPath}-wal`]
        .filter(existsSync)
        .map((f) => readFileSync(join(copy, f.split('/').at(-1) ?? 'x'))),
    );
    for (const p of people) {
      for (const secret of [p.name, p.id, p.name.toUpperCase()]) {
        expect(bytes.includes(Buffer.from(secret, 'utf8'))).toBe(false);
        expect(bytes.includes(Buffer.from(secret, 'utf16le'))).toBe(false);
      }
    }
    for (let at = 0; at + 16 <= template.length; at += 16)
      expect(bytes.includes(Buffer.from(template.subarray(at, at + 16)))).toBe(false);
  });
});

describe('erasure job', () => {
  it('erases what is due on each run, by the injected clock', async () => {
    const { pii, entries, now, advance } = setup();
    pii.put('p-0001', 'centre-01', { name: NAME });
    pii.put('p-0002', 'centre-01', { name: NAME });
    pii.endSupervision('p-0001', now(), 1000);
    pii.endSupervision('p-0002', now(), 5000);
    const job = startErasureJob(pii, { everyMs: 3_600_000, clock: now });
    try {
      expect(await job.runOnce()).toEqual([]);
      advance(1000);
      expect(await job.runOnce()).toEqual(['p-0001']);
      expect(await job.runOnce(now() + 4000)).toEqual(['p-0002']);
      expect(entries('erasure')).toHaveLength(2);
    } finally {
      job.stop();
    }
  });
});

describe("face templates under the person's data key", () => {
  it('seal with the face layer, and become unreadable when the person is erased', async () => {
    const { pii } = setup();
    pii.put('p-0007', 'centre-01', { name: NAME });
    const template = createTemplate(
      'p-0007',
      Array.from({ length: 3 }, (_, i) => Float32Array.from({ length: 128 }, (_, j) => Math.sin(i + j))),
    );
    const sealed = sealTemplate(template, pii.dataKey('p-0007'));
    expect(openTemplate(sealed, pii.dataKey('p-0007')).descriptors).toHaveLength(3);
    await pii.erase('p-0007', 'request', 'olu');
    // The sealed file may survive in a backup; its key does not.
    expect(() => pii.dataKey('p-0007')).toThrow(expect.objectContaining({ code: 'no-person' }));
    pii.put('p-0007', 'centre-01', { name: NAME });
    expect(() => openTemplate(sealed, pii.dataKey('p-0007'))).toThrow(
      expect.objectContaining({ code: 'template-invalid' }),
    );
  });
});

/** The person's wrapped data key as the store's file holds it (read through a second connection). */
function wrappedKey(path: string, subject: string): Buffer {
  const db = new Database(path, { readonly: true });
  try {
    const row = db.prepare('SELECT wrapped_key FROM people WHERE subject = ?').get(subject) as
      { wrapped_key: Buffer } | undefined;
    if (!row) throw new Error(`no wrapped key for ${subject}`);
    return row.wrapped_key;
  } finally {
    db.close();
  }
}
