// Staff decisions, each a signed entry with a reason code (and at most a note's commitment: core/records/reason.ts):
// `excuse` (a person is excused from rules for some days), `review` (a decision on a review queue item) and
// `contest` (a breach contested, then resolved).
import { type RuleId, RULE_IDS } from '../breach/rule-ids.ts';
import { asFields, bad, day, id, key, list, oneOf, onlyKeys } from './fields.ts';
import { type Reason, reasonOf } from './reason.ts';

export interface Excuse extends Reason {
  readonly subject: string;
  readonly from: number;
  readonly to: number;
  /** Rules excused; all when empty. */
  readonly rules: readonly RuleId[];
  readonly staff: string;
}

export const REVIEW_DECISIONS = ['cleared', 'breach'] as const;
export type ReviewDecision = (typeof REVIEW_DECISIONS)[number];

export interface Review extends Reason {
  readonly item: string;
  readonly subject: string;
  readonly day: number;
  /** cleared: no breach; breach: staff hold the person responsible (the review becomes evidence of a breach). */
  readonly decision: ReviewDecision;
  readonly staff: string;
}

export const CONTEST_ACTIONS = ['open', 'resolve'] as const;
export const CONTEST_OUTCOMES = ['upheld', 'dismissed'] as const;
export type ContestOutcome = (typeof CONTEST_OUTCOMES)[number];

export interface Contest extends Reason {
  readonly breach: string;
  readonly subject: string;
  readonly day: number;
  readonly action: (typeof CONTEST_ACTIONS)[number];
  /** On resolve: upheld keeps the breach, dismissed withdraws it. */
  readonly outcome?: ContestOutcome;
  readonly staff: string;
}

export function parseExcuse(payload: unknown): Excuse {
  const p = asFields(payload, 'excuse');
  onlyKeys(p, 'excuse', ['subject', 'from', 'to', 'rules', 'reason', 'note', 'staff']);
  const from = day(p, 'from', 'excuse');
  const to = day(p, 'to', 'excuse');
  if (to < from) bad('excuse.to', 'is before excuse.from');
  if (to - from > 366) bad('excuse.to', 'an excuse covers at most a year');
  const rules =
    p.rules === undefined
      ? []
      : list(p, 'rules', 'excuse', RULE_IDS.length).map((r, i) => {
          if (typeof r !== 'string' || !(RULE_IDS as readonly string[]).includes(r))
            bad(`excuse.rules[${i}]`, `expected one of ${RULE_IDS.join(', ')}`);
          return r as RuleId;
        });
  return {
    subject: id(p, 'subject', 'excuse'),
    from,
    to,
    rules,
    ...reasonOf(p, 'excuse'),
    staff: id(p, 'staff', 'excuse'),
  };
}

export function parseReview(payload: unknown): Review {
  const p = asFields(payload, 'review');
  onlyKeys(p, 'review', ['item', 'subject', 'day', 'decision', 'reason', 'note', 'staff']);
  return {
    item: key(p, 'item', 'review'),
    subject: id(p, 'subject', 'review'),
    day: day(p, 'day', 'review'),
    decision: oneOf(p, 'decision', 'review', REVIEW_DECISIONS),
    ...reasonOf(p, 'review'),
    staff: id(p, 'staff', 'review'),
  };
}

export function parseContest(payload: unknown): Contest {
  const p = asFields(payload, 'contest');
  onlyKeys(p, 'contest', ['breach', 'subject', 'day', 'action', 'outcome', 'reason', 'note', 'staff']);
  const action = oneOf(p, 'action', 'contest', CONTEST_ACTIONS);
  if (action === 'open' && p.outcome !== undefined) bad('contest.outcome', 'only a resolve has an outcome');
  const outcome = action === 'resolve' ? oneOf(p, 'outcome', 'contest', CONTEST_OUTCOMES) : undefined;
  return {
    breach: key(p, 'breach', 'contest'),
    subject: id(p, 'subject', 'contest'),
    day: day(p, 'day', 'contest'),
    action,
    ...(outcome === undefined ? {} : { outcome }),
    ...reasonOf(p, 'contest'),
    staff: id(p, 'staff', 'contest'),
  };
}
