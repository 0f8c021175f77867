// The one place the typed API is served, whatever the transport (HTTP in browser mode, IPC in Electron): every
// call is parsed against its validator, authorised (core/api `allowed`, i.e. the access layer's `can`),
// handled by the backend that serves the method, and its result checked against the result validator before
// it leaves. Events are delivered only to callers allowed to receive them.
import {
  type Access,
  type Caller,
  EVENT_ACCESS,
  type EventMessage,
  METHODS,
  type Method,
  type Params,
  type Result,
  allowed,
  parseCall,
  parseEvent,
  parseResult,
} from '../../core/api/api.ts';
import { MusterError } from '../../core/errors.ts';
import { componentLogger } from '../../runtime/logger.ts';

export type Handler<M extends Method> = (params: Params<M>, caller: Caller) => Promise<Result<M>> | Result<M>;
export type Handlers = { readonly [M in Method]?: Handler<M> };

export interface ApiBackend {
  readonly handlers: Handlers;
  /** The centre this backend serves (a kiosk's staff screen): the resource each of its calls concerns. */
  readonly centre?: string;
  /** Subscribes to the backend's events; returns the unsubscribe function. */
  subscribe?(listener: (message: EventMessage) => void): () => void;
}

export class ApiService {
  constructor(private readonly backends: readonly ApiBackend[]) {}

  /** Serves one call from an untrusted caller. Throws MusterError (bad-message, not-found, unauthenticated, forbidden). */
  async call(message: unknown, caller: Caller): Promise<unknown> {
    const call = parseCall(message);
    const backend = this.backends.find((b) => b.handlers[call.method] !== undefined);
    const handler = backend?.handlers[call.method] as Handler<Method> | undefined;
    if (!backend || !handler) throw new MusterError('not-found', `this process does not serve ${call.method}`);
    const access: Access = METHODS[call.method].access;
    const subject = (call.params as { readonly subject?: unknown }).subject;
    const centre = backend.centre ?? (call.params as { readonly centre?: unknown }).centre;
    const resource = {
      ...(typeof centre === 'string' ? { centre } : {}),
      ...(typeof subject === 'string' ? { subject } : {}),
    };
    if (!allowed(access, caller, resource)) {
      if (access !== 'kiosk' && caller.principal === undefined)
        throw new MusterError('unauthenticated', 'sign in first');
      throw new MusterError(
        'forbidden',
        access === 'kiosk'
          ? `${call.method} is for the kiosk's own screen`
          : `${caller.principal?.role ?? 'caller'} may not ${access}${resource.centre ? ` for ${resource.centre}` : ''}`,
      );
    }
    const result = await handler(call.params, caller);
    // A backend bug must not send the screen something malformed: the result is checked like a request.
    return parseResult(call.method, result);
  }

  /** Delivers the events this caller may see, each checked against its validator. Returns the unsubscribe function. */
  subscribe(caller: Caller, listener: (message: EventMessage) => void): () => void {
    const offs = this.backends.map((backend) =>
      backend.subscribe?.((message) => {
        const resource = backend.centre === undefined ? {} : { centre: backend.centre };
        if (!EVENT_ACCESS[message.event].some((access) => allowed(access, caller, resource))) return;
        // A malformed event is a backend bug: reported, never thrown back into the backend that emitted it.
        try {
          listener(parseEvent(message));
        } catch (error) {
          componentLogger('api').error({ err: error, event: message.event }, 'malformed event from a backend');
        }
      }),
    );
    return () => {
      for (const off of offs) off?.();
    };
  }
}
