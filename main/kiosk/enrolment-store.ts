// The kiosk's enrolment table: which sensor page and which badge belong to which pseudonymous subject, and each
// subject's face template, sealed with AES-256-GCM (face/template.ts) under that person's data key from the
// personal-data store (access/), so erasing the person there leaves any copy of the template unreadable. Badge
// numbers are kept only as HMAC-SHA-256 under a key from the key store (safeStorage on a packaged kiosk), not
// beside the table: card numbers are few and short, so a salted hash next to its salt gave every card back to
// whoever copied the table. Names, ID numbers and photos are not here at all: they live in the personal-data store.
import { createHash, createHmac } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { literal, matching, obj, record } from '../../core/api/check.ts';
import { MusterError, errorMessage } from '../../core/errors.ts';
import { type Decoded, schemaParser } from '../../core/schema.ts';
import { type FaceTemplate, openTemplate, parseSealedTemplate, sealTemplate } from '../../face/template.ts';

const SUBJECT = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$/;
/** Enrolments a table holds at most: far more than one kiosk's sensor pages. */
const MAX_ENROLMENTS = 100_000;

const TABLE = obj(
  {
    v: literal(1),
    /** Sensor page number to subject. */
    pages: record(matching(SUBJECT, 'a subject id'), MAX_ENROLMENTS),
    /** Badge hash (`hmac:` + hex under the badge key, or an earlier salted hash) to subject. */
    badges: record(matching(SUBJECT, 'a subject id'), MAX_ENROLMENTS),
  },
  {
    /** Hex salt of the earlier salted-SHA-256 badge hashes; gone once none is left (each moves on its next use). */
    salt: matching(/^[0-9a-f]{2,128}$/, 'a hex salt'),
  },
);

type Table = Decoded<typeof TABLE>;

const parseTable = schemaParser(TABLE, 'bad-enrolment', 'enrolment table');

/** The badge key's name in the kiosk's key store. */
export const BADGE_KEY_NAME = 'badge-key';
/** Badge hashes under the key are marked, so an earlier salted hash is never mistaken for one. */
const KEYED = 'hmac:';

export class EnrolmentStore {
  private constructor(
    private readonly dir: string,
    /** The person's data key; throws MusterError('no-person') once they are erased. */
    private readonly keyFor: (subject: string) => Uint8Array,
    private readonly badgeKey: Uint8Array,
    private table: Table,
  ) {}

  /** Opens (creating) the table under `dir`; templates are sealed under `keyFor(subject)`, badges hashed under `badgeKey`. */
  static open(dir: string, keyFor: (subject: string) => Uint8Array, badgeKey: Uint8Array): EnrolmentStore {
    if (badgeKey.length < 32) throw new TypeError('badgeKey: expected a key of at least 32 bytes');
    mkdirSync(join(dir, 'face-templates'), { recursive: true, mode: 0o700 });
    let table: Table = { v: 1, pages: {}, badges: {} };
    try {
      table = parseTable(JSON.parse(readFileSync(join(dir, 'enrolment.json'), 'utf8')));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
        throw new MusterError('bad-enrolment', `${join(dir, 'enrolment.json')}: ${errorMessage(error)}`);
    }
    return new EnrolmentStore(dir, keyFor, badgeKey, table);
  }

  subjectOfPage(page: number): string | undefined {
    return this.table.pages[String(page)];
  }

  /** The sensor page after the highest one in use. */
  nextPage(): number {
    return Math.max(0, ...Object.keys(this.table.pages).map(Number)) + 1;
  }

  /** Whether anything is enrolled for the subject here (a sensor page, a badge or a face template). */
  enrolled(subject: string): boolean {
    checkSubject(subject);
    if (Object.values(this.table.pages).includes(subject) || Object.values(this.table.badges).includes(subject))
      return true;
    return existsSync(this.templatePath(subject));
  }

  subjectOfBadge(card: string): string | undefined {
    const subject = this.table.badges[this.badgeHash(card)];
    if (subject !== undefined || this.table.salt === undefined) return subject;
    // A card enrolled under the earlier salted hash: found once more, then kept under the key only.
    const legacy = createHash('sha256').update(this.table.salt).update('\n').update(card).digest('hex');
    const old = this.table.badges[legacy];
    if (old === undefined) return undefined;
    const badges = {
      ...Object.fromEntries(Object.entries(this.table.badges).filter(([hash]) => hash !== legacy)),
      [this.badgeHash(card)]: old,
    };
    const { salt, ...rest } = this.table;
    const left = Object.keys(badges).some((k) => !k.startsWith(KEYED));
    this.table = left ? { ...rest, salt, badges } : { ...rest, badges };
    writeAtomic(join(this.dir, 'enrolment.json'), JSON.stringify(this.table));
    return old;
  }

  /** The subject's decrypted face template, or undefined when none is enrolled (or the person was erased). */
  template(subject: string): FaceTemplate | undefined {
    checkSubject(subject);
    let text: string;
    try {
      text = readFileSync(this.templatePath(subject), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    let key: Uint8Array;
    try {
      key = this.keyFor(subject);
    } catch (error) {
      if (error instanceof MusterError && error.code === 'no-person') return undefined;
      throw error;
    }
    return openTemplate(parseSealedTemplate(text), key);
  }

  /** Records what was enrolled; returns the template's commitment (what the log may carry). */
  save(
    subject: string,
    what: { readonly page?: number; readonly card?: string; readonly template?: FaceTemplate },
  ): string | undefined {
    checkSubject(subject);
    const pages = { ...this.table.pages };
    const badges = { ...this.table.badges };
    if (what.page !== undefined) pages[String(what.page)] = subject;
    if (what.card !== undefined) badges[this.badgeHash(what.card)] = subject;
    let commitment: string | undefined;
    if (what.template) {
      if (what.template.subjectId !== subject)
        throw new TypeError(`template: made for ${what.template.subjectId}, not ${subject}`);
      const sealed = sealTemplate(what.template, this.keyFor(subject));
      commitment = sealed.commitment;
      writeAtomic(this.templatePath(subject), JSON.stringify(sealed));
    }
    this.table = { ...this.table, pages, badges };
    writeAtomic(join(this.dir, 'enrolment.json'), JSON.stringify(this.table));
    return commitment;
  }

  private templatePath(subject: string): string {
    // Subject ids may hold "/" and ":"; the file name must not.
    return join(this.dir, 'face-templates', `${encodeURIComponent(subject)}.json`);
  }

  private badgeHash(card: string): string {
    return `${KEYED}${createHmac('sha256', this.badgeKey).update(card).digest('hex')}`;
  }
}

function checkSubject(subject: string): void {
  if (!SUBJECT.test(subject))
    throw new TypeError(`subject: expected a pseudonymous id, got ${JSON.stringify(subject)}`);
}

function writeAtomic(path: string, text: string): void {
  writeFileSync(`${path}.tmp`, text, { mode: 0o600 });
  renameSync(`${path}.tmp`, path);
}
