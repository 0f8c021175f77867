// The entries a kiosk logs for the people reporting at it in the morning (bench/scale): per person, the identify
// attempt (fingerprint), the verify attempt (face; one person in five fails it once and tries again) and the
// check-in with a questionnaire task, every payload as the record schemas want it. 3.2 entries per person.
import type { EntryType, Payload } from '../core/entry.ts';

/** Persons in a cycle of five: the first tries the face twice (4 entries), the others once (3 entries). */
const STEPS = [4, 3, 3, 3, 3] as const;
const CYCLE = 16;

/** The kiosk's `index`-th entry after its genesis, for `people` persons who report at it, round after round. */
export function morningStep(origin: string, people: number, index: number): { type: EntryType; payload: Payload } {
  const centre = origin.split('/')[0] ?? origin;
  const kiosk = origin.replace('/', '-');
  let rest = index % CYCLE;
  let slot = 0;
  for (; rest >= (STEPS[slot] ?? 3); slot++) rest -= STEPS[slot] ?? 3;
  const person = (Math.floor(index / CYCLE) * STEPS.length + slot) % Math.max(1, people);
  const subject = `${kiosk}-p${person}`;
  const attempt = `${kiosk}-a${Math.floor(index / CYCLE)}-${slot}`;
  const base = { attempt, centre, kiosk: origin };
  const steps = STEPS[slot] ?? 3;
  if (rest === 0)
    return {
      type: 'checkin-attempt',
      payload: { ...base, step: 'identify', method: 'fingerprint', outcome: 'matched', subject, score: 0.9, try: 1 },
    };
  if (rest < steps - 1) {
    const retried = steps === 4 && rest === 1;
    return {
      type: 'checkin-attempt',
      payload: {
        ...base,
        step: 'verify',
        method: 'face',
        outcome: retried ? 'no-match' : 'matched',
        subject,
        identifiedBy: 'fingerprint',
        score: retried ? 0.42 : 0.71,
        try: retried ? 1 : steps === 4 ? 2 : 1,
      },
    };
  }
  return {
    type: 'checkin',
    payload: {
      ...base,
      subject,
      methods: ['fingerprint', 'face'],
      fingerprintScore: 0.9,
      faceScore: 0.71,
      tasks: [{ task: 'daily-questionnaire', answers: { q1: 'yes', q2: 'no' } }],
    },
  };
}
