// The HQ dashboard. What a role sees follows core/access (`holds`): officers see everything; the police view
// is read-only (compliance, breach feed, timelines); auditors see fleet, replication and alerts. Hiding a
// panel is a courtesy: the server refuses what the role may not read.
import type { MusterApi } from '../../core/api/api.ts';
import type { PrincipalView } from '../../core/api/session-api.ts';
import { holds, seesAllCentres } from '../../core/access/roles.ts';
import { coalesce } from '../coalesce.ts';
import { button, dateTime, h, render } from '../dom.ts';
import { findingItem, timelineSection } from '../findings.ts';
import { onSessionLost, userBar, withSignIn } from '../sign-in.ts';

export function startHqDashboard(root: HTMLElement, api: MusterApi): void {
  void withSignIn(root, 'HQ: sign in', (user) => {
    dashboard(root, api, user);
  });
}

function dashboard(root: HTMLElement, api: MusterApi, user: PrincipalView): void {
  const role = user.role;
  if (!seesAllCentres(user)) {
    // Centre staff and parolees have their own screens; the server would refuse every panel here anyway.
    render(root, h('header', { class: 'bar' }, h('h1', {}, '🏛️ HQ'), userBar(user)), h('p', { class: 'banner', role: 'alert' }, `The HQ dashboard is for officers, police and auditors; ${user.user} is signed in as ${role}. Sign out to use another account.`));
    return;
  }
  const seesBreaches = holds(role, 'read-breaches') && holds(role, 'read-roster');
  const seesFleet = holds(role, 'read-fleet');
  const seesPeople = holds(role, 'read-person');
  const status = h('p', { class: 'status-line', role: 'status' });
  const centresBox = h('section', { 'aria-labelledby': 'centres-title' });
  const feedBox = h('section', { 'aria-labelledby': 'feed-title' });
  const fleetBox = h('section', { 'aria-labelledby': 'fleet-title' });
  const alertsBox = h('section', { 'aria-labelledby': 'alerts-title' });
  const personBox = h('section', { 'aria-live': 'polite' });
  let centre: string | undefined;

  const fail = (error: unknown): void => {
    if (onSessionLost(error)) return;
    status.textContent = `⚠️ ${error instanceof Error ? error.message : String(error)}`;
  };

  const openPerson = async (subject: string): Promise<void> => {
    const timeline = await api.call('hq.timeline', { subject });
    render(personBox, h('h2', { id: 'person-title', tabindex: -1 }, `👤 Timeline of ${subject}`), button('Close', '✖️', () => { render(personBox); }), timelineSection(timeline));
    document.getElementById('person-title')?.focus();
  };

  const personButton = (subject: string): HTMLElement | string =>
    seesPeople ? button(subject, '👤', () => void openPerson(subject).catch(fail), { class: 'link', 'aria-label': `Timeline of ${subject}` }) : subject;

  const drawCentres = async (): Promise<void> => {
    const { day, centres } = await api.call('hq.overview', {});
    render(
      centresBox,
      h('h2', { id: 'centres-title' }, `🏢 Centres today ${day}`),
      h(
        'table',
        {},
        h('thead', {}, h('tr', {}, ['Centre', 'Kiosks', 'Due', 'Checked in', 'Breaches', 'Excused', 'Compliance', ''].map((c) => h('th', { scope: 'col' }, c)))),
        h(
          'tbody',
          {},
          centres.map((c) =>
            h(
              'tr',
              { 'data-centre': c.centre },
              h('th', { scope: 'row' }, c.centre),
              h('td', {}, c.kiosks),
              h('td', {}, c.expected),
              h('td', {}, c.checkedIn),
              h('td', {}, c.breaches > 0 ? `⛔ ${c.breaches}` : '0'),
              h('td', {}, c.excused),
              h('td', {}, c.compliance === null ? '—' : `${Math.round(c.compliance * 100)}%`),
              h('td', {}, button(`Breaches at ${c.centre}`, '🔍', () => {
                centre = centre === c.centre ? undefined : c.centre;
                refresh();
              }, { 'aria-pressed': String(centre === c.centre) })),
            ),
          ),
        ),
      ),
    );
  };

  const drawFeed = async (): Promise<void> => {
    const { breaches } = await api.call('hq.breaches', centre === undefined ? {} : { centre });
    render(
      feedBox,
      h('h2', { id: 'feed-title' }, `⛔ Breaches${centre ? ` at ${centre}` : ''} (${breaches.length})`),
      breaches.length === 0 ? h('p', {}, 'No breaches.') : h('ul', { class: 'findings feed' }, breaches.map((b) => findingItem(b, seesPeople ? h('p', {}, personButton(b.subject)) : null))),
    );
  };

  const drawFleet = async (): Promise<void> => {
    const [{ kiosks, logs }, { alerts }] = await Promise.all([api.call('hq.fleet', {}), api.call('hq.alerts', {})]);
    render(
      fleetBox,
      h('h2', { id: 'fleet-title' }, '🖥️ Kiosk fleet and replication'),
      h(
        'table',
        {},
        h('thead', {}, h('tr', {}, ['Kiosk', 'State', 'Reasons', 'Last heartbeat'].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, kiosks.map((k) => h('tr', { 'data-kiosk': k.kiosk }, h('th', { scope: 'row' }, k.kiosk), h('td', {}, `${k.state === 'online' ? '✅' : '⚠️'} ${k.state}`), h('td', {}, k.reasons.join('; ')), h('td', {}, k.lastHeartbeatAt === null ? '—' : dateTime(k.lastHeartbeatAt))))),
      ),
      h(
        'table',
        {},
        h('caption', {}, 'Logs at HQ: entries held, last witnessed (cosigned) checkpoint, lag'),
        h('thead', {}, h('tr', {}, ['Log', 'Entries', 'Witnessed', 'Lag', 'Witnessed at', 'Conflicts'].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, logs.map((l) => h('tr', { 'data-log': l.origin }, h('th', { scope: 'row' }, l.origin), h('td', {}, l.size), h('td', {}, l.witnessedSize), h('td', {}, l.size - l.witnessedSize), h('td', {}, l.witnessedAt === null ? '—' : dateTime(l.witnessedAt)), h('td', {}, l.conflicts > 0 ? `⚠️ ${l.conflicts}` : '0')))),
      ),
    );
    render(
      alertsBox,
      h('h2', { id: 'alerts-title' }, `🔔 Alerts (${alerts.length})`),
      alerts.length === 0 ? h('p', {}, 'No alerts.') : h('ul', { class: 'alerts' }, [...alerts].reverse().slice(0, 100).map((a) => h('li', { 'data-alert': a.kind }, h('strong', {}, a.kind), ` · ${a.kiosk} · ${dateTime(a.at)} · ${a.summary}`))),
    );
  };

  const refresh = coalesce(async () => {
    await Promise.all([seesBreaches ? drawCentres() : null, seesBreaches ? drawFeed() : null, seesFleet ? drawFleet() : null]);
  }, fail);

  const search = h('input', { id: 'subject', type: 'search', placeholder: 'p-0001' });
  render(
    root,
    h('header', { class: 'bar' }, h('h1', {}, '🏛️ HQ ', role === 'police' ? 'police view' : role === 'officer' ? 'officer view' : `${role} view`), userBar(user)),
    role === 'police' ? h('p', { class: 'banner' }, '👁️ Read-only view: check-in and breach status.') : null,
    seesPeople
      ? h(
          'form',
          {
            class: 'toolbar',
            role: 'search',
            onsubmit: (e: Event) => {
              e.preventDefault();
              if (search.value.trim() !== '') void openPerson(search.value.trim()).catch(fail);
            },
          },
          h('label', { for: 'subject' }, '🔍 Person timeline'),
          search,
          h('button', { type: 'submit' }, h('span', { class: 'icon', 'aria-hidden': 'true' }, '➡️'), h('span', {}, 'Show')),
        )
      : null,
    status,
    personBox,
    centresBox,
    feedBox,
    fleetBox,
    alertsBox,
  );
  api.on('hq.changed', refresh);
  setInterval(refresh, 30_000);
  refresh();
}
