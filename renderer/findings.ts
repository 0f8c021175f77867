// A breach or review item with its rule, status, evidence and history, and a person's timeline: shared by the
// staff screen and the HQ dashboard. Rule ids, statuses and entry types are read through the catalogue; the text
// the engine writes from templates (details, notes, summaries) through engine-text.ts.
import type { FindingView, Timeline } from '../core/api/staff-api.ts';
import { type Child, columnHeads, h } from './dom.ts';
import { stamp, zoneLabel } from './local-time.ts';
import { engineText, groundsLabel } from './engine-text.ts';
import { entryTypeText, ruleText, statusText, w, wn } from './screen-words.ts';
import { type EvidenceExport, breachTarget, dayOf, evidenceButton } from './evidence/export-button.ts';

/** Text copied from the log (English, written by the engine or a member of staff): never translated. */
export function logText(text: string): HTMLElement {
  return h('span', { class: 'log-text', lang: 'en', translate: 'no' }, text);
}

/** An id, a key or a log reference: data, not words. */
export function data(text: string): HTMLElement {
  return h('span', { class: 'data', translate: 'no' }, text);
}

/** Review reasons that rest on a face check: the kiosk kept its frames for staff to look at. */
const FACE_REVIEWS: ReadonlySet<string> = new Set([
  'suspected-impersonation',
  'face-mismatch-then-verified',
  'repeated-failed-verification',
  'verification-failed',
]);

export function isFaceReview(f: FindingView): boolean {
  return FACE_REVIEWS.has(f.rule) || f.parts.some((p) => FACE_REVIEWS.has(p.rule));
}

/**
 * Where a face review's frames can be compared: they stay sealed in the personal-data store of the kiosks that
 * took them (SECURITY.md, "Privacy by design"), so HQ names those kiosks' attendance screens instead.
 */
function facesAt(f: FindingView): HTMLElement {
  const kiosks = [...new Set(f.evidence.map((e) => e.origin))];
  return h('p', { class: 'faces-at' }, '🔒 ', wn('facesAtCentre', { kiosks: data(kiosks.join(', ')) }));
}

/** What a finding shows; the part a live update redraws. */
export function findingBody(f: FindingView): Child[] {
  return [
    h('strong', { 'class': 'rule', 'data-rule': f.rule }, ruleText(f.rule)),
    ' · ',
    h('span', { 'class': 'status', 'data-status': f.status }, statusText(f.status)),
    ' · ',
    data(f.subject),
    ' · ',
    stamp(f.at, f.zone),
    f.parts.length > 1
      ? h('p', { class: 'parts' }, `${w('incidentParts')}: `, f.parts.map((p) => ruleText(p.rule)).join('、'))
      : null,
    h('p', {}, `${groundsLabel()}: `, engineText(f.detail)),
    h(
      'p',
      { class: 'evidence' },
      `${w('evidence')}: `,
      f.evidence.length === 0 ? w('evidenceNone') : data(f.evidence.map((e) => `${e.origin} #${e.seq}`).join(', ')),
    ),
    f.history.length > 0
      ? h(
          'ul',
          { class: 'history' },
          f.history.map((e) => h('li', {}, `${stamp(e.at, f.zone)} ${statusText(e.status)}: `, engineText(e.note))),
        )
      : null,
  ];
}

export function findingItem(f: FindingView, ...extra: Child[]): HTMLElement {
  return h(
    'li',
    { 'class': `finding status-${f.status}`, 'data-finding': f.id },
    h('div', { class: 'finding-body' }, findingBody(f)),
    extra,
  );
}

/**
 * A person's log entries, newest first; with `exports`, each check-in offers its day's evidence; with `openNote`,
 * a decision whose reason has a note offers its words (read from the personal-data store, each read logged).
 */
export function timelineTable(
  timeline: Timeline,
  exports?: EvidenceExport,
  openNote?: (note: string) => Promise<string | undefined>,
): HTMLElement {
  const at = timeline.events.at(-1)?.at ?? 0;
  const evidence = (e: Timeline['events'][number]): HTMLElement | null =>
    exports && e.type === 'checkin'
      ? evidenceButton(exports, { subject: timeline.subject, day: dayOf(e.at, timeline.zone) })
      : null;
  const note = (e: Timeline['events'][number]): HTMLElement | null => {
    if (!openNote || e.note === undefined) return null;
    const { note: commitment } = e;
    const button: HTMLElement = h(
      'button',
      {
        type: 'button',
        class: 'note',
        onclick: () => {
          void openNote(commitment).then((words) => {
            if (words !== undefined) button.replaceWith(logText(words));
          });
        },
      },
      w('showNote'),
    );
    return button;
  };
  return h(
    'table',
    { class: 'timeline' },
    h('caption', {}, w('timesIn', { zone: zoneLabel(timeline.zone, at) })),
    columnHeads([w('time'), w('entry'), w('what'), w('log'), ...(exports ? [w('evidence')] : [])]),
    h(
      'tbody',
      {},
      [...timeline.events]
        .reverse()
        .map((e) =>
          h(
            'tr',
            {},
            h('td', {}, stamp(e.at, timeline.zone)),
            h('td', {}, entryTypeText(e.type)),
            h('td', {}, engineText(e.summary), note(e)),
            h('td', {}, data(`${e.ref.origin} #${e.ref.seq}`)),
            exports ? h('td', {}, evidence(e)) : null,
          ),
        ),
    ),
  );
}

/** Breaches, review items and history, read-only (the HQ dashboard); with `exports`, each breach and check-in offers its evidence. */
export function timelineSection(timeline: Timeline, exports?: EvidenceExport): HTMLElement {
  return h(
    'div',
    { class: 'timeline-section' },
    h('h3', {}, w('breaches')),
    timeline.breaches.length === 0
      ? h('p', {}, w('none'))
      : h(
          'ul',
          { class: 'findings' },
          timeline.breaches.map((b) => findingItem(b, exports ? evidenceButton(exports, breachTarget(b)) : null)),
        ),
    h('h3', {}, w('reviewItems')),
    timeline.reviews.length === 0
      ? h('p', {}, w('none'))
      : h(
          'ul',
          { class: 'findings' },
          timeline.reviews.map((r) => findingItem(r, isFaceReview(r) ? facesAt(r) : null)),
        ),
    h('h3', {}, w('history')),
    timelineTable(timeline, exports),
  );
}
