// `muster breaches` and `muster receipt ...`: the breach engine over any store holding logs, and check-in
// receipts that verify offline.
import { writeFileSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { computeBreaches } from '../../core/breach/engine.ts';
import type { Breach, BreachReport, HistoryEvent, ReviewItem } from '../../core/breach/findings.ts';
import { breachStands } from '../../core/breach/findings.ts';
import { MusterError } from '../../core/errors.ts';
import type { EntryRef } from '../../core/records/entry-ref.ts';
import { parseDay } from '../../core/time/civil-day.ts';
import { readSignerFile, readVerifierFile } from '../../ledger/keys.ts';
import { LogWriter } from '../../ledger/log-writer.ts';
import { VerifiedReader } from '../../ledger/verified-reader.ts';
import { PostgresHqStore } from '../../net/hq/postgres-hq-store.ts';
import { witnessedEntrySource, witnessedLedgerSource } from '../../net/hq/verified-records.ts';
import { type StoreRecords, batchRecords, unverifiedProblem, verdictsInDoubt } from '../kiosk/log-records.ts';
import { buildReceipt, parseReceipt, receiptToQrText, renderReceipt, verifyReceipt } from '../kiosk/receipt.ts';
import { readTextCapped } from './read-capped.ts';
import { type Command, UsageError, writeLine } from './command.ts';
import { nonNegativeInteger, optionalString, requireString, stringList } from './options.ts';
import { withStoreAsync } from './with-store.ts';

/** An instant: ISO 8601 with Z or an offset (a bare local time would be ambiguous), or ms since the epoch. */
export function parseInstant(text: string, name: string): number {
  if (/^\d{1,15}$/.test(text)) return Number(text);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(text)) {
    throw new UsageError(
      `${name} must be ISO 8601 with Z or an offset (e.g. 2026-03-02T09:30:00-05:00) or milliseconds, got ${JSON.stringify(text)}`,
    );
  }
  const ms = Date.parse(text);
  // Date.parse rolls 30 February over into March; a real calendar date is required.
  if (Number.isNaN(ms) || parseDay(text.slice(0, 10)) === undefined)
    throw new UsageError(`${name} is not a real time: ${JSON.stringify(text)}`);
  return ms;
}

const breaches: Command = {
  path: ['breaches'],
  summary: 'list breaches, review items and bad entries from every log in a store',
  usage: 'breaches --db FILE|--postgres URL [--at TIME] [--staff-origin NAME]... [--keep-going] [--json]',
  details: [
    "--postgres URL  HQ's store in PostgreSQL (postgres://...) instead of a SQLite file",
    '--staff-origin NAME  a log allowed to write plans, tasks, excuses, reviews and contests (repeat; a NAME',
    '           ending in "/" allows every log under it). Without it every log is trusted with them.',
    '--at TIME  evaluate as of TIME (ISO 8601 with Z or offset, or ms): entries with a later kiosk time are left out',
    '           and only deadlines passed by TIME count. Default: now.',
    '--keep-going  when an entry fails verification (hash, chain, key in force, signature), judge without it and',
    '           every later entry of its log, and list the verdicts it could have changed. Without it: exit 1.',
    '--json     the full report: breaches with rule, evidence (origin, seq, leaf hash), status and history;',
    '           review items; problems (entries that could not be used); inDoubt (ids of verdicts a withheld entry',
    '           could have changed).',
    'Statuses: open, contested, upheld (count against the person); excused, dismissed (shown for the record).',
    'Only verified entries are judged. Exit 1 when an entry fails verification (unless --keep-going).',
  ],
  options: {
    'db': { type: 'string' },
    'postgres': { type: 'string' },
    'at': { type: 'string' },
    'staff-origin': { type: 'string', multiple: true },
    'keep-going': { type: 'boolean' },
    'json': { type: 'boolean' },
  },
  run: async ({ values, io }) => {
    const atText = optionalString(values, 'at');
    const at = atText === undefined ? Date.now() : parseInstant(atText, '--at');
    const url = optionalString(values, 'postgres');
    if (url !== undefined && optionalString(values, 'db') !== undefined)
      throw new UsageError('give --db FILE or --postgres URL, not both');
    const { records, unverified } =
      url === undefined ? await fileRecords(requireString(values, 'db'), at) : await postgresRecords(url, at);
    if (unverified.length > 0 && !values['keep-going']) {
      for (const p of unverified) writeLine(io.stderr, `UNVERIFIED ${p.origin}#${p.seq}: ${p.reason}`);
      writeLine(
        io.stderr,
        'no verdict given: the store holds entries that fail verification (muster ledger verify); --keep-going judges without them',
      );
      return 1;
    }
    const staff = stringList(values, 'staff-origin');
    const computed = computeBreaches(
      records,
      at,
      staff.length === 0
        ? {}
        : { staffOrigin: (origin) => staff.some((s) => (s.endsWith('/') ? origin.startsWith(s) : origin === s)) },
    );
    const report: BreachReport = {
      ...computed,
      problems: [...unverified.map(unverifiedProblem), ...computed.problems],
    };
    const inDoubt = verdictsInDoubt([...report.breaches, ...report.reviews], unverified).map((v) => v.id);
    if (values.json) {
      writeLine(io.stdout, JSON.stringify({ ...report, inDoubt }, null, 2));
      return 0;
    }
    for (const b of report.breaches) printBreach(io.stdout, b);
    for (const r of report.reviews) printReview(io.stdout, r);
    for (const p of report.problems) writeLine(io.stdout, `PROBLEM ${ref(p.ref)} ${p.type}: ${p.code}: ${p.message}`);
    for (const id of inDoubt) writeLine(io.stdout, `IN DOUBT ${id}: a withheld entry could have changed this verdict`);
    if (unverified.length > 0)
      writeLine(io.stdout, 'verdicts without a breach may also lack evidence a withheld entry held');
    const standing = report.breaches.filter((b) => breachStands(b.status)).length;
    const pending = report.reviews.filter((r) => r.status === 'pending').length;
    writeLine(
      io.stdout,
      `as of ${new Date(at).toISOString()}: ${standing} breach(es) standing, ${report.breaches.length - standing} excused or dismissed, ${pending} review item(s) pending, ${report.problems.length} problem(s)`,
    );
    return 0;
  },
};

/** A SQLite file's logs through the verified read path, counting the witnessed sizes where it holds them (HQ's). */
function fileRecords(path: string, at: number): Promise<StoreRecords> {
  return withStoreAsync(
    path,
    async (store) => batchRecords(await new VerifiedReader(witnessedLedgerSource(store)).next(), at),
    { readonly: true },
  );
}

/** HQ's PostgreSQL store through the same verified read path as a SQLite file's logs. */
async function postgresRecords(url: string, at: number): Promise<StoreRecords> {
  const store = await PostgresHqStore.open(url);
  try {
    return batchRecords(await new VerifiedReader(witnessedEntrySource(store)).next(), at);
  } finally {
    await store.close();
  }
}

function ref(r: EntryRef): string {
  return `${r.origin}#${r.seq}:${r.hash.slice(0, 16)}`;
}

function printHistory(out: Writable, history: readonly HistoryEvent[]): void {
  for (const h of history) writeLine(out, `  ${new Date(h.at).toISOString()} ${h.status}: ${h.note} [${ref(h.ref)}]`);
}

function printBreach(out: Writable, b: Breach): void {
  writeLine(
    out,
    `BREACH ${b.status.toUpperCase()} ${b.rule} ${b.subject} ${b.day} at ${new Date(b.at).toISOString()}: ${b.detail}`,
  );
  writeLine(out, `  id ${b.id}`);
  writeLine(out, `  evidence ${b.evidence.map(ref).join(' ')}`);
  printHistory(out, b.history);
}

function printReview(out: Writable, r: ReviewItem): void {
  writeLine(
    out,
    `REVIEW ${r.status.toUpperCase()} ${r.reason} ${r.subject} ${r.day} at ${new Date(r.at).toISOString()}: ${r.detail}`,
  );
  writeLine(out, `  id ${r.id}`);
  writeLine(out, `  evidence ${r.evidence.map(ref).join(' ')}`);
  printHistory(out, r.history);
}

const issue: Command = {
  path: ['receipt', 'issue'],
  summary: 'write the receipt for a check-in entry (JSON), with its QR code as SVG',
  usage: 'receipt issue --db FILE --seq N --out FILE [--origin NAME] [--key FILE] [--svg FILE]',
  details: [
    'For the own log a fresh checkpoint is signed (key from --key or the path recorded at init); for a replica',
    'the latest checkpoint received is used.',
  ],
  options: {
    db: { type: 'string' },
    seq: { type: 'string' },
    out: { type: 'string' },
    origin: { type: 'string' },
    key: { type: 'string' },
    svg: { type: 'string' },
  },
  run: ({ values, io }) => {
    const seq = nonNegativeInteger(requireString(values, 'seq'), '--seq');
    const out = requireString(values, 'out');
    return withStoreAsync(requireString(values, 'db'), async (store) => {
      const origin = optionalString(values, 'origin') ?? store.ownOrigin();
      if (origin === undefined) throw new UsageError('the store has no own log; name one with --origin');
      let checkpoint;
      if (origin === store.ownOrigin()) {
        const keyPath = optionalString(values, 'key') ?? store.getMeta('key_path');
        if (keyPath === undefined)
          throw new MusterError('no-key', 'no key file recorded for this log; pass --key FILE');
        checkpoint = LogWriter.open(store, readSignerFile(keyPath)).checkpoint();
      } else {
        checkpoint = store.latestCheckpoint(origin);
        if (!checkpoint) throw new MusterError('no-checkpoint', `no checkpoint of ${origin} has been received`);
      }
      const receipt = buildReceipt(store, origin, seq, checkpoint);
      const rendered = await renderReceipt(receipt);
      writeFileSync(out, `${JSON.stringify(receipt, null, 2)}\n`, { flag: 'wx' });
      const svg = optionalString(values, 'svg');
      if (svg !== undefined) writeFileSync(svg, rendered.qrSvg, { flag: 'wx' });
      for (const line of rendered.lines) writeLine(io.stdout, line);
      writeLine(io.stdout, `QR ${receiptToQrText(receipt).length} characters; receipt written to ${out}`);
      return 0;
    });
  },
};

/** A receipt is a few kilobytes (entry, proof, checkpoint, keys); this leaves room and bounds the read. */
const MAX_RECEIPT_BYTES = 256 * 1024;
const EXIT_UNVERIFIED_KEY = 3;

const verify: Command = {
  path: ['receipt', 'verify'],
  summary: 'check a check-in receipt offline: signature, inclusion proof, signed checkpoint',
  usage: 'receipt verify [--pubkey FILE] FILE',
  details: [
    'FILE       the receipt as JSON, or the text of its QR code',
    "--pubkey   the kiosk's public key file from a trusted source (pins the keys; without it the keys inside",
    '           the receipt are used, which proves consistency but not that the kiosk is the real one)',
    'Exit 0 when valid under a pinned key, 1 with the reason when not valid, 3 when consistent but the key is',
    'unverified (no --pubkey: anyone can make a receipt that is consistent under a key of their own).',
  ],
  options: { pubkey: { type: 'string' } },
  positionals: { min: 1, max: 1 },
  run: ({ values, positionals, io }) => {
    const pubkey = optionalString(values, 'pubkey');
    const pinned = pubkey === undefined ? undefined : readVerifierFile(pubkey);
    const file = positionals[0] as string;
    const text = readTextCapped(file, MAX_RECEIPT_BYTES, 'receipt');
    let result;
    try {
      result = verifyReceipt(parseReceipt(text), pinned);
    } catch (error) {
      if (!(error instanceof MusterError)) throw error;
      result = { ok: false as const, reason: error.message };
    }
    if (result.ok && result.pinned) {
      writeLine(io.stdout, `valid: ${result.summary}`);
      return Promise.resolve(0);
    }
    if (result.ok) {
      writeLine(
        io.stdout,
        `UNVERIFIED KEY: ${result.summary}, but under keys the receipt carries itself; pass --pubkey with the kiosk's key from a trusted source`,
      );
      return Promise.resolve(EXIT_UNVERIFIED_KEY);
    }
    writeLine(io.stdout, `INVALID: ${result.reason}`);
    return Promise.resolve(1);
  },
};

export const checkinCommands: readonly Command[] = [breaches, issue, verify];
