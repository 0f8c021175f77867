// `muster evidence export|verify|page`: court-ready evidence of one person's day, proven offline from one file.
import { readFileSync, writeFileSync } from 'node:fs';
import { MusterError, errorMessage } from '../../core/errors.ts';
import { encodeBundle, parseBundle } from '../../core/evidence/bundle.ts';
import { type NoteKey, noteKey } from '../../core/evidence/note-keys.ts';
import { isReceiptText, parseReceiptText, verifyReceiptParts } from '../../core/evidence/receipt-check.ts';
import { SUMMARY_LANGUAGES, type SummaryLanguage, isAnchored, summarise } from '../../core/evidence/summary.ts';
import { verifyBundle } from '../../core/evidence/verify-bundle.ts';
import { RULE_IDS } from '../../core/breach/rule-ids.ts';
import { readSignerFile, readVerifierFile } from '../../ledger/keys.ts';
import { LedgerStore } from '../../ledger/store.ts';
import { exportEvidence } from '../evidence/export-evidence.ts';
import { type SubjectSnapshot, subjectSnapshot } from '../evidence/replica-snapshot.ts';
import { PostgresHqStore } from '../../net/hq/postgres-hq-store.ts';
import { buildVerifyPage } from '../evidence/verify-page.ts';
import { parseInstant } from './checkin-commands.ts';
import { type Command, UsageError, writeLine } from './command.ts';
import { optionalString, requireString, stringList } from './options.ts';

/** Exit code of a bundle that verifies but is tied to no key or witness the caller trusts. */
export const SELF_CONSISTENT_ONLY = 3;

const exportCommand: Command = {
  path: ['evidence', 'export'],
  summary: "write one self-contained file proving a person's day (a breach, a check-in, an excuse) offline",
  usage:
    'evidence export --db STORE [--db STORE]... --subject ID --day YYYY-MM-DD [--rule RULE] [--at TIME] [--witness-key FILE]... [--witness PUB]... --out FILE',
  details: [
    "--db STORE        the store judged (HQ's, or a kiosk's); further --db stores add their signed checkpoints and",
    "                  cosignatures (a kiosk keeps its own log's checkpoints, a witness the last one it accepted).",
    "                  HQ on PostgreSQL: the first --db is its URL (postgres://...); the person's logs are copied",
    '                  from it, verified, into a temporary store (the checkpoint HQ last witnessed of each log).',
    `--rule RULE       only breaches of RULE (${RULE_IDS.join(', ')})`,
    '--at TIME         evaluate as of TIME (ISO 8601 with Z or offset, or ms); default: the latest kiosk time in the store',
    "--witness-key FILE  a witness's private key (e.g. hq.db.witness.key): it cosigns the closing checkpoints now",
    "--witness PUB     a witness's public key file: its stored cosignatures are kept",
    'Only entries that pass verification go in; the file is verified before it is written. Exit 1 naming why it',
    'cannot be built (no plan for the day, an entry failing verification, no signed checkpoint).',
  ],
  options: {
    'db': { type: 'string', multiple: true },
    'subject': { type: 'string' },
    'day': { type: 'string' },
    'rule': { type: 'string' },
    'at': { type: 'string' },
    'witness-key': { type: 'string', multiple: true },
    'witness': { type: 'string', multiple: true },
    'out': { type: 'string' },
  },
  run: async ({ values, io }) => {
    const dbs = stringList(values, 'db');
    if (dbs.length === 0) throw new UsageError('--db is required');
    const rule = optionalString(values, 'rule');
    if (rule !== undefined && !(RULE_IDS as readonly string[]).includes(rule))
      throw new UsageError(`--rule must be one of ${RULE_IDS.join(', ')}`);
    const atText = optionalString(values, 'at');
    const out = requireString(values, 'out');
    const subject = requireString(values, 'subject');
    const day = requireString(values, 'day');
    const witnessSigners = stringList(values, 'witness-key').map(readSignerFile);
    const witnessKeys = stringList(values, 'witness').flatMap(readVerifierFile);
    const started = performance.now();
    const stores: LedgerStore[] = [];
    let removeCopy: (() => void) | undefined;
    try {
      for (const [i, path] of dbs.entries()) {
        if (i === 0 && /^postgres(ql)?:\/\//.test(path)) {
          const copy = await postgresCopy(path, subject);
          removeCopy = copy.remove;
          stores.push(copy.store);
        } else {
          stores.push(LedgerStore.open(path, { readonly: true }));
        }
      }
      const bundle = await exportEvidence({
        stores: stores as [LedgerStore, ...LedgerStore[]],
        subject,
        day,
        ...(rule === undefined ? {} : { rule }),
        ...(atText === undefined ? {} : { at: parseInstant(atText, '--at') }),
        witnessSigners,
        witnessKeys,
      });
      const text = encodeBundle(bundle);
      writeFileSync(out, text, { flag: 'wx' });
      const entries = bundle.segments.reduce((n, s) => n + s.entries.length, 0) + bundle.records.length;
      writeLine(
        io.stdout,
        `${bundle.verdict.kind}: ${subject} on ${day}; ${bundle.segments.length} kiosk log(s), ${entries} entries, ${text.length} bytes, in ${Math.round(performance.now() - started)} ms; written to ${out}`,
      );
      return 0;
    } finally {
      for (const store of stores) store.close();
      removeCopy?.();
    }
  },
};

/** The logs of `subject` copied from HQ's PostgreSQL store into a temporary SQLite store (main/evidence/replica-snapshot.ts). */
async function postgresCopy(url: string, subject: string): Promise<SubjectSnapshot> {
  const hq = await PostgresHqStore.open(url);
  try {
    return await subjectSnapshot(hq, subject);
  } finally {
    await hq.close();
  }
}

const verifyCommand: Command = {
  path: ['evidence', 'verify'],
  summary: 'check an evidence bundle (or a receipt) offline and say in plain words what it proves',
  usage: 'evidence verify FILE [--trust FILE]... [--lang en|zh] [--json]',
  details: [
    "--trust FILE  public keys you trust (one per line): HQ's registry key, a kiosk's key, or a witness's key",
    '--lang        the summary in English (en, default) or Chinese (zh)',
    'Exit 0: valid and tied to a trusted key or witness. Exit 1: a check failed (the first one is named).',
    `Exit ${SELF_CONSISTENT_ONLY}: valid but only self-consistent (no --trust key vouches for its logs).`,
  ],
  options: { trust: { type: 'string', multiple: true }, lang: { type: 'string' }, json: { type: 'boolean' } },
  positionals: { min: 1, max: 1 },
  run: async ({ values, positionals, io }) => {
    const lang = optionalString(values, 'lang') ?? 'en';
    if (!(SUMMARY_LANGUAGES as readonly string[]).includes(lang))
      throw new UsageError(`--lang must be one of ${SUMMARY_LANGUAGES.join(', ')}`);
    const trusted: NoteKey[] = stringList(values, 'trust')
      .flatMap(readVerifierFile)
      .map((v) => noteKey(v.name, v.publicKey));
    const file = positionals[0] ?? '';
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new MusterError('unreadable', `cannot read ${file}: ${errorMessage(error)}`);
    }
    if (isReceiptText(text)) {
      const report = await verifyReceiptParts(parseReceiptText(text), trusted);
      if (values.json) writeLine(io.stdout, JSON.stringify(report));
      else
        writeLine(
          io.stdout,
          report.ok
            ? `${report.pinned ? 'VALID' : 'SELF-CONSISTENT ONLY'}: ${report.summary}`
            : `NOT VALID: ${report.failure}`,
        );
      return !report.ok ? 1 : report.pinned ? 0 : SELF_CONSISTENT_ONLY;
    }
    let report;
    try {
      report = await verifyBundle(parseBundle(text), trusted);
    } catch (error) {
      if (!(error instanceof MusterError)) throw error;
      report = { ok: false as const, failure: error.message };
    }
    if (values.json) {
      writeLine(
        io.stdout,
        JSON.stringify(
          report.ok
            ? {
                ok: true,
                anchored: isAnchored(report),
                anchors: report.anchors,
                unanchored: report.unanchored,
                verdict: report.facts.verdict,
              }
            : report,
        ),
      );
    } else {
      for (const line of summarise(report, lang as SummaryLanguage)) writeLine(report.ok ? io.stdout : io.stderr, line);
    }
    return !report.ok ? 1 : isAnchored(report) ? 0 : SELF_CONSISTENT_ONLY;
  },
};

const pageCommand: Command = {
  path: ['evidence', 'page'],
  summary: 'write the static evidence and receipt verifier: one HTML file that works offline in any browser',
  usage: 'evidence page --out FILE',
  details: ['A receipt\'s QR text after "#" in the page\'s address (verify.html#MR1:...) is checked on opening.'],
  options: { out: { type: 'string' } },
  run: async ({ values, io }) => {
    const out = requireString(values, 'out');
    const html = await buildVerifyPage();
    writeFileSync(out, html);
    writeLine(io.stdout, `verifier page written to ${out} (${html.length} bytes)`);
    return 0;
  },
};

export const evidenceCommands: readonly Command[] = [exportCommand, verifyCommand, pageCommand];
