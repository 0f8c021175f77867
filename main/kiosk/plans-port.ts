// The workflow's plans port: the tasks due today for a person, from the plans on the kiosk's logs (its own and
// its peers' replicas, where staff consoles and HQ write plans). New entries are read incrementally, so a
// session costs only what arrived since the last one.
import { decodeLeaf } from '../../core/entry.ts';
import { MusterError } from '../../core/errors.ts';
import { type Plan, type TaskSpec, parsePlan, supervisedOn, taskDueOn } from '../../core/records/plan.ts';
import { weekdayOf } from '../../core/time/civil-day.ts';
import { zonedDay } from '../../core/time/zoned-time.ts';
import type { LedgerStore } from '../../ledger/store.ts';
import type { PlansPort } from './ports.ts';

export class LogPlans implements PlansPort {
  private readonly read = new Map<string, number>();
  private readonly plans = new Map<string, Plan[]>();

  constructor(
    private readonly store: LedgerStore,
    private readonly clock: () => number,
  ) {}

  dueToday(subject: string): readonly TaskSpec[] {
    this.catchUp();
    const now = this.clock();
    const plan = inEffect(this.plans.get(subject) ?? [], now);
    if (!plan) return [];
    const day = zonedDay(now, plan.zone);
    if (!supervisedOn(plan, day)) return [];
    return plan.tasks.filter((t) => taskDueOn(t, plan, weekdayOf(day)));
  }

  /**
   * Today's reporting window at a centre, for its start screen: from the earliest open to the latest close of
   * the plans in effect that report there today (the newest version of each person's plan). Null when nobody does.
   */
  windowToday(centre: string): { readonly open: number; readonly close: number } | null {
    this.catchUp();
    const now = this.clock();
    let window: { open: number; close: number } | null = null;
    for (const versions of this.plans.values()) {
      const plan = inEffect(versions, now);
      if (!plan?.centres.includes(centre)) continue;
      const day = zonedDay(now, plan.zone);
      if (!supervisedOn(plan, day) || !plan.days.includes(weekdayOf(day))) continue;
      // A window that ends the next day counts as ending at midnight plus its close.
      const close = plan.close <= plan.open ? plan.close + 1440 : plan.close;
      window =
        window === null
          ? { open: plan.open, close }
          : { open: Math.min(window.open, plan.open), close: Math.max(window.close, close) };
    }
    return window === null ? null : { open: window.open, close: window.close % 1440 };
  }

  private catchUp(): void {
    for (const origin of this.store.origins()) {
      const from = this.read.get(origin) ?? 0;
      const size = this.store.head(origin).size;
      for (const row of this.store.range(origin, from, size)) {
        if (row.type !== 'plan') continue;
        try {
          const plan = parsePlan(decodeLeaf(row.leaf).body.payload);
          const list = this.plans.get(plan.subject) ?? [];
          list.push(plan);
          this.plans.set(plan.subject, list);
        } catch (error) {
          // A malformed plan is the breach engine's problem to report; here it simply sets no tasks.
          if (!(error instanceof MusterError)) throw error;
        }
      }
      this.read.set(origin, size);
    }
  }
}

/** The newest version already in effect; the breach engine applies the same versions to the day. */
function inEffect(versions: readonly Plan[], now: number): Plan | undefined {
  return versions
    .filter((p) => p.effectiveFrom <= now)
    .sort((a, b) => a.effectiveFrom - b.effectiveFrom)
    .at(-1);
}
