// The staff attendance screen: today's roster with each person's state, live; filters; a person's history
// with review decisions and excuses (appended to the log by the server, naming the signed-in staff member);
// enrolment; device health; CSV export and a printable daily report.
import type { MusterApi } from '../../core/api/api.ts';
import type { PrincipalView } from '../../core/api/session-api.ts';
import { ROSTER_STATES, type Roster, type RosterState, type FindingView } from '../../core/api/staff-api.ts';
import { RULE_IDS } from '../../core/breach/rule-ids.ts';
import { ApiError } from '../api-client.ts';
import { coalesce } from '../coalesce.ts';
import { button, dateTime, download, h, render, time } from '../dom.ts';
import { timelineSection } from '../findings.ts';
import { onSessionLost, userBar, withSignIn } from '../sign-in.ts';
import { STATE_LABEL } from '../states.ts';

type Filter = RosterState | 'all';

export function startStaffScreen(root: HTMLElement, api: MusterApi): void {
  void withSignIn(root, 'Attendance: sign in', (user) => {
    staffScreen(root, api, user);
  });
}

function staffScreen(root: HTMLElement, api: MusterApi, user: PrincipalView): void {
  let roster: Roster | undefined;
  let filter: Filter = 'all';
  let search = '';
  let person: string | undefined;
  const status = h('p', { class: 'status-line', role: 'status' });
  const rosterBox = h('section', { class: 'roster', 'aria-labelledby': 'roster-title' });
  const personBox = h('section', { class: 'person', 'aria-live': 'polite' });
  const devicesBox = h('section', { class: 'devices', 'aria-labelledby': 'devices-title' });
  const confirmBox = h('section', { class: 'confirmations', 'aria-live': 'assertive' });

  const fail = (error: unknown): void => {
    if (onSessionLost(error)) return;
    status.textContent = `⚠️ ${error instanceof Error ? error.message : String(error)}`;
  };

  const drawConfirmations = async (): Promise<void> => {
    const { confirmations } = await api.call('staff.pending', {});
    render(
      confirmBox,
      confirmations.map((c) =>
        h(
          'div',
          { class: 'banner confirm', role: 'alert', 'data-confirm': c.subject },
          h('p', {}, `🧑‍💼 The kiosk's camera is not working: confirm in person that the person at the kiosk is ${c.subject} (waiting since ${time(c.since, roster?.zone)}).`),
          button(`Confirm ${c.subject}`, '✅', () => {
            api.call('staff.confirm', { id: c.id, subject: c.subject, confirmed: true }).then(live, fail);
          }),
          button('Not this person', '❌', () => {
            api.call('staff.confirm', { id: c.id, subject: c.subject, confirmed: false }).then(live, fail);
          }),
        ),
      ),
    );
  };

  const refresh = async (): Promise<void> => {
    roster = await api.call('staff.roster', {});
    drawRoster();
    await drawConfirmations();
    if (person) await openPerson(person, false);
  };

  const counts = (): Record<Filter, number> => {
    const out = { all: roster?.people.length ?? 0 } as Record<Filter, number>;
    for (const s of ROSTER_STATES) out[s] = roster?.people.filter((p) => p.state === s).length ?? 0;
    return out;
  };

  const drawRoster = (): void => {
    if (!roster) return;
    const n = counts();
    const rows = roster.people.filter((p) => (filter === 'all' || p.state === filter) && p.subject.includes(search));
    render(
      rosterBox,
      h('p', { class: 'print-only' }, `Daily attendance report: ${roster.centre}, ${roster.day} (${roster.zone}). Printed ${dateTime(roster.at, roster.zone)} by ${user.user}. Every state is derived from the signed log; breaches name their rule and evidence.`),
      h('h2', { id: 'roster-title' }, `Today at ${roster.centre} (${roster.day})`),
      h(
        'div',
        { class: 'filters', role: 'group', 'aria-label': 'Filter by state' },
        (['all', ...ROSTER_STATES] as const).map((f) =>
          button(`${f === 'all' ? 'All' : STATE_LABEL[f].text} (${n[f]})`, f === 'all' ? '👥' : STATE_LABEL[f].icon, () => {
            filter = f;
            drawRoster();
          }, { 'aria-pressed': String(filter === f), 'data-filter': f }),
        ),
        h('label', { for: 'search', class: 'search' }, '🔍 Person id'),
        h('input', {
          id: 'search',
          type: 'search',
          value: search,
          oninput: (e: Event) => {
            search = (e.target as HTMLInputElement).value.trim();
            drawRoster();
            document.getElementById('search')?.focus();
          },
        }),
      ),
      h(
        'table',
        { class: 'roster-table' },
        h('caption', {}, `${rows.length} of ${roster.people.length} people; updated ${time(roster.at, roster.zone)}`),
        h('thead', {}, h('tr', {}, ['Person', 'State', 'Window', 'Checked in', 'Kiosk', 'Findings'].map((c) => h('th', { scope: 'col' }, c)))),
        h(
          'tbody',
          {},
          rows.map((p) =>
            h(
              'tr',
              { 'data-subject': p.subject, 'data-state': p.state },
              h('th', { scope: 'row' }, button(p.subject, '👤', () => void openPerson(p.subject, true).catch(fail), { class: 'link', 'aria-label': `History of ${p.subject}` })),
              h('td', {}, h('span', { class: `state state-${p.state}` }, h('span', { 'aria-hidden': 'true' }, STATE_LABEL[p.state].icon, ' '), STATE_LABEL[p.state].text)),
              h('td', {}, p.window),
              h('td', {}, time(p.checkedInAt, roster?.zone)),
              h('td', {}, p.kiosk ?? ''),
              h('td', {}, [...p.breaches, ...p.reviews].map((f) => `${f.rule} (${f.status})`).join(', ')),
            ),
          ),
        ),
      ),
    );
  };

  const reviewForm = (item: FindingView): HTMLElement | null => {
    if (item.status !== 'pending') return null;
    const reason = h('input', { id: `reason-${item.id}`, required: true, minlength: 3, maxlength: 200 });
    const decision = h('select', { id: `decision-${item.id}` }, h('option', { value: 'cleared' }, 'Cleared: not a breach'), h('option', { value: 'breach' }, 'Breach: the person is responsible'));
    return h(
      'form',
      {
        class: 'decision',
        onsubmit: (e: Event) => {
          e.preventDefault();
          api
            .call('staff.review', { item: item.id, subject: item.subject, day: item.day, decision: decision.value === 'breach' ? 'breach' : 'cleared', reason: reason.value.trim() })
            .then(() => {
              status.textContent = `✅ Review of ${item.subject} recorded`;
              return refresh();
            })
            .catch(fail);
        },
      },
      h('label', { for: `decision-${item.id}` }, 'Decision'),
      decision,
      h('label', { for: `reason-${item.id}` }, 'Reason'),
      reason,
      h('button', { type: 'submit' }, h('span', { class: 'icon', 'aria-hidden': 'true' }, '⚖️'), h('span', {}, 'Record decision')),
    );
  };

  const excuseForm = (subject: string, day: string): HTMLElement => {
    const from = h('input', { id: 'excuse-from', type: 'date', value: day, required: true });
    const to = h('input', { id: 'excuse-to', type: 'date', value: day, required: true });
    const reason = h('input', { id: 'excuse-reason', required: true, minlength: 3, maxlength: 200 });
    const rules = RULE_IDS.map((rule) => h('input', { type: 'checkbox', id: `excuse-${rule}`, value: rule }));
    return h(
      'form',
      {
        class: 'excuse',
        onsubmit: (e: Event) => {
          e.preventDefault();
          const chosen = rules.filter((r) => r.checked).map((r) => RULE_IDS.find((id) => id === r.value)).filter((r) => r !== undefined);
          api
            .call('staff.excuse', { subject, from: from.value, to: to.value, rules: chosen, reason: reason.value.trim() })
            .then(() => {
              status.textContent = `✅ Excuse for ${subject} recorded`;
              return refresh();
            })
            .catch(fail);
        },
      },
      h('h3', {}, '📝 Excuse'),
      h('label', { for: 'excuse-from' }, 'From'),
      from,
      h('label', { for: 'excuse-to' }, 'To'),
      to,
      h('fieldset', {}, h('legend', {}, 'Rules (none ticked: all)'), RULE_IDS.map((rule, i) => h('span', { class: 'check' }, rules[i], h('label', { for: `excuse-${rule}` }, rule)))),
      h('label', { for: 'excuse-reason' }, 'Reason'),
      reason,
      h('button', { type: 'submit' }, h('span', { class: 'icon', 'aria-hidden': 'true' }, '📝'), h('span', {}, 'Record excuse')),
    );
  };

  const openPerson = async (subject: string, focus: boolean): Promise<void> => {
    person = subject;
    const timeline = await api.call('staff.history', { subject });
    const enrolResult = h('p', { role: 'status' });
    render(
      personBox,
      h('h2', { id: 'person-title', tabindex: -1 }, `👤 ${subject}`),
      button('Close', '✖️', () => {
        person = undefined;
        render(personBox);
      }),
      timelineSection(timeline, roster?.zone, reviewForm),
      excuseForm(subject, roster?.day ?? ''),
      h('h3', {}, '🖐️ Enrolment'),
      h('p', {}, 'Ask the person to place a finger on the kiosk sensor and look at the camera, then start.'),
      button('Enrol on this kiosk', '🖐️', () => {
        enrolResult.textContent = 'Enrolling…';
        api.call('staff.enrol', { subject }).then((r) => {
          enrolResult.textContent = `${r.ok ? '✅' : '⚠️'} ${r.message}`;
        }, fail);
      }),
      enrolResult,
    );
    if (focus) document.getElementById('person-title')?.focus();
  };

  const drawDevices = async (): Promise<void> => {
    const { kiosk, devices } = await api.call('staff.devices', {});
    render(
      devicesBox,
      h('h2', { id: 'devices-title' }, `🛠️ Devices of ${kiosk}`),
      devices.length === 0
        ? h('p', {}, 'No device reports.')
        : h(
            'table',
            {},
            h('thead', {}, h('tr', {}, ['Device', 'Kind', 'State', 'Since', 'Last error'].map((c) => h('th', { scope: 'col' }, c)))),
            h('tbody', {}, devices.map((d) => h('tr', {}, h('td', {}, d.id), h('td', {}, d.kind), h('td', {}, `${d.state === 'ok' ? '✅' : '⚠️'} ${d.state}`), h('td', {}, dateTime(d.since)), h('td', {}, d.lastError ?? '')))),
          ),
    );
  };

  const live = coalesce(refresh, fail);
  render(
    root,
    h(
      'header',
      { class: 'bar no-print' },
      h('h1', {}, '📋 Attendance'),
      userBar(user),
    ),
    h(
      'nav',
      { class: 'toolbar no-print', 'aria-label': 'Actions' },
      button('Refresh', '🔄', () => { live(); }),
      button('Export CSV', '⬇️', () => {
        api.call('staff.exportCsv', {}).then((r) => { download(r.filename, 'text/csv', r.csv); }, fail);
      }),
      button('Print daily report', '🖨️', () => { window.print(); }),
      button('Device health', '🛠️', () => void drawDevices().catch(fail)),
    ),
    status,
    confirmBox,
    rosterBox,
    personBox,
    devicesBox,
  );
  api.on('staff.changed', live);
  // States change with the clock too (expected turns missed at the deadline).
  setInterval(live, 30_000);
  void refresh().catch((error: unknown) => {
    if (error instanceof ApiError && error.code === 'forbidden') status.textContent = `⛔ ${error.message}`;
    else fail(error);
  });
  void drawDevices().catch(fail);
}
