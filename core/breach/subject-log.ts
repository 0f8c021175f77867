// Everything the log says about one person, indexed for the day rules: plan versions in effect order,
// check-ins and attempts by kiosk time, task records by day, staff decisions by what they name.
import { compareRecords, type LogRecord } from '../records/entry-ref.ts';
import type { Checkin, CheckinAttempt } from '../records/checkin.ts';
import type { Enrolment } from '../records/enrolment.ts';
import type { Plan } from '../records/plan.ts';
import type { Contest, Excuse, Review } from '../records/staff-decisions.ts';
import type { TaskRecord } from '../records/task-record.ts';
import { MS_PER_DAY } from '../time/civil-day.ts';
import { windowOpens } from './day-window.ts';

export interface Indexed<T> {
  readonly value: T;
  readonly record: LogRecord;
}

export class SubjectLog {
  readonly plans: Indexed<Plan>[] = [];
  readonly checkins: Indexed<Checkin>[] = [];
  readonly attempts: Indexed<CheckinAttempt>[] = [];
  readonly tasks = new Map<number, Indexed<TaskRecord>[]>();
  readonly excuses: Indexed<Excuse>[] = [];
  readonly reviews = new Map<string, Indexed<Review>[]>();
  readonly contests = new Map<string, Indexed<Contest>[]>();
  /** Enrolments that replaced the person's biometrics: each a review item on its day. */
  readonly reenrolments: Indexed<Enrolment>[] = [];

  private zoneList: readonly string[] | undefined;

  constructor(readonly subject: string) {}

  addPlan(plan: Plan, record: LogRecord): void {
    this.zoneList = undefined;
    insertSorted(
      this.plans,
      { value: plan, record },
      (a, b) => a.value.effectiveFrom - b.value.effectiveFrom || compareRecords(a.record, b.record),
    );
  }

  addCheckin(checkin: Checkin, record: LogRecord): void {
    insertSorted(this.checkins, { value: checkin, record }, byRecord);
  }

  addAttempt(attempt: CheckinAttempt, record: LogRecord): void {
    insertSorted(this.attempts, { value: attempt, record }, byRecord);
  }

  addTask(task: TaskRecord, record: LogRecord): void {
    insertSorted(bucket(this.tasks, task.day), { value: task, record }, byRecord);
  }

  addExcuse(excuse: Excuse, record: LogRecord): void {
    insertSorted(this.excuses, { value: excuse, record }, byRecord);
  }

  addReview(review: Review, record: LogRecord): void {
    insertSorted(bucket(this.reviews, review.item), { value: review, record }, byRecord);
  }

  addContest(contest: Contest, record: LogRecord): void {
    insertSorted(bucket(this.contests, contest.breach), { value: contest, record }, byRecord);
  }

  addReenrolment(enrolment: Enrolment, record: LogRecord): void {
    insertSorted(this.reenrolments, { value: enrolment, record }, byRecord);
  }

  /**
   * The plan version governing a day: the newest version already in effect when that day's window opens under
   * both it and the version before it. A change made after the day's window opened (under either) governs from
   * the next day: a person who already reported under the old rules is never held to new ones that day.
   */
  governing(day: number): Indexed<Plan> | undefined {
    // No window of a local day opens before the UTC day before it: versions older than that need no zone math.
    const surelyBefore = (day - 1) * MS_PER_DAY;
    for (let i = this.plans.length - 1; i >= 0; i--) {
      const version = this.plans[i] as Indexed<Plan>;
      const previous = this.plans[i - 1];
      if (version.value.effectiveFrom <= surelyBefore) return version;
      const opens = previous
        ? Math.min(windowOpens(version.value, day), windowOpens(previous.value, day))
        : windowOpens(version.value, day);
      if (version.value.effectiveFrom <= opens) return version;
    }
    return undefined;
  }

  /** Zones of every plan version: which local days an instant can belong to. */
  zones(): readonly string[] {
    this.zoneList ??= [...new Set(this.plans.map((p) => p.value.zone))];
    return this.zoneList;
  }
}

function byRecord<T>(a: Indexed<T>, b: Indexed<T>): number {
  return compareRecords(a.record, b.record);
}

function bucket<K, V>(map: Map<K, V[]>, key: K): V[] {
  let list = map.get(key);
  if (!list) map.set(key, (list = []));
  return list;
}

/** Appends in the common case (entries arrive in order); otherwise inserts in place. */
function insertSorted<T>(list: T[], item: T, compare: (a: T, b: T) => number): void {
  let i = list.length;
  while (i > 0 && compare(list[i - 1] as T, item) > 0) i--;
  list.splice(i, 0, item);
}

/** Index of the first item with record ts >= ts (lists sorted by record order). */
export function lowerBound<T>(list: readonly Indexed<T>[], ts: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((list[mid] as Indexed<T>).record.ts < ts) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Items with record ts in [from, to). */
export function between<T>(list: readonly Indexed<T>[], from: number, to: number): Indexed<T>[] {
  const out: Indexed<T>[] = [];
  for (let i = lowerBound(list, from); i < list.length; i++) {
    const item = list[i] as Indexed<T>;
    if (item.record.ts >= to) break;
    out.push(item);
  }
  return out;
}
