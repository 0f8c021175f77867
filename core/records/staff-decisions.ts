// Staff decisions, each a signed entry with a reason code (and at most a note's commitment: core/records/reason.ts):
// `excuse` (a person is excused from rules for some days), `review` (a decision on a review queue item) and
// `contest` (a breach contested, then resolved).
import { Type } from '@sinclair/typebox';
import { RULE_IDS } from '../breach/rule-ids.ts';
import { REASON_FIELDS } from './reason.ts';
import { DAY, ID, KEY, type Parsed, list, map, oneOf, recordParser } from './record-schema.ts';

const EXCUSE = Type.Transform(
  map({
    subject: ID,
    from: DAY,
    to: DAY,
    /** Rules excused; all when empty or left out. */
    rules: Type.Optional(list(oneOf(RULE_IDS), RULE_IDS.length)),
    ...REASON_FIELDS,
    staff: ID,
  }),
)
  .Decode(({ rules = [], ...excuse }) => ({ ...excuse, rules }))
  .Encode((excuse) => excuse);

export type Excuse = Parsed<typeof EXCUSE>;

export const REVIEW_DECISIONS = ['cleared', 'breach'] as const;
export type ReviewDecision = (typeof REVIEW_DECISIONS)[number];

const REVIEW = map({
  item: KEY,
  subject: ID,
  day: DAY,
  /** cleared: no breach; breach: staff hold the person responsible (the review becomes evidence of a breach). */
  decision: oneOf(REVIEW_DECISIONS),
  ...REASON_FIELDS,
  staff: ID,
});

export type Review = Parsed<typeof REVIEW>;

export const CONTEST_ACTIONS = ['open', 'resolve'] as const;
export const CONTEST_OUTCOMES = ['upheld', 'dismissed'] as const;
export type ContestOutcome = (typeof CONTEST_OUTCOMES)[number];

const CONTEST = map({
  breach: KEY,
  subject: ID,
  day: DAY,
  action: oneOf(CONTEST_ACTIONS),
  /** On resolve: upheld keeps the breach, dismissed withdraws it. */
  outcome: Type.Optional(oneOf(CONTEST_OUTCOMES)),
  ...REASON_FIELDS,
  staff: ID,
});

export type Contest = Parsed<typeof CONTEST>;

export const parseExcuse: (payload: unknown) => Excuse = recordParser(EXCUSE, 'excuse', (e) => {
  if (e.to < e.from) return { field: 'to', message: 'is before excuse.from' };
  if (e.to - e.from > 366) return { field: 'to', message: 'an excuse covers at most a year' };
  return undefined;
});

export const parseReview: (payload: unknown) => Review = recordParser(REVIEW, 'review');

export const parseContest: (payload: unknown) => Contest = recordParser(CONTEST, 'contest', (c) => {
  if (c.action === 'open' && c.outcome !== undefined)
    return { field: 'outcome', message: 'only a resolve has an outcome' };
  if (c.action === 'resolve' && c.outcome === undefined)
    return { field: 'outcome', message: `expected one of ${CONTEST_OUTCOMES.join(', ')}` };
  return undefined;
});
