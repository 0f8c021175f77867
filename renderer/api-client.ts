// The renderer's side of the typed API. In Electron the preload exposes `window.musterApi` (IPC to main); in a
// browser the same MusterApi runs over fetch (POST /api/call) and Server-Sent Events (/api/events). Every
// answer and event is checked against its validator before a screen sees it.
import { type EventData, type EventName, type Method, type MusterApi, type Params, type Result, parseAnswer, parseEvent, parseResult } from '../core/api/api.ts';
import { type PrincipalView, sessionAnswer, signInAnswer } from '../core/api/session-api.ts';

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
        throw new ApiError(typeof code === 'string' ? code : 'internal', error instanceof Error ? error.message : String(error));
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

function browserApi(): MusterApi {
  const listeners = new Map<EventName, Set<(data: never) => void>>();
  let source: EventSource | undefined;
  const open = (): void => {
    if (source) return;
    source = new EventSource('/api/events');
    source.onmessage = (message: MessageEvent<string>) => {
      const event = parseEvent(JSON.parse(message.data) as unknown);
      for (const listener of listeners.get(event.event) ?? []) (listener as (data: unknown) => void)(event.data);
    };
  };
  return {
    async call<M extends Method>(method: M, params: Params<M>): Promise<Result<M>> {
      const res = await fetch('/api/call', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ method, params }), credentials: 'same-origin' });
      const answer = parseAnswer(method, (await res.json()) as unknown);
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
  return sessionAnswer((await res.json()) as unknown, 'session').principal;
}

export async function signIn(user: string, password: string): Promise<PrincipalView> {
  const res = await fetch('/api/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user, password }), credentials: 'same-origin' });
  const body = (await res.json()) as { error?: { code?: string; message?: string } };
  if (!res.ok) throw new ApiError(body.error?.code ?? 'auth-failed', body.error?.message ?? 'sign-in failed');
  return signInAnswer(body, 'sign-in').principal;
}

export async function signOut(): Promise<void> {
  await fetch('/api/session', { method: 'DELETE', credentials: 'same-origin' });
}
