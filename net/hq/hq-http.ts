// HQ's HTTP API for the dashboard (JSON) with live updates as Server-Sent Events.
//   GET /api/logs                         every log: size, witnessed checkpoint, other witnesses' cosignatures, equivocation evidence count
//   GET /api/logs/<origin>/entries?from=&limit=   verified entries (origin URL-encoded)
//   GET /api/logs/<origin>/checkpoint     the latest witnessed checkpoint (signed note)
//   GET /api/logs/<origin>/access-records?from=&limit=   access, erasure and evidence-export records in that page (auditors)
//   GET /api/kiosks                       fleet health
//   GET /api/alerts?after=&limit=         alerts in order
//   GET /api/breach-alerts?centre=&limit=  breach alerts, newest first (net/hq/breach-alert.ts)
//   GET /api/breach-alerts/<id>           one alert with its history (id URL-encoded)
//   POST /api/breach-alerts/<id>/acknowledge|assign|resolve   {note, assignee?}: an officer's action (JSON only)
//   GET /api/events                       SSE: alert, breach-alert, entries, kiosk, cosignature (another witness's, as /api/logs lists it)
// Served on the shared HTTP layer (access/http-server.ts): security headers, Host and Origin checks, body limit,
// every error as {ok: false, error: {code, message}} with its code's status; nothing a client sends can crash it.
// With a user store every route needs a session (access/http-guard.ts, sign-in at /api/session) and each answer
// holds only what the principal may see (staff: their centres); without one HQ serves loopback only.
import { decimal, ident, openObj } from '../../core/api/check.ts';
import { toBase64, toHex } from '../../core/bytes.ts';
import type { CborValue } from '../../core/canonical.ts';
import { checkOrigin } from '../../core/entry.ts';
import { parseAccessRecord, parseErasureRecord, parseEvidenceExport } from '../../core/access/access-records.ts';
import { type Action, type Principal, type Resource, can, holds } from '../../core/access/roles.ts';
import { MusterError, errorMessage } from '../../core/errors.ts';
import { schemaParser } from '../../core/schema.ts';
import { authenticate, authorize, sessionLive } from '../../access/http-guard.ts';
import {
  type EventStream,
  type FastifyReply,
  type FastifyRequest,
  createHttpServer,
  eventStream,
  jsonBody,
  requireJson,
  serveSessions,
} from '../../access/http-server.ts';
import type { UserStore } from '../../access/user-store.ts';
import { centerOf } from '../alerts.ts';
import { AlertDesk } from './alert-desk.ts';
import { verifiedPage } from './verified-page.ts';
import type { VerifyProblem } from '../../ledger/verified-reader.ts';
import type { BreachAlert } from './breach-alert.ts';
import type { HqEvents, HqService } from './hq-service.ts';

const MAX_PAGE = 1000;
/** Pages of entries and alerts (`from`, `after`, `limit`) and a centre; parameters no route reads are let through. */
const QUERY = openObj({}, { from: decimal, after: decimal, limit: decimal, centre: ident });
/** A query parameter that does not fit is the client's mistake (400), e.g. `query.limit: expected a non-negative integer`. */
const parseQuery = schemaParser(QUERY, 'bad-request', 'query');
/** Entries that say who read or erased whose personal data, or exported whose evidence: served only under read-access-records. */
const ACCESS_RECORDS = {
  'access': parseAccessRecord,
  'erasure': parseErasureRecord,
  'evidence-export': parseEvidenceExport,
} as const;
const ACCESS_TYPES: ReadonlySet<string> = new Set(Object.keys(ACCESS_RECORDS));
const MAX_ACTION_BYTES = 4096;
/** Who acts on a loopback-only HQ without a user store (the operator at the machine). */
const LOCAL_OPERATOR = 'local-operator';

export interface HqHttp {
  readonly url: string;
  close(): Promise<void>;
}

/** Whether the signed-in principal may act on a resource; anything, for a loopback-only HQ without a user store. */
type Allowed = (action: Action, resource?: Resource) => boolean;
const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;
/** HQ API's own session cookie (the dashboard's web server uses another): browsers do not scope cookies by port. */
const HQ_API_COOKIE = 'muster_hq_api';

/** `hostNames`: DNS names (besides IP literals and localhost) the API answers to, e.g. behind a TLS proxy. */
export async function startHqHttp(
  hq: HqService,
  port: number,
  host = '127.0.0.1',
  users?: UserStore,
  desk?: AlertDesk,
  hostNames: readonly string[] = [],
): Promise<HqHttp> {
  if (!users && !LOOPBACK.test(host))
    throw new MusterError('insecure-bind', `HQ's API may listen on ${host} only with a user store (--users FILE)`);
  /** Event streams, each with what its principal may see and whether its session still holds. */
  const clients = new Map<EventStream, { allowed: Allowed; live: () => boolean }>();
  // Every route is API: Host, Sec-Fetch-Site and Origin are checked before anything else, sign-in included.
  const server = createHttpServer({
    host,
    port,
    hostNames,
    isApi: () => true,
    bodyLimit: MAX_ACTION_BYTES,
    component: 'hq-http',
  });
  if (users) serveSessions(server, users, { cookie: HQ_API_COOKIE });
  const serve = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const principal = users ? authenticate(request.raw, users, HQ_API_COOKIE) : undefined;
    await route(hq, desk, request, reply, clients, principal, sessionLive(request.raw, users, HQ_API_COOKIE));
  };
  server.route('/api/*', { GET: serve, POST: serve });
  const push =
    <K extends keyof HqEvents>(name: K, visible: (data: HqEvents[K][0], allowed: Allowed) => boolean) =>
    (data: HqEvents[K][0]): void => {
      for (const [client, { allowed, live }] of clients) {
        // A stream whose session expired, was signed out or locked ends at its next frame.
        if (!live()) {
          clients.delete(client);
          client.end();
        } else if (visible(data, allowed)) {
          client.send(data, name);
        }
      }
    };
  const onAlert = push('alert', (a, allowed) => allowed('read-breaches', alertResource(a)));
  const onBreachAlert = push('breach-alert', (a, allowed) => breachAlertVisible(a, allowed));
  const onEntries = push('entries', (e, allowed) => allowed('read-log', originResource(e.origin)));
  const onKiosk = push('kiosk', (k, allowed) => allowed('read-fleet', originResource(k.kiosk)));
  const onCosignature = push('cosignature', (c, allowed) => allowed('read-log', originResource(c.origin)));
  hq.events.on('alert', onAlert);
  hq.events.on('breach-alert', onBreachAlert);
  hq.events.on('entries', onEntries);
  hq.events.on('kiosk', onKiosk);
  hq.events.on('cosignature', onCosignature);
  const url = await server.listen();
  return {
    url,
    close: async () => {
      hq.events.off('alert', onAlert);
      hq.events.off('breach-alert', onBreachAlert);
      hq.events.off('entries', onEntries);
      hq.events.off('kiosk', onKiosk);
      hq.events.off('cosignature', onCosignature);
      for (const client of clients.keys()) client.end();
      await server.close();
    },
  };
}

async function route(
  hq: HqService,
  desk: AlertDesk | undefined,
  req: FastifyRequest,
  res: FastifyReply,
  clients: Map<EventStream, { allowed: Allowed; live: () => boolean }>,
  principal: Principal | undefined,
  live: () => boolean,
): Promise<void> {
  const allowed: Allowed = (action, resource = {}) => principal === undefined || can(principal, action, resource);
  /** Refuses a route the role never holds (403); lists are then filtered to the principal's scope. */
  const mayAtAll = (action: Action): void => {
    if (principal && !holds(principal.role, action)) authorize(principal, action);
  };
  const url = new URL(req.url, 'http://hq');
  const parts = url.pathname.split('/').filter((p) => p !== '');
  const store = hq.store;
  if (req.method === 'POST' && parts.length === 4 && parts[0] === 'api' && parts[1] === 'breach-alerts') {
    await alertAction(store, desk, req, res, alertIdParam(parts[2] ?? ''), parts[3] ?? '', principal);
    return;
  }
  if (req.method !== 'GET') {
    res.header('allow', 'GET, HEAD');
    throw new MusterError('method-not-allowed', 'GET only, but for POST /api/breach-alerts/<id>/<action>');
  }
  // Fastify's parser: a parameter given twice is a list, which no field takes.
  const query = parseQuery(req.query);
  const limit = Math.min(query.limit ?? 100, MAX_PAGE);
  const from = query.from ?? 0;
  if (parts[0] !== 'api') throw new MusterError('not-found', `no such path ${url.pathname}`);
  if (parts[1] === 'breach-alerts' && parts.length <= 3) {
    mayAtAll('read-breaches');
    if (parts.length === 3) {
      const alert = await store.breachAlert(alertIdParam(parts[2] ?? ''));
      if (!alert || !breachAlertVisible(alert, allowed))
        throw new MusterError('not-found', `no breach alert ${parts[2] ?? ''}`);
      send(res, 200, { alert });
      return;
    }
    const alerts = await store.breachAlerts({
      ...(query.centre === undefined ? {} : { centre: query.centre }),
      limit,
    });
    send(res, 200, { alerts: alerts.filter((a) => breachAlertVisible(a, allowed)) });
    return;
  }
  if (parts.length === 2 && parts[1] === 'events') {
    if (principal && !(['read-breaches', 'read-fleet', 'read-log'] as const).some((a) => holds(principal.role, a)))
      authorize(principal, 'read-breaches');
    const stream = eventStream(res, { hello: 'muster hq live updates' });
    clients.set(stream, { allowed, live });
    stream.onClose(() => clients.delete(stream));
    return;
  }
  if (parts.length === 2 && parts[1] === 'kiosks') {
    mayAtAll('read-fleet');
    send(res, 200, { kiosks: hq.fleetView().filter((k) => allowed('read-fleet', originResource(k.kiosk))) });
    return;
  }
  if (parts.length === 2 && parts[1] === 'alerts') {
    mayAtAll('read-breaches');
    const alerts = await store.alerts(query.after ?? 0, limit);
    send(res, 200, { alerts: alerts.filter((a) => allowed('read-breaches', alertResource(a))) });
    return;
  }
  if (parts.length === 2 && parts[1] === 'logs') {
    mayAtAll('read-log');
    const logs = [];
    for (const origin of await store.origins()) {
      if (!allowed('read-log', originResource(origin))) continue;
      const witnessed = await store.witnessed(origin);
      logs.push({
        origin,
        size: await store.size(origin),
        witnessed: witnessed ? { size: witnessed.size, root: toBase64(witnessed.root), at: witnessed.at } : null,
        conflicts: (await store.conflicts(origin)).length,
        // Other witnesses' (the police node's, peer kiosks') latest cosignatures, checked against HQ's copy.
        cosignatures: hq.cosignatures(origin),
      });
    }
    send(res, 200, { logs });
    return;
  }
  if (parts.length === 4 && parts[1] === 'logs') {
    const origin = originParam(parts[2] ?? '');
    if (principal) authorize(principal, 'read-log', originResource(origin));
    if ((await store.size(origin)) === 0) throw new MusterError('not-found', `no log ${origin}`);
    if (parts[3] === 'checkpoint') {
      const witnessed = await store.witnessed(origin);
      if (!witnessed) throw new MusterError('not-found', `no witnessed checkpoint for ${origin} yet`);
      send(res, 200, { origin, size: witnessed.size, note: witnessed.note });
      return;
    }
    if (parts[3] === 'entries') {
      const { entries: page, problem } = await verifiedPage(store, origin, from, from + limit);
      if (problem) {
        sendUnverified(res, origin, problem);
        return;
      }
      // One policy for every route that returns entries: access and erasure records only to those who may read
      // access records (the route below); others get the entry's place and hash, not what it says.
      const mayReadAccess = allowed('read-access-records', originResource(origin));
      const entries = page.map((body) => {
        const withheld = !mayReadAccess && ACCESS_TYPES.has(body.type);
        return {
          seq: body.seq,
          ts: body.ts,
          type: body.type,
          ...(withheld ? { withheld: 'read-access-records' } : { payload: jsonSafe(body.payload) }),
          hash: toHex(body.hash),
        };
      });
      send(res, 200, { origin, entries });
      return;
    }
    if (parts[3] === 'access-records') {
      if (principal) authorize(principal, 'read-access-records', originResource(origin));
      const { entries: page, problem } = await verifiedPage(store, origin, from, from + limit);
      if (problem) {
        sendUnverified(res, origin, problem);
        return;
      }
      const records = page.flatMap((body): unknown[] => {
        if (!ACCESS_TYPES.has(body.type)) return [];
        try {
          return [
            {
              seq: body.seq,
              ts: body.ts,
              type: body.type,
              record: ACCESS_RECORDS[body.type as keyof typeof ACCESS_RECORDS](body.payload),
            },
          ];
        } catch (error) {
          return [{ seq: body.seq, ts: body.ts, type: body.type, problem: errorMessage(error) }];
        }
      });
      send(res, 200, { origin, from, to: from + page.length, records });
      return;
    }
  }
  throw new MusterError('not-found', `no such path ${url.pathname}`);
}

/** POST /api/breach-alerts/<id>/<action>: JSON only (a form post from another site cannot send it), by a role that decides reviews for one of the alert's centres. */
async function alertAction(
  store: HqService['store'],
  desk: AlertDesk | undefined,
  req: FastifyRequest,
  res: FastifyReply,
  id: string,
  action: string,
  principal: Principal | undefined,
): Promise<void> {
  if (!desk) throw new MusterError('not-found', 'this node takes no alert actions');
  requireJson(req);
  const alert = await store.breachAlert(id);
  if (!alert) throw new MusterError('not-found', `no breach alert ${id}`);
  if (principal && !alert.centres.some((centre) => can(principal, 'decide-review', { centre, subject: alert.subject })))
    authorize(principal, 'decide-review', { centre: alert.centres[0] ?? '' });
  const request = AlertDesk.request(action, jsonBody(req), principal?.user ?? LOCAL_OPERATOR);
  send(res, 200, { alert: await desk.act(id, request) });
}

/** A breach alert is visible to whoever may read breaches at one of its centres (a parolee: their own). */
function breachAlertVisible(alert: BreachAlert, allowed: Allowed): boolean {
  return alert.centres.some((centre) => allowed('read-breaches', { centre, subject: alert.subject }));
}

function alertIdParam(text: string): string {
  let id: string;
  try {
    id = decodeURIComponent(text);
  } catch {
    throw new MusterError('bad-request', 'alert id: bad URL encoding');
  }
  if (!/^(breach|review):[A-Za-z0-9][A-Za-z0-9._:/@-]{0,200}$/.test(id))
    throw new MusterError('bad-request', `not a breach alert id: ${JSON.stringify(id.slice(0, 80))}`);
  return id;
}

function originResource(origin: string): Resource {
  return { centre: centerOf(origin) };
}

/** A breach alert names its subject in the evidence: a parolee sees only their own. */
function alertResource(alert: {
  readonly center: string;
  readonly evidence: Readonly<Record<string, unknown>>;
}): Resource {
  const subject = alert.evidence.subject;
  return typeof subject === 'string' ? { centre: alert.center, subject } : { centre: alert.center };
}

function originParam(text: string): string {
  try {
    return checkOrigin(decodeURIComponent(text));
  } catch (error) {
    throw new MusterError('bad-request', `not a log origin: ${errorMessage(error)}`);
  }
}

/** CBOR payload values as JSON: byte strings become base64. */
function jsonSafe(value: CborValue): unknown {
  if (value instanceof Uint8Array) return { base64: toBase64(value) };
  if (Array.isArray(value)) return value.map((v: CborValue) => jsonSafe(v));
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonSafe(v)]));
  return value;
}

/**
 * A page that reaches an entry that failed verification: refused as a fault of HQ's store (500), naming the entry and
 * its kind (not its reason, which may quote what it says), with none of the page's entries.
 */
function sendUnverified(res: FastifyReply, origin: string, problem: VerifyProblem): void {
  const at = `${problem.origin}#${problem.seq}`;
  send(res, 500, {
    ok: false,
    error: {
      code: 'store-corrupt',
      message: `${at} failed verification (${problem.kind}): entries of ${origin} from it on are withheld`,
    },
  });
}

function send(res: FastifyReply, status: number, body: unknown): void {
  void res.code(status).send(body);
}
