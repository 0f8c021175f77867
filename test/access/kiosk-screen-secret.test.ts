// The kiosk screen's API answers only the page that holds this start's screen secret: a process or a page that
// merely connects from this machine (the kiosk API used to trust any loopback connection) is refused, sees no
// person's view and cannot start a check-in.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCREEN_SECRET_HEADER, SCREEN_SECRET_PARAM } from '../../core/api/session-api.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { KioskScreen } from '../../main/web/kiosk-screen.ts';
import { type WebServer, startWebServer } from '../../main/web/web-server.ts';

describe('kiosk screen secret', () => {
  let server: WebServer;
  let secret: string;

  beforeAll(async () => {
    server = await startWebServer({ kiosk: new KioskScreen() });
    const page = new URL(server.urls.kiosk ?? '');
    secret = new URLSearchParams(page.hash.slice(1)).get(SCREEN_SECRET_PARAM) ?? '';
  });
  afterAll(async () => {
    await server.close();
  });

  const call = async (
    method: string,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; code: string | undefined }> => {
    const res = await fetch(`${server.url}/api/call`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ method, params: {} }),
    });
    const body = (await res.json()) as { error?: { code: string } };
    return { status: res.status, code: body.error?.code };
  };

  it('hands the secret only in the kiosk page URL fragment, fresh at each start', async () => {
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const page = new URL(server.urls.kiosk ?? '');
    expect(page.pathname).toBe('/kiosk');
    expect(page.search).toBe('');
    const again = await startWebServer({ kiosk: new KioskScreen() });
    try {
      expect(new URLSearchParams(new URL(again.urls.kiosk ?? '').hash.slice(1)).get(SCREEN_SECRET_PARAM)).not.toBe(
        secret,
      );
    } finally {
      await again.close();
    }
    // The page itself never carries it: a process that fetches /kiosk learns nothing.
    expect(await (await fetch(`${server.url}/kiosk`)).text()).not.toContain(secret);
  });

  it('refuses a loopback caller without the secret or with a wrong one', async () => {
    expect(await call('kiosk.view')).toEqual({ status: 403, code: 'forbidden' });
    expect(await call('kiosk.begin')).toEqual({ status: 403, code: 'forbidden' });
    expect(await call('kiosk.view', { [SCREEN_SECRET_HEADER]: 'x'.repeat(43) })).toEqual({
      status: 403,
      code: 'forbidden',
    });
    expect(await call('kiosk.view', { [SCREEN_SECRET_HEADER]: `${secret}x` })).toEqual({
      status: 403,
      code: 'forbidden',
    });
    expect(await call('kiosk.view', { [SCREEN_SECRET_HEADER]: secret })).toEqual({ status: 200, code: undefined });
  });

  it('streams the person at the kiosk only to the holder of the secret', async () => {
    // Collects a stream's text; resolves `opened` at its first bytes (the stream's opening comment).
    const stream = (path: string): { text: () => string; opened: Promise<void>; close: () => void } => {
      let text = '';
      let opened: () => void = () => undefined;
      const ready = new Promise<void>((resolve) => (opened = resolve));
      const req = request(`${server.url}${path}`, (res) => {
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
          opened();
        });
      });
      req.end();
      return { text: () => text, opened: ready, close: () => req.destroy() };
    };
    const stranger = stream('/api/events');
    const wrong = stream(`/api/events?${SCREEN_SECRET_PARAM}=${'x'.repeat(43)}`);
    const holder = stream(`/api/events?${SCREEN_SECRET_PARAM}=${secret}`);
    await Promise.all([stranger.opened, wrong.opened, holder.opened]);
    // Every stream is subscribed now; a reset publishes the start view to those allowed to see it.
    expect(await call('kiosk.reset', { [SCREEN_SECRET_HEADER]: secret })).toEqual({ status: 200, code: undefined });
    await waitFor(() => holder.text().includes('"event":"kiosk.view"'), "the start view on the holder's stream");
    // One more round trip on the same server: frames written with the holder's have arrived by its answer.
    await call('kiosk.view', { [SCREEN_SECRET_HEADER]: secret });
    for (const s of [stranger, wrong, holder]) s.close();
    expect(stranger.text()).toContain(': muster live updates');
    expect(stranger.text()).not.toContain('data: ');
    expect(wrong.text()).not.toContain('data: ');
  });
});
