// The HQ dashboard's messages: every centre's compliance, the live breach feed (rule and evidence), the
// fleet's health and replication status, alerts and a person's timeline. All read-only; which role may ask
// for what is declared here and enforced by the server, not by the screen.
import { type Out, bool, ident, int, list, nullable, num, obj, text } from './check.ts';
import { findingView, timeline } from './staff-api.ts';

export const centreView = obj(
  {
    centre: ident,
    /** The centre's zone: its day and every time shown for it are local to it. */
    zone: text(1, 64),
    /** The centre's local day. */
    day: text(10, 10),
    kiosks: int(),
    /** People whose plan names this centre and who report today. */
    expected: int(),
    checkedIn: int(),
    /** Standing breach findings for today (the breach feed for this centre and day lists the same ones). */
    breaches: int(),
    /** People holding a standing breach today (late included). */
    people: int(),
    /** People whose day is not settled yet (still expected, or waiting on a staff review). */
    open: int(),
    excused: int(),
    /** main/web/attendance.ts dayCount: settled people without a standing breach / settled people; null before anyone's day is settled. */
    compliance: nullable(num),
  },
  {
    /**
     * A log's entry failed verification and casts doubt over today's verdicts (main/kiosk/log-records.ts
     * doubtOver): the counts are not judged; the breach feed shows each finding as unverified.
     */
    inDoubt: bool,
  },
);

export const kioskHealthView = obj({
  kiosk: ident,
  state: text(1, 32),
  reasons: list(text(0, 300), 32),
  lastHeartbeatAt: nullable(int()),
});

export const logView = obj(
  {
    origin: ident,
    size: int(),
    /** Size of the last checkpoint HQ witnessed (cosigned); lag = size - witnessedSize. */
    witnessedSize: int(),
    witnessedAt: nullable(int()),
    conflicts: int(),
    /** Entries verified so far (the verified reader's high-water mark, as of its last pass): only these are judged. */
    verified: int(),
    /** The kiosk's last heartbeat HQ took (null: none, or not a kiosk's log). */
    lastHeartbeatAt: nullable(int()),
  },
  {
    /** Other witnesses' latest cosignatures (the police node's, peer kiosks'), each checked against HQ's copy. */
    cosigners: list(obj({ witness: ident, size: int(), matchesHq: bool }), 64),
    /**
     * The log's first entry that failed verification: it and every later one are withheld from every verdict.
     * `kind` (ledger/problem-kind.ts) is what the screen explains; `after`, the kiosk time of the last verified
     * entry before it: a finding from then on is shown as unverified.
     */
    unverified: obj({ seq: int(), kind: text(1, 32), reason: text(1, 1000), after: nullable(int()) }),
    /** Leaf hash (hex) of the last verified entry, which commits to every entry below it. */
    verifiedHead: text(64, 64),
    /** Merkle root (hex) of the last checkpoint HQ witnessed. */
    witnessedRoot: text(64, 64),
  },
);

export const alertView = obj({
  id: int(),
  kind: text(1, 32),
  kiosk: ident,
  center: ident,
  at: int(),
  summary: text(0, 2000),
});

const day = text(10, 10);
export const chartsView = obj({
  days: list(day, 400),
  /** Per centre and local day, counted by dayCount like the tables (compliance = settled without a standing breach / settled). */
  compliance: list(
    obj(
      { centre: ident, zone: text(1, 64), day, due: int(), open: int(), breached: int(), compliance: nullable(num) },
      {
        /**
         * A withheld entry could change this centre-day's verdicts (as centreView's inDoubt): under review, neither
         * breached nor compliant (breached 0, compliance null) and left out of the breaches by rule.
         */
        inDoubt: bool,
      },
    ),
    100_000,
  ),
  /** Breach findings by the rule that fired and the local day (every status but dismissed; none of a day in doubt). */
  breaches: list(obj({ day, rule: text(1, 64), count: int() }), 100_000),
  /**
   * Per kiosk over the range: verify attempts, false rejects (a failed verification of a person who then checked
   * in that day), their rate, and uptime (the share of the range with no device out of service, from device-health
   * entries).
   */
  kiosks: list(
    obj({ kiosk: ident, attempts: int(), falseRejects: int(), falseRejectRate: nullable(num), uptime: num }),
    1000,
  ),
});
export const calendarView = obj({
  subject: ident,
  zone: text(1, 64),
  days: list(obj({ day, state: text(1, 32), checkedIn: bool, breaches: int() }), 400),
});

export const hqMethods = {
  'hq.overview': {
    access: 'read-roster',
    params: obj({}),
    result: obj({ at: int(), day: text(0, 10), zone: text(1, 64), centres: list(centreView) }),
  },
  /** Breaches, newest first; optionally one centre's, and local days from-to (inclusive). */
  'hq.breaches': {
    access: 'read-breaches',
    params: obj({}, { centre: ident, from: text(10, 10), to: text(10, 10) }),
    result: obj({ at: int(), breaches: list(findingView) }),
  },
  'hq.fleet': {
    access: 'read-fleet',
    params: obj({}),
    result: obj({ kiosks: list(kioskHealthView), logs: list(logView) }),
  },
  /** Alerts after an id; `kind` keeps one kind (e.g. `security`: what was refused as an attack). */
  'hq.alerts': {
    access: 'read-fleet',
    params: obj({}, { after: int(), kind: text(1, 32) }),
    result: obj({ alerts: list(alertView, 1000) }),
  },
  'hq.timeline': { access: 'read-person', params: obj({ subject: ident }), result: timeline },
  'hq.charts': { access: 'read-roster', params: obj({ from: day, to: day }, { centre: ident }), result: chartsView },
  /** One person's days: checked in or not, breaches, the roster state. */
  'hq.calendar': { access: 'read-person', params: obj({ subject: ident, from: day, to: day }), result: calendarView },
} as const;

export const hqEvents = { 'hq.changed': obj({ at: num, what: text(1, 32) }) } as const;

export type CentreView = Out<typeof centreView>;
export type KioskHealthView = Out<typeof kioskHealthView>;
export type LogView = Out<typeof logView>;
export type AlertView = Out<typeof alertView>;
export type ChartsView = Out<typeof chartsView>;
export type CalendarView = Out<typeof calendarView>;
