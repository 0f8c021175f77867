// A portable log file (JSON lines) that another machine verifies with only the public key:
//   {"format":"muster-log/v1","origin":...,"key":<verifier key of the genesis key>,"size":n}
//   {"seq":0,"entry":<base64 signed entry>}   ... one line per entry, in order
//   {"checkpoint":<signed note>}                ... the checkpoints the store holds
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { int, literal, matching, obj, text } from '../core/api/check.ts';
import { bytesEqual, fromBase64, toBase64 } from '../core/bytes.ts';
import { ORIGIN_PATTERN } from '../core/entry.ts';
import { MusterError, errorMessage } from '../core/errors.ts';
import { BASE64 } from '../core/records/record-schema.ts';
import { SchemaMismatch, decodedAs, schemaParser } from '../core/schema.ts';
import { loadKeySchedule } from './registry.ts';
import { Verifier } from './keys.ts';
import { rootHash } from './merkle.ts';
import { openCheckpoint } from './note.ts';
import { ingestEntries } from './replica.ts';
import type { LedgerStore } from './store.ts';
import { VerifiedReader, ledgerEntrySource } from './verified-reader.ts';

export const EXPORT_FORMAT = 'muster-log/v1';
const BATCH = 1000;
const MAX_LINE = 64 * 1024;

/** The first line: the log, its genesis key's verifier key and how many entries follow. */
const parseHeader = schemaParser(
  obj({
    format: literal(EXPORT_FORMAT),
    origin: matching(ORIGIN_PATTERN, 'a log origin'),
    key: text(1, 1024),
    size: int(),
  }),
  'bad-export',
  'header',
);

/** Every later line: an entry (its bytes) or a signed checkpoint. */
const parseLine = schemaParser(
  decodedAs(obj({}, { seq: int(), entry: BASE64, checkpoint: text(1, MAX_LINE) }), (line) => {
    if (line.checkpoint !== undefined) return { checkpoint: line.checkpoint };
    if (line.entry === undefined) throw new SchemaMismatch('', 'expected an entry or a checkpoint');
    return { entry: fromBase64(line.entry) };
  }),
  'bad-export',
  'line',
);

/**
 * Writes a log that verified through the verified read path (ledger/verified-reader.ts): a log with an entry that
 * fails is refused naming it, and no file is written.
 */
export async function exportLog(store: LedgerStore, origin: string, file: string): Promise<number> {
  const log = store.log(origin);
  if (!log) throw new MusterError('not-found', `the store holds no log for ${origin}`);
  const leaves: Uint8Array[] = [];
  const { problems } = new VerifiedReader(ledgerEntrySource(store, [origin])).nextSync((entries) => {
    for (const entry of entries) if (entry.origin === origin) leaves.push(entry.leaf);
  });
  const problem = problems.find((p) => p.origin === origin);
  if (problem)
    throw new MusterError(
      'unverified',
      `${origin} entry ${problem.seq} fails verification (${problem.reason}): nothing exported`,
    );
  const size = leaves.length;
  const out = createWriteStream(file, { flags: 'wx' });
  const write = async (value: unknown): Promise<void> => {
    if (!out.write(`${JSON.stringify(value)}\n`)) await once(out, 'drain');
  };
  try {
    await write({ format: EXPORT_FORMAT, origin, key: new Verifier(origin, log.genesisKey).encode(), size });
    for (const [seq, leaf] of leaves.entries()) await write({ seq, entry: toBase64(leaf) });
    for (const c of store.checkpoints(origin)) await write({ checkpoint: c.note });
  } finally {
    out.end();
    await once(out, 'close');
  }
  return size;
}

export interface ImportResult {
  readonly origin: string;
  readonly inserted: number;
  readonly duplicates: number;
  readonly checkpoints: number;
  readonly size: number;
  readonly trust: 'key' | 'file';
}

/** Imports an exported log as a replica, checking every entry and checkpoint before it is stored. */
export async function importLog(
  store: LedgerStore,
  file: string,
  trustedKeys?: readonly Verifier[],
): Promise<ImportResult> {
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  let lineNo = 0;
  let header: { origin: string; key: Verifier; size: number } | undefined;
  let pending: Uint8Array[] = [];
  const notes: string[] = [];
  let inserted = 0;
  let duplicates = 0;
  const flush = (): void => {
    if (!header || pending.length === 0) return;
    const result = ingestEntries(store, header.origin, pending, {
      source: `import:${file}`,
      trustedKey: header.key.publicKey,
    });
    const bad = result.rejected[0];
    if (bad) throw new MusterError('bad-entry', `entry ${bad.seq ?? '?'}: ${bad.reason}`);
    if (result.missingFrom !== undefined)
      throw new MusterError('gap', `entry ${result.missingFrom} is missing from the file`);
    inserted += result.inserted;
    duplicates += result.duplicates;
    pending = [];
  };
  for await (const line of lines) {
    lineNo++;
    if (line.trim() === '') continue;
    if (line.length > MAX_LINE) throw new MusterError('bad-export', `line ${lineNo}: too long`);
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch (error) {
      throw new MusterError('bad-export', `line ${lineNo}: not JSON (${errorMessage(error)})`);
    }
    if (!header) {
      const { origin, key: encoded, size } = parseHeader(record, `line ${lineNo}`);
      const key = Verifier.parse(encoded);
      if (key.name !== origin) throw new MusterError('bad-export', 'header key is not named after the origin');
      header = { origin, key, size };
      if (trustedKeys && !trustedKeys.some((k) => k.equals(key)))
        throw new MusterError(
          'key-mismatch',
          `the file's log was not started by a trusted key (it names ${key.encode()})`,
        );
      continue;
    }
    const parsed = parseLine(record, `line ${lineNo}`);
    if ('checkpoint' in parsed) {
      notes.push(parsed.checkpoint);
      continue;
    }
    pending.push(parsed.entry);
    if (pending.length >= BATCH) flush();
  }
  if (!header) throw new MusterError('bad-export', 'the file is empty');
  flush();
  const { origin } = header;
  const size = store.head(origin).size;
  if (size < header.size) throw new MusterError('gap', `the file promised ${header.size} entries but held ${size}`);
  const schedule = loadKeySchedule(store, origin, header.key.publicKey);
  for (const note of notes) {
    const checkpoint = openCheckpoint(note, origin, schedule.verifiers);
    if (checkpoint.size > size || !bytesEqual(rootHash(store.treeSource(origin), checkpoint.size), checkpoint.root)) {
      throw new MusterError(
        'bad-checkpoint',
        `checkpoint at size ${checkpoint.size} does not match the entries (rolled back or forked log)`,
      );
    }
    store.saveCheckpoint(origin, { size: checkpoint.size, root: checkpoint.root, note });
  }
  return { origin, inserted, duplicates, checkpoints: notes.length, size, trust: trustedKeys ? 'key' : 'file' };
}
