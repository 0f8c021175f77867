// `muster users|pii|kiosk ...`: users and sessions, the personal-data store, and HQ's kiosk registry.
// Secrets never come from argv (visible in `ps` and shell history): passwords and personal text are read from
// stdin; keys live in the key store directory (--keys, files 0600).
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { ERASURE_CAUSES, type ErasureCause } from '../../core/access/access-records.ts';
import { check, obj, text } from '../../core/api/check.ts';
import { PERSONAL_FIELDS, type PersonalField, isPersonalField } from '../../core/access/personal-data.ts';
import { ROLES, isRole } from '../../core/access/roles.ts';
import { bytesEqual } from '../../core/bytes.ts';
import { MusterError, errorMessage } from '../../core/errors.ts';
import { CENTRE_KEY_NAME, FileSecretStore, dataKey } from '../../access/key-store.ts';
import { PersonalDataStore, type PersonalValue } from '../../access/personal-data-store.ts';
import { UserStore } from '../../access/user-store.ts';
import {
  REGISTRY_ORIGIN,
  loadKeySchedule,
  parseRegistration,
  parseRevocation,
  readRegistry,
} from '../../ledger/registry.ts';
import { readSignerFile, readVerifierFile } from '../../ledger/keys.ts';
import { LogWriter } from '../../ledger/log-writer.ts';
import { LedgerStore } from '../../ledger/store.ts';
import { parseWitnessRegistration } from '../../core/records/registry-records.ts';
import { mosquittoAcl, mosquittoPasswordLine, registryNodes } from '../../net/acl.ts';
import { type Command, type CliIo, type OptionValues, UsageError, writeLine } from './command.ts';
import { nonNegativeInteger, optionalString, requireString, stringList } from './options.ts';
import { withStore } from './with-store.ts';

const usersOption = { users: { type: 'string' } } as const;

async function readStdin(io: CliIo): Promise<string> {
  let text = '';
  for await (const chunk of io.stdin as AsyncIterable<Buffer | string>) text += chunk.toString();
  return text;
}

async function passwordFromStdin(io: CliIo): Promise<string> {
  const line = (await readStdin(io)).split('\n')[0]?.replace(/\r$/, '') ?? '';
  if (line === '') throw new UsageError('give the password on stdin (first line)');
  return line;
}

function withUsers<T>(values: OptionValues, fn: (users: UserStore) => Promise<T> | T): Promise<T> {
  const users = UserStore.open(requireString(values, 'users'));
  return Promise.resolve(fn(users)).finally(() => {
    users.close();
  });
}

/** The own log (for access and erasure entries) with its key from --key or the path recorded at init. */
function openLog(path: string, keyPath: string | undefined): { store: LedgerStore; writer: LogWriter } {
  const store = LedgerStore.open(path);
  try {
    const key = keyPath ?? store.getMeta('key_path');
    if (!key) throw new MusterError('no-key', `no key file recorded for ${path}; pass --key FILE`);
    return { store, writer: LogWriter.open(store, readSignerFile(key)) };
  } catch (error) {
    store.close();
    throw error;
  }
}

async function withPii<T>(values: OptionValues, fn: (pii: PersonalDataStore) => Promise<T>): Promise<T> {
  const { store, writer } = openLog(requireString(values, 'log'), optionalString(values, 'key'));
  try {
    const centreKey = dataKey(new FileSecretStore(resolve(requireString(values, 'keys'))), CENTRE_KEY_NAME);
    const pii = PersonalDataStore.open(requireString(values, 'db'), { centreKey, log: writer });
    try {
      return await fn(pii);
    } finally {
      pii.close();
    }
  } finally {
    store.close();
  }
}

const usersAdd: Command = {
  path: ['users', 'add'],
  summary: 'add a user (password on stdin)',
  usage: 'users add --users FILE --role ROLE [--centre ID]... [--subject ID] NAME',
  details: [
    `--role ROLE  one of ${ROLES.join(', ')}; staff need --centre, a parolee --subject`,
    'The password (at least 12 characters) is the first line of stdin.',
  ],
  options: {
    ...usersOption,
    role: { type: 'string' },
    centre: { type: 'string', multiple: true },
    subject: { type: 'string' },
  },
  positionals: { min: 1, max: 1 },
  run: async ({ values, positionals, io }) => {
    const role = requireString(values, 'role');
    if (!isRole(role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
    const password = await passwordFromStdin(io);
    const subject = optionalString(values, 'subject');
    return withUsers(values, async (users) => {
      const user = await users.add({
        name: positionals[0] ?? '',
        role,
        password,
        centres: stringList(values, 'centre'),
        ...(subject === undefined ? {} : { subject }),
      });
      writeLine(io.stdout, `added ${user.user} (${user.role})`);
      return 0;
    });
  },
};

const usersList: Command = {
  path: ['users', 'list'],
  summary: 'list users: name, role, scope, locked',
  usage: 'users list --users FILE',
  options: usersOption,
  run: ({ values, io }) =>
    withUsers(values, (users) => {
      for (const u of users.list()) {
        const scope = u.role === 'staff' ? u.centres.join(',') : (u.subject ?? '-');
        writeLine(io.stdout, `${u.user}\t${u.role}\t${scope}\t${u.locked ? 'locked' : 'active'}`);
      }
      return 0;
    }),
};

function lockCommand(lock: boolean): Command {
  return {
    path: ['users', lock ? 'lock' : 'unlock'],
    summary: lock ? 'lock a user out and end their sessions' : 'unlock a user (also after repeated failed sign-ins)',
    usage: `users ${lock ? 'lock' : 'unlock'} --users FILE NAME`,
    options: usersOption,
    positionals: { min: 1, max: 1 },
    run: ({ values, positionals, io }) =>
      withUsers(values, (users) => {
        const name = positionals[0] ?? '';
        if (lock) users.lock(name);
        else users.unlock(name);
        writeLine(io.stdout, `${lock ? 'locked' : 'unlocked'} ${name}`);
        return 0;
      }),
  };
}

const piiOptions = {
  db: { type: 'string' },
  keys: { type: 'string' },
  log: { type: 'string' },
  key: { type: 'string' },
  subject: { type: 'string' },
} as const;
const piiDetails = [
  '--db FILE    the personal-data store (created 0600)',
  `--keys DIR   the key store; the centre data key is DIR/${CENTRE_KEY_NAME}, as a kiosk keeps it (made on first use)`,
  "--log FILE   this node's log store (access and erasure entries go there); --key FILE its signing key",
];

/** `pii put`'s text fields, from stdin (never on the command line, where `ps` would show them). */
const PII_TEXT = obj({}, { name: text(1, 500), idNumber: text(1, 100) });

const piiPut: Command = {
  path: ['pii', 'put'],
  summary: "store a person's personal data, encrypted; prints the salted commitments",
  usage:
    'pii put --db FILE --keys DIR --log FILE [--key FILE] --subject ID --centre ID [--photo FILE] [--face-template FILE] [--fingerprint-template FILE]',
  details: [
    ...piiDetails,
    'Text fields come as a JSON object on stdin: {"name": "...", "idNumber": "..."} (never on the command line).',
  ],
  options: {
    ...piiOptions,
    'centre': { type: 'string' },
    'photo': { type: 'string' },
    'face-template': { type: 'string' },
    'fingerprint-template': { type: 'string' },
  },
  run: async ({ values, io }) => {
    const values_: Partial<Record<PersonalField, PersonalValue>> = {};
    const input = (await readStdin(io)).trim();
    if (input !== '') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(input);
      } catch (error) {
        throw new UsageError(`stdin is not JSON: ${errorMessage(error)}`);
      }
      try {
        Object.assign(values_, check(PII_TEXT, parsed, 'stdin'));
      } catch (error) {
        if (error instanceof MusterError) throw new UsageError(error.message);
        throw error;
      }
    }
    for (const [option, field] of [
      ['photo', 'photo'],
      ['face-template', 'faceTemplate'],
      ['fingerprint-template', 'fingerprintTemplate'],
    ] as const) {
      const path = optionalString(values, option);
      if (path !== undefined) values_[field] = new Uint8Array(readFileSync(path));
    }
    if (Object.keys(values_).length === 0)
      throw new UsageError('nothing to store: give text on stdin or a file option');
    return withPii(values, (pii) => {
      const commitments = pii.put(requireString(values, 'subject'), requireString(values, 'centre'), values_);
      for (const [field, c] of Object.entries(commitments)) writeLine(io.stdout, `${field}\t${c}`);
      return Promise.resolve(0);
    });
  },
};

const piiShow: Command = {
  path: ['pii', 'show'],
  summary: "show a person's personal data to a signed-in user; writes an access entry first",
  usage:
    'pii show --db FILE --keys DIR --log FILE [--key FILE] --users FILE --as USER --reason TEXT --subject ID [--field NAME]...',
  details: [
    ...piiDetails,
    '--as USER     who reads (password on stdin); the policy decides',
    '--reason TEXT  why: recorded on the log',
    `--field NAME   ${PERSONAL_FIELDS.join(', ')} (default: name, idNumber)`,
    'Binary fields print as base64.',
  ],
  options: {
    ...piiOptions,
    ...usersOption,
    as: { type: 'string' },
    reason: { type: 'string' },
    field: { type: 'string', multiple: true },
  },
  run: async ({ values, io }) => {
    const reason = requireString(values, 'reason');
    const fields = stringList(values, 'field');
    for (const f of fields)
      if (!isPersonalField(f)) throw new UsageError(`--field must be one of ${PERSONAL_FIELDS.join(', ')}`);
    const password = await passwordFromStdin(io);
    const session = await withUsers(values, (users) => users.signIn(requireString(values, 'as'), password));
    return withPii(values, async (pii) => {
      const shown = await pii.read(
        session.principal,
        requireString(values, 'subject'),
        fields.length > 0 ? (fields as PersonalField[]) : ['name', 'idNumber'],
        reason,
      );
      for (const [field, value] of Object.entries(shown))
        writeLine(io.stdout, `${field}\t${typeof value === 'string' ? value : Buffer.from(value).toString('base64')}`);
      return 0;
    });
  },
};

const piiErase: Command = {
  path: ['pii', 'erase'],
  summary: "erase a person's data and key now, or everyone due (--due); writes erasure entries",
  usage: 'pii erase --db FILE --keys DIR --log FILE [--key FILE] (--subject ID --by USER [--cause CAUSE] | --due)',
  details: [
    ...piiDetails,
    `--cause CAUSE  ${ERASURE_CAUSES.join(' or ')} (default request)`,
    '--due          run the retention job once: erase everyone whose erase time has come',
  ],
  options: { ...piiOptions, by: { type: 'string' }, cause: { type: 'string' }, due: { type: 'boolean' } },
  run: ({ values, io }) =>
    withPii(values, async (pii) => {
      if (values.due === true) {
        for (const subject of await pii.eraseDue()) writeLine(io.stdout, `erased ${subject}`);
        return 0;
      }
      const cause = optionalString(values, 'cause') ?? 'request';
      if (!(ERASURE_CAUSES as readonly string[]).includes(cause))
        throw new UsageError(`--cause must be ${ERASURE_CAUSES.join(' or ')}`);
      const subject = requireString(values, 'subject');
      const seq = await pii.erase(subject, cause as ErasureCause, requireString(values, 'by'));
      writeLine(io.stdout, `erased ${subject}; erasure entry ${seq}`);
      return 0;
    }),
};

const piiEnd: Command = {
  path: ['pii', 'end-supervision'],
  summary: 'record the end of supervision: the retention job erases the person after the retention period',
  usage:
    'pii end-supervision --db FILE --keys DIR --log FILE [--key FILE] --subject ID --retention-days N [--ended-at ISO]',
  options: { ...piiOptions, 'retention-days': { type: 'string' }, 'ended-at': { type: 'string' } },
  run: ({ values, io }) =>
    withPii(values, (pii) => {
      const endedText = optionalString(values, 'ended-at');
      const endedAt = endedText === undefined ? Date.now() : Date.parse(endedText);
      if (Number.isNaN(endedAt)) throw new UsageError('--ended-at must be an ISO date-time');
      const eraseAt = pii.endSupervision(
        requireString(values, 'subject'),
        endedAt,
        nonNegativeInteger(requireString(values, 'retention-days'), '--retention-days') * 86_400_000,
      );
      writeLine(io.stdout, `erase at ${new Date(eraseAt).toISOString()}`);
      return Promise.resolve(0);
    }),
};

const registryOptions = { registry: { type: 'string' }, key: { type: 'string' }, origin: { type: 'string' } } as const;

async function withRegistry<T>(
  values: OptionValues,
  fn: (writer: LogWriter, store: LedgerStore) => Promise<T>,
): Promise<T> {
  const { store, writer } = openLog(requireString(values, 'registry'), optionalString(values, 'key'));
  try {
    if (writer.origin !== REGISTRY_ORIGIN)
      throw new MusterError(
        'not-registry',
        `${store.path} holds ${writer.origin}, not the registry log ${REGISTRY_ORIGIN} (muster ledger init --origin ${REGISTRY_ORIGIN})`,
      );
    const result = await fn(writer, store);
    // A signed checkpoint of the new size, for HQ's RegistryPublisher to announce (net/registry-publisher.ts).
    writer.checkpoint();
    return result;
  } finally {
    store.close();
  }
}

const kioskProvision: Command = {
  path: ['kiosk', 'provision'],
  summary: "register a kiosk's public key in HQ's registry log (a signed entry); optionally its broker password",
  usage:
    'kiosk provision --registry FILE [--key FILE] --origin CENTRE/KIOSK --pub FILE.pub [--witness-pub FILE.pub] [--passwords FILE] [--staff-log]',
  details: [
    `--registry FILE  HQ's registry log store (muster ledger init --origin ${REGISTRY_ORIGIN})`,
    "--pub FILE       the kiosk's public key file (written by ledger init beside its key; the key never leaves the kiosk)",
    "--witness-pub FILE  the kiosk's witness public key file (<store>.witness.key.pub): its cosignatures then count in",
    '                 evidence bundles (muster evidence export) wherever the registry is trusted',
    '--passwords FILE append a Mosquitto password line for the kiosk and print the password once, for the kiosk',
    "--staff-log      the centre's staff log (the kiosk serving the staff screen): staff decisions count only from these",
  ],
  options: {
    ...registryOptions,
    'pub': { type: 'string' },
    'witness-pub': { type: 'string' },
    'passwords': { type: 'string' },
    'staff-log': { type: 'boolean' },
  },
  run: ({ values, io }) =>
    withRegistry(values, async (writer) => {
      const origin = requireString(values, 'origin');
      const centre = origin.split('/')[0] ?? '';
      const key = readVerifierFile(requireString(values, 'pub'))[0];
      if (key?.name !== origin)
        throw new MusterError('bad-key', `the public key is named ${JSON.stringify(key?.name)}, not ${origin}`);
      const witnessPub = optionalString(values, 'witness-pub');
      const witness = witnessPub === undefined ? undefined : readWitnessKey(witnessPub, origin);
      if (witness && bytesEqual(witness, key.publicKey))
        throw new MusterError('bad-key', "the witness key is the log's key: a kiosk witnesses with a key of its own");
      // registryFrom skips a malformed registration: refuse it here rather than leave the kiosk silently unregistered.
      const registration = {
        origin,
        centre,
        key: key.publicKey,
        ...(values['staff-log'] === true ? { staffLog: true } : {}),
        ...(witness ? { witness } : {}),
      };
      parseRegistration(registration);
      const { seq } = await writer.append('kiosk-registration', registration);
      writeLine(
        io.stdout,
        `registered ${origin}${values['staff-log'] === true ? ' as a staff log' : ''} (entry ${seq})`,
      );
      const passwords = optionalString(values, 'passwords');
      if (passwords !== undefined) {
        const password = randomBytes(24).toString('base64url');
        appendFileSync(passwords, `${mosquittoPasswordLine(origin, password)}\n`, { mode: 0o600 });
        writeLine(io.stdout, `broker password for ${origin}: ${password}`);
      }
      return 0;
    }),
};

const kioskRevoke: Command = {
  path: ['kiosk', 'revoke'],
  summary: 'revoke a kiosk key from an entry on: entries it signs from there are refused everywhere',
  usage:
    'kiosk revoke --registry FILE [--key FILE] --origin CENTRE/KIOSK --pub FILE.pub --from SEQ --reason TEXT [--log FILE]',
  details: [
    '--pub FILE  the revoked key (its last line if the file holds several)',
    '--from SEQ  the first entry to refuse: the last entry known good + 1',
    "--log FILE  a store holding the kiosk's log (HQ's store): needed to revoke a key the kiosk rotated to",
  ],
  options: {
    ...registryOptions,
    pub: { type: 'string' },
    from: { type: 'string' },
    reason: { type: 'string' },
    log: { type: 'string' },
  },
  run: ({ values, io }) =>
    withRegistry(values, async (writer, store) => {
      const origin = requireString(values, 'origin');
      const fromSeq = nonNegativeInteger(requireString(values, 'from'), '--from');
      const reason = requireString(values, 'reason');
      if (reason.length > 280) throw new UsageError('--reason: at most 280 characters');
      // readVerifierFile refuses an empty file, so there is a last key.
      const key = readVerifierFile(requireString(values, 'pub')).at(-1)?.publicKey ?? new Uint8Array();
      // A revocation of a key the kiosk never held would leave the stolen key in force while looking done.
      if (!kioskKeys(store, origin, optionalString(values, 'log')).some((k) => bytesEqual(k, key))) {
        throw new MusterError(
          'bad-key',
          `the public key is not a key of ${origin}: neither the one registered for it nor one its log rotated to${values.log === undefined ? ' (name a store holding its log with --log)' : ''}`,
        );
      }
      const revocation = { origin, key, fromSeq, reason };
      parseRevocation(revocation);
      const { seq } = await writer.append('key-revocation', revocation);
      writeLine(io.stdout, `revoked the key of ${origin} from entry ${fromSeq} (registry entry ${seq})`);
      return 0;
    }),
};

/** The keys a registered kiosk has held: the one registered for it and, from a store holding its log, each it rotated to. */
function kioskKeys(registry: LedgerStore, origin: string, logFile: string | undefined): Uint8Array[] {
  const registered = readRegistry(registry)?.registered.get(origin);
  if (!registered)
    throw new MusterError(
      'not-registered',
      `${origin} is not a kiosk registered in this registry (muster kiosk provision)`,
    );
  if (logFile === undefined) return [registered];
  return withStore(
    logFile,
    (logs) => {
      if (!logs.log(origin)) throw new MusterError('no-log', `${logFile} holds no log of ${origin}`);
      return [registered, ...loadKeySchedule(logs, origin, registered).verifiers.map((v) => v.publicKey)];
    },
    { readonly: true },
  );
}

const kioskAcl: Command = {
  path: ['kiosk', 'acl'],
  summary: 'write the Mosquitto ACL for HQ and every registered kiosk',
  usage: 'kiosk acl --registry FILE --out FILE [--hq ID]',
  options: { registry: { type: 'string' }, out: { type: 'string' }, hq: { type: 'string' } },
  run: ({ values, io }) =>
    withStore(
      requireString(values, 'registry'),
      (store) => {
        const registry = readRegistry(store);
        if (!registry) throw new MusterError('not-registry', `${store.path} holds no ${REGISTRY_ORIGIN} log`);
        const hq = optionalString(values, 'hq') ?? 'hq';
        const nodes = registryNodes(registry, hq);
        writeFileSync(requireString(values, 'out'), mosquittoAcl(nodes, { alertPublishers: new Set([hq]) }));
        writeLine(io.stdout, `wrote the ACL for ${nodes.length} nodes`);
        return Promise.resolve(0);
      },
      { readonly: true },
    ),
};

/** The last key of a kiosk's witness public key file, which must be named like the kiosk. */
function readWitnessKey(file: string, name: string): Uint8Array {
  const key = readVerifierFile(file).at(-1);
  if (key?.name !== name)
    throw new MusterError('bad-key', `the witness key in ${file} is named ${JSON.stringify(key?.name)}, not ${name}`);
  return key.publicKey;
}

const witnessRegister: Command = {
  path: ['witness', 'register'],
  summary: "bind a witness's public key (HQ's, an agency's) to its name in HQ's registry log (a signed entry)",
  usage: 'witness register --registry FILE [--key FILE] --pub FILE.pub',
  details: [
    "--pub FILE  the witness's public key file (e.g. hq.db.witness.key.pub); its name is the witness's",
    'Evidence bundles (muster evidence export) then carry its cosignatures, and a verifier trusting the registry',
    'trusts them; a later registration of the name replaces the key.',
  ],
  options: { registry: registryOptions.registry, key: registryOptions.key, pub: { type: 'string' } },
  run: ({ values, io }) =>
    withRegistry(values, async (writer) => {
      // readVerifierFile refuses a file with no key.
      const key = readVerifierFile(requireString(values, 'pub')).at(-1);
      const registration = { witness: key?.name ?? '', key: key?.publicKey ?? new Uint8Array() };
      parseWitnessRegistration(registration);
      const { seq } = await writer.append('witness-registration', registration);
      writeLine(io.stdout, `registered the witness ${registration.witness} (entry ${seq})`);
      return 0;
    }),
};

export const accessCommands: readonly Command[] = [
  usersAdd,
  usersList,
  lockCommand(true),
  lockCommand(false),
  piiPut,
  piiShow,
  piiErase,
  piiEnd,
  kioskProvision,
  kioskRevoke,
  kioskAcl,
  witnessRegister,
];
