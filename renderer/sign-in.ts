// Sign-in for the staff screen and the HQ dashboard (browser mode). The session is an HttpOnly cookie set by
// the server; this form only sends the password once. What a role may do is decided by the server.
import type { PrincipalView } from '../core/api/session-api.ts';
import { ApiError, currentUser, signIn, signOut } from './api-client.ts';
import { button, h, render } from './dom.ts';

/** Shows the form until someone signs in, then calls `start` with who it is. */
export async function withSignIn(root: HTMLElement, title: string, start: (user: PrincipalView) => void): Promise<void> {
  const user = await currentUser().catch(() => null);
  if (user) {
    start(user);
    return;
  }
  const error = h('p', { class: 'error', role: 'alert' });
  const name = h('input', { id: 'user', name: 'user', autocomplete: 'username', required: true });
  const password = h('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const form = h(
    'form',
    {
      class: 'sign-in',
      onsubmit: (e: Event) => {
        e.preventDefault();
        error.textContent = '';
        signIn(name.value, password.value).then(start, (err: unknown) => {
          password.value = '';
          error.textContent = err instanceof ApiError ? err.message : 'sign-in failed';
        });
      },
    },
    h('h1', {}, '🔐 ', title),
    h('label', { for: 'user' }, 'User name'),
    name,
    h('label', { for: 'password' }, 'Password'),
    password,
    h('button', { type: 'submit', class: 'primary' }, h('span', { class: 'icon', 'aria-hidden': 'true' }, '➡️'), h('span', {}, 'Sign in')),
    error,
  );
  render(root, form);
  name.focus();
}

/** The signed-in bar: who, which role, and a sign-out button. */
export function userBar(user: PrincipalView): HTMLElement {
  return h(
    'div',
    { class: 'user-bar' },
    h('span', {}, '👤 ', user.user, ' · ', h('span', { class: 'role' }, user.role)),
    button('Sign out', '🚪', () => {
      void signOut().finally(() => { location.reload(); });
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
