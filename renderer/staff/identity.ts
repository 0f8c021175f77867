// Identity aids: a person's name and enrolment photo from the personal-data store, shown only when a member of
// staff asks (each view writes an access entry naming them), beside the pseudonymous id: at the camera-down
// confirmation and in a person's panel; and, in a review of a face check, the frames the kiosk captured beside the
// enrolment photo.
import type { MusterApi } from '../../core/api/api.ts';
import type { FindingView } from '../../core/api/staff-api.ts';
import { button, h, render } from '../dom.ts';
import { data } from '../findings.ts';
import { stamp } from '../local-time.ts';
import { s, sn } from './staff-strings.ts';

/** "Compare faces" on a face review item: enrolled photo and captured frames side by side, on request. */
export function faceReviewBox(api: MusterApi, f: FindingView, fail: (error: unknown) => void): HTMLElement {
  const shown = h('div', { class: 'faces-shown' });
  return h(
    'div',
    { 'class': 'faces', 'data-faces': f.id },
    button(s('facesShow'), '🧑‍🤝‍🧑', () => {
      api.call('staff.faceReview', { subject: f.subject, item: f.id }).then((r) => {
        render(
          shown,
          h(
            'figure',
            { class: 'face-enrolled' },
            r.enrolled === null
              ? h('p', {}, s('identityNoPhoto'))
              : h('img', { src: r.enrolled, alt: s('identityPhotoAlt'), width: 160, class: 'enrolment-photo' }),
            h('figcaption', {}, s('facesEnrolled')),
          ),
          r.captures.length === 0
            ? h('p', { class: 'faces-none' }, s('facesNone'))
            : r.captures.map((c) =>
                h(
                  'figure',
                  { class: 'face-captured' },
                  c.frames.map((src, i) =>
                    h('img', { src, alt: s('facesFrameAlt', { n: i + 1 }), width: 160, class: 'captured-frame' }),
                  ),
                  h(
                    'figcaption',
                    {},
                    sn('facesCapturedAt', {
                      kiosk: data(c.kiosk),
                      time: stamp(c.at, f.zone),
                      score: c.score === null ? '—' : String(c.score),
                    }),
                  ),
                ),
              ),
        );
      }, fail);
    }),
    h('small', {}, ' ', s('identityNote')),
    shown,
  );
}

export function identityBox(api: MusterApi, subject: string, fail: (error: unknown) => void): HTMLElement {
  const shown = h('div', { class: 'identity-shown' });
  return h(
    'div',
    { 'class': 'identity', 'data-identity': subject },
    button(s('identityShow'), '🪪', () => {
      api.call('staff.identity', { subject }).then((id) => {
        render(
          shown,
          h('p', {}, `${s('identityName')}: `, h('strong', { class: 'person-name' }, id.name ?? '—')),
          id.photo === null
            ? h('p', {}, s('identityNoPhoto'))
            : h('img', { src: id.photo, alt: s('identityPhotoAlt'), width: 160, class: 'enrolment-photo' }),
        );
      }, fail);
    }),
    h('small', {}, ' ', s('identityNote')),
    shown,
  );
}
