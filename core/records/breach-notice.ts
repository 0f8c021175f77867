// `breach` entries: HQ (or a kiosk) recording that it raised a breach alert. The engine never reads them back:
// breaches are always recomputed from plans and evidence; the notice records who was told what, and when.
import { RULE_IDS } from '../breach/rule-ids.ts';
import { DAY, ID, KEY, type Parsed, SHA256, count, list, map, oneOf, recordParser } from './record-schema.ts';

/** An entry as evidence (core/records/entry-ref.ts EntryRef). */
const ENTRY_REF = map({ origin: KEY, seq: count(Number.MAX_SAFE_INTEGER), hash: SHA256 });

const BREACH_NOTICE = map({
  breach: KEY,
  rule: oneOf(RULE_IDS),
  subject: ID,
  day: DAY,
  evidence: list(ENTRY_REF, 64),
});

export type BreachNotice = Parsed<typeof BREACH_NOTICE>;

export const parseBreachNotice: (payload: unknown) => BreachNotice = recordParser(BREACH_NOTICE, 'breach');
