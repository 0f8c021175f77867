// The HQ dashboard's messages: every centre's compliance, the live breach feed (rule and evidence), the
// fleet's health and replication status, alerts and a person's timeline. All read-only; which role may ask
// for what is declared here and enforced by the server, not by the screen.
import { type Out, ident, int, list, nullable, num, obj, text } from './check.ts';
import { findingView, timeline } from './staff-api.ts';

export const centreView = obj({
  centre: ident,
  kiosks: int(),
  /** People whose plan names this centre and who report today. */
  expected: int(),
  checkedIn: int(),
  /** Standing breaches for today. */
  breaches: int(),
  excused: int(),
  /** Share of today's expected people with no standing breach, 0-1; null before anyone is due. */
  compliance: nullable(num),
});

export const kioskHealthView = obj({
  kiosk: ident,
  state: text(1, 32),
  reasons: list(text(0, 300), 32),
  lastHeartbeatAt: nullable(int()),
});

export const logView = obj({
  origin: ident,
  size: int(),
  /** Size of the last checkpoint HQ witnessed (cosigned); lag = size - witnessedSize. */
  witnessedSize: int(),
  witnessedAt: nullable(int()),
  conflicts: int(),
});

export const alertView = obj({ id: int(), kind: text(1, 32), kiosk: ident, center: ident, at: int(), summary: text(0, 2000) });

export const hqMethods = {
  'hq.overview': { access: 'read-roster', params: obj({}), result: obj({ at: int(), day: text(0, 10), centres: list(centreView) }) },
  'hq.breaches': { access: 'read-breaches', params: obj({}, { centre: ident }), result: obj({ at: int(), breaches: list(findingView) }) },
  'hq.fleet': { access: 'read-fleet', params: obj({}), result: obj({ kiosks: list(kioskHealthView), logs: list(logView) }) },
  'hq.alerts': { access: 'read-fleet', params: obj({}, { after: int() }), result: obj({ alerts: list(alertView, 1000) }) },
  'hq.timeline': { access: 'read-person', params: obj({ subject: ident }), result: timeline },
} as const;

export const hqEvents = { 'hq.changed': obj({ at: num, what: text(1, 32) }) } as const;

export type CentreView = Out<typeof centreView>;
export type KioskHealthView = Out<typeof kioskHealthView>;
export type LogView = Out<typeof logView>;
export type AlertView = Out<typeof alertView>;
