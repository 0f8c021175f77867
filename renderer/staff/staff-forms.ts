// The staff decisions a person panel offers, each a form that a live update never redraws: a review decision
// on one incident (no decision preselected), a contest lodged or resolved, an excuse (leave, travel or other,
// ahead of time). The server appends each as a signed entry naming the signed-in staff member.
import type { MusterApi, Params } from '../../core/api/api.ts';
import type { FindingView } from '../../core/api/staff-api.ts';
import { RULE_IDS } from '../../core/breach/rule-ids.ts';
import { type Child, h } from '../dom.ts';
import { data } from '../findings.ts';
import { ruleText } from '../screen-words.ts';
import { s, sn } from './staff-strings.ts';

export interface Decide {
  readonly api: MusterApi;
  /** A sentence for the person (a decision recorded, a choice missing). */
  readonly say: (message: Child) => void;
  /** After a decision was recorded: say so, and refresh. */
  readonly done: (message: Child) => void;
  readonly fail: (error: unknown) => void;
}

let formSeq = 0;

function submit(label: string, icon: string): HTMLButtonElement {
  return h(
    'button',
    { type: 'submit' },
    h('span', { 'class': 'icon', 'aria-hidden': 'true' }, icon),
    h('span', {}, label),
  );
}

function reasonInput(id: string): HTMLInputElement {
  return h('input', { id, name: 'reason', required: true, maxlength: 200, autocomplete: 'off' });
}

/** Two or more choices as radio buttons, none checked: the person must pick one. */
function choices(
  id: string,
  legend: string,
  options: readonly (readonly [string, string])[],
): { el: HTMLElement; value: () => string | undefined } {
  const inputs = options.map(([value]) =>
    h('input', { type: 'radio', name: id, id: `${id}-${value}`, value, required: true }),
  );
  return {
    el: h(
      'fieldset',
      { class: 'choices' },
      h('legend', {}, legend),
      options.map(([value, label], i) =>
        h('span', { class: 'check' }, inputs[i], h('label', { for: `${id}-${value}` }, label)),
      ),
    ),
    value: () => inputs.find((i) => i.checked)?.value,
  };
}

/** One decision for a whole incident (every part of it). */
export function reviewForm(item: FindingView, d: Decide): HTMLElement {
  const id = `review-${++formSeq}`;
  const reason = reasonInput(`${id}-reason`);
  const decision = choices(`${id}-decision`, s('decision'), [
    ['cleared', s('decideCleared')],
    ['breach', s('decideBreach')],
  ]);
  return h(
    'form',
    {
      'class': 'decision',
      'data-form': 'review',
      'onsubmit': (e: Event) => {
        e.preventDefault();
        const chosen = decision.value();
        if (chosen !== 'cleared' && chosen !== 'breach') {
          d.say(s('chooseDecision'));
          return;
        }
        d.api
          .call('staff.review', {
            item: item.id,
            subject: item.subject,
            day: item.day,
            decision: chosen,
            reason: reason.value.trim(),
          })
          .then(() => {
            d.done(sn('reviewRecorded', { subject: data(item.subject) }));
          }, d.fail);
      },
    },
    decision.el,
    h('label', { for: reason.id }, s('reason')),
    reason,
    submit(s('recordDecision'), '⚖️'),
  );
}

/** Lodge a contest on a standing breach, or resolve one that is contested; null when neither applies. */
export function contestForm(breach: FindingView, d: Decide): HTMLElement | null {
  if (breach.status !== 'open' && breach.status !== 'contested') return null;
  const id = `contest-${++formSeq}`;
  const reason = reasonInput(`${id}-reason`);
  const lodging = breach.status === 'open';
  const outcome = lodging
    ? null
    : choices(`${id}-outcome`, s('resolveContest'), [
        ['upheld', s('uphold')],
        ['dismissed', s('dismiss')],
      ]);
  return h(
    'form',
    {
      'class': 'decision',
      'data-form': lodging ? 'contest-open' : 'contest-resolve',
      'onsubmit': (e: Event) => {
        e.preventDefault();
        const chosen = outcome?.value();
        const base = { breach: breach.id, subject: breach.subject, day: breach.day, reason: reason.value.trim() };
        let params: Params<'staff.contest'> = { ...base, action: 'open' };
        if (outcome) {
          if (chosen !== 'upheld' && chosen !== 'dismissed') {
            d.say(s('chooseDecision'));
            return;
          }
          params = { ...base, action: 'resolve', outcome: chosen };
        }
        d.api.call('staff.contest', params).then(() => {
          d.done(sn('contestRecorded', { subject: data(breach.subject) }));
        }, d.fail);
      },
    },
    h('strong', {}, '⚖️ ', lodging ? s('lodgeContest') : s('contest')),
    outcome?.el,
    h('label', { for: reason.id }, s('reason')),
    reason,
    submit(lodging ? s('lodgeContest') : s('resolveContest'), '⚖️'),
  );
}

const EXCUSE_KINDS = ['other', 'leave', 'travel'] as const;

/** An excuse from day to day, ahead of time or after: leave (请假), travel (外出) or another reason. */
export function excuseForm(subject: string, day: string, d: Decide): HTMLElement {
  const from = h('input', { id: 'excuse-from', type: 'date', value: day, required: true });
  const to = h('input', { id: 'excuse-to', type: 'date', value: day, required: true });
  const kind = h(
    'select',
    { id: 'excuse-kind' },
    EXCUSE_KINDS.map((k) =>
      h('option', { value: k }, s(k === 'leave' ? 'kindLeave' : k === 'travel' ? 'kindTravel' : 'kindOther')),
    ),
  );
  const reason = reasonInput('excuse-reason');
  const rules = RULE_IDS.map((rule) => h('input', { type: 'checkbox', id: `excuse-${rule}`, value: rule }));
  return h(
    'form',
    {
      class: 'excuse',
      onsubmit: (e: Event) => {
        e.preventDefault();
        const chosen = RULE_IDS.filter((_, i) => rules[i]?.checked === true);
        // The kind is the reason code on the log, so a report can tell leave from travel; the words become a note
        // in the personal-data store (the log carries only their commitment).
        const words = reason.value.trim();
        const why = kind.value === 'other' ? { reason: words } : { reason: kind.value, note: words };
        d.api.call('staff.excuse', { subject, from: from.value, to: to.value, rules: chosen, ...why }).then(() => {
          reason.value = '';
          d.done(sn('excuseRecorded', { subject: data(subject) }));
        }, d.fail);
      },
    },
    h('h3', {}, '📝 ', s('excuse')),
    h('label', { for: 'excuse-kind' }, s('excuseKind')),
    kind,
    h('label', { for: 'excuse-from' }, s('from')),
    from,
    h('label', { for: 'excuse-to' }, s('to')),
    to,
    h(
      'fieldset',
      {},
      h('legend', {}, s('rulesNoneAll')),
      RULE_IDS.map((rule, i) =>
        h('span', { class: 'check' }, rules[i], h('label', { for: `excuse-${rule}` }, ruleText(rule))),
      ),
    ),
    h('label', { for: 'excuse-reason' }, s('reason')),
    reason,
    submit(s('recordExcuse'), '📝'),
  );
}
