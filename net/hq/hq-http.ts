// HQ's HTTP API for the dashboard (node:http, JSON) with live updates as Server-Sent Events.
//   GET /api/logs                         every log: size, witnessed checkpoint, equivocation evidence count
//   GET /api/logs/<origin>/entries?from=&limit=   verified entries (origin URL-encoded)
//   GET /api/logs/<origin>/checkpoint     the latest witnessed checkpoint (signed note)
//   GET /api/kiosks                       fleet health
//   GET /api/alerts?after=&limit=         alerts in order
//   GET /api/events                       SSE: alert, entries, kiosk
// Bad requests get 400 with {error: {code, message}}; nothing a client sends can crash the service.
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { toBase64, toHex } from '../../core/bytes.ts';
import type { CborValue } from '../../core/canonical.ts';
import { checkOrigin, decodeLeaf } from '../../core/entry.ts';
import { MusterError, errorMessage } from '../../core/errors.ts';
import { leafHash } from '../../ledger/hash.ts';
import type { HqEvents, HqService } from './hq-service.ts';

const MAX_PAGE = 1000;

export interface HqHttp {
  readonly url: string;
  close(): Promise<void>;
}

export async function startHqHttp(hq: HqService, port: number, host = '127.0.0.1'): Promise<HqHttp> {
  const clients = new Set<ServerResponse>();
  const server: Server = createServer((req, res) => {
    void route(hq, req, res, clients).catch((error: unknown) => {
      const status = error instanceof MusterError ? (error.code === 'not-found' ? 404 : 400) : 500;
      const code = error instanceof MusterError ? error.code : 'internal';
      if (!res.headersSent) send(res, status, { error: { code, message: errorMessage(error) } });
      else res.end();
    });
  });
  const push = <K extends keyof HqEvents>(name: K) => (data: HqEvents[K][0]): void => {
    const frame = `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const client of clients) client.write(frame);
  };
  const onAlert = push('alert');
  const onEntries = push('entries');
  const onKiosk = push('kiosk');
  hq.events.on('alert', onAlert);
  hq.events.on('entries', onEntries);
  hq.events.on('kiosk', onKiosk);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      resolve();
    });
  });
  const address = server.address() as { port: number };
  return {
    url: `http://${host}:${address.port}`,
    close: async () => {
      hq.events.off('alert', onAlert);
      hq.events.off('entries', onEntries);
      hq.events.off('kiosk', onKiosk);
      for (const client of clients) client.end();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => {
        resolve();
      }));
    },
  };
}

async function route(hq: HqService, req: IncomingMessage, res: ServerResponse, clients: Set<ServerResponse>): Promise<void> {
  if (req.method !== 'GET') {
    send(res, 405, { error: { code: 'method-not-allowed', message: 'the API is read-only: GET only' } });
    return;
  }
  const url = new URL(req.url ?? '/', 'http://hq');
  const parts = url.pathname.split('/').filter((p) => p !== '');
  if (parts[0] !== 'api') throw new MusterError('not-found', `no such path ${url.pathname}`);
  const store = hq.store;
  if (parts.length === 2 && parts[1] === 'events') {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    res.write(': muster hq live updates\n\n');
    clients.add(res);
    req.on('close', () => clients.delete(res));
    return;
  }
  if (parts.length === 2 && parts[1] === 'kiosks') {
    send(res, 200, { kiosks: hq.fleetView() });
    return;
  }
  if (parts.length === 2 && parts[1] === 'alerts') {
    send(res, 200, { alerts: await store.alerts(count(url, 'after', 0), Math.min(count(url, 'limit', 100), MAX_PAGE)) });
    return;
  }
  if (parts.length === 2 && parts[1] === 'logs') {
    const logs = [];
    for (const origin of await store.origins()) {
      const witnessed = await store.witnessed(origin);
      logs.push({
        origin,
        size: await store.size(origin),
        witnessed: witnessed ? { size: witnessed.size, root: toBase64(witnessed.root), at: witnessed.at } : null,
        conflicts: (await store.conflicts(origin)).length,
      });
    }
    send(res, 200, { logs });
    return;
  }
  if (parts.length === 4 && parts[1] === 'logs') {
    const origin = originParam(parts[2] ?? '');
    if ((await store.size(origin)) === 0) throw new MusterError('not-found', `no log ${origin}`);
    if (parts[3] === 'checkpoint') {
      const witnessed = await store.witnessed(origin);
      if (!witnessed) throw new MusterError('not-found', `no witnessed checkpoint for ${origin} yet`);
      send(res, 200, { origin, size: witnessed.size, note: witnessed.note });
      return;
    }
    if (parts[3] === 'entries') {
      const from = count(url, 'from', 0);
      const limit = Math.min(count(url, 'limit', 100), MAX_PAGE);
      const leaves = await store.leaves(origin, from, from + limit);
      const entries = leaves.map((leaf) => {
        const { body } = decodeLeaf(leaf);
        return { seq: body.seq, ts: body.ts, type: body.type, payload: jsonSafe(body.payload), hash: toHex(leafHash(leaf)) };
      });
      send(res, 200, { origin, entries });
      return;
    }
  }
  throw new MusterError('not-found', `no such path ${url.pathname}`);
}

function originParam(text: string): string {
  try {
    return checkOrigin(decodeURIComponent(text));
  } catch (error) {
    throw new MusterError('bad-request', `not a log origin: ${errorMessage(error)}`);
  }
}

function count(url: URL, name: string, fallback: number): number {
  const text = url.searchParams.get(name);
  if (text === null) return fallback;
  if (!/^\d{1,15}$/.test(text)) throw new MusterError('bad-request', `${name} must be a non-negative integer, got ${JSON.stringify(text.slice(0, 40))}`);
  return Number(text);
}

/** CBOR payload values as JSON: byte strings become base64. */
function jsonSafe(value: CborValue): unknown {
  if (value instanceof Uint8Array) return { base64: toBase64(value) };
  if (Array.isArray(value)) return value.map((v: CborValue) => jsonSafe(v));
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonSafe(v)]));
  return value;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
