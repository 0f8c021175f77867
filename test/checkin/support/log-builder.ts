// Builds LogRecords for the breach engine without signing: refs carry a fake but unique hash.
import { createHash } from 'node:crypto';
import type { EntryType, Payload } from '../../../core/entry.ts';
import type { LogRecord } from '../../../core/records/entry-ref.ts';
import { parseDay } from '../../../core/time/civil-day.ts';
import { zonedInstant } from '../../../core/time/zoned-time.ts';

export const MIN = 60_000;

export class LogBuilder {
  readonly records: LogRecord[] = [];
  private readonly seqs = new Map<string, number>();

  add(origin: string, ts: number, type: EntryType, payload: Payload): LogRecord {
    const seq = this.seqs.get(origin) ?? 1;
    this.seqs.set(origin, seq + 1);
    const hash = createHash('sha256').update(`${origin}#${seq}`).digest('hex');
    const record: LogRecord = { ref: { origin, seq, hash }, ts, type, payload };
    this.records.push(record);
    return record;
  }
}

export const day = (text: string): number => parseDay(text) as number;

/** The instant of a local wall-clock time: at('2026-03-08 09:30', 'America/New_York'). */
export function at(local: string, zone: string): number {
  const [d, t] = local.split(' ') as [string, string];
  const [h, m] = t.split(':').map(Number) as [number, number];
  return zonedInstant(day(d), h * 60 + m, zone);
}

export interface PlanOptions {
  readonly subject: string;
  readonly zone?: string;
  readonly centres?: readonly string[];
  readonly start?: string;
  readonly end?: string | null;
  readonly days?: 'daily' | readonly number[];
  readonly open?: string;
  readonly close?: string;
  readonly grace?: number;
  readonly late?: number;
  readonly tasks?: readonly Payload[];
  readonly effectiveFrom?: number;
}

export function planPayload(o: PlanOptions): Payload {
  return {
    subject: o.subject,
    effectiveFrom: o.effectiveFrom ?? 0,
    start: o.start ?? '2026-03-01',
    end: o.end === undefined ? null : o.end,
    zone: o.zone ?? 'America/New_York',
    centres: [...(o.centres ?? ['centre-a'])],
    days: o.days === undefined || o.days === 'daily' ? 'daily' : [...o.days],
    window: { open: o.open ?? '09:00', close: o.close ?? '11:00' },
    graceMinutes: o.grace ?? 15,
    lateMinutes: o.late ?? 120,
    tasks: [...(o.tasks ?? [])],
    staff: 'staff-1',
    reason: 'new-plan',
  };
}

/** The UTC day (YYYY-MM-DD) of the instant `ms`. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * A daily plan at `centre` whose 60-minute window (UTC) closes at the instant `close`, with no grace and 30 minutes
 * of lateness: tests that run muster wait for a window about to close.
 */
export function closingPlanPayload(subject: string, close: number, centre = 'centre-a'): Payload {
  const open = close - 60 * MIN;
  const hhmm = (ms: number): string => new Date(ms).toISOString().slice(11, 16);
  return planPayload({
    subject,
    zone: 'UTC',
    centres: [centre],
    start: utcDay(open),
    open: hhmm(open),
    close: hhmm(close),
    grace: 0,
    late: 30,
  });
}

/** A log a test appends to by hand: a kiosk node, a centre's staff log. */
export interface Appendable {
  append(type: EntryType, payload: Payload): Promise<unknown>;
}

/**
 * Appends to `log` a plan for `subject` whose only window is `day`, 00:00-00:01 UTC, with no grace: for a day past,
 * HQ finds the check-in missed on sight. Returns the id of the breach alert HQ raises for it.
 */
export async function planFor(log: Appendable, subject: string, day: string): Promise<string> {
  await log.append(
    'plan',
    planPayload({ subject, zone: 'UTC', start: day, end: day, open: '00:00', close: '00:01', grace: 0, late: 0 }),
  );
  return `breach:missed-checkin/${subject}/${day}`;
}

export function checkinPayload(
  subject: string,
  centre = 'centre-a',
  tasks: readonly Payload[] = [],
  methods: readonly string[] = ['fingerprint', 'face'],
): Payload {
  return {
    subject,
    centre,
    kiosk: `${centre}/k1`,
    attempt: `att-${subject}`,
    methods: [...methods],
    fingerprintScore: 120,
    faceScore: 0.31,
    ...(methods.includes('staff') ? { staff: 'staff-2' } : {}),
    tasks: [...tasks],
  };
}

export function attemptPayload(subject: string | undefined, outcome: string, extra: Payload = {}): Payload {
  return {
    attempt: `att-${subject ?? 'anon'}`,
    centre: 'centre-a',
    kiosk: 'centre-a/k1',
    step: 'verify',
    method: 'face',
    outcome,
    ...(subject === undefined ? {} : { subject, identifiedBy: 'fingerprint' }),
    score: 0.7,
    try: 1,
    ...extra,
  };
}

export function healthPayload(
  centre: string,
  device: string,
  state: string,
  since: number,
  kiosk = `${centre}/k1`,
): Payload {
  return { centre, kiosk, device, state, since };
}
