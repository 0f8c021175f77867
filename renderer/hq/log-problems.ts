// Each log's verification state on the HQ dashboard, and what is wrong with the logs HQ cannot trust: the verified
// reader's problem (a forged, tampered, rolled-back or unregistered log, a refused registry), a fork the kiosk's
// own key signed, a witness that cosigned another history. Each problem names its log, says in the page's language
// what is wrong and what it means for the verdicts resting on it; the recorded reason follows as data.
import type { LogView } from '../../core/api/hq-api.ts';
import { type Child, h } from '../dom.ts';
import { data, logText } from '../findings.ts';
import { stamp } from '../local-time.ts';
import { type ProblemWord, p, pn } from './log-problem-strings.ts';

/** The verified reader's kinds (ledger/problem-kind.ts) this screen explains; any other reads as `unknown`. */
const READER_KINDS = new Set([
  'registry-refused',
  'unregistered-key',
  'revoked-key',
  'forged',
  'tampered',
  'rolled-back',
  'changed',
  'invalid',
]);

/** Why verdicts resting on a log are not trusted. */
interface LogProblem {
  readonly log: LogView;
  readonly kind: string;
  readonly what: Child[];
  readonly means: Child[];
  readonly reason?: string;
}

/** The catalogue key of a kind: `registry-refused` -> `<prefix>_registry_refused`. */
function word(prefix: 'kind' | 'what', kind: string): ProblemWord {
  return `${prefix}_${kind.replace(/-/g, '_')}` as ProblemWord;
}

/** Every problem of every log, worst first: the reader's withheld entries, then forks, then witnesses that disagree. */
export function logProblems(logs: readonly LogView[], zoneOf: (origin: string) => string): LogProblem[] {
  const problems: LogProblem[] = [];
  for (const log of logs) {
    const bad = log.unverified;
    if (!bad) continue;
    const kind = READER_KINDS.has(bad.kind) ? bad.kind : 'unknown';
    problems.push({
      log,
      kind,
      what: [p(word('what', kind))],
      means:
        bad.after === null
          ? pn('heldAll', { seq: bad.seq })
          : pn('heldFrom', { seq: bad.seq, time: stamp(bad.after, zoneOf(log.origin)) }),
      reason: bad.reason,
    });
  }
  for (const log of logs)
    if (log.conflicts > 0)
      problems.push({
        log,
        kind: 'forked',
        what: [p('what_forked', { count: log.conflicts })],
        means: [p('means_forked')],
      });
  for (const log of logs) {
    const differ = (log.cosigners ?? []).filter((c) => !c.matchesHq).map((c) => c.witness);
    if (differ.length > 0)
      problems.push({
        log,
        kind: 'witness-disagrees',
        what: pn('what_witness_disagrees', { witnesses: data(differ.join(', ')) }),
        means: [p('means_witness_disagrees')],
      });
  }
  return problems;
}

/** What the problems say: the dashboard redraws them (and so announces them) only when this changes. */
export function problemsKey(problems: readonly LogProblem[]): string {
  return JSON.stringify(problems.map((x) => [x.log.origin, x.kind, x.log.unverified ?? null, x.log.conflicts]));
}

/** The banner at the top of the dashboard while any log is not trusted (null: every log is). */
export function problemsBanner(problems: readonly LogProblem[]): HTMLElement | null {
  const logs = new Set(problems.map((x) => x.log.origin)).size;
  if (logs === 0) return null;
  return h(
    'p',
    { 'class': 'banner danger', 'data-log-problems': logs },
    h('span', { 'aria-hidden': 'true' }, '⛔ '),
    p('problemsBanner', { count: logs }),
    ' ',
    h(
      'a',
      {
        href: '#log-problems-title',
        onclick: () => {
          document.getElementById('log-problems-title')?.focus();
        },
      },
      p('problemsLink'),
    ),
  );
}

/** The fleet section's list of problems, or the statement that every log is verified. */
export function problemsSection(problems: readonly LogProblem[]): HTMLElement {
  if (problems.length === 0)
    return h('p', { 'class': 'verified-all', 'data-log-health': 'ok' }, '✅ ', p('allVerified'));
  return h(
    'section',
    { 'class': 'log-problems', 'aria-labelledby': 'log-problems-title', 'data-log-health': 'problems' },
    h('h3', { id: 'log-problems-title', tabindex: -1 }, '⛔ ', p('problemsTitle', { count: problems.length })),
    h(
      'ul',
      {},
      problems.map((x) =>
        h(
          'li',
          { 'class': 'log-problem', 'data-log': x.log.origin, 'data-kind': x.kind },
          h('h4', {}, p(word('kind', x.kind)), ' · ', pn('problemLog', { log: data(x.log.origin) })),
          h('p', {}, x.what),
          h('p', { class: 'means' }, x.means),
          x.reason === undefined
            ? null
            : h('details', {}, h('summary', {}, p('technical')), h('p', {}, logText(x.reason))),
        ),
      ),
    ),
  );
}

/** A log's verified state for the logs table: how far it is verified, or where it stops being trusted. */
export function verifiedCell(log: LogView): HTMLElement {
  const head = log.verifiedHead === undefined ? null : h('small', {}, pn('headHash', { hash: hash(log.verifiedHead) }));
  if (log.unverified)
    return h(
      'td',
      { 'data-trust': 'problem' },
      h('strong', { class: 'error' }, '⛔ ', p('notTrustedFrom', { seq: log.unverified.seq })),
      head ? [h('br'), head] : null,
    );
  if (log.conflicts > 0)
    return h('td', { 'data-trust': 'problem' }, h('strong', { class: 'error' }, '⛔ ', p('forkedCell')));
  if (log.verified < log.size)
    return h('td', { 'data-trust': 'pending' }, '⏳ ', p('verifying', { done: log.verified, size: log.size }));
  return h(
    'td',
    { 'data-trust': 'ok' },
    '✅ ',
    log.verified === 0 ? p('verifiedNone') : p('verifiedTo', { seq: log.verified - 1 }),
    head ? [h('br'), head] : null,
  );
}

/** The witnessed checkpoint's size and root. */
export function witnessedCell(log: LogView): HTMLElement {
  return h(
    'td',
    {},
    log.witnessedSize,
    log.witnessedRoot === undefined
      ? null
      : [h('br'), h('small', {}, pn('rootHash', { hash: hash(log.witnessedRoot) }))],
  );
}

/** A hash shortened for reading, whole in its title (data, never translated). */
function hash(hex: string): HTMLElement {
  return h('code', { 'class': 'data', 'translate': 'no', 'title': hex, 'data-hash': hex }, `${hex.slice(0, 16)}…`);
}
