// A person's supervision plan on the staff screen: set it for a new person, change it (window, reporting days,
// grace, lateness, tasks and the questionnaire answers that go to review), or end supervision. Each save is a
// signed `plan` entry naming the signed-in staff member (main/web/plan-decisions.ts); the form is built once
// from the plan in force, and live updates never redraw it.
import type { Params } from '../../core/api/api.ts';
import type { PlanView } from '../../core/api/staff-api.ts';
import { button, h } from '../dom.ts';
import { data } from '../findings.ts';
import type { Decide } from './staff-forms.ts';
import { type StaffWord, s, sn } from './staff-strings.ts';

type TaskRequest = Params<'staff.plan'>['tasks'][number];
const KINDS = ['study', 'service', 'questionnaire'] as const;
let seq = 0;

function field(label: string, input: HTMLInputElement | HTMLSelectElement): HTMLElement[] {
  return [h('label', { for: input.id }, label), input];
}

/** "q1=yes,no; q2=b" <-> { q1: ['yes', 'no'], q2: ['b'] }. */
function flagsText(flags: Readonly<Record<string, readonly string[]>> | undefined): string {
  return Object.entries(flags ?? {})
    .map(([q, answers]) => `${q}=${answers.join(',')}`)
    .join('; ');
}

function parseFlags(text: string): Record<string, string[]> | undefined {
  const out: Record<string, string[]> = {};
  for (const part of text
    .split(/[;；]/)
    .map((p) => p.trim())
    .filter((p) => p !== '')) {
    const [question, answers] = part.split('=');
    if (!question?.trim() || !answers?.trim()) return undefined;
    out[question.trim()] = answers
      .split(/[,，]/)
      .map((a) => a.trim())
      .filter((a) => a !== '');
  }
  return out;
}

function taskRow(
  task: TaskRequest | undefined,
  remove: (row: HTMLElement) => void,
): { el: HTMLElement; read: () => TaskRequest | string } {
  const id = `task-${++seq}`;
  const kind = h(
    'select',
    { id: `${id}-kind` },
    KINDS.map((k) => h('option', { value: k, selected: task?.kind === k }, s(`task_${k}` as StaffWord))),
  );
  const value = h('input', {
    id: `${id}-value`,
    required: true,
    autocomplete: 'off',
    value: task === undefined ? '' : String(task.module ?? task.minutes ?? task.questionnaire ?? ''),
  });
  const flags = h('input', { id: `${id}-flags`, autocomplete: 'off', value: flagsText(task?.flags) });
  const valueLabel = h('label', { for: value.id });
  const flagsBox = h('span', { class: 'flags' }, ...field(s('taskFlags'), flags));
  const sync = (): void => {
    valueLabel.textContent = s(`taskValue_${kind.value}` as StaffWord);
    flagsBox.hidden = kind.value !== 'questionnaire';
  };
  kind.addEventListener('change', sync);
  sync();
  const el: HTMLElement = h(
    'li',
    { class: 'task-row' },
    ...field(s('taskKind'), kind),
    valueLabel,
    value,
    flagsBox,
    button(s('removeTask'), '🗑️', () => {
      remove(el);
    }),
  );
  const taskId = task?.id ?? `t${seq}`;
  return {
    el,
    read: () => {
      const v = value.value.trim();
      if (kind.value === 'service') return { id: taskId, kind: 'service', minutes: Number(v) };
      if (kind.value === 'study') return { id: taskId, kind: 'study', module: v };
      const parsed = parseFlags(flags.value);
      return parsed === undefined
        ? s('badFlags')
        : { id: taskId, kind: 'questionnaire', questionnaire: v, flags: parsed };
    },
  };
}

/** The plan form; `plan` null for a person without one (a new person names their id here). */
export function planForm(subject: string | null, plan: PlanView | null, today: string, d: Decide): HTMLElement {
  const id = `plan-${++seq}`;
  const subjectInput = h('input', {
    id: `${id}-subject`,
    required: true,
    autocomplete: 'off',
    translate: 'no',
    pattern: '[A-Za-z0-9][A-Za-z0-9._:\\/~\\-]{0,127}',
  });
  const start = h('input', { id: `${id}-start`, type: 'date', required: true, value: plan?.start ?? today });
  const end = h('input', { id: `${id}-end`, type: 'date', value: plan?.end ?? '' });
  const open = h('input', { id: `${id}-open`, type: 'time', required: true, value: plan?.open ?? '08:00' });
  const close = h('input', { id: `${id}-close`, type: 'time', required: true, value: plan?.close ?? '10:00' });
  const grace = h('input', {
    id: `${id}-grace`,
    type: 'number',
    min: 0,
    max: 240,
    required: true,
    value: plan?.graceMinutes ?? 15,
  });
  const late = h('input', {
    id: `${id}-late`,
    type: 'number',
    min: 0,
    max: 720,
    required: true,
    value: plan?.lateMinutes ?? 60,
  });
  const days = [0, 1, 2, 3, 4, 5, 6].map((day) =>
    h('input', {
      type: 'checkbox',
      id: `${id}-day-${day}`,
      value: day,
      checked: plan === null ? day >= 1 && day <= 5 : plan.days.includes(day),
    }),
  );
  const reason = h('input', { id: `${id}-reason`, required: true, maxlength: 200, autocomplete: 'off' });
  const rows: { el: HTMLElement; read: () => TaskRequest | string }[] = [];
  const list = h('ul', { class: 'task-rows' });
  const add = (task?: TaskRequest): void => {
    const row = taskRow(task, (el) => {
      rows.splice(
        rows.findIndex((r) => r.el === el),
        1,
      );
      el.remove();
    });
    rows.push(row);
    list.append(row.el);
  };
  for (const task of plan?.tasks ?? []) add(task);

  const form = h(
    'form',
    {
      'class': 'plan',
      'data-form': 'plan',
      'onsubmit': (e: Event) => {
        e.preventDefault();
        const tasks = rows.map((r) => r.read());
        const problem = tasks.find((t) => typeof t === 'string');
        if (problem !== undefined) {
          d.say(problem);
          return;
        }
        const who = subject ?? subjectInput.value.trim();
        d.api
          .call('staff.plan', {
            subject: who,
            start: start.value,
            end: end.value === '' ? null : end.value,
            days: days.filter((x) => x.checked).map((x) => Number(x.value)),
            open: open.value.slice(0, 5),
            close: close.value.slice(0, 5),
            graceMinutes: Number(grace.value),
            lateMinutes: Number(late.value),
            tasks: tasks.filter((t) => typeof t !== 'string'),
            reason: reason.value.trim(),
          })
          .then(() => {
            reason.value = '';
            d.done(sn('planSaved', { subject: data(who) }));
          }, d.fail);
      },
    },
    h('h3', {}, '🗓️ ', subject === null ? s('planNew') : s('plan')),
    plan === null && subject !== null ? h('p', {}, s('planNone')) : null,
    subject === null ? field(s('subjectId'), subjectInput) : null,
    ...field(s('start'), start),
    ...field(s('end'), end),
    h(
      'fieldset',
      {},
      h('legend', {}, s('days')),
      days.map((box, day) =>
        h('span', { class: 'check' }, box, h('label', { for: box.id }, s(`day_${day}` as StaffWord))),
      ),
    ),
    ...field(s('windowOpen'), open),
    ...field(s('windowClose'), close),
    ...field(s('grace'), grace),
    ...field(s('late'), late),
    h(
      'fieldset',
      {},
      h('legend', {}, s('tasks')),
      list,
      button(s('addTask'), '➕', () => {
        add();
      }),
    ),
    ...field(s('reason'), reason),
    h(
      'button',
      { type: 'submit' },
      h('span', { 'class': 'icon', 'aria-hidden': 'true' }, '💾'),
      h('span', {}, s('savePlan')),
    ),
  );
  return form;
}

/** Ends supervision after a chosen day (the plan in force, with that last day). */
export function endForm(subject: string, today: string, d: Decide): HTMLElement {
  const id = `end-${++seq}`;
  const last = h('input', { id: `${id}-last`, type: 'date', required: true, value: today });
  const reason = h('input', { id: `${id}-reason`, required: true, maxlength: 200, autocomplete: 'off' });
  return h(
    'form',
    {
      'class': 'end-supervision',
      'data-form': 'end',
      'onsubmit': (e: Event) => {
        e.preventDefault();
        d.api.call('staff.endSupervision', { subject, last: last.value, reason: reason.value.trim() }).then(() => {
          d.done(sn('ended', { subject: data(subject), day: last.value }));
        }, d.fail);
      },
    },
    h('h3', {}, '🏁 ', s('endSupervision')),
    ...field(s('lastDay'), last),
    ...field(s('reason'), reason),
    h(
      'button',
      { type: 'submit' },
      h('span', { 'class': 'icon', 'aria-hidden': 'true' }, '🏁'),
      h('span', {}, s('endSupervision')),
    ),
  );
}
