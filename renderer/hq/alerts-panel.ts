// Breach alerts as a panel: HQ's live alerts (net/hq/breach-alert.ts) with who, rule, day, status, the latest
// history note, and for a role that decides reviews the acknowledge / assign / resolve actions with a note. A
// centre's staff screen mounts it read-only over the copy HQ published for the centre. Its
// own words (English and Simplified Chinese) and its own refresh: the screen that mounts it only places it and
// calls refresh() on `hq.changed`.
import type { MusterApi } from '../../core/api/api.ts';
import type { BreachAlertView } from '../../core/api/alerts-api.ts';
import { type Catalogue, wordsOf } from '../catalogue.ts';
import { type Child, button, h, render } from '../dom.ts';
import { data } from '../findings.ts';
import { engineText } from '../engine-text.ts';
import { stamp } from '../local-time.ts';
import { reconcile } from '../reconcile.ts';
import { ruleText } from '../screen-words.ts';
import { errorText } from '../status-line.ts';

const WORDS = {
  title: { 'en': 'Breach alerts', 'zh-CN': '违规警报' },
  none: { 'en': 'No breach alerts.', 'zh-CN': '暂无违规警报。' },
  kind_breach: { 'en': 'Breach', 'zh-CN': '违规' },
  kind_review: { 'en': 'For staff review (kiosk outage)', 'zh-CN': '待工作人员复核（自助机故障）' },
  status_open: { 'en': 'open', 'zh-CN': '未处理' },
  status_acknowledged: { 'en': 'acknowledged', 'zh-CN': '已确认' },
  status_assigned: { 'en': 'assigned', 'zh-CN': '已指派' },
  status_resolved: { 'en': 'resolved', 'zh-CN': '已解决' },
  status_superseded: { 'en': 'superseded', 'zh-CN': '已撤销' },
  raised: { 'en': 'raised', 'zh-CN': '发出时间' },
  evidence: { 'en': 'evidence entries', 'zh-CN': '证据条目' },
  note: { 'en': 'Note', 'zh-CN': '备注' },
  assignee: { 'en': 'Assign to (user id)', 'zh-CN': '指派给（用户编号）' },
  acknowledge: { 'en': 'Acknowledge', 'zh-CN': '确认' },
  assign: { 'en': 'Assign', 'zh-CN': '指派' },
  resolve: { 'en': 'Resolve', 'zh-CN': '解决' },
  needNote: { 'en': 'Write a note first.', 'zh-CN': '请先填写备注。' },
  event_raised: { 'en': 'raised', 'zh-CN': '已发出' },
  event_updated: { 'en': 'updated', 'zh-CN': '已更新' },
  event_superseded: { 'en': 'superseded', 'zh-CN': '已撤销' },
  event_acknowledged: { 'en': 'acknowledged', 'zh-CN': '已确认' },
  event_assigned: { 'en': 'assigned', 'zh-CN': '已指派' },
  event_resolved: { 'en': 'resolved', 'zh-CN': '已解决' },
} as const satisfies Catalogue;
const t = wordsOf(WORDS);

export interface AlertsPanel {
  readonly el: HTMLElement;
  refresh(): Promise<void>;
}

export interface AlertsPanelOptions {
  /** The role decides reviews (officers): the actions are shown; the server checks it again. */
  readonly canAct: boolean;
  /** The zone of a centre: an alert's times are shown in its (first) centre's zone, labelled. */
  readonly zoneOf: (centre: string) => string;
  readonly centre?: string;
  /** Where the list comes from: HQ's alerts (default), or a centre's staff screen's copy (`staff.breachAlerts`). */
  readonly list?: () => Promise<{ readonly alerts: readonly BreachAlertView[] }>;
}

export function alertsPanel(api: MusterApi, options: AlertsPanelOptions): AlertsPanel {
  const message = h('div', { 'aria-live': 'polite' });
  const list = h('ul', { 'class': 'alerts-list', 'aria-live': 'polite' });
  const el = h(
    'section',
    { 'class': 'panel alerts-panel', 'aria-label': t('title') },
    h('h2', {}, t('title')),
    message,
    list,
  );
  // A live update merges into the list by alert: an alert's words are redrawn when it changed, its note and
  // assignee fields (and the focus in them) are kept, so a half-typed note survives every update.
  const refresh = async (): Promise<void> => {
    try {
      const { alerts } = await (options.list?.() ??
        api.call('hq.breachAlerts', options.centre === undefined ? {} : { centre: options.centre }));
      const none = alerts.length === 0 ? t('none') : '';
      if (message.textContent !== none) render(message, none === '' ? null : h('p', {}, none));
      reconcile(list, alerts, (a) => a.id, create, update);
    } catch (error) {
      render(message, h('p', { class: 'banner', role: 'alert' }, errorText(error)));
    }
  };
  const create = (a: BreachAlertView): HTMLElement => {
    const li = h('li', { 'data-alert': a.id }, h('div', { class: 'alert-body' }));
    update(li, a);
    return li;
  };
  const update = (li: HTMLElement, a: BreachAlertView): void => {
    const shown = JSON.stringify(a);
    if (li.dataset.shown === shown) return;
    li.dataset.shown = shown;
    li.className = `alert alert-${a.kind} alert-${a.status}`;
    const body = li.querySelector('.alert-body');
    if (body) render(body, ...item(a));
    const closed = a.status === 'resolved' || a.status === 'superseded';
    const held = li.querySelector('.alert-actions');
    if (options.canAct && !closed) {
      if (!held) li.append(actions(a));
    } else held?.remove();
  };
  const item = (a: BreachAlertView): Child[] => {
    const last = a.history.at(-1);
    return [
      h('strong', {}, t(a.kind === 'breach' ? 'kind_breach' : 'kind_review')),
      ' ',
      data(a.subject),
      ' · ',
      // The rule in the person's language; its id stays on the element for scripts and exports.
      h('span', { 'class': 'alert-rule', 'data-rule': a.rule }, ruleText(a.rule)),
      ' · ',
      data(a.day),
      ' · ',
      h('span', { class: 'alert-status' }, t(`status_${a.status}`)),
      a.assignee === null ? null : [' → ', data(a.assignee)],
      h('div', {}, engineText(a.summary)),
      h(
        'div',
        { class: 'muted' },
        `${t('raised')} ${stamp(a.raisedAt, options.zoneOf(a.centres[0] ?? ''))} · ${a.evidence.length} ${t('evidence')}`,
      ),
      // The copy a centre receives carries an officer's note as its hash only: the event is what it can show.
      last
        ? h(
            'div',
            { class: 'muted' },
            eventWord(last.event),
            last.note.startsWith('sha256:') ? null : [': ', data(last.note)],
          )
        : null,
    ];
  };
  const eventWord = (event: string): string => {
    const key = `event_${event}`;
    return Object.hasOwn(WORDS, key) ? t(key as keyof typeof WORDS) : event;
  };
  const actions = (a: BreachAlertView): HTMLElement => {
    const note = h('input', { 'type': 'text', 'maxlength': 500, 'aria-label': t('note'), 'placeholder': t('note') });
    const assignee = h('input', {
      'type': 'text',
      'maxlength': 64,
      'aria-label': t('assignee'),
      'placeholder': t('assignee'),
    });
    const status = h('span', { role: 'status' });
    const act = (action: 'acknowledge' | 'assign' | 'resolve'): void => {
      if (note.value.trim() === '') {
        render(status, t('needNote'));
        return;
      }
      const who = assignee.value.trim();
      api
        .call('hq.alertAction', {
          id: a.id,
          action,
          note: note.value,
          ...(action === 'assign' ? { assignee: who } : {}),
        })
        .then(
          () => {
            note.value = '';
            void refresh();
          },
          (error: unknown) => {
            render(status, errorText(error));
          },
        );
    };
    return h(
      'div',
      { class: 'alert-actions' },
      note,
      button(t('acknowledge'), '👁️', () => {
        act('acknowledge');
      }),
      assignee,
      button(t('assign'), '👤', () => {
        act('assign');
      }),
      button(t('resolve'), '✔️', () => {
        act('resolve');
      }),
      status,
    );
  };
  return { el, refresh };
}
