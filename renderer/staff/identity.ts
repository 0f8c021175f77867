// Identity aids: a person's name and enrolment photo from the personal-data store, shown only when a member of
// staff asks (each view writes an access entry naming them), beside the pseudonymous id: at the camera-down
// confirmation and in a person's panel.
import type { MusterApi } from '../../core/api/api.ts';
import { button, h, render } from '../dom.ts';
import { s } from './staff-strings.ts';

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
