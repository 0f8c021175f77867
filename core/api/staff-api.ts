// The staff attendance screen's messages: today's roster, a person's history, staff decisions (each appended
// to the log as a signed entry naming the signed-in staff member, never a name sent by the screen), device
// health, enrolment and export.
import { RULE_IDS } from '../breach/rule-ids.ts';
import { DEVICE_STATES } from '../device-health.ts';
import { CONTEST_ACTIONS, CONTEST_OUTCOMES, REVIEW_DECISIONS } from '../records/staff-decisions.ts';
import { type Out, bool, ident, int, list, nullable, num, obj, oneOf, record, text } from './check.ts';

/** Why a kiosk called staff: the person asked, their identity was not confirmed, or the kiosk could not check them in. */
export const CALL_REASONS = ['staff-called', 'see-staff', 'devices-down'] as const;
export type CallReason = (typeof CALL_REASONS)[number];

export const ROSTER_STATES = ['checked-in', 'expected', 'late', 'breached', 'excused', 'review'] as const;
export type RosterState = (typeof ROSTER_STATES)[number];

const dayText = text(10, 10);

/**
 * A decision's reason: one of core/records/reason.ts REASON_CODES, or words in any language (a two-character
 * Chinese reason, 病假, is a whole reason). Words never go on the log: the backend keeps them in the
 * personal-data store and the entry carries the code `other` and the words' commitment.
 */
const reason = text(1, 200);
/** Words beside a reason code, kept like words given as the reason. */
const decisionNote = { note: text(1, 1000) };

const clockText = text(5, 5);
export const taskRequest = obj(
  { id: ident, kind: oneOf(['study', 'service', 'questionnaire']) },
  { module: ident, minutes: int(1, 1440), questionnaire: ident, flags: record(list(ident, 32), 64) },
);
/** A plan as staff set it for their centre (the centre and its zone come from the kiosk, the staff member from the session). */
const planFields = {
  subject: ident,
  start: dayText,
  end: nullable(dayText),
  days: list(int(0, 6), 7),
  open: clockText,
  close: clockText,
  graceMinutes: int(0, 240),
  lateMinutes: int(0, 720),
  tasks: list(taskRequest, 16),
};
export const planRequest = obj({ ...planFields, reason });
export const planView = obj({
  ...planFields,
  reason: text(0, 1000),
  zone: text(1, 64),
  centres: list(ident, 64),
});
export const entryRefView = obj({ origin: ident, seq: int() });

export const findingView = obj({
  id: text(1, 300),
  /** The review items one incident gathers (one decision covers them all); empty for a breach. */
  parts: list(obj({ id: text(1, 300), rule: text(1, 64) }), 20),
  /** The person's plan zone: the day and every time of the finding are local to it. */
  zone: text(1, 64),
  /** The rule that fired (breaches) or why a person must look (reviews). */
  rule: text(1, 64),
  subject: ident,
  day: dayText,
  at: int(),
  status: text(1, 32),
  detail: text(0, 1000),
  evidence: list(entryRefView, 200),
  history: list(obj({ status: text(1, 32), at: int(), note: text(0, 1000) }), 200),
});

export const rosterRow = obj({
  subject: ident,
  state: oneOf(ROSTER_STATES),
  /** Today's window, local: "08:00-10:00". */
  window: text(0, 32),
  checkedInAt: nullable(int()),
  kiosk: nullable(ident),
  breaches: list(findingView, 100),
  reviews: list(findingView, 100),
});

/** A day's numbers, counted once (main/web/attendance.ts dayCount) for the roster, HQ's table and the charts. */
export const dayCountView = obj({
  due: int(),
  checkedIn: int(),
  excused: int(),
  breached: int(),
  open: int(),
  compliance: nullable(num),
});

export const roster = obj({
  centre: ident,
  day: dayText,
  zone: text(1, 64),
  at: int(),
  count: dayCountView,
  people: list(rosterRow),
});

/** `note`: the commitment of words a decision's reason has (staff.note opens them). */
export const timelineEvent = obj(
  { at: int(), type: text(1, 32), summary: text(0, 1000), ref: entryRefView },
  { note: text(64, 64) },
);
export const timeline = obj({
  subject: ident,
  zone: text(1, 64),
  plan: nullable(planView),
  events: list(timelineEvent),
  breaches: list(findingView),
  reviews: list(findingView),
});

export const deviceView = obj({
  id: text(1, 128),
  kind: text(1, 32),
  state: oneOf(DEVICE_STATES),
  since: int(),
  lastError: nullable(text(0, 500)),
});

const decided = obj({ seq: int() });

export const staffMethods = {
  'staff.roster': { access: 'read-roster', params: obj({}), result: roster },
  'staff.history': { access: 'read-person', params: obj({ subject: ident }), result: timeline },
  'staff.excuse': {
    access: 'decide-excuse',
    params: obj(
      { subject: ident, from: dayText, to: dayText, rules: list(oneOf(RULE_IDS), RULE_IDS.length), reason },
      decisionNote,
    ),
    result: decided,
  },
  'staff.review': {
    access: 'decide-review',
    params: obj(
      { item: text(1, 300), subject: ident, day: dayText, decision: oneOf(REVIEW_DECISIONS), reason },
      decisionNote,
    ),
    result: decided,
  },
  /** A breach contested (lodged), then resolved: upheld keeps it, dismissed withdraws it; each with a reason. */
  'staff.contest': {
    access: 'decide-review',
    params: obj(
      { breach: text(1, 300), subject: ident, day: dayText, action: oneOf(CONTEST_ACTIONS), reason },
      { outcome: oneOf(CONTEST_OUTCOMES), ...decisionNote },
    ),
    result: decided,
  },
  /** Sets or changes a person's plan at this centre (a new person: their first plan). */
  'staff.plan': { access: 'decide-excuse', params: planRequest, result: decided },
  /** Ends supervision after a local day: the current plan again with that end. */
  'staff.endSupervision': {
    access: 'decide-excuse',
    params: obj({ subject: ident, last: dayText, reason }),
    result: decided,
  },
  /**
   * Identity aids from the personal-data store: the name and enrolment photo (a data: URL) of a person of this
   * centre. Each call writes an `access` entry naming the staff member before anything is decrypted.
   */
  'staff.identity': {
    access: 'read-pii',
    params: obj({ subject: ident }),
    result: obj({ name: nullable(text(0, 200)), photo: nullable(text(0, 6_000_000)) }),
  },
  /**
   * A face review: the frames the kiosk kept of a review item's face checks (data: URLs, each check with its time,
   * kiosk and score) beside the person's enrolment photo, for roles that may read biometrics of the person's
   * centre (its staff, officers; never the police, auditors or the person). Each call writes an `access` entry
   * before anything is decrypted.
   */
  'staff.faceReview': {
    access: 'read-biometrics',
    params: obj({ subject: ident, item: text(1, 300) }),
    result: obj({
      enrolled: nullable(text(0, 6_000_000)),
      captures: list(obj({ at: int(), kiosk: ident, score: nullable(num), frames: list(text(1, 6_000_000), 8) }), 20),
    }),
  },
  /**
   * The words behind a decision's note (its commitment, from the timeline): for roles that may read notes (staff of
   * the person's centre, officers), never the police. Each call writes an `access` entry before anything is decrypted.
   */
  'staff.note': {
    access: 'read-notes',
    params: obj({ subject: ident, note: text(64, 64) }),
    result: obj({ text: text(1, 1000) }),
  },
  /** Kiosks waiting for staff to confirm a person in person (camera down). */
  'staff.pending': {
    access: 'read-roster',
    params: obj({}),
    result: obj({
      confirmations: list(obj({ id: ident, subject: ident, since: int() }), 100),
      /** The kiosk's calls for staff (Call staff tapped, or a session that ended in "see staff"), with the session's reference. */
      calls: list(obj({ id: ident, reference: ident, reason: oneOf(CALL_REASONS), since: int() }), 100),
    }),
  },
  /** A staff member took a call: it leaves every staff screen. */
  'staff.answerCall': { access: 'decide-review', params: obj({ id: ident }), result: obj({}) },
  'staff.confirm': {
    access: 'decide-review',
    params: obj({ id: ident, subject: ident, confirmed: bool }),
    result: obj({}),
  },
  /**
   * This kiosk's devices, live, and every other kiosk of the centre: as its last signed heartbeat reported them
   * (`lastSeen`, its time), or as its last device-health entries on the log say when no heartbeat came. `stale`:
   * no heartbeat for longer than HQ waits before calling a kiosk offline, so the states may no longer hold.
   */
  'staff.devices': {
    access: 'read-fleet',
    params: obj({}),
    result: obj({
      kiosk: ident,
      devices: list(deviceView, 32),
      peers: list(obj({ kiosk: ident, devices: list(deviceView, 32), lastSeen: nullable(int()), stale: bool }), 64),
    }),
  },
  /**
   * Enrols a person on this kiosk's sensor and camera (finger on the sensor, then face captures). A person enrolled
   * already is re-enrolled only once a second person approved (staff.approveEnrolment): until then the answer says
   * so and the request waits.
   */
  'staff.enrol': { access: 'enrol', params: obj({ subject: ident }), result: obj({ ok: bool, message: text(0, 500) }) },
  /** Approves another staff member's request to re-enrol a person (staff of the centre or an officer, never the requester). */
  'staff.approveEnrolment': {
    access: 'decide-review',
    params: obj({ subject: ident }),
    result: obj({ requestedBy: ident }),
  },
  /** Re-enrolments waiting for, or holding, a second person's approval. */
  'staff.reenrolments': {
    access: 'decide-review',
    params: obj({}),
    result: obj({
      requests: list(obj({ subject: ident, requestedBy: ident, since: int(), approvedBy: nullable(ident) }), 100),
    }),
  },
  'staff.exportCsv': {
    access: 'read-roster',
    params: obj({}, { language: oneOf(['en', 'zh-CN']) }),
    result: obj({ filename: text(1, 100), csv: text(0, 5_000_000) }),
  },
} as const;

export const staffEvents = { 'staff.changed': obj({ at: num }) } as const;

export type Roster = Out<typeof roster>;
export type DayCountView = Out<typeof dayCountView>;
export type RosterRow = Out<typeof rosterRow>;
export type FindingView = Out<typeof findingView>;
export type Timeline = Out<typeof timeline>;
export type TimelineEvent = Out<typeof timelineEvent>;
export type DeviceView = Out<typeof deviceView>;
export type PlanView = Out<typeof planView>;
export type PlanRequestView = Out<typeof planRequest>;
