// Sign-in for the staff screen and the HQ dashboard goes through the access layer's /api/session route (the
// session lives in an HttpOnly, SameSite=Strict cookie the screens never see). This is the shape the screens
// read back: who is signed in, with which role and scope.
import { ROLES } from '../access/roles.ts';
import { type Out, ident, int, list, obj, oneOf, text } from './check.ts';

export const principalView = obj(
  { user: text(1, 64), role: oneOf(ROLES), centres: list(ident, 256) },
  { subject: ident },
);
/**
 * What POST /api/session takes. The limits are wide: a name or password outside the user store's rules is refused
 * by sign-in itself, with the same answer and timing as a wrong one.
 */
export const signInRequest = obj({ user: text(0, 256), password: text(0, 4096) });
export const sessionAnswer = obj({ principal: principalView });
export const signInAnswer = obj({ token: text(1, 200), principal: principalView, expiresAt: int() });

export type PrincipalView = Out<typeof principalView>;

/**
 * Sent with each API call: `idle` when the screen calls on its own (a live update, a periodic refresh) and the
 * person has not touched it for a while. Such calls do not restart the session's idle timer, so an unattended
 * screen signs out on time however often it refreshes.
 */
export const ACTIVITY_HEADER = 'x-muster-activity';

/**
 * The kiosk screen's per-start secret (browser mode): its page's URL fragment holds `screen=<secret>`; API calls
 * send it in this header, the event stream (EventSource sends no headers) in this query parameter.
 */
export const SCREEN_SECRET_HEADER = 'x-muster-screen';
export const SCREEN_SECRET_PARAM = 'screen';
