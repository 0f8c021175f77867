// The personal-data store: names, ID numbers, photos and biometric templates, apart from the log in their own
// SQLite file (owner-only). Each person has a random data key, stored only wrapped (AES-256-GCM) under the
// centre key, which lives in the key store, never in this file; each field is sealed under the person's key
// together with a random salt, and the log sees only the salted commitment. Erasure deletes the fields and the
// wrapped key (secure_delete overwrites the freed bytes, the WAL is truncated), then writes an `erasure` entry;
// every read by a person goes through `read`, which checks the policy and writes an `access` entry first.
// Notes (the words staff wrote beside a decision, whose log entry holds only a reason code and the note's
// commitment) are kept per person the same way, erased with them, and read only through `readNote`. Face captures
// (the frames of a face check that went to staff review) too, read only through `readCaptures` (biometrics), and
// each erased when its retention ends or with the person, whichever comes first.
import { createHash, randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import { type AccessRecord, type ErasureCause, type ErasureRecord } from '../core/access/access-records.ts';
import {
  type PersonalField,
  KEPT_APART,
  PERSONAL_FIELDS,
  actionToRead,
  isPersonalField,
} from '../core/access/personal-data.ts';
import type { Principal } from '../core/access/roles.ts';
import type { Payload } from '../core/entry.ts';
import { MusterError } from '../core/errors.ts';
import { authorize } from './http-guard.ts';
import { openPrivateDatabase } from './private-file.ts';
import { KEY_BYTES, open, seal } from './sealing.ts';
import { type SqliteMigration, USER_VERSION, migrate } from '../runtime/sqlite-migrations.ts';

const SUBJECT = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$/;
const SALT_BYTES = 32;
const MAX_REASON_CHARS = 280;
const MAX_VALUE_BYTES = 4 * 1024 * 1024;
const COMMITMENT_DOMAIN = 'muster personal data commitment v1\n';

/** Where the store's `access` and `erasure` entries go: the node's own log (a LogWriter fits). */
export interface RecordLog {
  append(type: 'access' | 'erasure', payload: Payload): Promise<{ readonly seq: number }>;
}

export type PersonalValue = string | Uint8Array;

export interface PersonSummary {
  readonly subject: string;
  readonly centre: string;
  readonly fields: readonly PersonalField[];
  /** Set once supervision has ended: the retention job erases the person at this time. */
  readonly eraseAt?: number;
}

export interface PersonalDataStoreOptions {
  /** 32 bytes from the key store (access/key-store.ts); never stored in this file. */
  readonly centreKey: Uint8Array;
  readonly log: RecordLog;
  readonly clock?: () => number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS people (
  subject TEXT PRIMARY KEY, centre TEXT NOT NULL, wrapped_key BLOB NOT NULL, created INTEGER NOT NULL, erase_at INTEGER
) STRICT;
CREATE TABLE IF NOT EXISTS fields (
  subject TEXT NOT NULL REFERENCES people(subject) ON DELETE CASCADE, field TEXT NOT NULL, kind TEXT NOT NULL,
  sealed BLOB NOT NULL, PRIMARY KEY (subject, field)
) STRICT;
CREATE TABLE IF NOT EXISTS erasures (
  id INTEGER PRIMARY KEY, subject TEXT NOT NULL, record TEXT NOT NULL, seq INTEGER
) STRICT;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB NOT NULL) STRICT;
`;

const NOTES = `
CREATE TABLE notes (
  subject TEXT NOT NULL REFERENCES people(subject) ON DELETE CASCADE, commitment TEXT NOT NULL, sealed BLOB NOT NULL,
  PRIMARY KEY (subject, commitment)
) STRICT;
`;

const CAPTURES = `
CREATE TABLE captures (
  subject TEXT NOT NULL REFERENCES people(subject) ON DELETE CASCADE, commitment TEXT NOT NULL,
  taken INTEGER NOT NULL, erase_at INTEGER NOT NULL, sealed BLOB NOT NULL, PRIMARY KEY (subject, commitment)
) STRICT;
CREATE INDEX captures_erase_at ON captures (erase_at);
`;

/** The file's schema, in order (runtime/sqlite-migrations.ts): a change is one more entry at the end. */
const MIGRATIONS: readonly SqliteMigration[] = [
  { version: 1, name: 'people, fields, erasures, meta', up: SCHEMA },
  { version: 2, name: 'notes', up: NOTES },
  { version: 3, name: 'face captures', up: CAPTURES },
];
const MAX_NOTE_CHARS = 1000;
/** Frames of one face check: a kiosk takes a few per try (face/verification.ts DEFAULT_FACE_FRAMES). */
const MAX_CAPTURE_FRAMES = 8;
/** How long a face capture is kept unless a deployment says otherwise: long enough for staff to review it. */
export const CAPTURE_RETENTION_MS = 30 * 86_400_000;

/** One face check's frames, as `readCaptures` hands them out. */
export interface FaceCapture {
  readonly commitment: string;
  readonly taken: number;
  readonly frames: readonly Uint8Array[];
}

export class PersonalDataStore {
  private readonly clock: () => number;

  private constructor(
    private readonly db: Database.Database,
    private readonly centreKey: Uint8Array,
    private readonly log: RecordLog,
    clock: (() => number) | undefined,
  ) {
    this.clock = clock ?? Date.now;
  }

  static open(path: string, options: PersonalDataStoreOptions): PersonalDataStore {
    if (!(options.centreKey instanceof Uint8Array) || options.centreKey.length !== KEY_BYTES)
      throw new TypeError(`centreKey: expected ${KEY_BYTES} bytes`);
    const db = openPrivateDatabase(path);
    // Deleted rows are overwritten with zeros, not merely unlinked: erasure must not leave the wrapped key behind.
    db.pragma('secure_delete = ON');
    migrate(db, MIGRATIONS, USER_VERSION, `personal-data store ${path}`);
    const store = new PersonalDataStore(db, options.centreKey, options.log, options.clock);
    store.checkCentreKey();
    return store;
  }

  close(): void {
    this.db.close();
  }

  /**
   * Stores (or replaces) fields of a person, creating the person and their data key on first use. Returns the
   * salted commitment of each field given: what a log entry may carry to name the data without revealing it.
   */
  put(subject: string, centre: string, values: Partial<Record<PersonalField, PersonalValue>>): Record<string, string> {
    checkId(subject, 'subject');
    checkId(centre, 'centre');
    const entries = Object.entries(values);
    if (entries.length === 0) throw new TypeError('values: expected at least one field');
    const commitments: Record<string, string> = {};
    this.db.transaction(() => {
      const key = this.keyForNewData(subject, centre);
      for (const [field, value] of entries) {
        if (!isPersonalField(field) || KEPT_APART.includes(field))
          throw new TypeError(
            `values: unknown field ${JSON.stringify(field)}; expected ${PERSONAL_FIELDS.filter((f) => !KEPT_APART.includes(f)).join(', ')} (notes: putNote, faceCapture: putCapture)`,
          );
        const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value);
        if (bytes.length === 0 || bytes.length > MAX_VALUE_BYTES)
          throw new TypeError(`values.${field}: expected 1 byte to ${MAX_VALUE_BYTES / 1024 / 1024} MiB`);
        const salt = randomBytes(SALT_BYTES);
        commitments[field] = commitment(salt, bytes);
        this.db
          .prepare('INSERT OR REPLACE INTO fields (subject, field, kind, sealed) VALUES (?, ?, ?, ?)')
          .run(
            subject,
            field,
            typeof value === 'string' ? 'text' : 'bytes',
            seal(key, Buffer.concat([salt, bytes]), fieldAad(subject, field)),
          );
      }
    })();
    return commitments;
  }

  /**
   * Keeps the words a staff member wrote beside a decision about `subject` (of `centre`); returns their salted
   * commitment, which the decision's entry carries as `note` instead of the words.
   */
  putNote(subject: string, centre: string, words: string): string {
    checkId(subject, 'subject');
    checkId(centre, 'centre');
    if (typeof words !== 'string' || words.trim() === '' || words.length > MAX_NOTE_CHARS)
      throw new TypeError(`words: expected text of 1-${MAX_NOTE_CHARS} characters`);
    return this.db.transaction(() => {
      const key = this.keyForNewData(subject, centre);
      const salt = randomBytes(SALT_BYTES);
      const bytes = Buffer.from(words, 'utf8');
      const note = commitment(salt, bytes);
      this.db
        .prepare('INSERT INTO notes (subject, commitment, sealed) VALUES (?, ?, ?)')
        .run(subject, note, seal(key, Buffer.concat([salt, bytes]), noteAad(subject, note)));
      return note;
    })();
  }

  /**
   * The words of a note for a principal who may read notes (staff of the person's centre, officers; never the
   * police), after the `access` entry is on the log. The same `no-note` whether the person or the note is missing.
   */
  async readNote(principal: Principal, subject: string, note: string, reason: string): Promise<string> {
    checkId(subject, 'subject');
    checkReason(reason);
    const person = this.person(subject);
    authorize(principal, 'read-notes', person === undefined ? { subject } : { centre: person.centre, subject });
    const row =
      person &&
      (this.db.prepare('SELECT sealed FROM notes WHERE subject = ? AND commitment = ?').get(subject, note) as
        { sealed: Buffer } | undefined);
    if (!person || !row) throw new MusterError('not-found', `no note ${note.slice(0, 64)} for ${subject}`);
    const record: AccessRecord = {
      subject,
      centre: person.centre,
      by: principal.user,
      role: principal.role,
      fields: ['notes'],
      reason,
    };
    await this.log.append('access', { ...record });
    return open(this.unwrap(subject, person.wrapped_key), row.sealed, noteAad(subject, note))
      .subarray(SALT_BYTES)
      .toString('utf8');
  }

  /**
   * Keeps the frames of a face check of `subject` that went to staff review, sealed under the person's data key,
   * until `retentionMs` after `taken` (or the person's erasure). Returns their salted commitment: what the attempt
   * entry carries instead of any image.
   */
  putCapture(
    subject: string,
    centre: string,
    frames: readonly Uint8Array[],
    taken: number,
    retentionMs = CAPTURE_RETENTION_MS,
  ): string {
    checkId(subject, 'subject');
    checkId(centre, 'centre');
    if (!Number.isSafeInteger(taken) || !Number.isSafeInteger(retentionMs) || retentionMs < 0)
      throw new TypeError('taken, retentionMs: expected milliseconds');
    if (frames.length === 0 || frames.length > MAX_CAPTURE_FRAMES)
      throw new TypeError(`frames: expected 1-${MAX_CAPTURE_FRAMES} frames`);
    const bytes = packFrames(frames);
    if (bytes.length > MAX_VALUE_BYTES) throw new TypeError(`frames: more than ${MAX_VALUE_BYTES / 1024 / 1024} MiB`);
    return this.db.transaction(() => {
      const key = this.keyForNewData(subject, centre);
      const salt = randomBytes(SALT_BYTES);
      const capture = commitment(salt, bytes);
      this.db
        .prepare('INSERT INTO captures (subject, commitment, taken, erase_at, sealed) VALUES (?, ?, ?, ?, ?)')
        .run(
          subject,
          capture,
          taken,
          taken + retentionMs,
          seal(key, Buffer.concat([salt, bytes]), captureAad(subject, capture)),
        );
      return capture;
    })();
  }

  /**
   * Face captures of a person, by their commitments (from the attempt entries of a review item), with the
   * enrolment photo to compare them with: for a principal who may read biometrics for the person's centre (staff
   * of that centre, officers; never the police, auditors or the person), after one `access` entry naming both
   * field kinds is on the log. Captures erased or never kept are left out.
   */
  async readCaptures(
    principal: Principal,
    subject: string,
    commitments: readonly string[],
    reason: string,
  ): Promise<{ readonly photo: Uint8Array | null; readonly captures: readonly FaceCapture[] }> {
    checkId(subject, 'subject');
    checkReason(reason);
    const person = this.person(subject);
    const resource = person === undefined ? { subject } : { centre: person.centre, subject };
    authorize(principal, 'read-biometrics', resource);
    authorize(principal, 'read-pii', resource);
    if (!person) throw new MusterError('no-person', `no personal data for ${subject}`);
    const record: AccessRecord = {
      subject,
      centre: person.centre,
      by: principal.user,
      role: principal.role,
      fields: ['faceCapture', 'photo'],
      reason,
    };
    await this.log.append('access', { ...record });
    const key = this.unwrap(subject, person.wrapped_key);
    const captures: FaceCapture[] = [];
    for (const capture of new Set(commitments)) {
      const row = this.db
        .prepare('SELECT taken, sealed FROM captures WHERE subject = ? AND commitment = ?')
        .get(subject, capture) as { taken: number; sealed: Buffer } | undefined;
      if (!row) continue;
      const bytes = open(key, row.sealed, captureAad(subject, capture)).subarray(SALT_BYTES);
      captures.push({ commitment: capture, taken: row.taken, frames: unpackFrames(bytes) });
    }
    const photo = this.decrypt(subject, ['photo']).photo;
    return { photo: photo instanceof Uint8Array ? photo : null, captures };
  }

  /**
   * A person's data for a principal: the policy must allow each field (biometrics need read-biometrics) for the
   * person's centre, a reason must be given, and the `access` entry is durable on the log before any value is
   * decrypted. Fields the person has no value for are left out.
   */
  async read(
    principal: Principal,
    subject: string,
    fields: readonly PersonalField[],
    reason: string,
  ): Promise<Partial<Record<PersonalField, PersonalValue>>> {
    checkId(subject, 'subject');
    checkReason(reason);
    if (fields.length === 0 || !fields.every(isPersonalField))
      throw new TypeError(`fields: expected some of ${PERSONAL_FIELDS.join(', ')}`);
    const person = this.person(subject);
    // The same answer for "no such person" and "not yours": a staff member cannot probe other centres.
    const centre = person?.centre;
    for (const field of new Set(fields))
      authorize(principal, actionToRead(field), centre === undefined ? { subject } : { centre, subject });
    if (!person) throw new MusterError('no-person', `no personal data for ${subject}`);
    const wanted = [...new Set(fields)];
    const record: AccessRecord = {
      subject,
      centre: person.centre,
      by: principal.user,
      role: principal.role,
      fields: wanted,
      reason,
    };
    await this.log.append('access', { ...record });
    return this.decrypt(subject, wanted);
  }

  /**
   * The person's data key, for the face layer to seal their template with (face/template.ts sealTemplate):
   * machine use at a check-in, not a person reading, so no access entry; erasing the key makes that template
   * file unreadable wherever a copy survives.
   */
  dataKey(subject: string): Uint8Array {
    const person = this.person(subject);
    if (!person) throw new MusterError('no-person', `no personal data for ${subject}`);
    return this.unwrap(subject, person.wrapped_key);
  }

  list(centre?: string): PersonSummary[] {
    const rows = this.db
      .prepare(
        `SELECT p.subject, p.centre, p.erase_at, group_concat(f.field) AS fields FROM people p
      LEFT JOIN fields f ON f.subject = p.subject ${centre === undefined ? '' : 'WHERE p.centre = ?'} GROUP BY p.subject ORDER BY p.subject`,
      )
      .all(...(centre === undefined ? [] : [centre])) as {
      subject: string;
      centre: string;
      erase_at: number | null;
      fields: string | null;
    }[];
    return rows.map((r) => ({
      subject: r.subject,
      centre: r.centre,
      fields: PERSONAL_FIELDS.filter((f) => (r.fields ?? '').split(',').includes(f)),
      ...(r.erase_at === null ? {} : { eraseAt: r.erase_at }),
    }));
  }

  /** Supervision ended at `endedAt`: the person is erased `retentionMs` later (by `eraseDue`). */
  endSupervision(subject: string, endedAt: number, retentionMs: number): number {
    if (!Number.isSafeInteger(endedAt) || !Number.isSafeInteger(retentionMs) || retentionMs < 0)
      throw new TypeError('endedAt, retentionMs: expected milliseconds');
    const eraseAt = endedAt + retentionMs;
    if (this.db.prepare('UPDATE people SET erase_at = ? WHERE subject = ?').run(eraseAt, subject).changes === 0)
      throw new MusterError('no-person', `no personal data for ${subject}`);
    return eraseAt;
  }

  /**
   * Erases a person now: fields and wrapped data key are deleted and the `erasure` entry is queued in the same
   * transaction, then written to the log. Returns the entry's seq.
   */
  async erase(subject: string, cause: ErasureCause, by: string): Promise<number> {
    checkId(by, 'by');
    const id = this.db.transaction(() => {
      const person = this.person(subject);
      if (!person) throw new MusterError('no-person', `no personal data for ${subject}`);
      const fields = (
        this.db
          .prepare(
            `SELECT field FROM fields WHERE subject = ? UNION SELECT 'notes' FROM notes WHERE subject = ?
            UNION SELECT 'faceCapture' FROM captures WHERE subject = ?`,
          )
          .all(subject, subject, subject) as { field: string }[]
      )
        .map((r) => r.field)
        .filter(isPersonalField);
      const record: ErasureRecord = {
        subject,
        centre: person.centre,
        fields: PERSONAL_FIELDS.filter((f) => fields.includes(f)),
        cause,
        by,
        erasedAt: this.clock(),
      };
      this.db.prepare('DELETE FROM people WHERE subject = ?').run(subject);
      return Number(
        this.db.prepare('INSERT INTO erasures (subject, record) VALUES (?, ?)').run(subject, JSON.stringify(record))
          .lastInsertRowid,
      );
    })();
    // Pages that held the deleted rows may still sit in the WAL: fold it into the (zeroed) file and empty it.
    this.db.pragma('wal_checkpoint(TRUNCATE)');
    await this.flushErasures();
    const row = this.db.prepare('SELECT seq FROM erasures WHERE id = ?').get(id) as { seq: number | null };
    if (row.seq === null)
      throw new MusterError('log-failed', `erased ${subject}, but the erasure entry is not yet on the log`);
    return row.seq;
  }

  /**
   * The retention job: erases everyone whose erase time has come, and every face capture whose retention ended
   * (an `erasure` entry of the field kind for each person). Returns the subjects erased whole.
   */
  async eraseDue(now = this.clock()): Promise<string[]> {
    this.eraseCapturesDue(now);
    await this.flushErasures();
    const due = (
      this.db
        .prepare('SELECT subject FROM people WHERE erase_at IS NOT NULL AND erase_at <= ? ORDER BY erase_at, subject')
        .all(now) as { subject: string }[]
    ).map((r) => r.subject);
    for (const subject of due) await this.erase(subject, 'retention-ended', 'scheduler');
    return due;
  }

  /** Deletes the captures whose retention ended and queues one `erasure` entry per person (flushed by the caller). */
  private eraseCapturesDue(now: number): void {
    const erased = this.db.transaction(() => {
      const due = this.db
        .prepare(
          `SELECT c.subject, p.centre FROM captures c JOIN people p ON p.subject = c.subject
          WHERE c.erase_at <= ? GROUP BY c.subject ORDER BY c.subject`,
        )
        .all(now) as { subject: string; centre: string }[];
      for (const { subject, centre } of due) {
        this.db.prepare('DELETE FROM captures WHERE subject = ? AND erase_at <= ?').run(subject, now);
        const record: ErasureRecord = {
          subject,
          centre,
          fields: ['faceCapture'],
          cause: 'retention-ended',
          by: 'scheduler',
          erasedAt: now,
        };
        this.db.prepare('INSERT INTO erasures (subject, record) VALUES (?, ?)').run(subject, JSON.stringify(record));
      }
      return due.length;
    })();
    if (erased > 0) this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  /** Writes erasure entries that a crash or a log failure left queued (an erasure is never unrecorded). */
  async flushErasures(): Promise<void> {
    const pending = this.db.prepare('SELECT id, record FROM erasures WHERE seq IS NULL ORDER BY id').all() as {
      id: number;
      record: string;
    }[];
    for (const { id, record } of pending) {
      const { seq } = await this.log.append('erasure', JSON.parse(record) as Payload);
      this.db.prepare('UPDATE erasures SET seq = ? WHERE id = ?').run(seq, id);
    }
  }

  /** The person's data key for new data, creating the person on first use; refused once supervision ended. */
  private keyForNewData(subject: string, centre: string): Uint8Array {
    const person = this.person(subject);
    if (person && person.centre !== centre)
      throw new MusterError('wrong-centre', `${subject} belongs to centre ${person.centre}, not ${centre}`);
    if (person?.erase_at !== null && person?.erase_at !== undefined)
      throw new MusterError('supervision-ended', `${subject}'s supervision has ended; no new data`);
    if (person) return this.unwrap(subject, person.wrapped_key);
    const key = randomBytes(KEY_BYTES);
    this.db
      .prepare('INSERT INTO people (subject, centre, wrapped_key, created) VALUES (?, ?, ?, ?)')
      .run(subject, centre, seal(this.centreKey, key, keyAad(subject)), this.clock());
    return key;
  }

  private decrypt(subject: string, fields: readonly PersonalField[]): Partial<Record<PersonalField, PersonalValue>> {
    const person = this.person(subject);
    if (!person) throw new MusterError('no-person', `no personal data for ${subject}`);
    const key = this.unwrap(subject, person.wrapped_key);
    const out: Partial<Record<PersonalField, PersonalValue>> = {};
    for (const field of fields) {
      const row = this.db
        .prepare('SELECT kind, sealed FROM fields WHERE subject = ? AND field = ?')
        .get(subject, field) as { kind: string; sealed: Buffer } | undefined;
      if (!row) continue;
      const value = open(key, row.sealed, fieldAad(subject, field)).subarray(SALT_BYTES);
      out[field] = row.kind === 'text' ? value.toString('utf8') : new Uint8Array(value);
    }
    return out;
  }

  private person(subject: string): { centre: string; wrapped_key: Buffer; erase_at: number | null } | undefined {
    return this.db.prepare('SELECT centre, wrapped_key, erase_at FROM people WHERE subject = ?').get(subject) as
      { centre: string; wrapped_key: Buffer; erase_at: number | null } | undefined;
  }

  private unwrap(subject: string, wrapped: Uint8Array): Uint8Array {
    return open(this.centreKey, wrapped, keyAad(subject));
  }

  /** A sealed check value: opening the store with another centre key fails at once, not at the first read. */
  private checkCentreKey(): void {
    const row = this.db.prepare("SELECT value FROM meta WHERE key = 'centre-key-check'").get() as
      { value: Buffer } | undefined;
    if (!row) {
      this.db
        .prepare("INSERT INTO meta (key, value) VALUES ('centre-key-check', ?)")
        .run(seal(this.centreKey, Buffer.from('muster'), 'centre key check'));
      return;
    }
    try {
      open(this.centreKey, row.value, 'centre key check');
    } catch (error) {
      throw new MusterError('wrong-centre-key', 'this personal-data store was made under another centre key', {
        cause: error,
      });
    }
  }
}

/** SHA-256 over a domain, the salt and the value: binding, and hiding while the salt stays in the store. */
export function commitment(salt: Uint8Array, value: Uint8Array): string {
  return createHash('sha256').update(COMMITMENT_DOMAIN).update(salt).update(value).digest('hex');
}

function keyAad(subject: string): string {
  return `muster person data key v1\n${subject}`;
}

function fieldAad(subject: string, field: PersonalField): string {
  return `muster personal data v1\n${subject}\n${field}`;
}

function noteAad(subject: string, note: string): string {
  return `muster personal note v1\n${subject}\n${note}`;
}

function captureAad(subject: string, capture: string): string {
  return `muster face capture v1\n${subject}\n${capture}`;
}

/** Frames as one byte string: each a 4-byte big-endian length, then its bytes. */
function packFrames(frames: readonly Uint8Array[]): Buffer {
  return Buffer.concat(
    frames.flatMap((frame) => {
      if (!(frame instanceof Uint8Array) || frame.length === 0) throw new TypeError('frames: expected JPEG bytes');
      const length = Buffer.alloc(4);
      length.writeUInt32BE(frame.length);
      return [length, Buffer.from(frame)];
    }),
  );
}

function unpackFrames(bytes: Buffer): Uint8Array[] {
  const frames: Uint8Array[] = [];
  for (let at = 0; at + 4 <= bytes.length;) {
    const length = bytes.readUInt32BE(at);
    frames.push(new Uint8Array(bytes.subarray(at + 4, at + 4 + length)));
    at += 4 + length;
  }
  return frames;
}

function checkReason(reason: string): void {
  if (typeof reason !== 'string' || reason.trim() === '' || reason.length > MAX_REASON_CHARS) {
    throw new MusterError(
      'reason-required',
      `reading personal data needs a reason of 1-${MAX_REASON_CHARS} characters`,
    );
  }
}

function checkId(value: string, name: string): void {
  if (typeof value !== 'string' || !SUBJECT.test(value))
    throw new TypeError(`${name}: expected a pseudonymous id [A-Za-z0-9._:/-], got ${JSON.stringify(value)}`);
}
