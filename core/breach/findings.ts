// What the breach engine reports: breaches (a rule fired), items for staff review (something needs a person's
// judgement, never a breach by itself) and problems (entries the engine could not use, e.g. a malformed plan).
import type { EntryRef } from '../records/entry-ref.ts';
import type { ReviewReason, RuleId } from './rule-ids.ts';

/**
 * open: stands. excused: an outage or a staff excuse covers it. contested: under dispute.
 * upheld / dismissed: a contest was resolved. Only open, contested and upheld breaches count against a person.
 */
export const BREACH_STATUSES = ['open', 'excused', 'contested', 'upheld', 'dismissed'] as const;
export type BreachStatus = (typeof BREACH_STATUSES)[number];

export interface HistoryEvent {
  readonly status: BreachStatus | ReviewStatus;
  /** Kiosk time of the entry that caused it (for outages, when the outage began). */
  readonly at: number;
  readonly ref: EntryRef;
  readonly note: string;
}

export interface Breach {
  /** Stable across nodes and runs: rule/subject/day[/detail]. Contests and notices name it. */
  readonly id: string;
  readonly rule: RuleId;
  readonly subject: string;
  /** The local day of the obligation (YYYY-MM-DD in the plan's zone). */
  readonly day: string;
  /** When the rule fired, ms since the Unix epoch. */
  readonly at: number;
  readonly detail: string;
  /** The plan version in force and the entries that show the breach. */
  readonly evidence: readonly EntryRef[];
  readonly status: BreachStatus;
  /** Excuses, outages and contests in log order: the history stays visible whatever the status. */
  readonly history: readonly HistoryEvent[];
}

export const REVIEW_STATUSES = ['pending', 'cleared', 'breach'] as const;
export type ReviewStatus = (typeof REVIEW_STATUSES)[number];

export interface ReviewItem {
  readonly id: string;
  readonly reason: ReviewReason;
  readonly subject: string;
  readonly day: string;
  readonly at: number;
  readonly detail: string;
  readonly evidence: readonly EntryRef[];
  readonly status: ReviewStatus;
  readonly history: readonly HistoryEvent[];
}

export interface Problem {
  readonly ref: EntryRef;
  readonly type: string;
  readonly code: string;
  readonly message: string;
}

export interface BreachReport {
  /** The evaluation time. */
  readonly at: number;
  readonly breaches: readonly Breach[];
  readonly reviews: readonly ReviewItem[];
  readonly problems: readonly Problem[];
}

/** Whether a breach counts against the person now. */
export function breachStands(status: string): boolean {
  return status === 'open' || status === 'contested' || status === 'upheld';
}
