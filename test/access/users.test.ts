import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { can, holds } from '../../core/access/roles.ts';
import { hashPassword, verifyPassword } from '../../access/password.ts';
import { UserStore } from '../../access/user-store.ts';

const FAST = { logN: 10, r: 8, p: 1 };
const PASSWORD = 'correct horse battery';

describe('roles', () => {
  it('scopes staff to their centres and a parolee to themselves', () => {
    const staff = { user: 's', role: 'staff', centres: ['c1'] } as const;
    expect(can(staff, 'read-pii', { centre: 'c1', subject: 'p-1' })).toBe(true);
    expect(can(staff, 'read-pii', { centre: 'c2', subject: 'p-1' })).toBe(false);
    expect(can(staff, 'read-pii', {})).toBe(false);
    const parolee = { user: 'p', role: 'parolee', centres: [], subject: 'p-1' } as const;
    expect(can(parolee, 'read-person', { subject: 'p-1' })).toBe(true);
    expect(can(parolee, 'read-person', { subject: 'p-2' })).toBe(false);
    expect(can(parolee, 'read-biometrics', { subject: 'p-1' })).toBe(false);
    expect(holds('police', 'read-biometrics')).toBe(false);
    expect(holds('auditor', 'read-pii')).toBe(false);
    expect(holds('auditor', 'read-access-records')).toBe(true);
  });
});

describe('passwords', () => {
  it('hashes with a per-user salt and compares', async () => {
    const a = await hashPassword(PASSWORD, FAST);
    const b = await hashPassword(PASSWORD, FAST);
    expect(a).not.toBe(b);
    expect(a.startsWith('scrypt$10$8$1$')).toBe(true);
    expect(await verifyPassword(a, PASSWORD)).toBe(true);
    expect(await verifyPassword(a, `${PASSWORD}!`)).toBe(false);
    await expect(hashPassword('short')).rejects.toMatchObject({ code: 'weak-password' });
  });

  it('defaults to scrypt N=2^15', async () => {
    expect((await hashPassword(PASSWORD)).startsWith('scrypt$15$8$3$')).toBe(true);
  });
});

describe('UserStore', () => {
  let dir: string;
  let now: number;
  let users: UserStore;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'muster-users-'));
    now = 1_800_000_000_000;
    users = UserStore.open(join(dir, 'users.db'), {
      clock: () => now,
      scrypt: FAST,
      policy: { idleMs: 60_000, absoluteMs: 600_000, maxFailures: 3, lockMs: 300_000 },
    });
  });

  afterEach(() => {
    users.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps its file owner-only', () => {
    expect(statSync(join(dir, 'users.db')).mode & 0o077).toBe(0);
  });

  it('signs in, keeps the session alive while used, ends it when idle or too old', async () => {
    await users.add({ name: 'ana', role: 'staff', password: PASSWORD, centres: ['c1'] });
    const session = await users.signIn('ana', PASSWORD);
    expect(session.principal).toEqual({ user: 'ana', role: 'staff', centres: ['c1'] });
    for (let i = 0; i < 10; i++) {
      now += 59_000;
      expect(users.principal(session.token)?.user).toBe('ana');
    }
    now += 30_000; // used 30 s ago, but 620 s > the absolute 600 s
    expect(users.principal(session.token)).toBeUndefined();
    const second = await users.signIn('ana', PASSWORD);
    now += 60_001;
    expect(users.principal(second.token)).toBeUndefined();
    expect(users.principal('not a token')).toBeUndefined();
  });

  it('gives one answer for a wrong user, a wrong password and a locked account, and locks after repeated failures', async () => {
    await users.add({ name: 'ana', role: 'officer', password: PASSWORD });
    await expect(users.signIn('nobody', PASSWORD)).rejects.toMatchObject({
      code: 'auth-failed',
      message: 'wrong user name or password',
    });
    for (let i = 0; i < 3; i++)
      await expect(users.signIn('ana', 'wrong password!!')).rejects.toMatchObject({
        code: 'auth-failed',
        message: 'wrong user name or password',
      });
    // Locked: the right password gets the same answer as a wrong one, so a guesser learns nothing from it.
    await expect(users.signIn('ana', PASSWORD)).rejects.toMatchObject({
      code: 'auth-failed',
      message: 'wrong user name or password',
    });
    await expect(users.signIn('ana', 'wrong password!!')).rejects.toMatchObject({
      code: 'auth-failed',
      message: 'wrong user name or password',
    });
    expect(users.info('ana').locked).toBe(true);
    now += 300_001;
    expect((await users.signIn('ana', PASSWORD)).principal.role).toBe('officer');
    expect(users.info('ana').failures).toBe(0);
  });

  it('counts concurrent attempts before hashing: no more password checks than the lock allows', async () => {
    await users.add({ name: 'ana', role: 'officer', password: PASSWORD });
    // Twenty attempts at once through twenty handles on the file (as from several processes, each its own gate):
    // nineteen wrong guesses and then the right password.
    const handles = Array.from({ length: 20 }, () =>
      UserStore.open(join(dir, 'users.db'), {
        clock: () => now,
        scrypt: FAST,
        policy: { maxFailures: 3, lockMs: 300_000 },
      }),
    );
    try {
      const answers = await Promise.all(
        handles.map((h, i) =>
          h.signIn('ana', i === 19 ? PASSWORD : `wrong password ${i}`).then(
            () => 'signed in',
            (error: unknown) => (error as { code: string }).code,
          ),
        ),
      );
      // Only the first three were checked (maxFailures 3): the right password, last, never was, and every answer is the same.
      expect(new Set(answers)).toEqual(new Set(['auth-failed']));
      expect(users.info('ana')).toMatchObject({ locked: true, failures: 3 });
    } finally {
      for (const h of handles) h.close();
    }
  });

  const codes = (answers: PromiseSettledResult<unknown>[]): string[] =>
    answers.map((r) => (r.status === 'rejected' ? (r.reason as { code: string }).code : 'ok'));

  it('throttles concurrent and repeated attempts from one address without hashing, and not other addresses', async () => {
    const gated = UserStore.open(join(dir, 'gated.db'), {
      clock: () => now,
      scrypt: FAST,
      gate: { maxAddressFailures: 2, windowMs: 60_000 },
    });
    try {
      await gated.add({ name: 'ana', role: 'officer', password: PASSWORD });
      await gated.add({ name: 'bo', role: 'officer', password: PASSWORD });
      // Four attempts in flight per address (maxAddressInFlight), the fifth refused unhashed.
      const flood = await Promise.allSettled(
        Array.from({ length: 5 }, (_, i) => gated.signIn(`nobody${i}`, PASSWORD, '10.0.0.9')),
      );
      expect(codes(flood)).toEqual(['auth-failed', 'auth-failed', 'auth-failed', 'auth-failed', 'throttled']);
      // One account from two addresses at once: one attempt runs, the other is refused unhashed.
      const same = await Promise.allSettled([
        gated.signIn('ana', PASSWORD, '10.0.0.1'),
        gated.signIn('ana', PASSWORD, '10.0.0.2'),
      ]);
      expect(same.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
      // Four failures from 10.0.0.9 in the window (over 2): it waits out the window; another address signs in.
      await expect(gated.signIn('bo', PASSWORD, '10.0.0.9')).rejects.toMatchObject({ code: 'throttled' });
      expect((await gated.signIn('bo', PASSWORD, '10.0.0.3')).principal.user).toBe('bo');
      now += 60_001;
      expect((await gated.signIn('bo', PASSWORD, '10.0.0.9')).principal.user).toBe('bo');
    } finally {
      gated.close();
    }
  });

  it("lets a centre's officers behind one NAT address sign in at once, and still throttles guessing one account from it", async () => {
    const gated = UserStore.open(join(dir, 'nat.db'), {
      clock: () => now,
      scrypt: FAST,
      policy: { maxFailures: 3, lockMs: 300_000 },
    });
    try {
      const officers = ['ana', 'bo', 'cy', 'di'];
      for (const name of officers) await gated.add({ name, role: 'officer', password: PASSWORD });
      const shift = await Promise.all(officers.map((name) => gated.signIn(name, PASSWORD, '10.0.0.1')));
      expect(shift.map((s) => s.principal.user)).toEqual(officers);
      // A guesser behind the same address, on one account: one attempt at a time, the rest refused unhashed.
      const burst = await Promise.allSettled(
        Array.from({ length: 6 }, (_, i) => gated.signIn('ana', `wrong password ${i}`, '10.0.0.1')),
      );
      expect(codes(burst)).toEqual(['auth-failed', ...Array<string>(5).fill('throttled')]);
      expect(gated.info('ana').failures).toBe(1);
      // One after another, the account locks at three failures: the right password fails then, from any address.
      for (const i of [1, 2])
        await expect(gated.signIn('ana', `wrong password ${i}`, '10.0.0.1')).rejects.toMatchObject({
          code: 'auth-failed',
        });
      expect(gated.info('ana')).toMatchObject({ locked: true, failures: 3 });
      await expect(gated.signIn('ana', PASSWORD, '10.0.0.1')).rejects.toMatchObject({ code: 'auth-failed' });
      await expect(gated.signIn('ana', PASSWORD, '10.0.0.2')).rejects.toMatchObject({ code: 'auth-failed' });
      // The other officers behind the address are not locked out by it.
      expect((await gated.signIn('bo', PASSWORD, '10.0.0.1')).principal.user).toBe('bo');
    } finally {
      gated.close();
    }
  });

  it("an administrator's lock ends open sessions until unlocked", async () => {
    await users.add({ name: 'ana', role: 'police', password: PASSWORD });
    const session = await users.signIn('ana', PASSWORD);
    users.lock('ana');
    expect(users.principal(session.token)).toBeUndefined();
    now += 10 * 3_600_000;
    await expect(users.signIn('ana', PASSWORD)).rejects.toMatchObject({ code: 'auth-failed' });
    users.unlock('ana');
    expect((await users.signIn('ana', PASSWORD)).principal.user).toBe('ana');
  });

  it('refuses users without the scope their role needs', async () => {
    await expect(users.add({ name: 'x', role: 'staff', password: PASSWORD })).rejects.toMatchObject({
      code: 'bad-user',
    });
    await expect(users.add({ name: 'y', role: 'parolee', password: PASSWORD })).rejects.toMatchObject({
      code: 'bad-user',
    });
    await expect(users.add({ name: 'z', role: 'officer', password: PASSWORD, centres: ['c1'] })).rejects.toMatchObject({
      code: 'bad-user',
    });
    await expect(users.add({ name: 'Bad Name', role: 'officer', password: PASSWORD })).rejects.toMatchObject({
      code: 'bad-user',
    });
    await users.add({ name: 'p', role: 'parolee', password: PASSWORD, subject: 'p-0042' });
    await expect(
      users.add({ name: 'p', role: 'parolee', password: PASSWORD, subject: 'p-0042' }),
    ).rejects.toMatchObject({ code: 'user-exists' });
    expect(users.list().map((u) => [u.user, u.subject])).toEqual([['p', 'p-0042']]);
  });
});
