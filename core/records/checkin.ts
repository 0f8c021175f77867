// `checkin` entries (a completed check-in) and `checkin-attempt` entries (every step of every try, successful
// or not). Scores and decisions only: no images, no templates, no descriptors.
import type { Payload } from '../entry.ts';
import { type Fields, asFields, bad, count, id, isId, list, oneOf, onlyKeys, optionalId, score } from './fields.ts';

export const CHECKIN_METHODS = ['fingerprint', 'badge', 'face', 'staff'] as const;
export type CheckinMethod = (typeof CHECKIN_METHODS)[number];

export const ATTEMPT_STEPS = ['identify', 'verify', 'confirm'] as const;
export type AttemptStep = (typeof ATTEMPT_STEPS)[number];

/** device-down: a device's typed failure (its code in `fault`); internal-error: a fault of Muster itself, never an excuse. */
export const ATTEMPT_OUTCOMES = ['matched', 'no-match', 'mismatch', 'poor-quality', 'liveness-failed', 'device-down', 'timeout', 'cancelled', 'unknown-badge', 'internal-error'] as const;
export type AttemptOutcome = (typeof ATTEMPT_OUTCOMES)[number];

/** Outcomes that say the biometrics (or the person's finger or face on the day) failed, not the person's conduct. */
export const VERIFICATION_FAILURES: ReadonlySet<AttemptOutcome> = new Set(['no-match', 'mismatch', 'poor-quality', 'liveness-failed', 'timeout']);

export interface TaskCompletion {
  readonly task: string;
  /** Service minutes done; study and questionnaire tasks leave it out. */
  readonly minutes?: number;
  /** Questionnaire answers as codes, by question id: never free text. */
  readonly answers?: Readonly<Record<string, string>>;
}

export interface Checkin {
  readonly subject: string;
  readonly centre: string;
  readonly kiosk: string;
  /** The attempt this check-in completes (its checkin-attempt entries share the id). */
  readonly attempt: string;
  readonly methods: readonly CheckinMethod[];
  readonly fingerprintScore?: number;
  readonly faceScore?: number;
  /** Staff member who confirmed identity when the camera was down. */
  readonly staff?: string;
  readonly tasks: readonly TaskCompletion[];
}

export interface CheckinAttempt {
  readonly attempt: string;
  readonly centre: string;
  readonly kiosk: string;
  readonly step: AttemptStep;
  readonly method: CheckinMethod;
  readonly outcome: AttemptOutcome;
  /** Known once identified (fingerprint match or badge). */
  readonly subject?: string;
  /** How the subject was identified, on verify steps. */
  readonly identifiedBy?: CheckinMethod;
  readonly score?: number;
  /** 1 for the first try of this step. */
  readonly try: number;
  /** device-down and internal-error: the error's code (e.g. device.timeout, TypeError). */
  readonly fault?: string;
}

// Parsers validate in place and return the payload itself, typed: every field is checked and unknown fields
// are refused, so the payload already is the record. No copies and no error paths built up front: a city's
// year of check-ins goes through here.

export function parseCheckin(payload: unknown): Checkin {
  const p = asFields(payload, 'checkin');
  onlyKeys(p, 'checkin', ['subject', 'centre', 'kiosk', 'attempt', 'methods', 'fingerprintScore', 'faceScore', 'staff', 'tasks']);
  id(p, 'subject', 'checkin');
  id(p, 'centre', 'checkin');
  id(p, 'kiosk', 'checkin');
  id(p, 'attempt', 'checkin');
  const methods = list(p, 'methods', 'checkin', 4);
  for (let i = 0; i < methods.length; i++) method(methods[i], 'checkin.methods', i);
  if (methods.length < 2) bad('checkin.methods', 'a check-in needs two methods (identify and verify)');
  if (optionalId(p, 'staff', 'checkin') === undefined && methods.includes('staff')) bad('checkin.staff', 'a staff-confirmed check-in names the staff member');
  score(p, 'fingerprintScore', 'checkin');
  score(p, 'faceScore', 'checkin');
  const tasks = list(p, 'tasks', 'checkin', 16);
  for (let i = 0; i < tasks.length; i++) checkCompletion(tasks[i], 'checkin.tasks', i);
  return p as unknown as Checkin;
}

export function parseCompletion(value: unknown, path: string): TaskCompletion {
  checkCompletion(value, path);
  return value as TaskCompletion;
}

function checkCompletion(value: unknown, base: string, index?: number): void {
  const path = (): string => (index === undefined ? base : `${base}[${index}]`);
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array) bad(path(), 'expected a map');
  const t = value as Fields;
  for (const key in t) if (key !== 'task' && key !== 'minutes' && key !== 'answers') bad(`${path()}.${key}`, 'unknown field');
  if (!isId(t.task)) id(t, 'task', path());
  if (t.minutes !== undefined) count(t, 'minutes', path(), 1440);
  if (t.answers !== undefined) checkAnswers(asFields(t.answers, `${path()}.answers`), `${path()}.answers`);
}

function checkAnswers(fields: Fields, path: string): void {
  const keys = Object.keys(fields);
  if (keys.length > 64) bad(path, 'more than 64 answers');
  for (const q of keys) id(fields, q, path);
}

export function parseCheckinAttempt(payload: unknown): CheckinAttempt {
  const p = asFields(payload, 'checkin-attempt');
  const path = 'checkin-attempt';
  onlyKeys(p, path, ['attempt', 'centre', 'kiosk', 'step', 'method', 'outcome', 'subject', 'identifiedBy', 'score', 'try', 'fault']);
  oneOf(p, 'step', path, ATTEMPT_STEPS);
  oneOf(p, 'outcome', path, ATTEMPT_OUTCOMES);
  oneOf(p, 'method', path, CHECKIN_METHODS);
  if (p.identifiedBy !== undefined) oneOf(p, 'identifiedBy', path, CHECKIN_METHODS);
  id(p, 'attempt', path);
  id(p, 'centre', path);
  id(p, 'kiosk', path);
  optionalId(p, 'subject', path);
  optionalId(p, 'fault', path);
  score(p, 'score', path);
  count(p, 'try', path, 100);
  return p as unknown as CheckinAttempt;
}

function method(value: unknown, base: string, index: number): void {
  if (typeof value !== 'string' || !(CHECKIN_METHODS as readonly string[]).includes(value)) bad(`${base}[${index}]`, `expected one of ${CHECKIN_METHODS.join(', ')}`);
}

export function checkinPayload(c: Checkin): Payload {
  return {
    subject: c.subject,
    centre: c.centre,
    kiosk: c.kiosk,
    attempt: c.attempt,
    methods: [...c.methods],
    ...(c.fingerprintScore === undefined ? {} : { fingerprintScore: c.fingerprintScore }),
    ...(c.faceScore === undefined ? {} : { faceScore: c.faceScore }),
    ...(c.staff === undefined ? {} : { staff: c.staff }),
    tasks: c.tasks.map(completionPayload),
  };
}

export function completionPayload(t: TaskCompletion): Payload {
  return { task: t.task, ...(t.minutes === undefined ? {} : { minutes: t.minutes }), ...(t.answers === undefined ? {} : { answers: { ...t.answers } }) };
}

export function attemptPayload(a: CheckinAttempt): Payload {
  return { ...a };
}
