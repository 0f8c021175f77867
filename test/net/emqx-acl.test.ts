// deploy/emqx/acl.conf is not run here (EMQX is not a Debian package): this reads its rules as EMQX 5's file
// authorization does (first match wins, `${username}` substituted, MQTT wildcards in the rule's topics) and checks
// that they allow exactly what net/acl.ts allows (the embedded broker's rule, which Mosquitto's ACL and NATS's
// permissions express too), for HQ, a kiosk and the registry's topics.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mayPublish, maySubscribe } from '../../net/acl.ts';

interface Rule {
  readonly allow: boolean;
  /** undefined: all users. */
  readonly user: string | undefined;
  readonly action: 'publish' | 'subscribe' | 'all';
  readonly topics: readonly string[];
}

function parseRules(text: string): Rule[] {
  const terms = text
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('%%'))
    .join('\n')
    .split(/}\.\s*/)
    .map((t) => t.trim())
    .filter((t) => t.length > 0);
  return terms.map((term) => {
    const deny = /^\{deny,\s*all$/.exec(term);
    if (deny) return { allow: false, user: undefined, action: 'all', topics: ['#'] };
    const m = /^\{(allow|deny),\s*(all|\{username,\s*"([^"]+)"\}),\s*(publish|subscribe|all),\s*\[([^\]]*)\]$/s.exec(
      term,
    );
    if (!m) throw new Error(`unparsed EMQX rule: ${term}`);
    return {
      allow: m[1] === 'allow',
      user: m[3],
      action: m[4] as Rule['action'],
      topics: [...(m[5] ?? '').matchAll(/"([^"]+)"/g)].map((t) => t[1] ?? ''),
    };
  });
}

/** MQTT filter matching; for a subscription, the requested filter must equal or be covered by the rule's. */
function matches(pattern: string, topic: string): boolean {
  const p = pattern.split('/');
  const t = topic.split('/');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '#') return true;
    if (i >= t.length) return false;
    if (p[i] !== '+' && p[i] !== t[i]) return false;
  }
  return p.length === t.length;
}

function allowed(rules: readonly Rule[], user: string, action: 'publish' | 'subscribe', topic: string): boolean {
  for (const rule of rules) {
    if (rule.user !== undefined && rule.user !== user) continue;
    if (rule.action !== 'all' && rule.action !== action) continue;
    if (rule.topics.some((t) => matches(t.replaceAll('${username}', user), topic))) return rule.allow;
  }
  return false;
}

const rules = parseRules(readFileSync(new URL('../../deploy/emqx/acl.conf', import.meta.url), 'utf8'));
const options = { alertPublishers: new Set(['hq']) };
const USERS = ['hq', 'c1~k1', 'police'];
const TOPICS = [
  'muster/v1/log/c1~k1/entries',
  'muster/v1/log/c1~k1/checkpoint',
  'muster/v1/log/hq~registry/entries',
  'muster/v1/log/hq~registry/checkpoint',
  'muster/v1/log/hq/entries',
  'muster/v1/log/c1~k1/cosign/hq',
  'muster/v1/log/c1~k1/cosign/police',
  'muster/v1/log/c1~k1/cosign/c1~k1',
  'muster/v1/health/c1~k1',
  'muster/v1/health/hq',
  'muster/v1/req/c1~k1',
  'muster/v1/inbox/hq',
  'muster/v1/inbox/c1~k1',
  'muster/v1/alerts/c1',
  'muster/v1/other',
];
const FILTERS = [
  'muster/v1/log/+/entries',
  'muster/v1/log/+/checkpoint',
  'muster/v1/req/+',
  'muster/v1/health/+',
  'muster/v1/alerts/c1',
  'muster/v1/inbox/hq',
  'muster/v1/inbox/c1~k1',
  'muster/v1/#',
];

describe('deploy/emqx/acl.conf', () => {
  it('allows publishing exactly what net/acl.ts allows', () => {
    for (const user of USERS)
      for (const topic of TOPICS)
        expect(allowed(rules, user, 'publish', topic), `${user} publish ${topic}`).toBe(
          mayPublish(user, topic, options),
        );
  });

  it('allows subscribing exactly what net/acl.ts allows', () => {
    for (const user of USERS)
      for (const filter of FILTERS)
        expect(allowed(rules, user, 'subscribe', filter), `${user} subscribe ${filter}`).toBe(
          maySubscribe(user, filter),
        );
  });
});
