// Sign-in for the staff screen and the HQ dashboard (browser mode). The session is an HttpOnly cookie set by
// the server; this form only sends the password once. What a role may do is decided by the server.
import type { PrincipalView } from '../core/api/session-api.ts';
import { ApiError, currentUser, signIn, signOut } from './api-client.ts';
import { chooseLanguage, language } from './catalogue.ts';
import { LANGUAGES, type Language } from './i18n.ts';
import { button, h, render } from './dom.ts';
import { w } from './screen-words.ts';

const LANGUAGE_NAMES: { readonly [L in Language]: string } = { 'en': 'English', 'zh-CN': '中文' };

/** Shows the form until someone signs in, then calls `start` with who it is. */
export async function withSignIn(
  root: HTMLElement,
  title: 'signInTitleStaff' | 'signInTitleHq',
  start: (user: PrincipalView) => void,
): Promise<void> {
  const user = await currentUser().catch(() => null);
  if (user) {
    start(user);
    return;
  }
  const error = h('p', { class: 'error', role: 'alert' });
  const name = h('input', { id: 'user', name: 'user', autocomplete: 'username', required: true });
  const password = h('input', {
    id: 'password',
    name: 'password',
    type: 'password',
    autocomplete: 'current-password',
    required: true,
  });
  const form = h(
    'form',
    {
      class: 'sign-in',
      onsubmit: (e: Event) => {
        e.preventDefault();
        error.textContent = '';
        signIn(name.value, password.value).then(start, (err: unknown) => {
          password.value = '';
          error.textContent = err instanceof ApiError && err.code === 'throttled' ? w('throttled') : w('signInFailed');
        });
      },
    },
    languageSwitch(),
    h('h1', {}, '🔐 ', w(title)),
    h('label', { for: 'user' }, w('userName')),
    name,
    h('label', { for: 'password' }, w('password')),
    password,
    h(
      'button',
      { type: 'submit', class: 'primary' },
      h('span', { 'class': 'icon', 'aria-hidden': 'true' }, '➡️'),
      h('span', {}, w('signIn')),
    ),
    error,
  );
  render(root, form);
  name.focus();
}

/** English / 中文: each named in its own language (never translated), the current one pressed. */
export function languageSwitch(): HTMLElement {
  return h(
    'div',
    { 'class': 'languages', 'role': 'group', 'aria-label': w('language') },
    LANGUAGES.map((l) =>
      button(
        LANGUAGE_NAMES[l],
        '🌐',
        () => {
          chooseLanguage(l);
        },
        { 'lang': l, 'translate': 'no', 'aria-pressed': String(language() === l), 'data-language': l },
      ),
    ),
  );
}

/** The signed-in bar: who, which role, the language, and a sign-out button. */
export function userBar(user: PrincipalView): HTMLElement {
  return h(
    'div',
    { class: 'user-bar' },
    languageSwitch(),
    h(
      'span',
      {},
      '👤 ',
      h('span', { translate: 'no' }, user.user),
      ' · ',
      h('span', { class: 'role' }, w(`role_${user.role}`)),
    ),
    button(w('signOut'), '🚪', () => {
      void signOut().finally(() => {
        location.reload();
      });
    }),
  );
}

/** When the session has expired, any call fails with unauthenticated: back to the form. */
export function onSessionLost(error: unknown): boolean {
  if (error instanceof ApiError && error.code === 'unauthenticated') {
    location.reload();
    return true;
  }
  return false;
}
