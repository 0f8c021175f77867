// One person on the staff screen: their incidents to review and breaches (each with its decision form), an
// excuse form, enrolment and their history. Opened once; a live update redraws only what shows data, so a
// half-typed reason, the choice made and the focus survive every refresh.
import type { FindingView, Timeline } from '../../core/api/staff-api.ts';
import { button, h, render } from '../dom.ts';
import { type EvidenceExport, breachTarget, evidenceButton } from '../evidence/export-button.ts';
import { findingBody, isFaceReview, timelineTable } from '../findings.ts';
import { reconcile } from '../reconcile.ts';
import { w } from '../screen-words.ts';
import { faceReviewBox, identityBox } from './identity.ts';
import { endForm, planForm } from './plan-form.ts';
import { type Decide, contestForm, excuseForm, reviewForm } from './staff-forms.ts';
import { s } from './staff-strings.ts';

export class PersonPanel {
  readonly el = h('section', { 'class': 'person', 'aria-labelledby': 'person-title' });
  subject: string | undefined;
  private reviews = h('ul', { class: 'findings reviews' });
  private breaches = h('ul', { class: 'findings breaches' });
  private noReviews = h('p', {}, w('none'));
  private noBreaches = h('p', {}, w('none'));
  private history = h('div', { class: 'history-box' });
  /** The plan forms, built from the first answer and never redrawn. */
  private planBox = h('div', { class: 'plan-box' });

  /** "Export evidence" on each breach and check-in (the server logs each export). */
  private readonly exports: EvidenceExport;

  constructor(
    private readonly d: Decide,
    private readonly day: () => string,
    /** Whether the signed-in role may see captured and enrolled faces (read-biometrics): the button is offered only then. */
    private readonly biometrics = false,
  ) {
    this.exports = { api: d.api, method: 'staff.exportEvidence', fail: d.fail };
  }

  async open(subject: string): Promise<void> {
    this.subject = subject;
    this.reviews = h('ul', { class: 'findings reviews' });
    this.breaches = h('ul', { class: 'findings breaches' });
    this.history = h('div', { class: 'history-box' });
    this.planBox = h('div', { class: 'plan-box' });
    const enrolResult = h('p', { role: 'status' });
    render(
      this.el,
      h('h2', { id: 'person-title', tabindex: -1 }, '👤 ', h('span', { translate: 'no' }, subject)),
      button(w('close'), '✖️', () => {
        this.close();
      }),
      identityBox(this.d.api, subject, this.d.fail),
      h('h3', {}, w('reviewItems')),
      this.noReviews,
      this.reviews,
      h('h3', {}, w('breaches')),
      this.noBreaches,
      this.breaches,
      excuseForm(subject, this.day(), this.d),
      this.planBox,
      h('h3', {}, '🖐️ ', s('enrolment')),
      h('p', {}, s('enrolHint')),
      button(s('enrol'), '🖐️', () => {
        enrolResult.textContent = s('enrolling');
        this.d.api.call('staff.enrol', { subject }).then((r) => {
          // The kiosk's own words (English) only when it did not finish: what staff pass on to support.
          render(
            enrolResult,
            r.ok
              ? `✅ ${s('enrolDone')}`
              : [`⚠️ ${s('enrolFailed')} `, h('span', { lang: 'en', translate: 'no' }, r.message)],
          );
        }, this.d.fail);
      }),
      enrolResult,
      h('h3', {}, w('history')),
      this.history,
    );
    await this.load();
    document.getElementById('person-title')?.focus();
  }

  /** A new person: their id and first plan; once saved, their panel (enrolment, excuses) opens. */
  openNew(): void {
    this.subject = undefined;
    render(
      this.el,
      h('h2', { id: 'person-title', tabindex: -1 }, '👤 ', s('newPerson')),
      button(w('close'), '✖️', () => {
        this.close();
      }),
      planForm(null, null, this.day(), {
        ...this.d,
        done: (message) => {
          this.d.done(message);
          const id = this.el.querySelector<HTMLInputElement>('form.plan input[translate="no"]')?.value.trim();
          if (id) void this.open(id).catch(this.d.fail);
        },
      }),
    );
    document.getElementById('person-title')?.focus();
  }

  close(): void {
    this.subject = undefined;
    render(this.el);
  }

  /** Fetches the person again and merges it in (a live update). */
  async load(): Promise<void> {
    const subject = this.subject;
    if (subject === undefined) return;
    const timeline = await this.d.api.call('staff.history', { subject });
    if (this.subject === subject) this.merge(timeline);
  }

  private merge(timeline: Timeline): void {
    if (this.planBox.childElementCount === 0) {
      this.planBox.append(planForm(timeline.subject, timeline.plan, this.day(), this.d));
      if (timeline.plan !== null) this.planBox.append(endForm(timeline.subject, this.day(), this.d));
    }
    this.noReviews.hidden = timeline.reviews.length > 0;
    this.noBreaches.hidden = timeline.breaches.length > 0;
    reconcile(
      this.reviews,
      timeline.reviews,
      (f) => f.id,
      (f) =>
        this.item(
          f,
          () => (f.status === 'pending' ? reviewForm(f, this.d) : null),
          this.biometrics && isFaceReview(f) ? faceReviewBox(this.d.api, f, this.d.fail) : null,
        ),
      (el, f) => {
        this.update(el, f, () => (f.status === 'pending' ? reviewForm(f, this.d) : null));
      },
    );
    reconcile(
      this.breaches,
      timeline.breaches,
      (f) => f.id,
      (f) => this.item(f, () => contestForm(f, this.d), evidenceButton(this.exports, breachTarget(f))),
      (el, f) => {
        this.update(el, f, () => contestForm(f, this.d));
      },
    );
    // Refused (a role that may not read notes) or failed: said like any other failure, the button stays.
    const openNote = (note: string): Promise<string | undefined> =>
      this.d.api.call('staff.note', { subject: timeline.subject, note }).then(
        (r) => r.text,
        (error: unknown) => {
          this.d.fail(error);
          return undefined;
        },
      );
    render(this.history, timelineTable(timeline, this.exports, openNote));
  }

  private item(f: FindingView, form: () => HTMLElement | null, evidence: HTMLElement | null = null): HTMLElement {
    const el = h(
      'li',
      { 'class': `finding status-${f.status}`, 'data-finding': f.id, 'data-status': f.status },
      h('div', { class: 'finding-body' }, findingBody(f)),
      evidence,
    );
    const made = form();
    if (made) el.append(made);
    return el;
  }

  /** Redraws the finding's data; its form stays unless the status changed (then the form that status needs). */
  private update(el: HTMLElement, f: FindingView, form: () => HTMLElement | null): void {
    const body = el.querySelector('.finding-body');
    if (body) render(body, findingBody(f));
    el.className = `finding status-${f.status}`;
    if (el.dataset.status === f.status) return;
    el.dataset.status = f.status;
    el.querySelector('form')?.remove();
    const made = form();
    if (made) el.append(made);
  }
}
