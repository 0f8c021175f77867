// The breach engine: a pure, deterministic function of (plans, log entries, time) -> breaches, review items and
// problems. Incremental: each entry touches one person (a device-health entry, the people of one centre) and
// only the days it can affect are recomputed; a day's result is cached until its next deadline passes.
// computeBreaches (from scratch) and an engine fed entry by entry give identical reports (test/checkin).
import { MusterError } from '../errors.ts';
import { parseBreachNotice } from '../records/breach-notice.ts';
import { parseCheckin, parseCheckinAttempt } from '../records/checkin.ts';
import { parseDeviceHealth } from '../records/device-health-record.ts';
import { parseEnrolment } from '../records/enrolment.ts';
import type { LogRecord } from '../records/entry-ref.ts';
import { parsePlan } from '../records/plan.ts';
import { parseContest, parseExcuse, parseReview } from '../records/staff-decisions.ts';
import { parseTaskRecord } from '../records/task-record.ts';
import { MS_PER_DAY } from '../time/civil-day.ts';
import { zonedDay } from '../time/zoned-time.ts';
import { DayCache } from './day-cache.ts';
import { evaluateDay } from './evaluate-day.ts';
import type { Breach, BreachReport, Problem, ReviewItem } from './findings.ts';
import { CentreOutages } from './outages.ts';
import { SubjectLog } from './subject-log.ts';

interface SubjectState {
  readonly log: SubjectLog;
  readonly days: DayCache;
}

export interface SubjectFindings {
  readonly breaches: readonly Breach[];
  readonly reviews: readonly ReviewItem[];
}

export interface EngineOptions {
  /**
   * Which logs may write staff decisions (plans, tasks, excuses, reviews, contests): the centres' staff consoles
   * and HQ, never a kiosk. Entries of those types from any other log become problems. Default: every log.
   */
  readonly staffOrigin?: (origin: string) => boolean;
}

const NOBODY: ReadonlySet<string> = new Set();

/** Entry types that carry a staff decision. */
const STAFF_TYPES: ReadonlySet<string> = new Set(['plan', 'task', 'excuse', 'review', 'contest']);

export class BreachEngine {
  private readonly subjects = new Map<string, SubjectState>();
  private readonly centres = new Map<string, Set<string>>();
  private readonly outages = new CentreOutages();
  private readonly problems: Problem[] = [];

  constructor(private readonly options: EngineOptions = {}) {}

  /** Adds one entry. Returns the people whose findings it may change; a malformed payload becomes a problem. */
  add(record: LogRecord): readonly string[] {
    try {
      return this.route(record);
    } catch (error) {
      if (!(error instanceof MusterError)) throw error;
      this.problems.push({ ref: record.ref, type: record.type, code: error.code, message: error.message });
      return [];
    }
  }

  private route(record: LogRecord): readonly string[] {
    const { payload } = record;
    if (this.options.staffOrigin && STAFF_TYPES.has(record.type) && !this.options.staffOrigin(record.ref.origin)) {
      throw new MusterError(
        'untrusted-origin',
        `${record.type} entries are written by staff, not by ${record.ref.origin}`,
      );
    }
    switch (record.type) {
      case 'plan': {
        const plan = parsePlan(payload);
        const state = this.state(plan.subject);
        state.log.addPlan(plan, record);
        state.days.clear();
        for (const centre of plan.centres) {
          let people = this.centres.get(centre);
          if (!people) this.centres.set(centre, (people = new Set()));
          people.add(plan.subject);
        }
        return [plan.subject];
      }
      case 'checkin': {
        const checkin = parseCheckin(payload);
        const state = this.state(checkin.subject);
        state.log.addCheckin(checkin, record);
        forgetAround(state, record.ts);
        return [checkin.subject];
      }
      case 'checkin-attempt': {
        const attempt = parseCheckinAttempt(payload);
        if (attempt.subject === undefined) return [];
        const state = this.state(attempt.subject);
        state.log.addAttempt(attempt, record);
        forgetAround(state, record.ts);
        return [attempt.subject];
      }
      case 'task': {
        const task = parseTaskRecord(payload);
        const state = this.state(task.subject);
        state.log.addTask(task, record);
        state.days.delete(task.day);
        return [task.subject];
      }
      case 'excuse': {
        const excuse = parseExcuse(payload);
        const state = this.state(excuse.subject);
        state.log.addExcuse(excuse, record);
        for (let d = excuse.from; d <= excuse.to; d++) state.days.delete(d);
        return [excuse.subject];
      }
      case 'review': {
        const review = parseReview(payload);
        const state = this.state(review.subject);
        state.log.addReview(review, record);
        state.days.delete(review.day);
        return [review.subject];
      }
      case 'contest': {
        const contest = parseContest(payload);
        const state = this.state(contest.subject);
        state.log.addContest(contest, record);
        state.days.delete(contest.day);
        return [contest.subject];
      }
      case 'enrolment': {
        const enrolment = parseEnrolment(payload);
        if (enrolment.replaces !== true) return [];
        const state = this.state(enrolment.subject);
        state.log.addReenrolment(enrolment, record);
        forgetAround(state, record.ts);
        return [enrolment.subject];
      }
      case 'device-health': {
        const health = parseDeviceHealth(payload);
        const from = this.outages.add(health, record);
        const people = [...(this.centres.get(health.centre) ?? [])];
        for (const subject of people) forgetFrom(this.state(subject), from);
        return people;
      }
      case 'breach':
        // Notices are derived; they are only checked so a bad one is reported.
        parseBreachNotice(payload);
        return [];
      default:
        return [];
    }
  }

  private state(subject: string): SubjectState {
    let state = this.subjects.get(subject);
    if (!state) this.subjects.set(subject, (state = { log: new SubjectLog(subject), days: new DayCache() }));
    return state;
  }

  /** What the log says about one person, as the rules read it (screens build rosters from it; do not change it). */
  subjectLog(subject: string): SubjectLog | undefined {
    return this.subjects.get(subject)?.log;
  }

  /** The people some plan version of theirs assigns to `centre`. */
  peopleAt(centre: string): ReadonlySet<string> {
    return this.centres.get(centre) ?? NOBODY;
  }

  /** One person's findings at `at` (only days `from` to `to` when given), from cache where the day's result still holds. */
  evaluateSubject(subject: string, at: number, days?: { readonly from: number; readonly to: number }): SubjectFindings {
    const state = this.subjects.get(subject);
    const breaches: Breach[] = [];
    const reviews: ReviewItem[] = [];
    if (!state || state.log.plans.length === 0) return { breaches, reviews };
    const plans = state.log.plans.map((p) => p.value);
    const first = Math.max(days?.from ?? -Infinity, Math.min(...plans.map((p) => p.start)));
    const last = Math.min(days?.to ?? Infinity, Math.max(...plans.map((p) => zonedDay(at, p.zone))));
    for (let day = first; day <= last; day++) {
      let result = state.days.get(day, at);
      if (!result) {
        result = evaluateDay(state.log, day, at, this.outages);
        state.days.set(day, result);
      }
      if (result.breaches.length > 0) breaches.push(...result.breaches);
      if (result.reviews.length > 0) reviews.push(...result.reviews);
    }
    return { breaches, reviews };
  }

  /** Everyone's findings at `at`, in a stable order (person, day, id). */
  evaluate(at: number): BreachReport {
    const breaches: Breach[] = [];
    const reviews: ReviewItem[] = [];
    for (const subject of [...this.subjects.keys()].sort()) {
      const found = this.evaluateSubject(subject, at);
      breaches.push(...found.breaches);
      reviews.push(...found.reviews);
    }
    const problems = [...this.problems].sort((a, b) =>
      a.ref.origin < b.ref.origin ? -1 : a.ref.origin > b.ref.origin ? 1 : a.ref.seq - b.ref.seq,
    );
    return { at, breaches, reviews, problems };
  }
}

/**
 * Findings from scratch: the reference the incremental engine must always agree with. Any order of records
 * gives the same report (the engine orders what it keeps); time order is fastest.
 */
export function computeBreaches(records: Iterable<LogRecord>, at: number, options: EngineOptions = {}): BreachReport {
  const engine = new BreachEngine(options);
  for (const record of records) engine.add(record);
  return engine.evaluate(at);
}

/** A check-in or attempt at `ts` can count for the local day it falls on or, for windows past midnight, the day before. */
function forgetAround(state: SubjectState, ts: number): void {
  for (const zone of state.log.zones()) {
    const day = zonedDay(ts, zone);
    state.days.delete(day);
    state.days.delete(day - 1);
  }
}

function forgetFrom(state: SubjectState, ts: number): void {
  // Two days' margin covers any zone's local day and a window past midnight.
  state.days.deleteFrom(Math.floor(ts / MS_PER_DAY) - 2);
}
