// The HQ dashboard's backend: reads HQ's store of every verified kiosk log, runs the same breach engine as
// every kiosk over it, and reports per-centre compliance, the breach feed, fleet health, replication status
// (log size against the last witnessed checkpoint) and alerts. Read-only. Records come only through the
// verified read path (ledger/verified-reader.ts): HQ's own rows edited at rest are problems, never evidence.
import { EventEmitter } from 'node:events';
import type { EventMessage } from '../../core/api/api.ts';
import type { AlertView, CentreView, LogView } from '../../core/api/hq-api.ts';
import type { FindingView } from '../../core/api/staff-api.ts';
import { holds } from '../../core/access/roles.ts';
import { toHex } from '../../core/bytes.ts';
import { BreachEngine } from '../../core/breach/engine.ts';
import type { LogRecord } from '../../core/records/entry-ref.ts';
import { formatDay, parseDay } from '../../core/time/civil-day.ts';
import { zonedDay } from '../../core/time/zoned-time.ts';
import { VerifiedReader, type VerifyProblem } from '../../ledger/verified-reader.ts';
import type { HqService } from '../../net/hq/hq-service.ts';
import { witnessedEntrySource } from '../../net/hq/verified-records.ts';
import { doubtOver, toRecord } from '../kiosk/log-records.ts';
import type { ApiBackend, Handlers } from './api-service.ts';
import { dayInDoubt, findingsInDoubt } from './unverified-view.ts';
import { breachView, dayCount, personTimeline } from './attendance.ts';
import { hqCharts, personCalendar } from './hq-charts.ts';
import { HqDays, standingBreaches } from './hq-days.ts';
import { RecordInterner } from './record-interner.ts';

export interface HqBackendOptions {
  /** What the dashboard reads of the HQ service. */
  readonly hq: Pick<HqService, 'store' | 'events' | 'fleetView'> & Partial<Pick<HqService, 'cosignatures'>>;
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
  /** Records share their repeated payload values (a city's year is millions of check-ins). */
  private readonly interner = new RecordInterner();
  /** The same records per person (timelines). */
  private readonly subjects = new Map<string, LogRecord[]>();
  /** Each centre's zone: the zone of the newest plan naming it (a centre's people share its zone). */
  private readonly centreZones = new Map<string, string>();
  private engine: BreachEngine;
  /** Per-day figures of centres and kiosks, kept between calls (charts over a year). */
  private readonly days = new HqDays(() => this.engine);
  private feeding: Promise<void> = Promise.resolve();
  private queued = false;
  private fedOnce = false;
  private failed = false;
  private lastCatchUp = 0;
  /** 'entries' once new entries are judged. */
  private readonly judged = new EventEmitter<{ entries: [] }>();
  /** Only verified entries are judged; a log's first failing entry and those after it are listed here instead. */
  private readonly reader: VerifiedReader;
  private unverified: readonly VerifyProblem[] = [];

  readonly handlers: Handlers = {
    'hq.overview': async () => {
      const at = this.clock();
      await this.ready();
      const origins = await this.options.hq.store.origins();
      const centres = new Set([...origins.map(centreOf), ...this.centreZones.keys()]);
      // A withheld entry can change any verdict reached from its log's last good entry on: today's among them.
      const inDoubt = doubtOver(at, this.unverified) !== undefined;
      const views: CentreView[] = [];
      let day = '';
      for (const centre of [...centres].sort()) {
        // Today as the charts count it, kept between calls (only rows an entry or a deadline changed are judged).
        const zone = this.centreZones.get(centre) ?? this.zone;
        const today = zonedDay(at, zone);
        const found = this.days.centreDay(centre, zone, today, at);
        const count = found?.count ?? dayCount([]);
        day ||= count.due > 0 ? formatDay(today) : '';
        views.push({
          centre,
          zone,
          day: formatDay(today),
          kiosks: origins.filter((o) => centreOf(o) === centre).length,
          expected: count.due,
          checkedIn: count.checkedIn,
          breaches: found ? standingBreaches(found) : 0,
          people: count.breached,
          open: count.open,
          excused: count.excused,
          compliance: count.compliance,
          ...(inDoubt ? { inDoubt } : {}),
        });
      }
      return { at, day, zone: this.zone, centres: views };
    },
    'hq.breaches': async ({ centre, from, to }) => {
      const at = this.clock();
      await this.ready();
      const range = {
        from: from === undefined ? -Infinity : (parseDay(from) ?? -Infinity),
        to: to === undefined ? Infinity : (parseDay(to) ?? Infinity),
      };
      const views: FindingView[] = [];
      for (const subject of centre === undefined ? this.subjects.keys() : this.engine.peopleAt(centre)) {
        const plan = this.engine.subjectLog(subject)?.plans.at(-1)?.value;
        if (centre !== undefined && !(plan?.centres ?? []).includes(centre)) continue;
        for (const b of this.engine.evaluateSubject(subject, at, range).breaches)
          views.push(breachView(b, plan?.zone ?? this.zone));
      }
      views.sort((a, b) => b.at - a.at || (a.id < b.id ? -1 : 1));
      return { at, breaches: findingsInDoubt(views.slice(0, 2000), this.unverified) };
    },
    'hq.fleet': async () => {
      // The fleet answers from the reader's last pass without waiting for it, but starts one: a screen that only
      // shows the fleet (an auditor's) would otherwise never have its logs verified.
      void this.ready().catch(() => undefined);
      const store = this.options.hq.store;
      const kiosks = this.options.hq.fleetView().map((k) => ({
        kiosk: k.kiosk,
        state: k.state,
        reasons: k.reasons.map((r) => r.slice(0, 300)),
        lastHeartbeatAt: k.lastHeartbeatAt ?? null,
      }));
      const beats = new Map(kiosks.map((k) => [k.kiosk, k.lastHeartbeatAt]));
      // Every log's reads at once: on PostgreSQL each is a round trip, and a city has dozens of logs.
      const logs = await Promise.all(
        (await store.origins()).map(async (origin): Promise<LogView> => {
          const [witnessed, size, conflicts] = await Promise.all([
            store.witnessed(origin),
            store.size(origin),
            store.conflicts(origin),
          ]);
          const cosigners = (this.options.hq.cosignatures?.(origin) ?? []).map((c) => ({
            witness: c.witness,
            size: c.size,
            matchesHq: c.matchesHq,
          }));
          const head = this.reader.verifiedHead(origin);
          return {
            origin,
            size,
            witnessedSize: witnessed?.size ?? 0,
            witnessedAt: witnessed?.at ?? null,
            conflicts: conflicts.length,
            // As of the reader's last pass (the fleet query does not wait for one): what verdicts rest on, and
            // the entries no verdict uses.
            verified: this.reader.verifiedSize(origin),
            lastHeartbeatAt: beats.get(origin) ?? null,
            cosigners,
            ...(head ? { verifiedHead: toHex(head) } : {}),
            ...(witnessed ? { witnessedRoot: toHex(witnessed.root) } : {}),
            ...unverifiedView(this.unverified.find((p) => p.origin === origin)),
          };
        }),
      );
      return { kiosks, logs };
    },
    'hq.alerts': async ({ after, kind }, caller) => {
      const seesBreaches = caller.principal !== undefined && holds(caller.principal.role, 'read-breaches');
      const alerts = await this.options.hq.store.alerts(after ?? 0, 500);
      return {
        alerts: alerts
          .filter((a) => (seesBreaches || a.kind !== 'breach') && (kind === undefined || a.kind === kind))
          .map((a): AlertView => ({
            id: a.id,
            kind: a.kind,
            kiosk: a.kiosk,
            center: a.center,
            at: a.at,
            summary: a.summary.slice(0, 2000),
          })),
      };
    },
    'hq.timeline': async ({ subject }) => {
      const at = this.clock();
      await this.ready();
      const records = (this.subjects.get(subject) ?? []).filter((r) => r.ts <= at);
      const timeline = personTimeline(
        records,
        { at, ...this.engine.evaluateSubject(subject, at), problems: [] },
        subject,
        this.zone,
      );
      return {
        ...timeline,
        breaches: findingsInDoubt(timeline.breaches, this.unverified),
        reviews: findingsInDoubt(timeline.reviews, this.unverified),
      };
    },
    'hq.charts': async ({ from, to, centre }) => {
      const at = this.clock();
      await this.ready();
      return hqCharts(
        this.days,
        new Map([...this.centreZones].filter(([c]) => centre === undefined || c === centre)),
        from,
        to,
        at,
        this.unverified,
      );
    },
    'hq.calendar': async ({ subject, from, to }) => {
      const at = this.clock();
      await this.ready();
      const calendar = personCalendar(this.engine, subject, from, to, at);
      // A day a withheld entry could change is under review, as on the staff roster (rowsInDoubt), never a verdict.
      const inDoubt = (day: string): boolean => dayInDoubt(parseDay(day) ?? 0, calendar.zone, this.unverified);
      return {
        ...calendar,
        days: calendar.days.map((d) => (inDoubt(d.day) ? { ...d, state: 'review', breaches: 0 } : d)),
      };
    },
  };

  constructor(private readonly options: HqBackendOptions) {
    this.clock = options.clock ?? Date.now;
    this.reader = new VerifiedReader(
      witnessedEntrySource(options.hq.store),
      options.trustedKeys === undefined ? {} : { trustedKeys: options.trustedKeys },
    );
    this.zone = options.zone ?? 'UTC';
    this.engine = this.newEngine();
    options.hq.events.on('entries', () => {
      this.refresh();
    });
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
    // New entries are announced once they are judged (not when they reach the store), so a screen that refetches sees them.
    const onEntries = say('entries');
    const onKiosk = say('kiosk');
    events.on('alert', onAlert);
    this.judged.on('entries', onEntries);
    events.on('kiosk', onKiosk);
    return () => {
      events.off('alert', onAlert);
      this.judged.off('entries', onEntries);
      events.off('kiosk', onKiosk);
    };
  }

  /**
   * What a query answers from. The first waits for the store to be read; later ones answer at once from what was
   * judged, so a query never pays for verifying, sweeping and judging new entries: that runs when entries arrive
   * (or, with none announced, once a second passes) and open screens are told when it brought something new. After
   * a failed catch-up (the store unreachable) a query waits for a new one, so the screen sees the error.
   */
  private async ready(): Promise<void> {
    if (this.fedOnce && !this.failed) {
      if (performance.now() - this.lastCatchUp > 1000) this.refresh();
      return;
    }
    this.refresh();
    await this.feeding;
  }

  /** Queues one catch-up (coalesced: at most one waits behind the running one). */
  private refresh(): void {
    if (this.queued) return;
    this.queued = true;
    this.feeding = this.feeding
      .catch(() => undefined)
      .then(async () => {
        this.queued = false;
        this.lastCatchUp = performance.now();
        try {
          const news = await this.feed();
          this.failed = false;
          this.fedOnce = true;
          if (news) this.judged.emit('entries');
        } catch (error) {
          this.failed = true;
          throw error;
        }
      });
    // A background catch-up's failure is answered by the next query's own.
    this.feeding.catch(() => undefined);
  }

  /** Takes what the verified reader checked since the last call; entries a late revocation withdrew are dropped. Whether anything changed. */
  private async feed(): Promise<boolean> {
    // Entries are judged chunk by chunk as they pass (a city's first read never holds its signed bytes at once).
    let taken = 0;
    const batch = await this.reader.next((chunk) => {
      taken += chunk.length;
      for (const entry of chunk) {
        const record = this.interner.record(toRecord(entry));
        let list = this.records.get(entry.origin);
        if (!list) this.records.set(entry.origin, (list = []));
        list.push(record);
        this.take(record);
      }
    });
    const news = taken > 0 || batch.withdrawn.length > 0 || batch.problems.length !== this.unverified.length;
    this.unverified = batch.problems;
    if (batch.withdrawn.length > 0) {
      for (const { origin, fromSeq } of batch.withdrawn)
        this.records.set(origin, (this.records.get(origin) ?? []).slice(0, fromSeq));
      this.engine = this.newEngine();
      this.subjects.clear();
      this.centreZones.clear();
      this.days.clear();
      for (const list of this.records.values()) for (const record of list) this.take(record);
    }
    return news;
  }

  private take(record: LogRecord): void {
    this.days.add(record, this.engine.add(record));
    const subject = record.payload.subject;
    if (typeof subject === 'string') {
      let list = this.subjects.get(subject);
      if (!list) this.subjects.set(subject, (list = []));
      list.push(record);
    }
    if (record.type === 'plan') {
      // The plan the engine just took (it refuses malformed ones): its centres keep the newest plan's zone.
      const plan = this.engine
        .subjectLog(typeof subject === 'string' ? subject : '')
        ?.plans.find((p) => p.record === record)?.value;
      for (const centre of plan?.centres ?? []) this.centreZones.set(centre, plan?.zone ?? this.zone);
    }
  }
}

function centreOf(origin: string): string {
  return origin.split('/')[0] ?? origin;
}

/** A log's verification problem as the fleet view shows it. */
function unverifiedView(problem: VerifyProblem | undefined): Pick<LogView, 'unverified'> {
  return problem
    ? {
        unverified: {
          seq: problem.seq,
          kind: problem.kind,
          reason: problem.reason.slice(0, 1000),
          after: problem.after ?? null,
        },
      }
    : {};
}
