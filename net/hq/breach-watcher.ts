// The continuous breach-alert engine: the pure breach engine (core/breach/) driven by a clock and by each newly
// verified entry. Each pass reads what the source verified since the last one, re-judges the people those entries
// touch and the people whose deadline (window + grace, task deadline) has passed, and turns the difference from
// the stored alerts into changes: raise, update, supersede (never delete). Alert ids come from the finding, the
// store inserts idempotently and updates by compare-and-set, so a restart neither raises an alert twice nor misses
// one that fell due while it was down (the first pass judges everyone at the current time), and two nodes may run
// it over one store. Nothing here knows about HQ: an agency node runs it over its own store.
import { BreachEngine, type EngineOptions, type SubjectFindings } from '../../core/breach/engine.ts';
import { dayWindow } from '../../core/breach/day-window.ts';
import { type Breach, breachStands } from '../../core/breach/findings.ts';
import { type Logger, componentLogger } from '../../runtime/logger.ts';
import { refKey } from '../../core/records/entry-ref.ts';
import { type Plan, parsePlan } from '../../core/records/plan.ts';
import { parseDay } from '../../core/time/civil-day.ts';
import { zonedDay } from '../../core/time/zoned-time.ts';
import {
  type AlertChange,
  type AlertHistoryEvent,
  type BreachAlert,
  type BreachAlertKind,
  type BreachAlertStore,
  breachAlertId,
  outageOnly,
} from './breach-alert.ts';
import { Deadlines } from './deadlines.ts';
import type { VerifiedRecords } from './verified-records.ts';

/** A span when the node saw a kiosk offline or degraded (from heartbeats): the kiosk may have been unusable. */
export interface DowntimeSpan {
  readonly kiosk: string;
  readonly from: number;
  readonly to: number;
  readonly note: string;
}

export interface KioskDowntime {
  /** Spans at kiosks of `centres` overlapping [from, to). */
  during(centres: readonly string[], from: number, to: number): readonly DowntimeSpan[];
}

export interface BreachWatcherOptions {
  readonly source: VerifiedRecords;
  readonly store: BreachAlertStore;
  /** Called after each change is stored: delivery (SSE, MQTT). */
  readonly deliver: (alert: BreachAlert) => void;
  readonly clock?: () => number;
  readonly engine?: EngineOptions;
  readonly downtime?: KioskDowntime;
  /** Longest wait between passes with nothing due (a safety net; deadlines and entries drive it). */
  readonly idleMs?: number;
  /** Default: the process logger's `breach-watcher` child. */
  readonly logger?: Logger;
}

/** Rules a kiosk outage makes unfair to apply: what the fairness rules excuse. */
const OUTAGE_RULES: ReadonlySet<string> = new Set(['missed-checkin', 'late-checkin', 'wrong-centre', 'task-not-done']);

interface Wanted {
  readonly kind: BreachAlertKind;
  readonly breach: Breach;
  readonly summary: string;
  readonly finding: BreachAlert['finding'];
}

export class BreachWatcher {
  private engine: BreachEngine;
  private readonly clock: () => number;
  private readonly log: Logger;
  /** Withheld entries already reported. */
  private readonly problems = new Set<string>();
  /** Plans by entry (for a finding's window) and by person (for deadlines and centres). */
  private readonly plansByRef = new Map<string, Plan>();
  private readonly plans = new Map<string, Plan[]>();
  private readonly due = new Deadlines();
  private readonly dirty = new Set<string>();
  private readonly known = new Map<string, BreachAlert>();
  private readonly bySubject = new Map<string, Set<string>>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private closed = false;

  constructor(private readonly options: BreachWatcherOptions) {
    this.engine = new BreachEngine(options.engine);
    this.clock = options.clock ?? Date.now;
    this.log = options.logger ?? componentLogger('breach-watcher');
  }

  /** Loads the stored alerts and runs the first pass (which raises whatever fell due while nothing watched). */
  async start(): Promise<void> {
    for (const alert of await this.options.store.breachAlerts({ limit: Number.MAX_SAFE_INTEGER })) this.remember(alert);
    await this.poke();
  }

  /**
   * Entries stored with no word of which logs grew (or anything else changed): a pass now that looks at every log.
   * Resolves when it is done.
   */
  poke(): Promise<void> {
    this.options.source.unannounced?.();
    return this.wake();
  }

  /**
   * A log grew (an ingest committed; `size`: the log's size then, unknown for another node's commit): a pass runs,
   * and while every new entry comes with such a word it reads only the logs named (net/hq/verified-records.ts).
   * A word that comes during a pass runs another only if that pass's read had started without it: a group commit
   * tells its logs one after another, and the pass the first word starts reads them all.
   */
  grew(origin: string, size?: number): Promise<void> {
    this.options.source.grew?.(origin, size);
    return this.wake(false);
  }

  /** Re-judges everyone of a centre (a kiosk's downtime changed), then runs a pass (it reads no log for it). */
  recheckCentre(centre: string): Promise<void> {
    for (const [subject, plans] of this.plans)
      if (plans.some((p) => p.centres.includes(centre))) this.dirty.add(subject);
    return this.wake();
  }

  /** The alerts this watcher knows, as stored. */
  alerts(): BreachAlert[] {
    return [...this.known.values()];
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** A pass now, or after the running one when `again` (else that one's loop reruns only for what it has not read). */
  private wake(again = true): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (this.running) {
      if (again) this.again = true;
      return this.running;
    }
    this.running = this.loop().finally(() => {
      this.running = undefined;
      // A word that came after the loop's last look, while it was ending, is not left for the next event.
      if (this.rerun()) void this.wake();
      else this.schedule();
    });
    return this.running;
  }

  private async loop(): Promise<void> {
    for (;;) {
      this.again = false;
      try {
        await this.pass();
      } catch (error) {
        this.log.error({ err: error }, 'pass failed (retried on the next entry or deadline)');
      }
      if (!this.rerun()) return;
    }
  }

  /** Whether a wake, or a change that lost a race, came during the pass, or the source holds words it has not read. */
  private rerun(): boolean {
    return !this.closed && (this.again || this.options.source.waiting?.() === true);
  }

  private async pass(): Promise<void> {
    await this.readNew();
    const now = this.clock();
    for (const subject of this.due.takeDue(now)) this.dirty.add(subject);
    const changes: AlertChange[] = [];
    for (const subject of this.dirty) {
      changes.push(...this.reconcile(subject, this.engine.evaluateSubject(subject, now), now));
      this.due.set(subject, this.nextDeadline(subject, now));
    }
    this.dirty.clear();
    if (changes.length === 0) return;
    const applied = await this.options.store.applyAlertChanges(changes);
    const retry: string[] = [];
    for (const [i, change] of changes.entries()) {
      if (applied[i] === true) {
        this.remember(change.alert);
        this.options.deliver(change.alert);
        continue;
      }
      // Another node stored it first (or changed it since): take the stored one and judge the person again.
      const stored = await this.options.store.breachAlert(change.alert.id);
      if (stored) this.remember(stored);
      if (stored?.version !== change.alert.version) retry.push(change.alert.subject);
    }
    for (const subject of retry) this.dirty.add(subject);
    if (retry.length > 0) this.again = true;
  }

  private async readNew(): Promise<void> {
    let batch = await this.options.source.next();
    if (batch.withdrawn) {
      // A revocation made entries already judged untrusted: judge everyone again from what still verifies.
      this.engine = new BreachEngine(this.options.engine);
      this.plans.clear();
      this.plansByRef.clear();
      this.options.source.reset();
      batch = await this.options.source.next();
      for (const subject of this.bySubject.keys()) this.dirty.add(subject);
    }
    for (const p of batch.problems) {
      const key = `${p.origin}@${p.seq}`;
      if (this.problems.has(key)) continue;
      this.problems.add(key);
      this.log.error(
        {
          origin: p.origin,
          seq: p.seq,
          reason: p.reason,
          after: p.after === undefined ? null : new Date(p.after).toISOString(),
        },
        'entries withheld: they fail verification, and verdicts after `after` may lack evidence',
      );
    }
    for (const record of batch.records) {
      for (const subject of this.engine.add(record)) this.dirty.add(subject);
      if (record.type === 'plan') this.notePlan(refKey(record.ref), record.payload);
    }
  }

  private notePlan(key: string, payload: unknown): void {
    let plan: Plan;
    try {
      plan = parsePlan(payload);
    } catch {
      return; // the engine reports it as a problem
    }
    this.plansByRef.set(key, plan);
    const list = this.plans.get(plan.subject) ?? [];
    list.push(plan);
    list.sort((a, b) => a.effectiveFrom - b.effectiveFrom);
    this.plans.set(plan.subject, list);
  }

  /** The next instant after `now` at which a person's findings can change with time alone. */
  private nextDeadline(subject: string, now: number): number {
    let next = now + (this.options.idleMs ?? 3_600_000);
    for (const plan of this.plans.get(subject) ?? []) {
      const today = zonedDay(now, plan.zone);
      for (let day = today - 1; day <= today + 1; day++) {
        const w = dayWindow(plan, day);
        for (const t of [w.onTimeUntil, w.taskDeadline]) if (t > now && t < next) next = t;
      }
    }
    return next;
  }

  private schedule(): void {
    if (this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    const next = Math.min(this.clock() + (this.options.idleMs ?? 3_600_000), this.due.next() ?? Infinity);
    // Timers may fire a little early: a pass then finds nothing due and schedules again.
    this.timer = setTimeout(() => void this.wake(), Math.max(0, Math.min(next - this.clock(), 2_000_000_000)));
    this.timer.unref();
  }

  /** What should be raised for a person now, against what is stored: the changes. */
  private reconcile(subject: string, findings: SubjectFindings, now: number): AlertChange[] {
    const wanted = new Map<string, Wanted>();
    /** Why a finding no longer stands, by breach id: the newest event of its history. */
    const reasons = new Map<string, AlertHistoryEvent>();
    for (const b of findings.breaches) {
      const downtime = breachStands(b.status) && OUTAGE_RULES.has(b.rule) ? this.downtimeFor(b) : [];
      if (breachStands(b.status) && downtime.length === 0) {
        wanted.set(breachAlertId('breach', b.id), {
          kind: 'breach',
          breach: b,
          summary: `${b.subject} ${b.day}: ${b.rule}: ${b.detail}`,
          finding: b.status,
        });
      } else if (downtime.length > 0 || outageOnly(b)) {
        const why =
          downtime.length > 0 ? downtime.map((d) => d.note).join('; ') : b.history.map((h) => h.note).join('; ');
        wanted.set(breachAlertId('review', b.id), {
          kind: 'review',
          breach: b,
          summary: `${b.subject} ${b.day}: would be ${b.rule}, but ${why}: for staff review`,
          finding: 'pending',
        });
        reasons.set(b.id, {
          at: now,
          event: 'superseded',
          by: 'hq',
          note: `kiosk outage during the window (${why}): a staff review item instead`,
        });
      } else {
        const last = b.history.at(-1);
        reasons.set(b.id, {
          at: now,
          event: 'superseded',
          by: 'hq',
          note: last ? last.note : `now ${b.status}`,
          ...(last ? { ref: last.ref } : {}),
        });
      }
    }
    // A breach that only a staff review made (suspected impersonation) is gone once a later review clears the
    // item: the item, same id, says who cleared it and why.
    for (const r of findings.reviews) {
      const last = r.history.at(-1);
      if (r.status === 'cleared' && last && !reasons.has(r.id))
        reasons.set(r.id, { at: now, event: 'superseded', by: 'hq', note: last.note, ref: last.ref });
    }
    const changes: AlertChange[] = [];
    for (const [id, w] of wanted) {
      const existing = this.known.get(id);
      if (!existing) {
        changes.push({ alert: this.newAlert(id, w, now), expectedVersion: null });
        continue;
      }
      const reopened = existing.status === 'superseded';
      if (!reopened && existing.finding === w.finding && existing.summary === w.summary) continue;
      const note = reopened ? `stands again: ${w.finding}` : `finding now ${w.finding}`;
      const last = w.breach.history.at(-1);
      changes.push(
        this.change(
          existing,
          {
            finding: w.finding,
            summary: w.summary,
            evidence: w.breach.evidence,
            ...(reopened ? { status: 'open' as const } : {}),
          },
          {
            at: now,
            event: 'updated',
            by: 'hq',
            note: last ? `${note}: ${last.note}` : note,
            ...(last ? { ref: last.ref } : {}),
          },
        ),
      );
    }
    for (const id of this.bySubject.get(subject) ?? []) {
      const existing = this.known.get(id);
      if (!existing || existing.status === 'superseded' || wanted.has(id)) continue;
      const breachId = id.slice(id.indexOf(':') + 1);
      const replaced = [...wanted.values()].filter((w) => w.breach.day === existing.day).map((w) => w.breach.id);
      const event: AlertHistoryEvent = reasons.get(breachId) ?? {
        at: now,
        event: 'superseded',
        by: 'hq',
        note: replaced.length > 0 ? `replaced by ${replaced.join(', ')}` : 'the finding no longer holds',
      };
      changes.push(this.change(existing, { status: 'superseded' }, event));
    }
    return changes;
  }

  private newAlert(id: string, w: Wanted, now: number): BreachAlert {
    const b = w.breach;
    return {
      v: 1,
      type: 'breach-alert',
      id,
      kind: w.kind,
      rule: b.rule,
      subject: b.subject,
      day: b.day,
      centres: this.centresFor(b),
      firedAt: b.at,
      raisedAt: now,
      summary: w.summary,
      evidence: b.evidence,
      finding: w.finding,
      status: 'open',
      assignee: null,
      version: 1,
      history: [{ at: now, event: 'raised', by: 'hq', note: w.summary }],
    };
  }

  private change(
    existing: BreachAlert,
    fields: Partial<Pick<BreachAlert, 'status' | 'finding' | 'summary' | 'evidence'>>,
    event: AlertHistoryEvent,
  ): AlertChange {
    return {
      alert: { ...existing, ...fields, version: existing.version + 1, history: [...existing.history, event] },
      expectedVersion: existing.version,
    };
  }

  /** HQ-observed kiosk downtime at the person's centres during the finding's window. */
  private downtimeFor(b: Breach): readonly DowntimeSpan[] {
    const downtime = this.options.downtime;
    const planRef = b.evidence[0];
    const plan = planRef ? this.plansByRef.get(refKey(planRef)) : undefined;
    const day = parseDay(b.day);
    if (!downtime || !plan || day === undefined) return [];
    const w = dayWindow(plan, day);
    return downtime.during(plan.centres, w.open, w.onTimeUntil);
  }

  private centresFor(b: Breach): readonly string[] {
    const planRef = b.evidence[0];
    return (
      (planRef ? this.plansByRef.get(refKey(planRef))?.centres : undefined) ??
      this.plans.get(b.subject)?.at(-1)?.centres ??
      []
    );
  }

  private remember(alert: BreachAlert): void {
    this.known.set(alert.id, alert);
    let ids = this.bySubject.get(alert.subject);
    if (!ids) this.bySubject.set(alert.subject, (ids = new Set()));
    ids.add(alert.id);
  }
}
