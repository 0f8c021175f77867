// The staff attendance screen: today's roster with each person's state, live; filters; one person's incidents,
// breaches, excuses and history (renderer/staff/staff-person.ts); device health of the centre's kiosks; CSV
// export and a printable daily report. Every word comes from the catalogues, every time is the centre's.
// Live updates merge into the page (renderer/reconcile.ts): nothing a person is typing is redrawn.
import { holds } from '../../core/access/roles.ts';
import type { MusterApi } from '../../core/api/api.ts';
import type { PrincipalView } from '../../core/api/session-api.ts';
import { ROSTER_STATES, type Roster, type RosterRow, type RosterState } from '../../core/api/staff-api.ts';
import { ApiError } from '../api-client.ts';
import { language, settleLanguage } from '../catalogue.ts';
import { coalesce } from '../coalesce.ts';
import { button, columnHeads, download, h, render } from '../dom.ts';
import { data } from '../findings.ts';
import { percent } from '../numbers.ts';
import { clockTime, stamp, zoneLabel } from '../local-time.ts';
import { reconcile, setText } from '../reconcile.ts';
import { STATES, ruleText, stateText, statusText } from '../screen-words.ts';
import { onSessionLost, userBar, withSignIn } from '../sign-in.ts';
import { StatusLine, errorText } from '../status-line.ts';
import { alertsPanel } from '../hq/alerts-panel.ts';
import { identityBox } from './identity.ts';
import { drawDevices } from './staff-devices.ts';
import { PersonPanel } from './staff-person.ts';
import { s, sn } from './staff-strings.ts';

type Filter = RosterState | 'all';
const FILTERS: readonly Filter[] = ['all', ...ROSTER_STATES];
/** Device health changes without a log entry here; it is polled (as an idle call: it keeps no session alive). */
const DEVICES_EVERY_MS = 5_000;
/** States change with the clock too (expected turns breached at the deadline). */
const ROSTER_EVERY_MS = 30_000;

export function startStaffScreen(root: HTMLElement, api: MusterApi): void {
  void withSignIn(root, 'signInTitleStaff', (user) => {
    void staffScreen(root, api, user);
  });
}

async function staffScreen(root: HTMLElement, api: MusterApi, user: PrincipalView): Promise<void> {
  let roster: Roster;
  const loading = new StatusLine(() => 'UTC');
  render(root, loading.el);
  try {
    roster = await api.call('staff.roster', {});
  } catch (error) {
    if (onSessionLost(error)) return;
    if (error instanceof ApiError && error.code === 'forbidden')
      render(
        root,
        h('header', { class: 'bar' }, h('h1', {}, '📋 ', s('title')), userBar(user)),
        h('p', { class: 'banner', role: 'alert' }, '⛔ ', s('forbiddenHere')),
      );
    else loading.failed(error);
    return;
  }
  settleLanguage(roster.zone);
  document.title = s('title');
  const zone = (): string => roster.zone;
  const status = new StatusLine(zone);
  const notice = h('p', { class: 'action-notice', role: 'status' });
  let filter: Filter = 'all';
  let search = '';

  const fail = (error: unknown): void => {
    if (onSessionLost(error)) return;
    render(notice, '⚠️ ', errorText(error));
  };
  const person = new PersonPanel(
    {
      api,
      say: (message) => {
        render(notice, message);
      },
      done: (message) => {
        render(notice, '✅ ', message);
        live();
      },
      fail,
    },
    () => roster.day,
    holds(user.role, 'read-biometrics'),
  );

  // The roster: headings and counts are redrawn; the filter buttons and the search box are made once.
  const title = h('h2', { id: 'roster-title' });
  const report = h('p', { class: 'print-only' });
  const compliance = h('p', { class: 'compliance' });
  const filterButtons = FILTERS.map((f) =>
    button(
      '',
      f === 'all' ? '👥' : STATES[f].icon,
      () => {
        filter = f;
        for (const b of filterButtons) b.setAttribute('aria-pressed', String(b.dataset.filter === f));
        drawRows();
      },
      { 'aria-pressed': String(filter === f), 'data-filter': f },
    ),
  );
  const searchBox = h('input', {
    id: 'search',
    type: 'search',
    autocomplete: 'off',
    oninput: () => {
      search = searchBox.value.trim();
      drawRows();
    },
  });
  const caption = h('caption', {});
  const body = h('tbody', {});
  const confirmBox = h('section', { 'class': 'confirmations', 'aria-live': 'assertive' });
  const devicesBox = h('section', { 'class': 'devices', 'aria-labelledby': 'devices-title' });

  const cells = (p: RosterRow): HTMLElement[] => [
    h(
      'td',
      {},
      h(
        'span',
        { class: `state state-${p.state}` },
        h('span', { 'aria-hidden': 'true' }, STATES[p.state].icon, ' '),
        stateText(p.state),
      ),
    ),
    h('td', {}, p.window),
    h('td', {}, clockTime(p.checkedInAt, zone())),
    h('td', {}, p.kiosk === null ? '' : data(p.kiosk)),
    h('td', {}, [...p.breaches, ...p.reviews].map((f) => `${ruleText(f.rule)} · ${statusText(f.status)}`).join(' | ')),
  ];

  const drawRows = (): void => {
    const rows = roster.people.filter((p) => (filter === 'all' || p.state === filter) && p.subject.includes(search));
    setText(
      caption,
      s('rowsShown', { shown: rows.length, total: roster.people.length, zone: zoneLabel(zone(), roster.at) }),
    );
    reconcile(
      body,
      rows,
      (p) => p.subject,
      (p) => {
        const tr = h(
          'tr',
          { 'data-subject': p.subject, 'data-state': p.state },
          h(
            'th',
            { scope: 'row' },
            button(p.subject, '👤', () => void person.open(p.subject).catch(fail), {
              'class': 'link',
              'translate': 'no',
              'aria-label': s('historyOf', { subject: p.subject }),
            }),
          ),
          cells(p),
        );
        return tr;
      },
      (tr, p) => {
        // The person's button (which may hold the focus) stays; the cells showing data are replaced.
        tr.dataset.state = p.state;
        for (const td of [...tr.querySelectorAll(':scope > td')]) td.remove();
        tr.append(...cells(p));
      },
    );
  };

  const drawRoster = (): void => {
    render(title, sn('today', { centre: data(roster.centre), day: roster.day }));
    render(
      report,
      sn('reportHead', {
        centre: data(roster.centre),
        day: roster.day,
        zone: zoneLabel(zone(), roster.at),
        time: stamp(roster.at, zone()),
        user: data(user.user),
      }),
    );
    const c = roster.count;
    const settled = c.due - c.open;
    setText(
      compliance,
      c.compliance === null
        ? s('complianceNone', { open: c.open })
        : s('compliance', { value: percent(c.compliance), good: settled - c.breached, settled, open: c.open }),
    );
    for (const b of filterButtons) {
      const f = b.dataset.filter as Filter;
      const n = f === 'all' ? roster.people.length : roster.people.filter((p) => p.state === f).length;
      setText(b.querySelector('.label') ?? b, `${f === 'all' ? s('all') : stateText(f)} (${n})`);
    }
    drawRows();
  };

  const drawConfirmations = async (): Promise<void> => {
    const { confirmations, calls } = await api.call('staff.pending', {});
    const items = [
      ...calls.map((call) => ({ id: `call-${call.id}`, call })),
      ...confirmations.map((c) => ({ id: c.id, c })),
    ];
    reconcile(
      confirmBox,
      items,
      (item) => item.id,
      (item) =>
        'call' in item
          ? h(
              'div',
              { 'class': 'banner call', 'role': 'alert', 'data-call': item.call.reference },
              h(
                'p',
                {},
                '🔔 ',
                sn(`call-${item.call.reason}`, {
                  reference: data(item.call.reference),
                  time: clockTime(item.call.since, zone()),
                }),
              ),
              button(s('answerCall'), '🏃', () => {
                api.call('staff.answerCall', { id: item.call.id }).then(live, fail);
              }),
            )
          : confirmBanner(item.c),
      () => undefined,
    );
  };

  const confirmBanner = (c: { readonly id: string; readonly subject: string; readonly since: number }): HTMLElement =>
    h(
      'div',
      { 'class': 'banner confirm', 'role': 'alert', 'data-confirm': c.subject },
      h('p', {}, '🧑‍💼 ', sn('cameraDown', { subject: data(c.subject), time: clockTime(c.since, zone()) })),
      button(sn('confirm', { subject: data(c.subject) }), '✅', () => {
        api.call('staff.confirm', { id: c.id, subject: c.subject, confirmed: true }).then(live, fail);
      }),
      button(s('notThisPerson'), '❌', () => {
        api.call('staff.confirm', { id: c.id, subject: c.subject, confirmed: false }).then(live, fail);
      }),
      identityBox(api, c.subject, fail),
    );

  const refresh = async (): Promise<void> => {
    try {
      roster = await api.call('staff.roster', {});
      drawRoster();
      await drawConfirmations();
      await person.load();
      status.ok(roster.at);
    } catch (error) {
      if (!onSessionLost(error)) status.failed(error);
    }
  };
  const live = coalesce(refresh, fail);
  const alerts = alertsPanel(api, { canAct: false, zoneOf: zone, list: () => api.call('staff.breachAlerts', {}) });
  const devices = coalesce(
    () => drawDevices(devicesBox, api, zone()),
    (error) => {
      if (!onSessionLost(error))
        render(
          devicesBox,
          h('h2', { id: 'devices-title' }, '🛠️ ', s('devices')),
          h('p', { class: 'error' }, '⚠️ ', errorText(error)),
        );
    },
  );

  render(
    root,
    h('header', { class: 'bar no-print' }, h('h1', {}, '📋 ', s('title'), ' · ', data(roster.centre)), userBar(user)),
    h(
      'nav',
      { 'class': 'toolbar no-print', 'aria-label': s('actions') },
      button(s('refresh'), '🔄', () => {
        live();
      }),
      button(s('exportCsv'), '⬇️', () => {
        api.call('staff.exportCsv', { language: language() }).then((r) => {
          download(r.filename, 'text/csv;charset=utf-8', r.csv);
          render(notice, '✅ ', sn('exported', { file: data(r.filename), zone: zoneLabel(zone(), roster.at) }));
        }, fail);
      }),
      button(s('print'), '🖨️', () => {
        window.print();
      }),
      button(s('newPerson'), '➕', () => {
        person.openNew();
      }),
    ),
    status.el,
    notice,
    // The centre's breach alerts as HQ published them, live; read-only here (officers act at HQ).
    h('div', { class: 'alerts-mount no-print' }, alerts.el),
    confirmBox,
    h(
      'section',
      { 'class': 'roster', 'aria-labelledby': 'roster-title' },
      report,
      title,
      compliance,
      h(
        'details',
        { class: 'definition' },
        h('summary', {}, 'ℹ️ ', s('complianceWhat')),
        h('p', {}, s('complianceDefinition')),
      ),
      h(
        'div',
        { 'class': 'filters no-print', 'role': 'group', 'aria-label': s('filterBy') },
        filterButtons,
        h('label', { for: 'search', class: 'search' }, '🔍 ', s('searchLabel')),
        searchBox,
      ),
      h(
        'table',
        { class: 'roster-table' },
        caption,
        columnHeads([
          s('colPerson'),
          s('colState'),
          s('colWindow'),
          s('colCheckedIn'),
          s('colKiosk'),
          s('colFindings'),
        ]),
        body,
      ),
    ),
    person.el,
    devicesBox,
  );
  drawRoster();
  status.ok(roster.at);
  void drawConfirmations().catch(fail);
  devices();
  api.on('staff.changed', live);
  void alerts.refresh();
  api.on('staff.changed', () => void alerts.refresh());
  setInterval(live, ROSTER_EVERY_MS);
  setInterval(devices, DEVICES_EVERY_MS);
}
