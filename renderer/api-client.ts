// The renderer's side of the typed API. In Electron the preload exposes `window.musterApi` (IPC to main); in a
// browser the same MusterApi runs over fetch (POST /api/call) and Server-Sent Events (/api/events). Every
// answer and event is checked against its validator before a screen sees it.
import {
  type EventData,
  type EventName,
  type Method,
  type MusterApi,
  type Params,
  type Result,
  parseAnswer,
  parseEvent,
  parseResult,
} from '../core/api/api.ts';
import { check } from '../core/api/check.ts';
import {
  ACTIVITY_HEADER,
  type PrincipalView,
  SCREEN_SECRET_HEADER,
  SCREEN_SECRET_PARAM,
  sessionAnswer,
  signInAnswer,
} from '../core/api/session-api.ts';

declare global {
  interface Window {
    readonly musterApi?: MusterApi;
  }
}

export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function connectApi(): MusterApi {
  return window.musterApi ? checked(window.musterApi) : browserApi();
}

/** The preload's API (Electron) with every answer and event checked, and errors as ApiError. */
function checked(raw: MusterApi): MusterApi {
  return {
    async call<M extends Method>(method: M, params: Params<M>): Promise<Result<M>> {
      let result: unknown;
      try {
        result = await raw.call(method, params);
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        throw new ApiError(
          typeof code === 'string' ? code : 'internal',
          error instanceof Error ? error.message : String(error),
        );
      }
      return parseResult(method, result);
    },
    on<E extends EventName>(event: E, listener: (data: EventData<E>) => void): () => void {
      return raw.on(event, (data) => {
        listener(parseEvent({ event, data }).data as EventData<E>);
      });
    },
  };
}

/**
 * Activity, not timers, keeps a session alive: calls the screen makes on its own (live updates, periodic
 * refreshes) say `idle` unless the person touched the page in the last minute, and the server then does not
 * restart the session's idle timer for them.
 */
const ACTIVE_FOR_MS = 60_000;
let lastActivity = Date.now();

function activity(): 'active' | 'idle' {
  return Date.now() - lastActivity < ACTIVE_FOR_MS ? 'active' : 'idle';
}

if (typeof document !== 'undefined') {
  for (const type of ['keydown', 'pointerdown', 'input', 'wheel']) {
    document.addEventListener(
      type,
      () => {
        lastActivity = Date.now();
      },
      { capture: true, passive: true },
    );
  }
}

/** The kiosk screen's secret, which only its own window's URL carries (browser mode); other pages have none. */
function screenSecret(): string | undefined {
  return typeof location === 'undefined'
    ? undefined
    : (new URLSearchParams(location.hash.slice(1)).get(SCREEN_SECRET_PARAM) ?? undefined);
}

function browserApi(): MusterApi {
  const listeners = new Map<EventName, Set<(data: never) => void>>();
  const secret = screenSecret();
  let source: EventSource | undefined;
  const open = (): void => {
    if (source) return;
    source = new EventSource(
      secret === undefined
        ? '/api/events'
        : `/api/events?${new URLSearchParams({ [SCREEN_SECRET_PARAM]: secret }).toString()}`,
    );
    source.onmessage = (message: MessageEvent<string>) => {
      const event = parseEvent(JSON.parse(message.data) as unknown);
      for (const listener of listeners.get(event.event) ?? []) (listener as (data: unknown) => void)(event.data);
    };
  };
  return {
    async call<M extends Method>(method: M, params: Params<M>): Promise<Result<M>> {
      const headers = {
        'content-type': 'application/json',
        [ACTIVITY_HEADER]: activity(),
        ...(secret === undefined ? {} : { [SCREEN_SECRET_HEADER]: secret }),
      };
      const res = await fetch('/api/call', {
        method: 'POST',
        headers,
        body: JSON.stringify({ method, params }),
        credentials: 'same-origin',
      }).catch((error: unknown) => {
        throw new ApiError('offline', error instanceof Error ? error.message : String(error));
      });
      const text = await res.text();
      let body: unknown;
      try {
        body = JSON.parse(text) as unknown;
      } catch {
        // A proxy's error page or a crashed handler: say what came back, not how JSON.parse failed on it.
        throw new ApiError('server', `HTTP ${res.status}: ${text.slice(0, 200)}`);
      }
      const answer = parseAnswer(method, body);
      if (!answer.ok) throw new ApiError(answer.error.code, answer.error.message);
      return answer.result;
    },
    on<E extends EventName>(event: E, listener: (data: EventData<E>) => void): () => void {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener);
      open();
      return () => set.delete(listener);
    },
  };
}

/** Who is signed in (browser mode), or null. */
export async function currentUser(): Promise<PrincipalView | null> {
  const res = await fetch('/api/session', { credentials: 'same-origin' });
  if (res.status === 401 || res.status === 404) return null;
  return check(sessionAnswer, (await res.json()) as unknown, 'session').principal;
}

export async function signIn(user: string, password: string): Promise<PrincipalView> {
  const res = await fetch('/api/session', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user, password }),
    credentials: 'same-origin',
  });
  const body = (await res.json()) as { error?: { code?: string; message?: string } };
  if (!res.ok) throw new ApiError(body.error?.code ?? 'auth-failed', body.error?.message ?? 'sign-in failed');
  return check(signInAnswer, body, 'sign-in').principal;
}

export async function signOut(): Promise<void> {
  await fetch('/api/session', { method: 'DELETE', credentials: 'same-origin' });
}
