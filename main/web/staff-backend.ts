// The staff attendance screen's backend on a kiosk: today's roster and each person's history from the log
// this kiosk holds (its own and its peers' replicas), staff decisions appended as signed entries that name
// the signed-in staff member, device health, enrolment through the kiosk runtime, and CSV export.
import { EventEmitter } from 'node:events';
import type { Caller, EventMessage } from '../../core/api/api.ts';
import type { DeviceView, FindingView, Roster } from '../../core/api/staff-api.ts';
import { BreachEngine } from '../../core/breach/engine.ts';
import type { BreachReport } from '../../core/breach/findings.ts';
import type { DeviceHealth } from '../../core/device-health.ts';
import type { EntryType, Payload } from '../../core/entry.ts';
import { MusterError } from '../../core/errors.ts';
import { type EntryRef, type LogRecord, refKey } from '../../core/records/entry-ref.ts';
import { parseCheckinAttempt } from '../../core/records/checkin.ts';
import { REASON_CODES, type Reason, isReasonCode } from '../../core/records/reason.ts';
import { parseContest, parseExcuse, parseReview } from '../../core/records/staff-decisions.ts';
import { localStamp } from '../../core/time/local-stamp.ts';
import type { LedgerStore } from '../../ledger/store.ts';
import type { PersonalDataStore } from '../../access/personal-data-store.ts';
import { VerifiedReader, type VerifyProblem, ledgerEntrySource } from '../../ledger/verified-reader.ts';
import { toRecord, unverifiedProblem } from '../kiosk/log-records.ts';
import type { PeerKiosk } from '../kiosk/peer-health.ts';
import type { ApiBackend, Handlers } from './api-service.ts';
import { dayCount, dayRoster, incidents, latestPlans, peerDevices, personTimeline } from './attendance.ts';
import { endEntry, planEntry } from './plan-decisions.ts';
import { ReenrolmentApprovals } from './reenrolment-approvals.ts';
import type { StaffConfirmations } from './staff-confirmations.ts';
import { findingsInDoubt, rowsInDoubt } from './unverified-view.ts';

export interface StaffBackendOptions {
  readonly centre: string;
  /** This kiosk (log origin): whose devices the screen shows. */
  readonly kiosk: string;
  /** The kiosk's SQLite log file: its own log and its peers' replicas. */
  readonly store: LedgerStore;
  /** Appends a staff decision to the log (the kiosk's LogWriter or KioskNode). */
  readonly append: (type: EntryType, payload: Payload) => Promise<{ readonly seq: number }>;
  readonly clock?: () => number;
  /** The centre's zone, for days before anyone's plan is on the log. */
  readonly zone?: string;
  readonly devices?: () => readonly DeviceHealth[];
  /** Enrols a person: finger on the sensor, then face captures (the kiosk runtime), naming who enrols and who approved a re-enrolment. */
  readonly enrol?: (
    subject: string,
    by: { readonly staff: string; readonly approvedBy?: string },
  ) => Promise<{ readonly ok: boolean; readonly message: string }>;
  /** Tells the backend when the log changed (replicated entries); own appends are noticed anyway. */
  readonly changes?: (listener: () => void) => () => void;
  /**
   * The personal-data store: identity aids (name, enrolment photo) and the words staff write beside a decision
   * (the log carries only the reason code and the words' commitment); each read writes its access entry.
   */
  readonly personal?: Pick<PersonalDataStore, 'read' | 'putNote' | 'readNote' | 'readCaptures'>;
  /** The kiosk's requests for staff to confirm a person (also the runtime's StaffPort). */
  readonly confirmations?: StaffConfirmations;
  /** The centre's other kiosks as their signed heartbeats report them (main/kiosk/peer-health.ts). */
  readonly peers?: () => readonly PeerKiosk[];
}

export class StaffBackend implements ApiBackend {
  readonly centre: string;
  private readonly events = new EventEmitter<{ changed: [number] }>();
  private readonly clock: () => number;
  private readonly unwatch: readonly (() => void)[];
  private engine = new BreachEngine();
  private readonly approvals: ReenrolmentApprovals;
  private records: LogRecord[] = [];
  private readonly reader: VerifiedReader;
  /** Entries that failed verification: the findings they could have changed show the problem instead. */
  private unverified: readonly VerifyProblem[] = [];

  readonly handlers: Handlers = {
    'staff.roster': () => this.roster(),
    'staff.history': async ({ subject }) => {
      const { records, report } = await this.judge();
      const timeline = personTimeline(records, report, subject, (await this.roster()).zone);
      return {
        ...timeline,
        breaches: findingsInDoubt(timeline.breaches, this.unverified),
        reviews: findingsInDoubt(timeline.reviews, this.unverified),
      };
    },
    'staff.excuse': async (params, caller) => {
      const base = {
        subject: params.subject,
        from: params.from,
        to: params.to,
        rules: [...params.rules],
        staff: staffOf(caller),
      };
      // Checked before any words are kept for it.
      parseExcuse({ ...base, reason: 'other' });
      const payload = { ...base, ...this.reasonFor(params.subject, params.reason, params.note) };
      return this.decide('excuse', payload);
    },
    'staff.review': async (params, caller) => {
      // `item` names an incident (its first part): one decision, recorded for each part still pending.
      const incident = incidents(
        (await this.judge()).report.reviews.filter((r) => r.subject === params.subject && r.day === params.day),
      ).find((parts) => parts[0]?.id === params.item);
      const pending = incident?.filter((r) => r.status === 'pending') ?? [];
      if (pending.length === 0)
        throw new MusterError(
          'not-found',
          `no pending review item ${params.item} for ${params.subject} on ${params.day}`,
        );
      const reason = this.reasonFor(params.subject, params.reason, params.note);
      const payloads = pending.map((r) => ({
        item: r.id,
        subject: params.subject,
        day: params.day,
        decision: params.decision,
        ...reason,
        staff: staffOf(caller),
      }));
      for (const payload of payloads) parseReview(payload);
      let last = { seq: 0 };
      for (const payload of payloads) last = await this.options.append('review', payload);
      this.changed();
      return { seq: last.seq };
    },
    'staff.contest': async (params, caller) => {
      const breach = (await this.judge()).report.breaches.find((b) => b.id === params.breach);
      if (!breach || breach.subject !== params.subject || breach.day !== params.day)
        throw new MusterError('not-found', `no breach ${params.breach} for ${params.subject} on ${params.day}`);
      const base = {
        breach: params.breach,
        subject: params.subject,
        day: params.day,
        action: params.action,
        ...(params.outcome === undefined ? {} : { outcome: params.outcome }),
        staff: staffOf(caller),
      };
      parseContest({ ...base, reason: 'other' });
      const payload = { ...base, ...this.reasonFor(params.subject, params.reason, params.note) };
      return this.decide('contest', payload);
    },
    'staff.plan': async (params, caller) => {
      const context = {
        centre: this.centre,
        zone: this.options.zone ?? (await this.roster()).zone,
        staff: staffOf(caller),
        effectiveFrom: this.clock(),
      };
      // Checked before any words are kept for it.
      planEntry({ ...params, reason: 'other' }, context);
      return this.decide(
        'plan',
        planEntry({ ...params, ...this.reasonFor(params.subject, params.reason, undefined) }, context),
      );
    },
    'staff.endSupervision': async ({ subject, last, reason }, caller) => {
      const current = latestPlans((await this.judge()).records.filter((r) => r.payload.subject === subject)).get(
        subject,
      );
      if (current && !current.centres.includes(this.centre))
        throw new MusterError('forbidden', `${subject} is supervised by ${current.centres.join(', ')}`);
      endEntry(current, subject, last, { reason: 'supervision-ended' }, staffOf(caller), this.clock());
      return this.decide(
        'plan',
        endEntry(current, subject, last, this.reasonFor(subject, reason, undefined), staffOf(caller), this.clock()),
      );
    },
    'staff.identity': async ({ subject }, caller) => {
      if (!this.options.personal || !caller.principal)
        throw new MusterError('not-found', 'no personal-data store on this kiosk');
      const values = await this.options.personal.read(
        caller.principal,
        subject,
        ['name', 'photo'],
        'identity check on the staff screen',
      );
      const name = typeof values.name === 'string' ? values.name.slice(0, 200) : null;
      const photo = values.photo instanceof Uint8Array ? jpegUrl(values.photo) : null;
      return { name, photo };
    },
    'staff.faceReview': async ({ subject, item }, caller) => {
      if (!this.options.personal || !caller.principal)
        throw new MusterError('not-found', 'no personal-data store on this kiosk');
      const { records, report } = await this.judge();
      // `item` names an incident (its first part), as on the screen: the face checks of every part.
      const incident = incidents(report.reviews.filter((r) => r.subject === subject)).find(
        (parts) => parts[0]?.id === item,
      );
      if (!incident) throw new MusterError('not-found', `no review item ${item} for ${subject}`);
      const attempts = faceCaptures(
        records,
        incident.flatMap((part) => part.evidence),
      );
      const { photo, captures } = await this.options.personal.readCaptures(
        caller.principal,
        subject,
        attempts.map((a) => a.capture),
        'face review on the staff screen',
      );
      const kept = new Map(captures.map((c) => [c.commitment, c]));
      return {
        enrolled: photo === null ? null : jpegUrl(photo),
        captures: attempts.flatMap((a) => {
          const capture = kept.get(a.capture);
          return capture ? [{ at: a.at, kiosk: a.kiosk, score: a.score, frames: capture.frames.map(jpegUrl) }] : [];
        }),
      };
    },
    'staff.note': async ({ subject, note }, caller) => {
      if (!this.options.personal || !caller.principal)
        throw new MusterError('not-found', 'no personal-data store on this kiosk');
      return {
        text: await this.options.personal.readNote(
          caller.principal,
          subject,
          note,
          'decision note on the staff screen',
        ),
      };
    },
    'staff.pending': () => ({
      confirmations: this.options.confirmations?.pending() ?? [],
      calls: this.options.confirmations?.calls() ?? [],
    }),
    'staff.answerCall': ({ id }) => {
      this.options.confirmations?.answerCall(id);
      return {};
    },
    'staff.confirm': ({ id, subject, confirmed }, caller) => {
      if (!this.options.confirmations) throw new MusterError('not-found', 'this kiosk asks for no confirmations');
      this.options.confirmations.decide(id, subject, {
        kind: confirmed ? 'confirmed' : 'refused',
        staff: staffOf(caller),
      });
      return {};
    },
    'staff.devices': async () => ({
      kiosk: this.options.kiosk,
      devices: (this.options.devices?.() ?? []).map(deviceView),
      peers: peerKiosks(
        peerDevices((await this.judge()).records, this.centre, this.options.kiosk),
        this.options.peers?.() ?? [],
      ),
    }),
    'staff.enrol': async ({ subject }, caller) => {
      if (!this.options.enrol) return { ok: false, message: 'enrolment is not available on this kiosk' };
      const staff = staffOf(caller);
      // Enrolled before, at any kiosk whose log this one holds: replacing it needs a second person.
      const enrolled = (await this.judge()).records.some(
        (r) => r.type === 'enrolment' && r.payload.subject === subject,
      );
      const approvedBy = enrolled ? this.approvals.take(subject, staff) : undefined;
      if (enrolled && approvedBy === undefined) {
        this.approvals.request(subject, staff);
        this.changed();
        return {
          ok: false,
          message: `${subject} is enrolled already: another staff member or an officer must approve replacing their biometrics; enrol again once approved`,
        };
      }
      const result = await this.options.enrol(subject, { staff, ...(approvedBy === undefined ? {} : { approvedBy }) });
      return { ok: result.ok, message: result.message.slice(0, 500) };
    },
    'staff.approveEnrolment': ({ subject }, caller) => {
      const requestedBy = this.approvals.approve(subject, staffOf(caller));
      this.changed();
      return { requestedBy };
    },
    'staff.reenrolments': () => ({ requests: [...this.approvals.pending()] }),
    'staff.exportCsv': async ({ language }) => {
      const roster = await this.roster();
      return { filename: `attendance-${roster.centre}-${roster.day}.csv`, csv: rosterCsv(roster, language) };
    },
  };

  constructor(private readonly options: StaffBackendOptions) {
    this.centre = options.centre;
    this.clock = options.clock ?? Date.now;
    this.approvals = new ReenrolmentApprovals(this.clock);
    this.reader = new VerifiedReader(ledgerEntrySource(options.store));
    const changed = (): void => {
      this.changed();
    };
    this.unwatch = [options.changes?.(changed), options.confirmations?.onChange(changed)].filter(
      (off) => off !== undefined,
    );
  }

  subscribe(listener: (message: EventMessage) => void): () => void {
    const on = (at: number): void => {
      listener({ event: 'staff.changed', data: { at } });
    };
    this.events.on('changed', on);
    return () => this.events.off('changed', on);
  }

  /** Tells open staff screens to refresh (after a check-in, a replicated entry, a decision). */
  changed(): void {
    this.events.emit('changed', this.clock());
  }

  close(): void {
    for (const off of this.unwatch) off();
  }

  private async roster(): Promise<Roster> {
    const now = this.clock();
    const { records, report } = await this.judge();
    const day = dayRoster(records, report, this.centre, now, this.options.zone);
    const people = rowsInDoubt(day.rows, this.unverified);
    return { centre: this.centre, day: day.day, zone: day.zone, at: now, count: dayCount(people), people };
  }

  /**
   * The log's records and the engine's findings now. The engine is fed only the entries that arrived since the
   * last refresh (every open staff screen refreshes after each check-in, and a centre's month is some 10 000
   * entries), and it judges again only the days whose results can have changed.
   */
  private async judge(): Promise<{ records: readonly LogRecord[]; report: BreachReport }> {
    const now = this.clock();
    // Only verified entries (ledger/verified-reader.ts); the reader verifies only what arrived since its last call.
    const batch = await this.reader.next();
    if (batch.withdrawn.length > 0) {
      const cut = new Map(batch.withdrawn.map((w) => [w.origin, w.fromSeq]));
      this.records = this.records.filter((r) => r.ref.seq < (cut.get(r.ref.origin) ?? Infinity));
      this.engine = new BreachEngine();
      for (const record of this.records) this.engine.add(record);
    }
    for (const entry of batch.entries) {
      const record = toRecord(entry);
      this.engine.add(record);
      this.records.push(record);
    }
    this.unverified = batch.problems;
    const report = this.engine.evaluate(now);
    return {
      records: this.records.filter((r) => r.ts <= now),
      report: { ...report, problems: [...batch.problems.map(unverifiedProblem), ...report.problems] },
    };
  }

  /**
   * A decision's reason as the log carries it: a code, or `other` for words given as the reason; any words go to
   * the personal-data store and the entry carries their commitment. Without a store, words are refused: they
   * never go on the log.
   */
  private reasonFor(subject: string, given: string, note: string | undefined): Reason {
    const code = isReasonCode(given) ? given : undefined;
    const words = [code === undefined ? given.trim() : '', note?.trim() ?? ''].filter((w) => w !== '').join('\n');
    if (words === '') return { reason: code ?? 'other' };
    if (!this.options.personal)
      throw new MusterError(
        'bad-message',
        `params.reason: this kiosk keeps no personal-data store for words; give a reason code (${REASON_CODES.join(', ')})`,
      );
    return { reason: code ?? 'other', note: this.options.personal.putNote(subject, this.centre, words) };
  }

  private async decide(type: EntryType, payload: Payload): Promise<{ seq: number }> {
    const { seq } = await this.options.append(type, payload);
    this.changed();
    return { seq };
  }
}

/** Decisions name the signed-in staff member; the screen cannot choose whom. */
function staffOf(caller: Caller): string {
  if (!caller.principal) throw new MusterError('unauthenticated', 'sign in first');
  return caller.principal.user;
}

/**
 * Every other kiosk of the centre: those whose heartbeats this kiosk follows, as the last one reported them (a
 * device keeps the since and fault of its device-health entry while the states agree), then any other whose
 * device-health entries the log holds, as those say (stale: no heartbeat vouches for them).
 */
function peerKiosks(
  logged: readonly { readonly kiosk: string; readonly devices: readonly DeviceView[] }[],
  beats: readonly PeerKiosk[],
): { kiosk: string; devices: DeviceView[]; lastSeen: number | null; stale: boolean }[] {
  const fromLog = new Map(logged.map((p) => [p.kiosk, p.devices]));
  const followed = beats.map((b) => {
    const known = new Map((fromLog.get(b.kiosk) ?? []).map((d) => [d.id, d]));
    const devices =
      b.lastSeen === null
        ? [...known.values()]
        : b.devices.map((d): DeviceView => {
            const entry = known.get(d.id);
            if (entry?.state === d.state) return entry;
            return {
              id: d.id,
              kind: d.id.split('/')[0] ?? d.id,
              state: d.state,
              since: b.lastSeen ?? 0,
              lastError: null,
            };
          });
    return { kiosk: b.kiosk, devices, lastSeen: b.lastSeen, stale: b.stale };
  });
  const others = logged
    .filter((p) => !beats.some((b) => b.kiosk === p.kiosk))
    .map((p) => ({ kiosk: p.kiosk, devices: [...p.devices], lastSeen: null, stale: true }));
  return [...followed, ...others].sort((a, b) => (a.kiosk < b.kiosk ? -1 : 1));
}

function jpegUrl(bytes: Uint8Array): string {
  return `data:image/jpeg;base64,${Buffer.from(bytes).toString('base64')}`;
}

/** The face checks among a finding's evidence whose frames the kiosk kept (the attempt entry's `capture`). */
function faceCaptures(
  records: readonly LogRecord[],
  evidence: readonly EntryRef[],
): { capture: string; at: number; kiosk: string; score: number | null }[] {
  const refs = new Set(evidence.map(refKey));
  return records.flatMap((r) => {
    if (r.type !== 'checkin-attempt' || !refs.has(refKey(r.ref))) return [];
    try {
      const a = parseCheckinAttempt(r.payload);
      return a.capture === undefined ? [] : [{ capture: a.capture, at: r.ts, kiosk: a.kiosk, score: a.score ?? null }];
    } catch {
      // A malformed attempt is one of the report's problems.
      return [];
    }
  });
}

function deviceView(d: DeviceHealth): DeviceView {
  return {
    id: d.id,
    kind: d.kind,
    state: d.state,
    since: d.since,
    lastError: d.lastError ? `${d.lastError.code}: ${d.lastError.message}`.slice(0, 500) : null,
  };
}

/** The header row in the reader's language; the cells stay codes and ids, so a spreadsheet can filter on them. */
const CSV_HEADER = {
  'en': ['centre', 'day', 'zone', 'subject', 'state', 'window', 'checked_in_at', 'kiosk', 'breaches', 'reviews'],
  'zh-CN': ['中心', '日期', '时区', '人员编号', '状态', '报到时段', '报到时间', '自助机', '违规', '待复核'],
} as const;

/**
 * The roster as CSV: a byte-order mark (spreadsheets then read it as UTF-8, Chinese included), and every time
 * local to the centre's zone with its offset, beside the zone's name, so it reads the same as the window.
 */
export function rosterCsv(roster: Roster, language: keyof typeof CSV_HEADER = 'en'): string {
  const findings = (list: readonly FindingView[]): string => list.map((f) => `${f.rule}:${f.status}`).join(' ');
  const lines = [
    CSV_HEADER[language],
    ...roster.people.map((p) => [
      roster.centre,
      roster.day,
      roster.zone,
      p.subject,
      p.state,
      p.window,
      p.checkedInAt === null ? '' : localStamp(p.checkedInAt, roster.zone),
      p.kiosk ?? '',
      findings(p.breaches),
      findings(p.reviews),
    ]),
  ];
  return `\uFEFF${lines.map((cells) => cells.map(csvCell).join(',')).join('\r\n')}\r\n`;
}

/** RFC 4180 quoting, and a leading = + - @ neutralised so a spreadsheet never runs a cell as a formula. */
function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
