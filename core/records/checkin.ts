// `checkin` entries (a completed check-in) and `checkin-attempt` entries (every step of every try, successful
// or not). Scores and decisions only: no images, no templates, no descriptors.
import type { Payload } from '../entry.ts';
import { Type } from '@sinclair/typebox';
import { ID, type Parsed, SCORE, count, list, map, oneOf, recordParser } from './record-schema.ts';

export const CHECKIN_METHODS = ['fingerprint', 'badge', 'face', 'staff'] as const;
export type CheckinMethod = (typeof CHECKIN_METHODS)[number];

export const ATTEMPT_STEPS = ['identify', 'verify', 'confirm'] as const;
export type AttemptStep = (typeof ATTEMPT_STEPS)[number];

/** device-down: a device's typed failure (its code in `fault`); internal-error: a fault of Muster itself, never an excuse. */
export const ATTEMPT_OUTCOMES = [
  'matched',
  'no-match',
  'mismatch',
  'poor-quality',
  'liveness-failed',
  'device-down',
  'timeout',
  'cancelled',
  'unknown-badge',
  'internal-error',
] as const;
export type AttemptOutcome = (typeof ATTEMPT_OUTCOMES)[number];

/** Outcomes that say the biometrics (or the person's finger or face on the day) failed, not the person's conduct. */
export const VERIFICATION_FAILURES: ReadonlySet<AttemptOutcome> = new Set([
  'no-match',
  'mismatch',
  'poor-quality',
  'liveness-failed',
  'timeout',
]);

const METHOD = oneOf(CHECKIN_METHODS);

export const TASK_COMPLETION = map({
  task: ID,
  /** Service minutes done; study and questionnaire tasks leave it out. */
  minutes: Type.Optional(count(1440)),
  /** Questionnaire answers as codes, by question id: never free text. */
  answers: Type.Optional(
    Type.Record(Type.String(), ID, { maxProperties: 64, errorMessage: 'expected a map of at most 64 answer codes' }),
  ),
});

const CHECKIN = map({
  subject: ID,
  centre: ID,
  kiosk: ID,
  /** The attempt this check-in completes (its checkin-attempt entries share the id). */
  attempt: ID,
  methods: list(METHOD, 4),
  fingerprintScore: Type.Optional(SCORE),
  faceScore: Type.Optional(SCORE),
  /** Staff member who confirmed identity when the camera was down. */
  staff: Type.Optional(ID),
  tasks: list(TASK_COMPLETION, 16),
});

const CHECKIN_ATTEMPT = map({
  attempt: ID,
  centre: ID,
  kiosk: ID,
  step: oneOf(ATTEMPT_STEPS),
  method: METHOD,
  outcome: oneOf(ATTEMPT_OUTCOMES),
  /** Known once identified (fingerprint match or badge). */
  subject: Type.Optional(ID),
  /** How the subject was identified, on verify steps. */
  identifiedBy: Type.Optional(METHOD),
  score: Type.Optional(SCORE),
  /** 1 for the first try of this step. */
  try: count(100),
  /** device-down and internal-error: the error's code (e.g. device.timeout, TypeError). */
  fault: Type.Optional(ID),
  /** A staff confirmation (camera down) refused: the staff member who refused the person. */
  staff: Type.Optional(ID),
  /** A face check kept for staff review: the salted commitment of its frames in the personal-data store, never an image. */
  capture: Type.Optional(Type.String({ pattern: '^[0-9a-f]{64}$', errorMessage: 'expected a commitment (64 hex)' })),
});

export type TaskCompletion = Parsed<typeof TASK_COMPLETION>;
export type Checkin = Parsed<typeof CHECKIN>;
export type CheckinAttempt = Parsed<typeof CHECKIN_ATTEMPT>;

// The parsers validate in place and return the payload itself, typed (no copy): a city's year of check-ins goes
// through here (`npm run bench -- --only validation`).

export const parseCheckin: (payload: unknown) => Checkin = recordParser(CHECKIN, 'checkin', (c) => {
  if (c.methods.length < 2) return { field: 'methods', message: 'a check-in needs two methods (identify and verify)' };
  if (c.staff === undefined && c.methods.includes('staff'))
    return { field: 'staff', message: 'a staff-confirmed check-in names the staff member' };
  return undefined;
});

export const parseCheckinAttempt: (payload: unknown) => CheckinAttempt = recordParser(
  CHECKIN_ATTEMPT,
  'checkin-attempt',
);

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
  return {
    task: t.task,
    ...(t.minutes === undefined ? {} : { minutes: t.minutes }),
    ...(t.answers === undefined ? {} : { answers: { ...t.answers } }),
  };
}

export function attemptPayload(a: CheckinAttempt): Payload {
  return { ...a };
}
