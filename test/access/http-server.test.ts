// The one HTTP layer (access/http-server.ts) that the kiosk, staff and HQ servers share: headers, Host and Origin,
// body limits, the error-to-status table, 405/404, and event streams with retry, keep-alive and backpressure.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type EventStream,
  type HttpServer,
  createHttpServer,
  eventStream,
  jsonBody,
  requireJson,
} from '../../access/http-server.ts';
import { SECURITY_HEADERS } from '../../access/security-headers.ts';
import { MusterError } from '../../core/errors.ts';
import { waitFor } from '../helpers/wait-for.ts';

describe('HTTP layer', () => {
  let server: HttpServer;
  let url: string;
  const streams: EventStream[] = [];
  const closes: string[] = [];

  beforeAll(async () => {
    server = createHttpServer({ isApi: (path) => path.startsWith('/api/'), bodyLimit: 1024, component: 'test' });
    server.route('/api/echo', {
      POST: (request) => {
        requireJson(request);
        return { ok: true, result: jsonBody(request) };
      },
    });
    server.route('/api/small', { POST: (request) => ({ length: (request.body as Buffer).length }) }, { bodyLimit: 16 });
    server.route('/api/fail/:code', {
      GET: (request) => {
        const { code } = request.params as { code: string };
        if (code === 'bug') throw new TypeError('a bug with a secret path /etc/x');
        throw new MusterError(code === 'corrupt' ? 'store-corrupt' : 'throttled', `failed: ${code}`);
      },
    });
    server.route('/page', { GET: (_request, reply) => reply.type('text/html; charset=utf-8').send('<p>hi</p>') });
    server.route('/events', {
      GET: (request, reply) => {
        const query = request.query as { keepAlive?: string; max?: string };
        const stream = eventStream(reply, {
          hello: 'test stream',
          keepAliveMs: Number(query.keepAlive ?? 60_000),
          maxBufferedBytes: Number(query.max ?? 1_048_576),
          retryMs: 2000,
        });
        stream.onClose((reason) => closes.push(reason));
        streams.push(stream);
      },
    });
    url = await server.listen();
  });

  afterAll(async () => {
    for (const stream of streams) stream.end();
    await server.close();
  });

  it('sends the security headers and no-store on every answer, errors included', async () => {
    for (const res of [
      await fetch(`${url}/page`),
      await fetch(`${url}/api/nothing`),
      await fetch(`${url}/api/fail/corrupt`),
    ]) {
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(res.headers.get(name), name).toBe(value);
      expect(res.headers.get('cache-control')).toBe('no-store');
    }
  });

  it('answers each error with the status its code names: server faults are 5xx and keep their details to the log', async () => {
    const corrupt = await fetch(`${url}/api/fail/corrupt`);
    expect(corrupt.status).toBe(500);
    expect(await corrupt.json()).toEqual({ ok: false, error: { code: 'store-corrupt', message: 'internal error' } });
    const bug = await fetch(`${url}/api/fail/bug`);
    expect(bug.status).toBe(500);
    expect(await bug.text()).not.toContain('/etc/x');
    const throttled = await fetch(`${url}/api/fail/throttled`);
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('60');
    expect(await throttled.json()).toEqual({ ok: false, error: { code: 'throttled', message: 'failed: throttled' } });
    const missing = await fetch(`${url}/api/nothing`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: 'not-found' } });
  });

  it('answers a method a path does not take with 405 and Allow', async () => {
    const res = await fetch(`${url}/api/echo`, { method: 'DELETE' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
    expect(await res.json()).toMatchObject({ error: { code: 'method-not-allowed' } });
    expect((await fetch(`${url}/page`, { method: 'POST', body: 'x' })).headers.get('allow')).toBe('GET, HEAD');
    expect((await fetch(`${url}/page`, { method: 'HEAD' })).status).toBe(200);
  });

  it('limits bodies (413), per route too, and refuses bad JSON (400) and other types (415)', async () => {
    const json = { 'content-type': 'application/json' };
    expect(
      await (await fetch(`${url}/api/echo`, { method: 'POST', headers: json, body: '{"a":[1,2]}' })).json(),
    ).toEqual({ ok: true, result: { a: [1, 2] } });
    const big = await fetch(`${url}/api/echo`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ a: 'x'.repeat(2000) }),
    });
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({ error: { code: 'body-too-large' } });
    expect((await fetch(`${url}/api/small`, { method: 'POST', body: 'x'.repeat(17) })).status).toBe(413);
    expect(await (await fetch(`${url}/api/small`, { method: 'POST', body: 'x'.repeat(16) })).json()).toEqual({
      length: 16,
    });
    expect((await fetch(`${url}/api/echo`, { method: 'POST', headers: json, body: '{' })).status).toBe(400);
    const form = await fetch(`${url}/api/echo`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: '{}',
    });
    expect(form.status).toBe(415);
    expect(await form.json()).toMatchObject({ error: { code: 'unsupported-media-type' } });
  });

  it('refuses a Host that is not this server, and a cross-site or cross-origin API request, before the route runs', async () => {
    const port = new URL(url).port;
    const raw = async (path: string, headers: string): Promise<string> => {
      const socket = connect(Number(port), '127.0.0.1');
      const chunks: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      socket.write(`GET ${path} HTTP/1.1\r\n${headers}Connection: close\r\n\r\n`);
      await new Promise((resolve) => socket.on('close', resolve));
      return Buffer.concat(chunks).toString();
    };
    expect(await raw('/page', 'Host: attacker.example\r\n')).toMatch(/^HTTP\/1\.1 403/);
    expect(await raw('/page', `Host: 127.0.0.1:${port}\r\nSec-Fetch-Site: cross-site\r\n`)).toMatch(/^HTTP\/1\.1 200/);
    expect(await raw('/api/fail/throttled', `Host: 127.0.0.1:${port}\r\nSec-Fetch-Site: cross-site\r\n`)).toMatch(
      /^HTTP\/1\.1 403/,
    );
    expect(await raw('/api/fail/throttled', `Host: 127.0.0.1:${port}\r\nOrigin: http://evil.example\r\n`)).toMatch(
      /^HTTP\/1\.1 403/,
    );
    expect(await raw('/api/fail/throttled', `Host: 127.0.0.1:${port}\r\nOrigin: http://127.0.0.1:${port}\r\n`)).toMatch(
      /^HTTP\/1\.1 429/,
    );
  });

  it('opens an event stream with a jittered retry and the security headers, and keeps it alive while idle', async () => {
    const before = streams.length;
    const res = await fetch(`${url}/events?keepAlive=20`);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    expect(res.headers.get('content-security-policy')).toBe(SECURITY_HEADERS['content-security-policy']);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    while (!text.includes(': keep-alive')) text += new TextDecoder().decode((await reader.read()).value);
    const retry = Number(/^retry: (\d+)\n/.exec(text)?.[1]);
    expect(retry).toBeGreaterThanOrEqual(1000);
    expect(retry).toBeLessThanOrEqual(2000);
    expect(text).toContain(': test stream\n\n');
    const stream = streams[before] as EventStream;
    expect(stream.send({ n: 1 }, 'tick')).toBe(true);
    while (!text.includes('event: tick\ndata: {"n":1}\n\n'))
      text += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    await waitFor(() => stream.closed, 'the stream to see its reader leave');
  });

  it('ends a stream whose reader stops reading once its buffer passes the bound, and keeps serving a reader that reads', async () => {
    const port = Number(new URL(url).port);
    const before = streams.length;
    const slow = connect(port, '127.0.0.1');
    slow.write(`GET /events?max=65536 HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
    await new Promise((resolve) => slow.once('data', resolve));
    slow.pause(); // the reader stalls: the kernel's buffers fill, then the server's
    await waitFor(() => streams.length > before, 'the slow stream');
    const stream = streams[before] as EventStream;
    const frame = { pad: 'x'.repeat(1000) };
    let sent = 0;
    while (stream.send(frame) && sent < 100_000) sent++;
    expect(stream.closed).toBe(true);
    expect(sent).toBeLessThan(100_000);
    await waitFor(() => closes.includes('slow-reader'), 'the slow reader reported');
    slow.destroy();

    const fast = await fetch(`${url}/events`);
    const reader = (fast.body as ReadableStream<Uint8Array>).getReader();
    await waitFor(() => streams.length > before + 1, 'the fast stream');
    const live = streams[before + 1] as EventStream;
    let received = 0;
    const reading = (async () => {
      let text = '';
      while (received < 2000) {
        const { value, done } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
        const frames = text.split('\n\n');
        text = frames.pop() ?? '';
        received += frames.filter((f) => f.startsWith('data:')).length;
      }
    })();
    for (let i = 0; i < 2000; i++) {
      expect(live.send(frame)).toBe(true);
      // Yield now and then so the socket drains as a reading client's would.
      if (i % 50 === 49) await new Promise((resolve) => setImmediate(resolve));
    }
    await reading;
    expect(received).toBe(2000);
    expect(live.closed).toBe(false);
    await reader.cancel();
  });
});
