// Badge numbers in the kiosk's enrolment table are HMAC-SHA-256 under a key from the key store: the table alone
// (a copied disk without the keyring) names no card, however few and short card numbers are.
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EnrolmentStore } from '../../main/kiosk/enrolment-store.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'muster-badges-'));
  dirs.push(dir);
  return dir;
}
const noKeys = (): Uint8Array => {
  throw new Error('no templates here');
};

describe('badge hashes', () => {
  it('keeps a keyed hash only, and no salt: without the key the table does not find the card', () => {
    const dir = tempDir();
    const key = new Uint8Array(randomBytes(32));
    EnrolmentStore.open(dir, noKeys, key).save('p-0001', { card: '0004521337' });
    const table = JSON.parse(readFileSync(join(dir, 'enrolment.json'), 'utf8')) as {
      salt?: string;
      badges: Record<string, string>;
    };
    expect(table.salt).toBeUndefined();
    expect(Object.keys(table.badges)).toEqual([`hmac:${createHmac('sha256', key).update('0004521337').digest('hex')}`]);
    expect(EnrolmentStore.open(dir, noKeys, key).subjectOfBadge('0004521337')).toBe('p-0001');
    expect(
      EnrolmentStore.open(dir, noKeys, new Uint8Array(randomBytes(32))).subjectOfBadge('0004521337'),
    ).toBeUndefined();
  });

  it('finds a card enrolled under the earlier salted hash once more, then keeps it under the key only', () => {
    const dir = tempDir();
    const salt = 'ab'.repeat(16);
    const legacy = createHash('sha256').update(salt).update('\n').update('0009').digest('hex');
    writeFileSync(
      join(dir, 'enrolment.json'),
      JSON.stringify({ v: 1, salt, pages: {}, badges: { [legacy]: 'p-0002' } }),
    );
    const key = new Uint8Array(randomBytes(32));
    expect(EnrolmentStore.open(dir, noKeys, key).subjectOfBadge('0009')).toBe('p-0002');
    const table = JSON.parse(readFileSync(join(dir, 'enrolment.json'), 'utf8')) as {
      salt?: string;
      badges: Record<string, string>;
    };
    expect(table.salt).toBeUndefined();
    expect(Object.keys(table.badges)).toEqual([`hmac:${createHmac('sha256', key).update('0009').digest('hex')}`]);
  });
});
