// A breach or review item with its rule and evidence, and a person's timeline: shared by staff and HQ screens.
import type { FindingView, Timeline } from '../core/api/staff-api.ts';
import { type Child, dateTime, h } from './dom.ts';

export function findingItem(f: FindingView, ...extra: Child[]): HTMLElement {
  return h(
    'li',
    { class: `finding status-${f.status}`, 'data-finding': f.id },
    h('strong', {}, f.rule),
    ' · ',
    h('span', { class: 'status' }, f.status),
    ' · ',
    f.subject,
    ' · ',
    f.day,
    h('p', {}, f.detail),
    h('p', { class: 'evidence' }, 'Evidence: ', f.evidence.map((e) => `${e.origin} #${e.seq}`).join(', ') || 'none'),
    f.history.length > 0 ? h('ul', { class: 'history' }, f.history.map((e) => h('li', {}, `${dateTime(e.at)} ${e.status}: ${e.note}`))) : null,
    extra,
  );
}

export function timelineSection(timeline: Timeline, zone?: string, review?: (f: FindingView) => Child): HTMLElement {
  return h(
    'div',
    { class: 'timeline' },
    h('h3', {}, 'Breaches'),
    timeline.breaches.length === 0 ? h('p', {}, 'None.') : h('ul', { class: 'findings' }, timeline.breaches.map((b) => findingItem(b))),
    h('h3', {}, 'Review items'),
    timeline.reviews.length === 0 ? h('p', {}, 'None.') : h('ul', { class: 'findings' }, timeline.reviews.map((r) => findingItem(r, review?.(r)))),
    h('h3', {}, 'History'),
    h(
      'table',
      {},
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Time'), h('th', { scope: 'col' }, 'Entry'), h('th', { scope: 'col' }, 'What'), h('th', { scope: 'col' }, 'Log'))),
      h('tbody', {}, [...timeline.events].reverse().map((e) => h('tr', {}, h('td', {}, dateTime(e.at, zone)), h('td', {}, e.type), h('td', {}, e.summary), h('td', {}, `${e.ref.origin} #${e.ref.seq}`)))),
    ),
  );
}
