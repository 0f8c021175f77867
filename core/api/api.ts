// The one typed API between the screens and the kiosk / HQ process, used the same way over Electron IPC
// (preload -> main) and in browser mode (fetch + Server-Sent Events). Each method declares who may call it,
// a validator for its params and one for its result; each event a validator for its data. Types are derived
// from the validators. Main validates every request before it acts; the renderer validates every answer.
import { type TSchema } from '@sinclair/typebox';
import { type Out, anything, check, fail, ident, obj, text } from './check.ts';
import { alertsMethods } from './alerts-api.ts';
import { demoMethods } from './demo-api.ts';
import { evidenceMethods } from './evidence-api.ts';
import { hqEvents, hqMethods } from './hq-api.ts';
import { kioskEvents, kioskMethods } from './kiosk-api.ts';
import { type Action, type Principal, can } from '../access/roles.ts';
import { staffEvents, staffMethods } from './staff-api.ts';

/**
 * 'kiosk': the kiosk's own screen (Electron's kiosk window, or a browser on the kiosk itself); otherwise the
 * action a signed-in principal must hold for the resource (core/access/roles.ts `can`).
 */
export type Access = 'kiosk' | Action;

interface MethodSpec {
  readonly access: Access;
  readonly params: TSchema;
  readonly result: TSchema;
}

export const METHODS = {
  ...kioskMethods,
  ...staffMethods,
  ...hqMethods,
  ...alertsMethods,
  ...evidenceMethods,
  ...demoMethods,
} as const satisfies Readonly<Record<string, MethodSpec>>;
export const EVENTS = { ...kioskEvents, ...staffEvents, ...hqEvents } as const satisfies Readonly<
  Record<string, TSchema>
>;

export type Method = keyof typeof METHODS;
export type EventName = keyof typeof EVENTS;
export type Params<M extends Method> = Out<(typeof METHODS)[M]['params']>;
export type Result<M extends Method> = Out<(typeof METHODS)[M]['result']>;
export type EventData<E extends EventName> = Out<(typeof EVENTS)[E]>;

/** What every transport carries: a call, its answer, an event. */
export interface CallMessage<M extends Method = Method> {
  readonly method: M;
  readonly params: Params<M>;
}
export type Answer<T> =
  | { readonly ok: true; readonly result: T }
  | { readonly ok: false; readonly error: { readonly code: string; readonly message: string } };
export interface EventMessage<E extends EventName = EventName> {
  readonly event: E;
  readonly data: EventData<E>;
}

/** The transport-independent client surface: what the preload exposes and the browser transport implements. */
export interface MusterApi {
  call<M extends Method>(method: M, params: Params<M>): Promise<Result<M>>;
  /** Subscribes to one event; returns the unsubscribe function. */
  on<E extends EventName>(event: E, listener: (data: EventData<E>) => void): () => void;
}

export function isMethod(name: unknown): name is Method {
  return typeof name === 'string' && Object.hasOwn(METHODS, name);
}

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.hasOwn(EVENTS, name);
}

/** Checks an incoming call (main side): a known method and valid params. Throws MusterError('bad-message'). */
export function parseCall(value: unknown): CallMessage {
  const { method, params } = check(CALL, value, 'call');
  if (!isMethod(method)) return fail('call.method', `unknown method ${JSON.stringify(method.slice(0, 64))}`);
  return { method, params: check(METHODS[method].params, params ?? {}, 'params') };
}

export function parseResult<M extends Method>(method: M, value: unknown): Result<M> {
  return check(METHODS[method].result, value, 'result') as Result<M>;
}

export function parseAnswer<M extends Method>(method: M, value: unknown): Answer<Result<M>> {
  const head = check(ANSWER, value, 'answer');
  if (head.ok === true) return { ok: true, result: parseResult(method, head.result) };
  if (head.ok === false && head.error) return { ok: false, error: head.error };
  return fail('answer', 'expected {ok: true, result} or {ok: false, error}');
}

export function parseEvent(value: unknown): EventMessage {
  const { event, data } = check(EVENT, value, 'event');
  if (!isEventName(event)) return fail('event.event', `unknown event ${JSON.stringify(event.slice(0, 64))}`);
  return { event, data: check(EVENTS[event], data, 'data') };
}

// The envelopes; what they carry is checked by the schema their method or event names.
const CALL = obj({ method: text(1, 64), params: anything });
const ANSWER = obj({ ok: anything }, { result: anything, error: obj({ code: ident, message: text(0, 2000) }) });
const EVENT = obj({ event: text(1, 64), data: anything });

/** Who may receive an event (any of the accesses): kiosk views stay on the kiosk screen. */
export const EVENT_ACCESS: { readonly [E in EventName]: readonly Access[] } = {
  'kiosk.view': ['kiosk'],
  'kiosk.capture': ['kiosk'],
  'staff.changed': ['read-roster'],
  'hq.changed': ['read-breaches', 'read-fleet'],
};

/** Who is asking: the signed-in principal (if any) and whether the caller is the kiosk's own screen. */
export interface Caller {
  readonly principal: Principal | undefined;
  readonly kioskScreen: boolean;
}

/** The one access decision for calls and events; `resource` names the centre / subject concerned. */
export function allowed(
  access: Access,
  caller: Caller,
  resource: { readonly centre?: string; readonly subject?: string },
): boolean {
  if (access === 'kiosk') return caller.kioskScreen;
  return caller.principal !== undefined && can(caller.principal, access, resource);
}
