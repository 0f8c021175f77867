// `muster ledger ...`: the log from the command line. Output formats here are a contract other tools rely on.
import { appendFileSync, existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { toHex } from '../../core/bytes.ts';
import { isEntryType, type Payload } from '../../core/entry.ts';
import { MusterError, errorMessage } from '../../core/errors.ts';
import { KEY_ENTRY_COMMANDS, RECORD_SCHEMAS, isRecordType } from '../../core/records/record-schemas.ts';
import { fsck } from '../../ledger/fsck.ts';
import {
  Signer,
  Verifier,
  loadOrCreateSigner,
  readSignerFile,
  readVerifierFile,
  writeSignerFile,
} from '../../ledger/keys.ts';
import { LogWriter } from '../../ledger/log-writer.ts';
import { exportLog, importLog } from '../../ledger/portable.ts';
import { buildConsistencyProof, buildInclusionProof, checkProof } from '../../ledger/proofs.ts';
import type { LedgerStore, StoredCheckpoint } from '../../ledger/store.ts';
import { type Command, UsageError, writeLine } from './command.ts';
import { nonNegativeInteger, optionalString, requireString, stringList } from './options.ts';
import { withStore, withStoreAsync } from './with-store.ts';

const db = { db: { type: 'string' } } as const;
const originOption = { origin: { type: 'string' } } as const;

/** The own log's writer, with its key from --key or the path recorded at init. */
export function openWriter(store: LedgerStore, keyPath: string | undefined): LogWriter {
  const path = keyPath ?? store.getMeta('key_path');
  if (!path) throw new MusterError('no-key', 'no key file recorded for this log; pass --key FILE');
  return LogWriter.open(store, readSignerFile(path));
}

function pickOrigin(store: LedgerStore, origin: string | undefined): string {
  const chosen = origin ?? store.ownOrigin() ?? (store.origins().length === 1 ? store.origins()[0] : undefined);
  if (chosen === undefined) throw new UsageError('the store holds several logs; name one with --origin');
  if (!store.log(chosen)) throw new MusterError('not-found', `the store holds no log for ${chosen}`);
  return chosen;
}

/** A signed checkpoint covering the whole log: fresh for the own log, the latest received for a replica. */
function currentCheckpoint(store: LedgerStore, origin: string, keyPath: string | undefined): StoredCheckpoint {
  if (origin === store.ownOrigin()) return openWriter(store, keyPath).checkpoint();
  const latest = store.latestCheckpoint(origin);
  if (!latest) throw new MusterError('no-checkpoint', `no checkpoint of ${origin} has been received`);
  return latest;
}

const init: Command = {
  path: ['ledger', 'init'],
  summary: 'create a kiosk log store and its signing key',
  usage: 'ledger init --db FILE --origin NAME [--key FILE]',
  details: [
    "--origin NAME  the log's unique name, e.g. center-01/kiosk-2",
    '--key FILE     Ed25519 private key (mode 0600); generated if missing. Default: the database path + ".key".',
    '               The public key is written beside it as FILE.pub.',
  ],
  options: { ...db, ...originOption, key: { type: 'string' } },
  run: ({ values, io }) => {
    const dbPath = requireString(values, 'db');
    const origin = requireString(values, 'origin');
    const keyPath = resolve(optionalString(values, 'key') ?? `${dbPath}.key`);
    withStore(
      dbPath,
      (store) => {
        const { signer, created } = loadOrCreateSigner(keyPath, origin);
        LogWriter.init(store, origin, signer);
        store.setMeta('key_path', keyPath);
        writeLine(io.stdout, `initialised ${origin} in ${dbPath}`);
        writeLine(io.stdout, `key ${keyPath} (${created ? 'created' : 'existing'}), public key ${keyPath}.pub`);
        writeLine(io.stdout, signer.verifier.encode());
      },
      { create: true },
    );
    return Promise.resolve(0);
  },
};

const append: Command = {
  path: ['ledger', 'append'],
  summary: 'append entries: one JSON payload per line on stdin',
  usage: 'ledger append --db FILE --type TYPE [--key FILE]',
  details: [
    'Prints "<seq> <leaf hash hex>" for each entry once it is durably committed.',
    "Each line is checked against its type's record schema (core/records) before it is signed; a bad line",
    'stops the command with its line number and the field at fault; the lines before it stay committed.',
    '',
    'Entry types (--type):',
    ...Object.keys(RECORD_SCHEMAS).map((type) => `  ${type}`),
    'Key entries are written only by their commands:',
    ...Object.entries(KEY_ENTRY_COMMANDS).map(([type, command]) => `  ${type.padEnd(20)} ${command}`),
  ],
  options: { ...db, type: { type: 'string' }, key: { type: 'string' } },
  run: async ({ values, io }) => {
    const type = requireString(values, 'type');
    if (!isEntryType(type))
      throw new UsageError(`unknown entry type ${JSON.stringify(type)} (see muster ledger append --help)`);
    if (!isRecordType(type)) throw new UsageError(`${type} entries are written only by ${KEY_ENTRY_COMMANDS[type]}`);
    const check = RECORD_SCHEMAS[type];
    return withStoreAsync(requireString(values, 'db'), async (store) => {
      const writer = openWriter(store, optionalString(values, 'key'));
      let lineNo = 0;
      for await (const line of createInterface({ input: io.stdin, crlfDelay: Infinity })) {
        lineNo++;
        if (line.trim() === '') continue;
        let payload: Payload;
        try {
          payload = JSON.parse(line) as Payload;
        } catch (error) {
          throw new MusterError('bad-input', `line ${lineNo}: not JSON (${errorMessage(error)})`);
        }
        try {
          check(payload);
          const appended = await writer.append(type, payload);
          writeLine(io.stdout, `${appended.seq} ${toHex(appended.hash)}`);
        } catch (error) {
          throw new MusterError('bad-input', `line ${lineNo}: ${errorMessage(error)}`);
        }
      }
      return 0;
    });
  },
};

const verify: Command = {
  path: ['ledger', 'verify'],
  summary: 'check every entry, link, signature, Merkle node and checkpoint of a log',
  usage: 'ledger verify --db FILE [--origin NAME] [--pubkey FILE] [--checkpoint FILE]... [--json]',
  details: [
    "--pubkey FILE      the log's public key file (genesis key first, rotated keys after) from a trusted source;",
    '                   without it the key recorded in the store is trusted',
    '--checkpoint FILE  a signed checkpoint you already hold: catches truncation, rollback and forks',
    '--workers N        signature-checking threads (default: one per core for large logs; 0: none)',
    'Exit 0 and "ok <n> entries ..." when intact; exit 1 and the first failing sequence number with the reason.',
  ],
  options: {
    ...db,
    ...originOption,
    pubkey: { type: 'string' },
    checkpoint: { type: 'string', multiple: true },
    workers: { type: 'string' },
    json: { type: 'boolean' },
  },
  run: async ({ values, io }) => {
    const pubkey = optionalString(values, 'pubkey');
    const workers = optionalString(values, 'workers');
    const origin = optionalString(values, 'origin');
    const held = stringList(values, 'checkpoint').map((file) => {
      try {
        return readFileSync(file, 'utf8');
      } catch (error) {
        throw new MusterError('unreadable', `cannot read checkpoint ${file}: ${errorMessage(error)}`);
      }
    });
    const result = await fsck(requireString(values, 'db'), {
      ...(origin === undefined ? {} : { origin }),
      ...(pubkey === undefined ? {} : { trustedKeys: readVerifierFile(pubkey) }),
      ...(workers === undefined ? {} : { workers: nonNegativeInteger(workers, '--workers') }),
      heldCheckpoints: held,
    });
    if (values.json) {
      writeLine(io.stdout, JSON.stringify(result.ok ? { ...result, root: toHex(result.root) } : result));
    } else if (result.ok) {
      writeLine(
        io.stdout,
        `ok ${result.size} entries, root ${toHex(result.root)}, ${result.checkpoints} checkpoints checked (${result.origin}${result.trust === 'store' ? ', key from the store' : ''})`,
      );
    } else {
      writeLine(
        io.stdout,
        result.seq === undefined
          ? `FAILED ${result.origin}: ${result.reason}`
          : `FAILED at seq ${result.seq}: ${result.reason}`,
      );
    }
    return result.ok ? 0 : 1;
  },
};

const checkpoint: Command = {
  path: ['ledger', 'checkpoint'],
  summary: 'print the latest signed checkpoint (C2SP signed note)',
  usage: 'ledger checkpoint --db FILE [--origin NAME] [--key FILE]',
  details: [
    'For the own log a checkpoint of its current size is signed and stored; for a replica, the latest one received is printed.',
  ],
  options: { ...db, ...originOption, key: { type: 'string' } },
  run: ({ values, io }) => {
    withStore(requireString(values, 'db'), (store) => {
      io.stdout.write(
        currentCheckpoint(store, pickOrigin(store, optionalString(values, 'origin')), optionalString(values, 'key'))
          .note,
      );
    });
    return Promise.resolve(0);
  },
};

const prove: Command = {
  path: ['ledger', 'prove'],
  summary: 'print an inclusion proof (--seq) or a consistency proof (--from) as JSON',
  usage: 'ledger prove --db FILE (--seq N | --from SIZE) [--origin NAME] [--key FILE]',
  options: { ...db, ...originOption, seq: { type: 'string' }, from: { type: 'string' }, key: { type: 'string' } },
  run: ({ values, io }) => {
    const seq = optionalString(values, 'seq');
    const from = optionalString(values, 'from');
    if ((seq === undefined) === (from === undefined))
      throw new UsageError('give exactly one of --seq N and --from SIZE');
    const index = seq === undefined ? undefined : nonNegativeInteger(seq, '--seq');
    const oldSize = from === undefined ? undefined : nonNegativeInteger(from, '--from');
    withStore(requireString(values, 'db'), (store) => {
      const origin = pickOrigin(store, optionalString(values, 'origin'));
      const cp = currentCheckpoint(store, origin, optionalString(values, 'key'));
      const proof =
        index !== undefined
          ? buildInclusionProof(store, origin, index, cp)
          : buildConsistencyProof(store, origin, oldSize as number, cp);
      writeLine(io.stdout, JSON.stringify(proof, null, 2));
    });
    return Promise.resolve(0);
  },
};

const checkProofCommand: Command = {
  path: ['ledger', 'check-proof'],
  summary: 'check an inclusion or consistency proof offline with only the public key',
  usage: 'ledger check-proof --pubkey FILE PROOF_FILE',
  details: ['Exit 0 when the proof holds, 1 with the reason when it does not.'],
  options: { pubkey: { type: 'string' } },
  positionals: { min: 1, max: 1 },
  run: ({ values, positionals, io }) => {
    const verifier = readVerifierFile(requireString(values, 'pubkey'));
    const file = positionals[0] as string;
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new MusterError('bad-proof', `cannot read proof ${file}: ${errorMessage(error)}`);
    }
    const result = checkProof(parsed, verifier);
    writeLine(io.stdout, result.ok ? `ok ${result.summary}` : `INVALID: ${result.reason}`);
    return Promise.resolve(result.ok ? 0 : 1);
  },
};

const exportCommand: Command = {
  path: ['ledger', 'export'],
  summary: 'write a log to a portable file that verifies with only the public key',
  usage: 'ledger export --db FILE --out FILE [--origin NAME]',
  options: { ...db, ...originOption, out: { type: 'string' } },
  run: async ({ values, io }) => {
    const out = requireString(values, 'out');
    if (existsSync(out)) throw new MusterError('exists', `${out} already exists`);
    return withStoreAsync(requireString(values, 'db'), async (store) => {
      const origin = pickOrigin(store, optionalString(values, 'origin'));
      const size = await exportLog(store, origin, out);
      writeLine(io.stdout, `exported ${size} entries of ${origin} to ${out}`);
      return 0;
    });
  },
};

const importCommand: Command = {
  path: ['ledger', 'import'],
  summary: 'import an exported log as a replica, checking every entry first',
  usage: 'ledger import --db FILE [--pubkey FILE] EXPORT_FILE',
  details: [
    "--pubkey FILE  the log's public key; without it the key in the file is trusted (and printed).",
    'Creates the store if it does not exist.',
  ],
  options: { ...db, pubkey: { type: 'string' } },
  positionals: { min: 1, max: 1 },
  run: async ({ values, positionals, io }) => {
    const pubkey = optionalString(values, 'pubkey');
    const trusted = pubkey === undefined ? undefined : readVerifierFile(pubkey);
    return withStoreAsync(
      requireString(values, 'db'),
      async (store) => {
        const r = await importLog(store, positionals[0] as string, trusted);
        writeLine(
          io.stdout,
          `imported ${r.inserted} entries of ${r.origin} (${r.duplicates} already present), ${r.checkpoints} checkpoints; log has ${r.size} entries`,
        );
        const key = store.log(r.origin)?.genesisKey;
        if (r.trust === 'file' && key)
          writeLine(io.stdout, `trusted the key in the file: ${new Verifier(r.origin, key).encode()}`);
        return 0;
      },
      { create: true },
    );
  },
};

const rotateKey: Command = {
  path: ['ledger', 'rotate-key'],
  summary: "replace the own log's signing key; the rotation entry is signed by the old key",
  usage: 'ledger rotate-key --db FILE [--key FILE]',
  details: [
    'The new key is written to FILE.next first and moved over FILE once the rotation entry is committed;',
    'its public key is appended to FILE.pub, which keeps every key of the log.',
  ],
  options: { ...db, key: { type: 'string' } },
  run: ({ values, io }) => {
    withStore(requireString(values, 'db'), (store) => {
      const keyPath = optionalString(values, 'key') ?? store.getMeta('key_path');
      if (!keyPath) throw new MusterError('no-key', 'no key file recorded for this log; pass --key FILE');
      const writer = openWriter(store, keyPath);
      const next = Signer.generate(writer.origin);
      const staged = `${keyPath}.next`;
      rmSync(staged, { force: true });
      rmSync(`${staged}.pub`, { force: true });
      writeSignerFile(staged, next);
      const appended = writer.rotateKey(next);
      renameSync(staged, keyPath);
      rmSync(`${staged}.pub`, { force: true });
      // The public key file keeps the whole key history, so it verifies entries from before and after.
      appendFileSync(`${keyPath}.pub`, `${next.verifier.encode()}\n`);
      writeLine(io.stdout, `${appended.seq} ${toHex(appended.hash)}`);
      writeLine(io.stdout, next.verifier.encode());
    });
    return Promise.resolve(0);
  },
};

export const ledgerCommands: readonly Command[] = [
  init,
  append,
  verify,
  checkpoint,
  prove,
  checkProofCommand,
  exportCommand,
  importCommand,
  rotateKey,
];
