// Users and sessions (SQLite, owner-only file). Sessions are opaque random tokens kept server-side as their
// SHA-256 (a copied file yields no usable token), with an idle and an absolute expiry. Repeated failed
// sign-ins lock the account for a while; an administrator's lock lasts until unlocked. Locking ends sessions.
// Sign-ins pass a gate (access/sign-in-gate.ts) that throttles per address and per account and bounds hashing.
import { createHash, randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import { type Principal, type Role, isRole } from '../core/access/roles.ts';
import { MusterError } from '../core/errors.ts';
import { DEFAULT_SCRYPT, type ScryptParams, hashPassword, verifyPassword } from './password.ts';
import { openPrivateDatabase } from './private-file.ts';
import { SignInGate, type SignInGatePolicy } from './sign-in-gate.ts';
import { type SqliteMigration, USER_VERSION, migrate } from '../runtime/sqlite-migrations.ts';

const USER_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const SCOPE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$/;

export interface UserPolicy {
  /** Sign-out after this long without a request. */
  readonly idleMs: number;
  /** Sign-out this long after sign-in, whatever the activity. */
  readonly absoluteMs: number;
  /** Consecutive failures that lock the account... */
  readonly maxFailures: number;
  /** ...for this long. */
  readonly lockMs: number;
}

export const DEFAULT_USER_POLICY: UserPolicy = {
  idleMs: 15 * 60_000,
  absoluteMs: 8 * 3_600_000,
  maxFailures: 5,
  lockMs: 15 * 60_000,
};

export interface NewUser {
  readonly name: string;
  readonly role: Role;
  readonly password: string;
  readonly centres?: readonly string[];
  readonly subject?: string;
}

export interface UserInfo extends Principal {
  readonly locked: boolean;
  readonly failures: number;
  readonly createdAt: number;
}

export interface Session {
  readonly token: string;
  readonly principal: Principal;
  readonly expiresAt: number;
}

/** What the HTTP guard needs: a token in, a principal (or nothing) out. */
export interface SessionSource {
  principal(token: string, touch?: boolean): Principal | undefined;
}

export interface UserStoreOptions {
  readonly clock?: () => number;
  readonly policy?: Partial<UserPolicy>;
  readonly scrypt?: ScryptParams;
  readonly gate?: Partial<SignInGatePolicy>;
}

interface UserRow {
  name: string;
  role: string;
  centres: string;
  subject: string | null;
  hash: string;
  failures: number;
  locked_until: number;
  disabled: number;
  created: number;
}

interface SessionRow extends UserRow {
  created_at: number;
  last_seen: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS users (
  name TEXT PRIMARY KEY, role TEXT NOT NULL, centres TEXT NOT NULL, subject TEXT, hash TEXT NOT NULL,
  failures INTEGER NOT NULL DEFAULT 0, locked_until INTEGER NOT NULL DEFAULT 0, disabled INTEGER NOT NULL DEFAULT 0,
  created INTEGER NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS sessions (
  token_hash BLOB PRIMARY KEY, user TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
  created_at INTEGER NOT NULL, last_seen INTEGER NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS sessions_user ON sessions(user);
`;

/** The file's schema, in order (runtime/sqlite-migrations.ts): a change is one more entry at the end. */
const MIGRATIONS: readonly SqliteMigration[] = [{ version: 1, name: 'users, sessions', up: SCHEMA }];

export class UserStore implements SessionSource {
  readonly policy: UserPolicy;
  private readonly clock: () => number;
  private readonly scrypt: ScryptParams;
  private readonly gate: SignInGate;
  /** Checked for unknown and locked users too, so a failed sign-in takes as long whatever the account's state. */
  private decoy: Promise<string> | undefined;

  private constructor(
    private readonly db: Database.Database,
    options: UserStoreOptions,
  ) {
    this.clock = options.clock ?? Date.now;
    this.policy = { ...DEFAULT_USER_POLICY, ...options.policy };
    this.scrypt = options.scrypt ?? DEFAULT_SCRYPT;
    this.gate = new SignInGate(options.gate, this.clock);
  }

  static open(path: string, options: UserStoreOptions = {}): UserStore {
    const db = openPrivateDatabase(path);
    migrate(db, MIGRATIONS, USER_VERSION, `user store ${path}`);
    return new UserStore(db, options);
  }

  close(): void {
    this.db.close();
  }

  async add(user: NewUser): Promise<UserInfo> {
    const { centres, subject } = checkScope(user);
    if (!USER_PATTERN.test(user.name))
      throw new MusterError(
        'bad-user',
        `user name must match ${USER_PATTERN.source}, got ${JSON.stringify(user.name)}`,
      );
    if (this.row(user.name)) throw new MusterError('user-exists', `user ${user.name} exists`);
    const hash = await hashPassword(user.password, this.scrypt);
    try {
      this.db
        .prepare('INSERT INTO users (name, role, centres, subject, hash, created) VALUES (?, ?, ?, ?, ?, ?)')
        .run(user.name, user.role, JSON.stringify(centres), subject ?? null, hash, this.clock());
    } catch (error) {
      throw new MusterError('user-exists', `user ${user.name} exists`, { cause: error });
    }
    return this.info(user.name);
  }

  async setPassword(name: string, password: string): Promise<void> {
    this.info(name);
    const hash = await hashPassword(password, this.scrypt);
    this.db.transaction(() => {
      this.db.prepare('UPDATE users SET hash = ?, failures = 0, locked_until = 0 WHERE name = ?').run(hash, name);
      this.db.prepare('DELETE FROM sessions WHERE user = ?').run(name);
    })();
  }

  list(): UserInfo[] {
    return (this.db.prepare('SELECT * FROM users ORDER BY name').all() as UserRow[]).map((row) => this.toInfo(row));
  }

  info(name: string): UserInfo {
    const row = this.row(name);
    if (!row) throw new MusterError('no-user', `no user ${name}`);
    return this.toInfo(row);
  }

  /** An administrator's lock: no sign-in until unlocked; open sessions end now. */
  lock(name: string): void {
    this.info(name);
    this.db.transaction(() => {
      this.db.prepare('UPDATE users SET disabled = 1 WHERE name = ?').run(name);
      this.db.prepare('DELETE FROM sessions WHERE user = ?').run(name);
    })();
  }

  unlock(name: string): void {
    this.info(name);
    this.db.prepare('UPDATE users SET disabled = 0, failures = 0, locked_until = 0 WHERE name = ?').run(name);
  }

  remove(name: string): void {
    if (this.db.prepare('DELETE FROM users WHERE name = ?').run(name).changes === 0)
      throw new MusterError('no-user', `no user ${name}`);
  }

  /**
   * Signs in: a new session, or `auth-failed` for every failure (unknown user, wrong password, locked account:
   * one answer, after the same hash work, so the answer never tells a right password from a wrong one), or
   * `throttled` from the gate. The attempt is counted against the account before the hash is checked, in one
   * transaction with the lock check, so concurrent attempts get no more checks than the lock allows.
   * `from` is the client's address, for per-address throttling (undefined for a local caller).
   */
  async signIn(name: string, password: string, from?: string): Promise<Session> {
    return this.gate.run(name, from, async (hash) => {
      const reserved = USER_PATTERN.test(name) ? this.reserve(name) : undefined;
      if (!reserved) {
        this.decoy ??= hashPassword('decoy password for unknown users', this.scrypt);
        const decoy = await this.decoy;
        await hash(() => verifyPassword(decoy, password));
        throw authFailed();
      }
      if (!(await hash(() => verifyPassword(reserved.hash, password)))) throw authFailed();
      const now = this.clock();
      const token = randomBytes(32).toString('base64url');
      const started = this.db.transaction(() => {
        const row = this.row(name);
        // Disabled or given a new password while the hash was being checked: refuse rather than race an administrator.
        if (!row || row.disabled !== 0 || row.hash !== reserved.hash) return undefined;
        this.db.prepare('UPDATE users SET failures = 0, locked_until = 0 WHERE name = ?').run(name);
        this.db
          .prepare('DELETE FROM sessions WHERE user = ? AND (last_seen < ? OR created_at < ?)')
          .run(name, now - this.policy.idleMs, now - this.policy.absoluteMs);
        this.db
          .prepare('INSERT INTO sessions (token_hash, user, created_at, last_seen) VALUES (?, ?, ?, ?)')
          .run(tokenHash(token), name, now, now);
        return row;
      })();
      if (!started) throw authFailed();
      return { token, principal: toPrincipal(started), expiresAt: now + this.policy.absoluteMs };
    });
  }

  /**
   * Counts an attempt as a failure before its hash is checked (a success clears it), locking the account when
   * that reaches the limit; returns the row, or undefined when the account is unknown or locked.
   */
  private reserve(name: string): UserRow | undefined {
    return this.db
      .transaction(() => {
        const row = this.row(name);
        if (!row || this.isLocked(row)) return undefined;
        this.db
          .prepare(
            `UPDATE users SET failures = failures + 1,
        locked_until = CASE WHEN failures + 1 >= ? THEN ? ELSE locked_until END WHERE name = ?`,
          )
          .run(this.policy.maxFailures, this.clock() + this.policy.lockMs, name);
        return row;
      })
      .immediate();
  }

  /**
   * The principal of a live session, or undefined. A request restarts the idle timer; `touch = false` only looks
   * (an open event stream checking that its session still holds is not activity).
   */
  principal(token: string, touch = true): Principal | undefined {
    if (typeof token !== 'string' || token.length === 0 || token.length > 128) return undefined;
    const hash = tokenHash(token);
    const row = this.db
      .prepare(
        'SELECT s.created_at, s.last_seen, u.* FROM sessions s JOIN users u ON u.name = s.user WHERE s.token_hash = ?',
      )
      .get(hash) as SessionRow | undefined;
    if (!row) return undefined;
    const now = this.clock();
    if (
      now - row.last_seen > this.policy.idleMs ||
      now - row.created_at > this.policy.absoluteMs ||
      row.disabled !== 0
    ) {
      this.db.prepare('DELETE FROM sessions WHERE token_hash = ?').run(hash);
      return undefined;
    }
    // A write per request would cost a commit each; the idle timer moves in steps of a tenth of its length.
    if (touch && now - row.last_seen >= Math.min(60_000, this.policy.idleMs / 10))
      this.db.prepare('UPDATE sessions SET last_seen = ? WHERE token_hash = ?').run(now, hash);
    return toPrincipal(row);
  }

  signOut(token: string): void {
    this.db.prepare('DELETE FROM sessions WHERE token_hash = ?').run(tokenHash(token));
  }

  private row(name: string): UserRow | undefined {
    return this.db.prepare('SELECT * FROM users WHERE name = ?').get(name) as UserRow | undefined;
  }

  private isLocked(row: UserRow): boolean {
    return row.disabled !== 0 || row.locked_until > this.clock();
  }

  private toInfo(row: UserRow): UserInfo {
    return { ...toPrincipal(row), locked: this.isLocked(row), failures: row.failures, createdAt: row.created };
  }
}

function authFailed(): MusterError {
  return new MusterError('auth-failed', 'wrong user name or password');
}

function tokenHash(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

function toPrincipal(row: UserRow): Principal {
  if (!isRole(row.role))
    throw new MusterError('bad-user', `user ${row.name} has unknown role ${JSON.stringify(row.role)}`);
  const centres = JSON.parse(row.centres) as string[];
  return row.subject === null
    ? { user: row.name, role: row.role, centres }
    : { user: row.name, role: row.role, centres, subject: row.subject };
}

/** Staff need their centres, a parolee their subject id; nobody else carries a scope. */
function checkScope(user: NewUser): { centres: readonly string[]; subject?: string } {
  if (!isRole(user.role)) throw new MusterError('bad-user', `unknown role ${JSON.stringify(user.role)}`);
  const centres = user.centres ?? [];
  for (const centre of centres)
    if (!SCOPE_PATTERN.test(centre)) throw new MusterError('bad-user', `not a centre id: ${JSON.stringify(centre)}`);
  if (user.subject !== undefined && !SCOPE_PATTERN.test(user.subject))
    throw new MusterError('bad-user', `not a subject id: ${JSON.stringify(user.subject)}`);
  if (user.role === 'staff' && centres.length === 0)
    throw new MusterError('bad-user', 'staff need at least one centre');
  if (user.role !== 'staff' && centres.length > 0)
    throw new MusterError('bad-user', `${user.role} users are not scoped to centres`);
  if (user.role === 'parolee' && user.subject === undefined)
    throw new MusterError('bad-user', 'a parolee user needs their subject id');
  if (user.role !== 'parolee' && user.subject !== undefined)
    throw new MusterError('bad-user', `${user.role} users have no subject`);
  return user.subject === undefined ? { centres } : { centres, subject: user.subject };
}
