// `muster hq` and `muster kiosk`: the long-running replication processes. Each prints one "ready" line per
// service it started (tests and supervisors read them) and stops cleanly on SIGINT or SIGTERM.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { MusterError, errorMessage } from '../../core/errors.ts';
import { loadOrCreateSigner, readVerifierFile } from '../../ledger/keys.ts';
import { REGISTRY_ORIGIN, readRegistry, readRegistryKey } from '../../ledger/registry.ts';
import { LedgerStore } from '../../ledger/store.ts';
import { type EmbeddedBroker, startEmbeddedBroker } from '../../net/embedded-broker.ts';
import { UserStore } from '../../access/user-store.ts';
import { AlertDesk } from '../../net/hq/alert-desk.ts';
import { startHqBreachAlerts } from '../../net/hq/hq-breach-alerts.ts';
import { startLeasedBreachAlerts } from '../../net/hq/leased-breach-alerts.ts';
import { startHqHttp } from '../../net/hq/hq-http.ts';
import { openHqLog } from '../../net/hq/hq-log.ts';
import { HQ_COSIGN_EVERY_MS, HqService } from '../../net/hq/hq-service.ts';
import type { HqStore } from '../../net/hq/hq-store.ts';
import { PostgresHqStore } from '../../net/hq/postgres-hq-store.ts';
import { SqliteHqStore } from '../../net/hq/sqlite-hq-store.ts';
import { EvidenceExports, withHqEvidence } from '../web/evidence-export.ts';
import { subjectSnapshot } from '../evidence/replica-snapshot.ts';
import { KioskNode } from '../../net/kiosk-node.ts';
import type { LinkOptions } from '../../net/mqtt-link.ts';
import { VerifyPool } from '../../ledger/verify-pool.ts';
import { topicId } from '../../net/topics.ts';
import { type Command, type OptionValues, UsageError, writeLine } from './command.ts';
import { nonNegativeInteger, portNumber, optionalString, requireString, stringList } from './options.ts';
import { untilSignal } from './signals.ts';
import { alertsBackend, withAlerts } from '../web/alert-handlers.ts';
import { HqBackend } from '../web/hq-backend.ts';
import { startWebServer } from '../web/web-server.ts';

const VERSION = '0.1.0';

const brokerOptions = {
  'broker': { type: 'string' },
  'mqtt-port': { type: 'string' },
  'mqtt-host': { type: 'string' },
  'broker-passwords': { type: 'string' },
  'username': { type: 'string' },
  'password-file': { type: 'string' },
  'ca': { type: 'string' },
  'cert': { type: 'string' },
  'client-key': { type: 'string' },
} as const;

const brokerDetails = [
  '--broker embedded|URL    embedded: an Aedes broker in this process (listening on --mqtt-port, default 1883,',
  '                         and --mqtt-host, default 127.0.0.1; any other host needs --broker-passwords);',
  '                         mqtt://host:port or mqtts://host:port: an external broker (Mosquitto, EMQX);',
  '                         several, comma-separated: the nodes of a cluster (NATS), tried in turn',
  '--username NAME          broker user (default: the node id with "/" written as "~")',
  '--password-file FILE     broker password, read from a file so it never shows in the process list',
  '--broker-passwords FILE  embedded broker: admit the nodes of this password file (muster kiosk provision --passwords)',
  '--ca FILE --cert FILE --client-key FILE   TLS with a client certificate (production)',
];

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new MusterError('file-unreadable', `cannot read ${what} ${path}: ${errorMessage(error)}`);
  }
}

/** Connects to the named broker, or starts the embedded one; returns the link settings and what to stop. */
async function brokerFrom(
  values: OptionValues,
  nodeId: string,
): Promise<{ link: Omit<LinkOptions, 'nodeId'>; embedded?: EmbeddedBroker }> {
  const broker = requireString(values, 'broker');
  const passwordFile = optionalString(values, 'password-file');
  const credentials = {
    username: optionalString(values, 'username') ?? topicId(nodeId),
    ...(passwordFile ? { password: readText(passwordFile, 'password file').trim() } : {}),
  };
  const tlsFiles = ['ca', 'cert', 'client-key'].map((name) => optionalString(values, name));
  const [ca, cert, key] = tlsFiles;
  if (tlsFiles.some((f) => f !== undefined) && !(ca && cert && key))
    throw new UsageError('TLS needs --ca, --cert and --client-key together');
  const tls =
    ca && cert && key
      ? { tls: { ca: readText(ca, 'CA file'), cert: readText(cert, 'certificate'), key: readText(key, 'client key') } }
      : {};
  if (broker === 'embedded') {
    const port = portNumber(optionalString(values, 'mqtt-port') ?? '1883', '--mqtt-port');
    const host = optionalString(values, 'mqtt-host') ?? '127.0.0.1';
    const passwordsFile = optionalString(values, 'broker-passwords');
    // This process's own client gets a password made for this boot unless --password-file gives one.
    const own = credentials.password ?? randomBytes(24).toString('base64url');
    const embedded = await startEmbeddedBroker({
      port,
      host,
      alertPublishers: new Set([topicId(nodeId)]),
      ...(passwordsFile === undefined
        ? {}
        : {
            passwords: readText(passwordsFile, 'broker password file'),
            users: new Map([[credentials.username, own]]),
          }),
    });
    const reach = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
    return {
      link: {
        url: `mqtt://${reach.includes(':') ? `[${reach}]` : reach}:${embedded.port}`,
        ...credentials,
        password: own,
      },
      embedded,
    };
  }
  // Several URLs, comma-separated: the nodes of a broker cluster, tried in turn (net/mqtt-link.ts).
  const urls = broker.split(',');
  const bad = urls.find((url) => !/^mqtts?:\/\/[^/\s,]+$/.test(url));
  if (bad !== undefined)
    throw new UsageError(
      `--broker must be "embedded" or mqtt://host:port or mqtts://host:port (comma-separated for a cluster), got ${JSON.stringify(bad)}`,
    );
  return { link: { url: urls.length === 1 ? broker : urls, ...credentials, ...tls } };
}

const hq: Command = {
  path: ['hq'],
  summary: 'run HQ: follow, verify, store and witness every kiosk log; HTTP API; alerts',
  usage:
    'hq --db FILE|--postgres URL --broker embedded|URL [--http PORT] [--web PORT --users FILE] [--id NAME] [--agency] [--trust FILE]...',
  details: [
    '--db FILE            HQ store (SQLite, the embedded default), created if missing',
    '--postgres URL       HQ store in PostgreSQL instead (province scale), e.g. postgres://muster@db/muster;',
    '                     several HQ nodes may share it: all ingest and serve, the holder of a lease judges breaches',
    '--http PORT          dashboard API (JSON + Server-Sent Events at /api/events), default 8080; 0 picks a free port',
    '--http-host HOST     default 127.0.0.1; any other host needs --users',
    '--host-name NAME     a DNS name the API and dashboard answer to (repeat); IP literals and localhost always',
    '--users FILE         user store (muster users add): every API route then needs a session (POST /api/session)',
    '--web PORT           serve the HQ dashboard (browser mode) on this port (0: a free one); needs --users to sign in',
    '--id NAME            node id on the broker, default hq (the broker ACL lets hq publish alerts)',
    "--agency             an independent agency's node (e.g. --id police): its own store, witness key and breach",
    '                     verdicts from every kiosk log it verifies itself; publishes no alerts and no registry',
    '--witness-key FILE   HQ witness key (generated if missing), default: the database path + ".witness.key" (hq.witness.key with --postgres)',
    "--trust FILE         a kiosk's public key file (ledger init writes FILE.pub); pins that log's genesis key",
    `--cosign-every MS    cosign each log at most this often, default ${HQ_COSIGN_EVERY_MS} (0: every checkpoint); a fork is found at once`,
    "--cosigner FILE      another witness's public key file (the police node's, a peer kiosk's witness key .pub):",
    "                     its cosignatures are checked against HQ's copy and listed beside HQ's at /api/logs",
    "--registry FILE      HQ's registry log store (muster kiosk provision): published to the kiosks, which then refuse revoked keys too",
    "--registry-pub FILE  HQ's registry public key instead (an agency node): follow the registry log over MQTT, admit the kiosks",
    "                     it registers and refuse revoked keys, from this node's own copy of it",
    '--staff-log ORIGIN   a pinned (--trust) log whose staff decisions count, besides those the registry names as staff logs',
    '--log FILE           HQ\'s own signed log (officers\' actions on breach alerts), default: the database path + ".log.db" (hq.log.db with --postgres)',
    'Breach alerts: raised as windows close and entries arrive, at /api/breach-alerts, on SSE and on muster/v1/alerts/<centre>',
    ...brokerDetails,
  ],
  options: {
    'agency': { type: 'boolean' },
    'db': { type: 'string' },
    'postgres': { type: 'string' },
    'http': { type: 'string' },
    'http-host': { type: 'string' },
    'host-name': { type: 'string', multiple: true },
    'users': { type: 'string' },
    'web': { type: 'string' },
    'id': { type: 'string' },
    'witness-key': { type: 'string' },
    'trust': { type: 'string', multiple: true },
    'cosigner': { type: 'string', multiple: true },
    'cosign-every': { type: 'string' },
    'registry': { type: 'string' },
    'registry-pub': { type: 'string' },
    'log': { type: 'string' },
    'staff-log': { type: 'string', multiple: true },
    ...brokerOptions,
  },
  run: async ({ values, io }) => {
    const dbPath = optionalString(values, 'db');
    const postgres = optionalString(values, 'postgres');
    if ((dbPath === undefined) === (postgres === undefined))
      throw new UsageError('give either --db FILE or --postgres URL');
    const webPort = optionalString(values, 'web');
    const webPortNumber = webPort === undefined ? undefined : portNumber(webPort, '--web');
    if (webPort !== undefined && optionalString(values, 'users') === undefined)
      throw new UsageError('--web needs --users FILE: the dashboard is for signed-in officers, police and auditors');
    const nodeId = optionalString(values, 'id') ?? 'hq';
    const agency = values.agency === true;
    const httpPort = portNumber(optionalString(values, 'http') ?? '8080', '--http');
    const trustedKeys = new Map(
      stringList(values, 'trust').map((file) => {
        const [genesis] = readVerifierFile(file);
        if (!genesis) throw new MusterError('bad-key', `${file} holds no key`);
        return [genesis.name, genesis.publicKey] as const;
      }),
    );
    // --registry-pub: the registry log is followed over MQTT, its genesis key pinned like a --trust log's.
    const registryPub = optionalString(values, 'registry-pub');
    if (registryPub !== undefined) {
      if (optionalString(values, 'registry') !== undefined)
        throw new UsageError('give --registry FILE (HQ publishes it) or --registry-pub FILE (follow it), not both');
      trustedKeys.set(REGISTRY_ORIGIN, readRegistryKey(registryPub));
    }
    if (trustedKeys.size === 0 && optionalString(values, 'registry') === undefined) {
      throw new UsageError(
        'HQ stores only kiosk logs it knows: give --registry FILE (muster kiosk provision), --registry-pub FILE or --trust FILE',
      );
    }
    const witnessKey = resolve(
      optionalString(values, 'witness-key') ?? (dbPath ? `${dbPath}.witness.key` : 'hq.witness.key'),
    );
    const { signer } = loadOrCreateSigner(witnessKey, nodeId);
    // Whatever started is stopped again, last first, on the way out: also when a later step fails (a port in use),
    // so a failed start exits non-zero and leaves nothing listening.
    const stops: (() => unknown)[] = [];
    try {
      const { link, embedded } = await brokerFrom(values, nodeId);
      if (embedded) stops.push(() => embedded.close());
      // Signature checks on every core: this thread and the pool's workers share each batch (ledger/verify-pool.ts).
      // PostgreSQL checks inline.
      const pool = availableParallelism() > 1 ? new VerifyPool() : undefined;
      if (pool) stops.push(() => pool.close());
      const store: HqStore = postgres
        ? await PostgresHqStore.open(postgres, { trustedKeys })
        : SqliteHqStore.open(dbPath ?? '', { trustedKeys, ...(pool ? { pool } : {}) });
      stops.push(() => store.close());
      const registryPath = optionalString(values, 'registry');
      const registry = registryPath === undefined ? undefined : LedgerStore.open(registryPath, { readonly: true });
      if (registry)
        stops.push(() => {
          registry.close();
        });
      // What the verified read path (screens, breach watcher) takes as the start of each log: the pinned keys, and
      // the registry's genesis key from HQ's own registry file, so a registry log replaced in the store is refused.
      const readerKeys = new Map(trustedKeys);
      const registryKey = registry?.log(REGISTRY_ORIGIN)?.genesisKey;
      if (registryKey) readerKeys.set(REGISTRY_ORIGIN, registryKey);
      // Other witnesses (--cosigner): HQ checks and keeps their cosignatures, and evidence bundles carry them.
      const cosigners = stringList(values, 'cosigner').flatMap((file) => readVerifierFile(file));
      const cosignEvery = optionalString(values, 'cosign-every');
      const cosignEveryMs = cosignEvery === undefined ? undefined : nonNegativeInteger(cosignEvery, '--cosign-every');
      // Only registered (or pinned) kiosks' logs are stored: an unknown log is refused with a security alert.
      const service = await HqService.start({
        store,
        broker: link,
        nodeId,
        witnessSigner: signer,
        trusted: new Set(trustedKeys.keys()),
        ...(registry ? { registry } : {}),
        agency,
        followsRegistry: registryPub !== undefined,
        cosigners,
        ...(cosignEveryMs === undefined ? {} : { cosignEveryMs }),
      });
      stops.push(() => service.close());
      // Staff decisions count only from the centres' staff logs: the registry's, or named with --staff-log.
      const pinnedStaff = new Set(stringList(values, 'staff-log'));
      const staffOrigin = (origin: string): boolean =>
        pinnedStaff.has(origin) ||
        (registry !== undefined && readRegistry(registry)?.staffLogs?.has(origin) === true) ||
        service.followedRegistry()?.staffLogs?.has(origin) === true;
      // An agency node's verdicts stay on its own store and screens: HQ publishes the shared alerts topic.
      const alertOptions = { trustedKeys: readerKeys, engine: { staffOrigin }, publish: !agency };
      // HQ nodes sharing one PostgreSQL: the lease holder alone judges breaches (fleet alerts are stored once by key).
      const leased =
        postgres === undefined
          ? undefined
          : await startLeasedBreachAlerts(service, {
              ...alertOptions,
              url: postgres,
              onChange: (holding) => {
                writeLine(
                  io.stdout,
                  holding ? `${nodeId}: judging breaches (lease taken)` : `${nodeId}: standing by (lease lost)`,
                );
              },
            });
      const breachAlerts = leased ?? (await startHqBreachAlerts(service, alertOptions));
      stops.push(() => breachAlerts.close());
      const hqLog = openHqLog(
        resolve(optionalString(values, 'log') ?? (dbPath ? `${dbPath}.log.db` : 'hq.log.db')),
        nodeId,
      );
      stops.push(() => {
        hqLog.close();
      });
      const usersPath = optionalString(values, 'users');
      const users = usersPath === undefined ? undefined : UserStore.open(usersPath);
      if (users)
        stops.push(() => {
          users.close();
        });
      const host = optionalString(values, 'http-host') ?? '127.0.0.1';
      const desk = new AlertDesk(store, hqLog, breachAlerts.deliver);
      // Any other Host is refused (DNS rebinding).
      const hostNames = stringList(values, 'host-name');
      const http = await startHqHttp(service, httpPort, host, users, desk, hostNames);
      stops.push(() => http.close());
      // "Export evidence" reads HQ's SQLite log store, or on PostgreSQL a verified copy of the person's logs made
      // for each export; HQ's witness cosigns each bundle's closing checkpoints, and every export is logged on HQ's
      // own log.
      const evidence = new EvidenceExports({
        stores:
          store instanceof SqliteHqStore
            ? [store.ledger]
            : async (subject) => {
                const copy = await subjectSnapshot(store, subject);
                return { stores: [copy.store], release: copy.remove };
              },
        log: hqLog,
        witnessSigners: [signer],
        witnessKeys: cosigners,
      });
      const alertsDashboard = withAlerts(
        new HqBackend({ hq: service, staffOrigin, trustedKeys: readerKeys }),
        alertsBackend(service, store, desk),
      );
      const dashboard = withHqEvidence(alertsDashboard, evidence);
      const web =
        webPortNumber === undefined || !users
          ? undefined
          : await startWebServer({ hq: dashboard, users, port: webPortNumber, host, hostNames });
      if (web) stops.push(() => web.close());
      writeLine(
        io.stdout,
        `${agency ? `agency node ${nodeId}` : 'hq'} ready: mqtt ${String(link.url)}${embedded ? ' (embedded)' : ''}, http ${http.url}${web?.urls.hq ? `, dashboard ${web.urls.hq}` : ''}`,
      );
      const signal = await untilSignal();
      writeLine(io.stdout, `hq stopping (${signal})`);
      return 0;
    } finally {
      for (const stop of stops.reverse()) await stop();
    }
  },
};

function optionalRegistryKey(file: string | undefined): { registryKey?: Uint8Array } {
  return file === undefined ? {} : { registryKey: readRegistryKey(file) };
}

const kiosk: Command = {
  path: ['kiosk'],
  summary: 'run a headless kiosk: own log, replication to peers and HQ, witness, heartbeat',
  usage: 'kiosk --db FILE --origin NAME --broker embedded|URL [--peer ORIGIN]... [--simulate PER_S]',
  details: [
    "--db FILE            the kiosk's log store, created (with its key) if missing",
    "--origin NAME        the log's name, <center>/<kiosk>, e.g. center-01/kiosk-2",
    '--key FILE           log key, default: the database path + ".key" (generated if missing)',
    '--witness-key FILE   witness key, default: the database path + ".witness.key"',
    '--peer ORIGIN        a peer kiosk of the same center to replicate and witness (repeat)',
    "--registry-pub FILE  HQ's registry public key (hq/registry, from provisioning): follow the registry, refuse revoked keys",
    '--heartbeat-s N      heartbeat period, default 30',
    '--simulate PER_S     append synthetic check-in entries at this rate (demos, fault tests)',
    ...brokerDetails,
  ],
  options: {
    'db': { type: 'string' },
    'origin': { type: 'string' },
    'key': { type: 'string' },
    'witness-key': { type: 'string' },
    'peer': { type: 'string', multiple: true },
    'heartbeat-s': { type: 'string' },
    'registry-pub': { type: 'string' },
    'simulate': { type: 'string' },
    ...brokerOptions,
  },
  run: async ({ values, io }) => {
    const dbPath = requireString(values, 'db');
    const origin = requireString(values, 'origin');
    const heartbeatS = nonNegativeInteger(optionalString(values, 'heartbeat-s') ?? '30', '--heartbeat-s');
    const rate = nonNegativeInteger(optionalString(values, 'simulate') ?? '0', '--simulate');
    const { signer } = loadOrCreateSigner(resolve(optionalString(values, 'key') ?? `${dbPath}.key`), origin);
    const { signer: witnessSigner } = loadOrCreateSigner(
      resolve(optionalString(values, 'witness-key') ?? `${dbPath}.witness.key`),
      origin,
    );
    const { link, embedded } = await brokerFrom(values, origin);
    const node = await KioskNode.start({
      storePath: dbPath,
      signer,
      witnessSigner,
      broker: link,
      peers: stringList(values, 'peer'),
      heartbeat: { everyMs: heartbeatS * 1000, version: VERSION },
      ...optionalRegistryKey(optionalString(values, 'registry-pub')),
    }).catch(async (error: unknown) => {
      // A failed start leaves nothing listening.
      await embedded?.close();
      throw error;
    });
    writeLine(
      io.stdout,
      `kiosk ${origin} ready: mqtt ${String(link.url)}${embedded ? ' (embedded)' : ''}, log size ${await node.store.size(origin)}`,
    );
    let simulated = 0;
    const simulator =
      rate > 0
        ? setInterval(() => {
            node.append('checkin', { subject: `sim-${simulated++}`, simulated: true }).catch((error: unknown) => {
              writeLine(io.stderr, `kiosk: append failed: ${errorMessage(error)}`);
            });
          }, 1000 / rate)
        : undefined;
    const signal = await untilSignal();
    if (simulator) clearInterval(simulator);
    writeLine(io.stdout, `kiosk stopping (${signal})`);
    await node.close();
    await embedded?.close();
    return 0;
  },
};

export const netCommands: readonly Command[] = [hq, kiosk];
