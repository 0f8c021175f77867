// The screens' live updates after sign-out: main/web's /api/events ends a stream at its next frame once the
// session behind it was signed out or its user locked (the same check as HQ's API, access/http-guard.ts
// sessionLive), and unsubscribes from the backend.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventMessage } from '../../core/api/api.ts';
import { UserStore } from '../../access/user-store.ts';
import type { ApiBackend } from '../../main/web/api-service.ts';
import { type WebServer, startWebServer } from '../../main/web/web-server.ts';
import { type EventStream, openEventStream } from '../helpers/event-stream.ts';
import { waitFor } from '../helpers/wait-for.ts';

const PASSWORD = 'events password 1';

describe('screens API: event streams after sign-out', () => {
  const dir = mkdtempSync(join(tmpdir(), 'muster-web-events-'));
  let users: UserStore;
  let server: WebServer;
  const listeners = new Set<(message: EventMessage) => void>();
  let n = 0;
  const emit = (): string => {
    const what = `change-${n++}`;
    for (const listener of listeners) listener({ event: 'hq.changed', data: { at: n, what } });
    return what;
  };

  beforeAll(async () => {
    users = UserStore.open(join(dir, 'users.db'), { scrypt: { logN: 10, r: 8, p: 1 } });
    for (const name of ['ola', 'ivo']) await users.add({ name, role: 'officer', password: PASSWORD });
    const hq: ApiBackend = {
      handlers: {},
      subscribe: (listener) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    };
    server = await startWebServer({ hq, users });
  });

  afterAll(async () => {
    await server.close();
    users.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const open = (token: string): EventStream => openEventStream(`${server.url}/api/events`, token);

  async function seen(stream: EventStream, what: string): Promise<void> {
    await waitFor(() => stream.frames.join('').includes(what), `${what} on the stream`);
  }

  it('ends a stream at its next frame once its session was signed out, and once its user was locked', async () => {
    const ola = open((await users.signIn('ola', PASSWORD)).token);
    const ivoToken = (await users.signIn('ivo', PASSWORD)).token;
    const ivo = open(ivoToken);
    await waitFor(() => listeners.size === 2, 'both streams to open');
    const first = emit();
    await seen(ola, first);
    await seen(ivo, first);

    await fetch(`${server.url}/api/session`, { method: 'DELETE', headers: { authorization: `Bearer ${ivoToken}` } });
    const second = emit();
    await ivo.ended;
    await seen(ola, second);
    expect(ivo.frames.join('')).not.toContain(second);

    users.lock('ola');
    const third = emit();
    await ola.ended;
    expect(ola.frames.join('')).not.toContain(third);
    await waitFor(() => listeners.size === 0, 'both streams to unsubscribe');
  });
});
