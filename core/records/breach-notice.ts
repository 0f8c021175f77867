// `breach` entries: HQ (or a kiosk) recording that it raised a breach alert. The engine never reads them back:
// breaches are always recomputed from plans and evidence; the notice records who was told what, and when.
import { RULE_IDS } from '../breach/rule-ids.ts';
import type { RuleId } from '../breach/rule-ids.ts';
import type { EntryRef } from './entry-ref.ts';
import { asFields, bad, day, id, key, list, oneOf, onlyKeys, count } from './fields.ts';

export interface BreachNotice {
  readonly breach: string;
  readonly rule: RuleId;
  readonly subject: string;
  readonly day: number;
  readonly evidence: readonly EntryRef[];
}

export function parseBreachNotice(payload: unknown): BreachNotice {
  const p = asFields(payload, 'breach');
  onlyKeys(p, 'breach', ['breach', 'rule', 'subject', 'day', 'evidence']);
  return {
    breach: key(p, 'breach', 'breach'),
    rule: oneOf(p, 'rule', 'breach', RULE_IDS),
    subject: id(p, 'subject', 'breach'),
    day: day(p, 'day', 'breach'),
    evidence: list(p, 'evidence', 'breach', 64).map((e, i) => {
      const path = `breach.evidence[${i}]`;
      const f = asFields(e, path);
      onlyKeys(f, path, ['origin', 'seq', 'hash']);
      const hash = f.hash;
      if (typeof hash !== 'string' || !/^[0-9a-f]{64}$/.test(hash))
        bad(`${path}.hash`, 'expected a lowercase hex SHA-256');
      return { origin: key(f, 'origin', path), seq: count(f, 'seq', path, Number.MAX_SAFE_INTEGER), hash };
    }),
  };
}
