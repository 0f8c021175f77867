// The HQ dashboard. What a role sees follows core/access (`holds`): officers see everything; the police view
// is read-only (compliance, breach feed, timelines); auditors see fleet, replication and alerts. Hiding a
// panel is a courtesy: the server refuses what the role may not read. Every word comes from the catalogues;
// every time of a centre is in that centre's zone, labelled.
import type { MusterApi } from '../../core/api/api.ts';
import type { CentreView } from '../../core/api/hq-api.ts';
import type { FindingView } from '../../core/api/staff-api.ts';
import type { PrincipalView } from '../../core/api/session-api.ts';
import { holds, seesAllCentres } from '../../core/access/roles.ts';
import { formatDay, parseDay } from '../../core/time/civil-day.ts';
import { settleLanguage } from '../catalogue.ts';
import { coalesce } from '../coalesce.ts';
import { type EvidenceExport, breachTarget, evidenceButton } from '../evidence/export-button.ts';
import { button, columnHeads, h, render } from '../dom.ts';
import { data, findingItem, logText, timelineSection } from '../findings.ts';
import { stamp, zoneLabel } from '../local-time.ts';
import { percent } from '../numbers.ts';
import { reconcile } from '../reconcile.ts';
import { statusText, w } from '../screen-words.ts';
import { onSessionLost, userBar, withSignIn } from '../sign-in.ts';
import { StatusLine, errorText } from '../status-line.ts';
import { calendarChart, trendCharts } from './hq-charts.ts';
import { alertsPanel } from './alerts-panel.ts';
import {
  logProblems,
  problemsBanner,
  problemsKey,
  problemsSection,
  verifiedCell,
  witnessedCell,
} from './log-problems.ts';
import { p } from './log-problem-strings.ts';
import { type HqWord, q, qn } from './hq-strings.ts';

const REFRESH_EVERY_MS = 30_000;
const KIOSK_STATES = new Set(['online', 'offline', 'degraded']);
const ALERT_KINDS = new Set([
  'breach',
  'review',
  'offline',
  'degraded',
  'equivocation',
  'rollback',
  'fork',
  'forgery',
  'security',
]);

export function startHqDashboard(root: HTMLElement, api: MusterApi): void {
  void withSignIn(root, 'signInTitleHq', (user) => {
    void dashboard(root, api, user);
  });
}

/** A local day moved by whole days ("2026-06-30", -29 -> "2026-06-01"). */
function shiftDay(day: string, by: number): string {
  return formatDay((parseDay(day) ?? 0) + by);
}

/**
 * Other witnesses' cosignatures of a log: each witness with its cosigned size, marked when it differs from HQ's copy
 * (what a difference means is said in the log problems above the table). Witness names are data.
 */
function cosignerText(
  cosigners: readonly { readonly witness: string; readonly size: number; readonly matchesHq: boolean }[],
): string | HTMLElement {
  return cosigners.length === 0
    ? '—'
    : data(cosigners.map((c) => `${c.witness} ${c.size} ${c.matchesHq ? '✅' : '⚠️'}`).join(', '));
}

function centreOf(origin: string): string {
  return origin.split('/')[0] ?? origin;
}

async function dashboard(root: HTMLElement, api: MusterApi, user: PrincipalView): Promise<void> {
  const role = user.role;
  if (!seesAllCentres(user)) {
    // Centre staff and parolees have their own screens; the server would refuse every panel here anyway.
    render(
      root,
      h('header', { class: 'bar' }, h('h1', {}, '🏛️ ', q('title')), userBar(user)),
      h('p', { class: 'banner', role: 'alert' }, qn('notForRole', { user: data(user.user), role: w(`role_${role}`) })),
    );
    return;
  }
  const seesBreaches = holds(role, 'read-breaches') && holds(role, 'read-roster');
  const seesFleet = holds(role, 'read-fleet');
  const seesPeople = holds(role, 'read-person');
  // An evidence bundle holds every check-in of the window at the person's centres: the roster's access.
  const exportsEvidence = holds(role, 'read-roster');
  // The overview names each centre's zone (and HQ's): the language follows the first centre's.
  let centres: readonly CentreView[] = [];
  let hqZone = 'UTC';
  const loading = new StatusLine(() => hqZone);
  render(root, loading.el);
  if (seesBreaches) {
    try {
      const overview = await api.call('hq.overview', {});
      centres = overview.centres;
      hqZone = overview.zone;
    } catch (error) {
      if (!onSessionLost(error)) loading.failed(error);
      return;
    }
  }
  settleLanguage(centres[0]?.zone ?? hqZone);
  document.title = q('title');
  const zoneOf = (centre: string): string => centres.find((c) => c.centre === centre)?.zone ?? hqZone;
  const breachAlerts = holds(role, 'read-breaches')
    ? alertsPanel(api, { canAct: holds(role, 'decide-review'), zoneOf })
    : undefined;
  const status = new StatusLine(() => hqZone);
  const notice = h('p', { class: 'action-notice', role: 'status' });
  // The logs HQ cannot trust: a banner at the top of the page and the list heading the fleet, redrawn only when
  // they change (announced once, and a reader's focus in the list is kept); the tables below on every refresh.
  const trustBox = h('div', { 'aria-live': 'polite' });
  const problemsBox = h('div', {});
  const fleetTables = h('div', {});
  const fleetBox = h(
    'section',
    { 'aria-labelledby': 'fleet-title' },
    h('h2', { id: 'fleet-title' }, '🖥️ ', q('fleetTitle')),
    problemsBox,
    fleetTables,
  );
  let trustShown = '';
  const alertsBox = h('section', {
    'class': 'alerts-mount',
    'data-mount': 'alerts',
    'aria-labelledby': 'alerts-title',
  });
  const personBox = h('section', { 'aria-live': 'polite' });
  let centre: string | undefined;
  const today = (): string => centres.find((c) => c.centre === centre)?.day ?? centres[0]?.day ?? '';
  const range = {
    from: h('input', { id: 'feed-from', type: 'date' }),
    to: h('input', { id: 'feed-to', type: 'date' }),
  };

  const fail = (error: unknown): void => {
    if (onSessionLost(error)) return;
    render(notice, '⚠️ ', errorText(error));
  };
  const exports: EvidenceExport | undefined = exportsEvidence ? { api, method: 'hq.exportEvidence', fail } : undefined;

  const openPerson = async (subject: string): Promise<void> => {
    const timeline = await api.call('hq.timeline', { subject });
    const to = today() || new Date().toISOString().slice(0, 10);
    const calendar = await api.call('hq.calendar', { subject, from: shiftDay(to, -89), to });
    render(
      personBox,
      h('h2', { id: 'person-title', tabindex: -1 }, '👤 ', qn('timelineOf', { subject: data(subject) })),
      button(w('close'), '✖️', () => {
        render(personBox);
      }),
      calendarChart(calendar),
      timelineSection(timeline, exports),
    );
    document.getElementById('person-title')?.focus();
  };

  const personButton = (subject: string): HTMLElement =>
    seesPeople
      ? button(subject, '👤', () => void openPerson(subject).catch(fail), {
          'class': 'link',
          'translate': 'no',
          'aria-label': q('timelineOf', { subject }),
        })
      : data(subject);

  const centreCells = (c: CentreView): HTMLElement[] => [
    h('td', {}, c.day),
    h('td', {}, c.kiosks),
    h('td', {}, c.expected),
    h('td', {}, c.checkedIn),
    // Counts resting on entries that failed verification are not given (the log problems say why).
    h(
      'td',
      { 'data-count': 'breaches' },
      c.inDoubt === true ? `⚠️ ${statusText('unverified')}` : c.breaches > 0 ? `⛔ ${c.breaches}` : '0',
    ),
    h('td', {}, c.excused),
    h('td', {}, c.open),
    h('td', { 'data-count': 'compliance' }, c.inDoubt === true || c.compliance === null ? '—' : percent(c.compliance)),
  ];

  const centresBody = h('tbody', {});
  const drawCentres = async (): Promise<void> => {
    const overview = await api.call('hq.overview', {});
    centres = overview.centres;
    hqZone = overview.zone;
    reconcile(
      centresBody,
      centres,
      (c) => c.centre,
      (c) =>
        h(
          'tr',
          { 'data-centre': c.centre, 'data-zone': c.zone },
          h('th', { scope: 'row' }, data(c.centre), h('br'), h('small', {}, zoneLabel(c.zone, overview.at))),
          centreCells(c),
          h(
            'td',
            {},
            button(
              qn('breachesAt', { centre: data(c.centre) }),
              '🔍',
              () => {
                centre = centre === c.centre ? undefined : c.centre;
                range.from.value = '';
                range.to.value = '';
                refresh();
              },
              { 'aria-pressed': 'false', 'data-breaches-of': c.centre },
            ),
          ),
        ),
      (tr, c) => {
        for (const td of [...tr.querySelectorAll(':scope > td')].slice(0, -1)) td.remove();
        tr.querySelector('th')?.after(...centreCells(c));
        tr.querySelector('button[data-breaches-of]')?.setAttribute('aria-pressed', String(centre === c.centre));
      },
    );
  };

  const feedTitle = h('h2', { id: 'feed-title' });
  const feedCount = h('p', { class: 'feed-count' });
  const feedList = h('ul', { class: 'findings feed' });
  const drawFeed = async (): Promise<void> => {
    // The same day as the table unless a range is chosen: the counts then agree with the table's.
    const from = range.from.value || today();
    const to = range.to.value || today();
    const { breaches } = await api.call('hq.breaches', {
      ...(centre === undefined ? {} : { centre }),
      ...(from ? { from } : {}),
      ...(to ? { to } : {}),
    });
    const standing = breaches.filter(
      (b) => b.status === 'open' || b.status === 'contested' || b.status === 'upheld',
    ).length;
    render(feedTitle, '⛔ ', centre ? qn('feedAt', { centre: data(centre) }) : q('feedTitle'), ` (${standing})`);
    feedCount.textContent = q('feedCount', { standing, other: breaches.length - standing, from, to });
    feedList.hidden = breaches.length === 0;
    const item = (b: FindingView): HTMLElement =>
      findingItem(
        b,
        seesPeople ? h('p', {}, personButton(b.subject)) : null,
        exports ? h('p', {}, evidenceButton(exports, breachTarget(b))) : null,
      );
    reconcile(
      feedList,
      breaches,
      (b) => b.id,
      item,
      (el, b) => {
        el.replaceWith(item(b));
      },
    );
  };

  const kioskState = (state: string): string =>
    q((KIOSK_STATES.has(state) ? `kiosk_${state}` : 'kiosk_unknown') as HqWord);
  // Which kind of alert the list shows: every kind, or one (security: what HQ refused as an attack).
  const alertKind = h(
    'select',
    { id: 'alert-kind' },
    h('option', { value: '' }, q('alertsAllKinds')),
    [...ALERT_KINDS].map((k) => h('option', { value: k }, q(`alert_${k}` as HqWord))),
  );
  const alertFilter = h('label', { for: 'alert-kind' }, q('alertsShow'), ' ', alertKind);
  const drawFleet = async (): Promise<void> => {
    const [{ kiosks, logs }, { alerts }] = await Promise.all([
      api.call('hq.fleet', {}),
      api.call('hq.alerts', alertKind.value === '' ? {} : { kind: alertKind.value }),
    ]);
    const problems = logProblems(logs, (origin) => zoneOf(centreOf(origin)));
    const trust = problemsKey(problems);
    if (trust !== trustShown) {
      trustShown = trust;
      render(trustBox, problemsBanner(problems));
      render(problemsBox, problemsSection(problems));
    }
    render(
      fleetTables,
      h(
        'table',
        {},
        columnHeads([q('colKiosk'), q('colState'), q('colReasons'), q('colHeartbeat')]),
        h(
          'tbody',
          {},
          kiosks.map((k) =>
            h(
              'tr',
              { 'data-kiosk': k.kiosk },
              h('th', { scope: 'row' }, data(k.kiosk)),
              h('td', {}, `${k.state === 'online' ? '✅' : '⚠️'} ${kioskState(k.state)}`),
              h(
                'td',
                {},
                k.reasons.map((r) => logText(r)),
              ),
              h('td', {}, k.lastHeartbeatAt === null ? '—' : stamp(k.lastHeartbeatAt, zoneOf(centreOf(k.kiosk)))),
            ),
          ),
        ),
      ),
      h(
        'table',
        {},
        h('caption', {}, q('logsCaption')),
        columnHeads([
          q('colLog'),
          q('colEntries'),
          p('colVerified'),
          q('colWitnessed'),
          q('colLag'),
          q('colWitnessedAt'),
          q('colHeartbeat'),
          q('colConflicts'),
          q('colCosigners'),
        ]),
        h(
          'tbody',
          {},
          logs.map((l) =>
            h(
              'tr',
              { 'data-log': l.origin },
              h('th', { scope: 'row' }, data(l.origin)),
              h('td', {}, l.size),
              verifiedCell(l),
              witnessedCell(l),
              h('td', {}, l.size - l.witnessedSize),
              h('td', {}, l.witnessedAt === null ? '—' : stamp(l.witnessedAt, zoneOf(centreOf(l.origin)))),
              h('td', {}, l.lastHeartbeatAt === null ? '—' : stamp(l.lastHeartbeatAt, zoneOf(centreOf(l.origin)))),
              h('td', {}, l.conflicts > 0 ? `⚠️ ${l.conflicts}` : '0'),
              h('td', {}, cosignerText(l.cosigners ?? [])),
            ),
          ),
        ),
      ),
    );
    // Issue 16's alert list (acknowledge / assign / resolve) takes this section over; until then, a read-only list.
    render(
      alertsBox,
      h('h2', { id: 'alerts-title' }, '🔔 ', q('alertsTitle'), ` (${alerts.length})`),
      alertFilter,
      alerts.length === 0
        ? h('p', {}, q('noAlerts'))
        : h(
            'ul',
            { class: 'alerts' },
            [...alerts]
              .reverse()
              .slice(0, 100)
              .map((a) =>
                h(
                  'li',
                  { 'data-alert': a.kind },
                  h('strong', {}, q((ALERT_KINDS.has(a.kind) ? `alert_${a.kind}` : 'alert_other') as HqWord)),
                  ' · ',
                  data(a.kiosk),
                  ` · ${stamp(a.at, zoneOf(a.center))} · `,
                  logText(a.summary),
                ),
              ),
          ),
    );
  };

  // Trends: a chosen range (the last 30 days by default) and centre; drawn on request, not on every live update.
  const trendFrom = h('input', { id: 'trend-from', type: 'date' });
  const trendTo = h('input', { id: 'trend-to', type: 'date' });
  const trendCentre = h('select', { id: 'trend-centre' });
  const trendBox = h('div', { class: 'charts' });
  const drawTrends = async (): Promise<void> => {
    const to = trendTo.value || today();
    const from = trendFrom.value || shiftDay(to, -29);
    trendFrom.value = from;
    trendTo.value = to;
    const charts = await api.call('hq.charts', {
      from,
      to,
      ...(trendCentre.value ? { centre: trendCentre.value } : {}),
    });
    render(trendBox, trendCharts(charts));
  };

  const refresh = coalesce(async () => {
    try {
      await Promise.all([
        seesBreaches ? drawCentres() : null,
        seesBreaches ? drawFeed() : null,
        seesFleet ? drawFleet() : null,
      ]);
      status.ok(Date.now());
    } catch (error) {
      if (!onSessionLost(error)) status.failed(error);
    }
  }, fail);
  alertKind.addEventListener('change', () => {
    refresh();
  });

  // A person id, an example of one as placeholder: data, not words.
  const search = h('input', {
    id: 'subject',
    type: 'search',
    placeholder: 'p-0001',
    autocomplete: 'off',
    translate: 'no',
  });
  render(
    root,
    h(
      'header',
      { class: 'bar' },
      h(
        'h1',
        {},
        '🏛️ ',
        q('title'),
        ' · ',
        q(`view_${role === 'police' ? 'police' : role === 'auditor' ? 'auditor' : 'officer'}`),
      ),
      userBar(user),
    ),
    role === 'police' ? h('p', { class: 'banner' }, '👁️ ', q('readOnly')) : null,
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
          h('label', { for: 'subject' }, '🔍 ', q('personTimeline')),
          search,
          h(
            'button',
            { type: 'submit' },
            h('span', { 'class': 'icon', 'aria-hidden': 'true' }, '➡️'),
            h('span', {}, q('show')),
          ),
        )
      : null,
    status.el,
    trustBox,
    notice,
    h('p', { class: 'hint' }, q('hqZone', { zone: zoneLabel(hqZone, Date.now()) })),
    personBox,
    seesBreaches
      ? [
          h(
            'section',
            { 'aria-labelledby': 'centres-title' },
            h('h2', { id: 'centres-title' }, '🏢 ', q('centresToday')),
            h(
              'details',
              { class: 'definition' },
              h('summary', {}, 'ℹ️ ', q('complianceWhat')),
              h('p', {}, q('complianceDefinition')),
            ),
            h(
              'table',
              {},
              columnHeads([
                q('colCentre'),
                q('colDay'),
                q('colKiosks'),
                q('colDue'),
                q('colCheckedIn'),
                q('colBreaches'),
                q('colExcused'),
                q('colOpen'),
                q('colCompliance'),
                '',
              ]),
              centresBody,
            ),
          ),
          h(
            'section',
            { 'aria-labelledby': 'trends-title', 'class': 'trends' },
            h('h2', { id: 'trends-title' }, '📈 ', q('trends')),
            h(
              'form',
              {
                class: 'toolbar',
                onsubmit: (e: Event) => {
                  e.preventDefault();
                  void drawTrends().catch(fail);
                },
              },
              h('label', { for: 'trend-from' }, q('rangeFrom')),
              trendFrom,
              h('label', { for: 'trend-to' }, q('rangeTo')),
              trendTo,
              h('label', { for: 'trend-centre' }, q('trendsCentre')),
              trendCentre,
              h(
                'button',
                { type: 'submit' },
                h('span', { 'class': 'icon', 'aria-hidden': 'true' }, '📈'),
                h('span', {}, q('show')),
              ),
            ),
            trendBox,
          ),
          h(
            'section',
            { 'aria-labelledby': 'feed-title' },
            feedTitle,
            h(
              'form',
              {
                class: 'toolbar',
                onsubmit: (e: Event) => {
                  e.preventDefault();
                  refresh();
                },
              },
              h('label', { for: 'feed-from' }, q('rangeFrom')),
              range.from,
              h('label', { for: 'feed-to' }, q('rangeTo')),
              range.to,
              h(
                'button',
                { type: 'submit' },
                h('span', { 'class': 'icon', 'aria-hidden': 'true' }, '📅'),
                h('span', {}, q('apply')),
              ),
            ),
            feedCount,
            feedList,
          ),
        ]
      : null,
    seesFleet ? fleetBox : null,
    seesFleet ? alertsBox : null,
    breachAlerts?.el,
  );
  render(
    trendCentre,
    h('option', { value: '' }, q('allCentres')),
    centres.map((c) => h('option', { value: c.centre, translate: 'no' }, c.centre)),
  );
  if (seesBreaches) void drawTrends().catch(fail);
  api.on('hq.changed', refresh);
  // Breach alerts (issue 16): their own panel, refreshed on the same live updates.
  api.on('hq.changed', () => void breachAlerts?.refresh());
  void breachAlerts?.refresh();
  setInterval(refresh, REFRESH_EVERY_MS);
  refresh();
}
