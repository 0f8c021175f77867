// The HQ dashboard's backend: reads HQ's store of every verified kiosk log, runs the same breach engine as
// every kiosk over it, and reports per-centre compliance, the breach feed, fleet health, replication status
// (log size against the last witnessed checkpoint) and alerts. Read-only. Records come only through the
// verified read path (ledger/verified-reader.ts): HQ's own rows edited at rest are problems, never evidence.
import type { EventMessage } from '../../core/api/api.ts';
import type { AlertView, CentreView, LogView } from '../../core/api/hq-api.ts';
import { holds } from '../../core/access/roles.ts';
import { BreachEngine } from '../../core/breach/engine.ts';
import { type BreachReport, breachStands } from '../../core/breach/findings.ts';
import type { LogRecord } from '../../core/records/entry-ref.ts';
import type { Plan } from '../../core/records/plan.ts';
import { VerifiedReader, type VerifyProblem } from '../../ledger/verified-reader.ts';
import type { HqService } from '../../net/hq/hq-service.ts';
import { toRecord, unverifiedProblem } from '../kiosk/log-records.ts';
import type { ApiBackend, Handlers } from './api-service.ts';
import { findingsInDoubt } from './unverified-view.ts';
import { breachView, dayCount, dayRoster, latestPlans, personTimeline } from './attendance.ts';
import { hqCharts, personCalendar } from './hq-charts.ts';

export interface HqBackendOptions {
  /** What the dashboard reads of the HQ service. */
  readonly hq: Pick<HqService, 'store' | 'events' | 'fleetView'>;
  readonly clock?: () => number;
  /** HQ's own zone: for a centre no plan names yet. Default UTC. */
  readonly zone?: string;
  /** Per origin, the genesis key its log must start with (HQ's registry key among them). */
  readonly trustedKeys?: ReadonlyMap<string, Uint8Array>;
  /**
   * The logs whose staff decisions (plans, tasks, excuses, reviews, contests) count: the centres' staff logs the
   * registry names. A decision from any other log is a problem, never a finding's cause. Default: every log.
   */
  readonly staffOrigin?: (origin: string) => boolean;
}

export class HqBackend implements ApiBackend {
  private readonly clock: () => number;
  private readonly zone: string;
  /** Decoded records per log, extended as the store grows (logs are append-only), and the engine fed with them. */
  private readonly records = new Map<string, LogRecord[]>();
  private engine: BreachEngine;
  private feeding: Promise<void> = Promise.resolve();
  /** Only verified entries are judged; a log's first failing entry and those after it are listed here instead. */
  private readonly reader: VerifiedReader;
  private unverified: readonly VerifyProblem[] = [];

  readonly handlers: Handlers = {
    'hq.overview': async () => {
      const at = this.clock();
      const { records, report } = await this.judge(at);
      const origins = await this.options.hq.store.origins();
      const plans = latestPlans(records);
      const zones = centreZones(plans);
      const centres = new Set([...origins.map(centreOf), ...[...plans.values()].flatMap((p) => p.centres)]);
      const views: CentreView[] = [];
      let day = '';
      for (const centre of [...centres].sort()) {
        const roster = dayRoster(records, report, centre, at, zones.get(centre) ?? this.zone);
        day ||= roster.rows.length > 0 ? roster.day : '';
        const rows = roster.rows;
        const count = dayCount(rows);
        views.push({
          centre,
          zone: roster.zone,
          day: roster.day,
          kiosks: origins.filter((o) => centreOf(o) === centre).length,
          expected: count.due,
          checkedIn: count.checkedIn,
          breaches: report.breaches.filter((b) => breachStands(b.status) && b.day === roster.day && rows.some((r) => r.subject === b.subject)).length,
          people: count.breached,
          open: count.open,
          excused: count.excused,
          compliance: count.compliance,
        });
      }
      return { at, day, zone: this.zone, centres: views };
    },
    'hq.breaches': async ({ centre, from, to }) => {
      const at = this.clock();
      const { records, report } = await this.judge(at);
      const plans = latestPlans(records);
      const breaches = report.breaches.filter((b) => (centre === undefined || (plans.get(b.subject)?.centres ?? []).includes(centre)) && (from === undefined || b.day >= from) && (to === undefined || b.day <= to));
      const views = [...breaches].sort((a, b) => b.at - a.at || (a.id < b.id ? -1 : 1)).slice(0, 2000).map((b) => breachView(b, plans.get(b.subject)?.zone ?? this.zone));
      return { at, breaches: findingsInDoubt(views, this.unverified) };
    },
    'hq.fleet': async () => {
      const store = this.options.hq.store;
      const logs: LogView[] = [];
      for (const origin of await store.origins()) {
        const witnessed = await store.witnessed(origin);
        logs.push({ origin, size: await store.size(origin), witnessedSize: witnessed?.size ?? 0, witnessedAt: witnessed?.at ?? null, conflicts: (await store.conflicts(origin)).length });
      }
      const kiosks = this.options.hq.fleetView().map((k) => ({ kiosk: k.kiosk, state: k.state, reasons: k.reasons.map((r) => r.slice(0, 300)), lastHeartbeatAt: k.lastHeartbeatAt ?? null }));
      return { kiosks, logs };
    },
    'hq.alerts': async ({ after }, caller) => {
      const seesBreaches = caller.principal !== undefined && holds(caller.principal.role, 'read-breaches');
      const alerts = await this.options.hq.store.alerts(after ?? 0, 500);
      return {
        alerts: alerts
          .filter((a) => seesBreaches || a.kind !== 'breach')
          .map((a): AlertView => ({ id: a.id, kind: a.kind, kiosk: a.kiosk, center: a.center, at: a.at, summary: a.summary.slice(0, 2000) })),
      };
    },
    'hq.timeline': async ({ subject }) => {
      const { records, report } = await this.judge(this.clock());
      const timeline = personTimeline(records, report, subject, this.zone);
      return { ...timeline, breaches: findingsInDoubt(timeline.breaches, this.unverified), reviews: findingsInDoubt(timeline.reviews, this.unverified) };
    },
    'hq.charts': async ({ from, to, centre }) => {
      const at = this.clock();
      const { records, report } = await this.judge(at);
      const zones = centreZones(latestPlans(records));
      return hqCharts(records, report, new Map([...zones].filter(([c]) => centre === undefined || c === centre)), from, to, at);
    },
    'hq.calendar': async ({ subject, from, to }) => {
      const at = this.clock();
      const { records, report } = await this.judge(at);
      return personCalendar(records, report, latestPlans(records.filter((r) => r.payload.subject === subject)).get(subject), subject, from, to, at);
    },
  };

  constructor(private readonly options: HqBackendOptions) {
    this.clock = options.clock ?? Date.now;
    this.reader = new VerifiedReader(options.hq.store, options.trustedKeys === undefined ? {} : { trustedKeys: options.trustedKeys });
    this.zone = options.zone ?? 'UTC';
    this.engine = this.newEngine();
  }

  private newEngine(): BreachEngine {
    return new BreachEngine(this.options.staffOrigin ? { staffOrigin: this.options.staffOrigin } : {});
  }

  subscribe(listener: (message: EventMessage) => void): () => void {
    const events = this.options.hq.events;
    const say = (what: string) => (): void => {
      listener({ event: 'hq.changed', data: { at: this.clock(), what } });
    };
    const onAlert = say('alert');
    const onEntries = say('entries');
    const onKiosk = say('kiosk');
    events.on('alert', onAlert);
    events.on('entries', onEntries);
    events.on('kiosk', onKiosk);
    return () => {
      events.off('alert', onAlert);
      events.off('entries', onEntries);
      events.off('kiosk', onKiosk);
    };
  }

  private async judge(at: number): Promise<{ records: readonly LogRecord[]; report: BreachReport }> {
    // One catch-up at a time: the dashboard asks for several panels at once, and each record is fed once.
    this.feeding = this.feeding.catch(() => undefined).then(() => this.feed());
    await this.feeding;
    const records = [...this.records.values()].flat().filter((r) => r.ts <= at);
    const report = this.engine.evaluate(at);
    return { records, report: { ...report, problems: [...this.unverified.map(unverifiedProblem), ...report.problems] } };
  }

  /** Takes what the verified reader checked since the last call; entries a late revocation withdrew are dropped. */
  private async feed(): Promise<void> {
    const batch = await this.reader.next();
    this.unverified = batch.problems;
    if (batch.withdrawn.length > 0) {
      for (const { origin, fromSeq } of batch.withdrawn) this.records.set(origin, (this.records.get(origin) ?? []).slice(0, fromSeq));
      this.engine = this.newEngine();
      for (const list of this.records.values()) for (const record of list) this.engine.add(record);
    }
    for (const entry of batch.entries) {
      const record = toRecord(entry);
      let list = this.records.get(entry.origin);
      if (!list) this.records.set(entry.origin, (list = []));
      list.push(record);
      this.engine.add(record);
    }
  }
}

function centreOf(origin: string): string {
  return origin.split('/')[0] ?? origin;
}

/** Each centre's zone: the zone of the plans that name it (a centre's people share its zone). */
export function centreZones(plans: ReadonlyMap<string, Plan>): Map<string, string> {
  const out = new Map<string, string>();
  for (const plan of plans.values()) for (const centre of plan.centres) out.set(centre, plan.zone);
  return out;
}
