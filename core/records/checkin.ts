// `checkin` entries (a completed check-in) and `checkin-attempt` entries (every step of every try, successful
// or not). Scores and decisions only: no images, no templates, no descriptors.
import type { Payload } from '../entry.ts';
import { type Fields, asFields, bad, count, id, list, onlyKeys, optionalId, score } from './fields.ts';

export const CHECKIN_METHODS = ['fingerprint', 'badge', 'face', 'staff'] as const;
export type CheckinMethod = (typeof CHECKIN_METHODS)[number];

export const ATTEMPT_STEPS = ['identify', 'verify', 'confirm'] as const;
export type AttemptStep = (typeof ATTEMPT_STEPS)[number];

export const ATTEMPT_OUTCOMES = ['matched', 'no-match', 'mismatch', 'poor-quality', 'liveness-failed', 'device-down', 'timeout', 'cancelled', 'unknown-badge'] as const;
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
}

export function parseCheckin(payload: unknown): Checkin {
  const p = asFields(payload, 'checkin');
  onlyKeys(p, 'checkin', ['subject', 'centre', 'kiosk', 'attempt', 'methods', 'fingerprintScore', 'faceScore', 'staff', 'tasks']);
  const methods = list(p, 'methods', 'checkin', 4).map((m, i) => method(m, `checkin.methods[${i}]`));
  if (methods.length < 2) bad('checkin.methods', 'a check-in needs two methods (identify and verify)');
  const staff = optionalId(p, 'staff', 'checkin');
  if (methods.includes('staff') && staff === undefined) bad('checkin.staff', 'a staff-confirmed check-in names the staff member');
  const fingerprintScore = score(p, 'fingerprintScore', 'checkin');
  const faceScore = score(p, 'faceScore', 'checkin');
  return {
    subject: id(p, 'subject', 'checkin'),
    centre: id(p, 'centre', 'checkin'),
    kiosk: id(p, 'kiosk', 'checkin'),
    attempt: id(p, 'attempt', 'checkin'),
    methods,
    ...(fingerprintScore === undefined ? {} : { fingerprintScore }),
    ...(faceScore === undefined ? {} : { faceScore }),
    ...(staff === undefined ? {} : { staff }),
    tasks: list(p, 'tasks', 'checkin', 16).map((t, i) => parseCompletion(t, `checkin.tasks[${i}]`)),
  };
}

export function parseCompletion(value: unknown, path: string): TaskCompletion {
  const t = asFields(value, path);
  onlyKeys(t, path, ['task', 'minutes', 'answers']);
  const answers = t.answers === undefined ? undefined : parseAnswers(asFields(t.answers, `${path}.answers`), `${path}.answers`);
  return {
    task: id(t, 'task', path),
    ...(t.minutes === undefined ? {} : { minutes: count(t, 'minutes', path, 1440) }),
    ...(answers === undefined ? {} : { answers }),
  };
}

function parseAnswers(fields: Fields, path: string): Record<string, string> {
  const keys = Object.keys(fields);
  if (keys.length > 64) bad(path, 'more than 64 answers');
  return Object.fromEntries(keys.map((q) => [q, id(fields, q, path)]));
}

export function parseCheckinAttempt(payload: unknown): CheckinAttempt {
  const p = asFields(payload, 'checkin-attempt');
  const path = 'checkin-attempt';
  onlyKeys(p, path, ['attempt', 'centre', 'kiosk', 'step', 'method', 'outcome', 'subject', 'identifiedBy', 'score', 'try']);
  const step = p.step;
  if (typeof step !== 'string' || !(ATTEMPT_STEPS as readonly string[]).includes(step)) bad(`${path}.step`, `expected one of ${ATTEMPT_STEPS.join(', ')}`);
  const outcome = p.outcome;
  if (typeof outcome !== 'string' || !(ATTEMPT_OUTCOMES as readonly string[]).includes(outcome)) bad(`${path}.outcome`, `expected one of ${ATTEMPT_OUTCOMES.join(', ')}`);
  const subject = optionalId(p, 'subject', path);
  const identifiedBy = p.identifiedBy === undefined ? undefined : method(p.identifiedBy, `${path}.identifiedBy`);
  const s = score(p, 'score', path);
  return {
    attempt: id(p, 'attempt', path),
    centre: id(p, 'centre', path),
    kiosk: id(p, 'kiosk', path),
    step: step as AttemptStep,
    method: method(p.method, `${path}.method`),
    outcome: outcome as AttemptOutcome,
    ...(subject === undefined ? {} : { subject }),
    ...(identifiedBy === undefined ? {} : { identifiedBy }),
    ...(s === undefined ? {} : { score: s }),
    try: count(p, 'try', path, 100),
  };
}

function method(value: unknown, path: string): CheckinMethod {
  if (typeof value !== 'string' || !(CHECKIN_METHODS as readonly string[]).includes(value)) bad(path, `expected one of ${CHECKIN_METHODS.join(', ')}`);
  return value as CheckinMethod;
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
