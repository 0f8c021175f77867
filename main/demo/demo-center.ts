// The all-in-one demo centre: an embedded broker, HQ with its HTTP API, and two kiosks of one centre, playing
// the scripted day on an accelerated clock. Every entry goes through the real log, the real replication and
// HQ's verification; breaches come from the same pure engine every node runs.
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { computeBreaches } from '../../core/breach/engine.ts';
import { breachStands, type BreachReport } from '../../core/breach/findings.ts';
import { toHex } from '../../core/bytes.ts';
import { errorMessage } from '../../core/errors.ts';
import { type Signer, loadOrCreateSigner } from '../../ledger/keys.ts';
import { LogWriter } from '../../ledger/log-writer.ts';
import { LedgerStore } from '../../ledger/store.ts';
import { type EmbeddedBroker, startEmbeddedBroker } from '../../net/embedded-broker.ts';
import { type HqHttp, startHqHttp } from '../../net/hq/hq-http.ts';
import { HqService } from '../../net/hq/hq-service.ts';
import { SqliteHqStore } from '../../net/hq/sqlite-hq-store.ts';
import { KioskNode } from '../../net/kiosk-node.ts';
import { topicId } from '../../net/topics.ts';
import type { LedgerStore as Ledger } from '../../ledger/store.ts';
import { readLogRecords } from '../kiosk/log-records.ts';
import { DAY_END_MINUTE, DAY_START_MINUTE, KIOSKS, type KioskId, type Script, ZONE, scriptFor } from './scripted-day.ts';
import { SimClock } from './sim-clock.ts';

export interface DemoOptions {
  readonly dataDir: string;
  readonly fresh: boolean;
  readonly people: number;
  readonly day: string;
  /** Real seconds the scripted day (07:00-13:00 local) takes. */
  readonly durationS: number;
  readonly httpPort: number;
  readonly mqttPort: number;
  readonly say: (line: string) => void;
}

export interface DemoSummary {
  readonly day: string;
  readonly zone: string;
  readonly people: number;
  readonly checkins: readonly string[];
  readonly breaches: readonly { readonly rule: string; readonly subject: string; readonly evidence: number }[];
  readonly excused: readonly { readonly rule: string; readonly subject: string; readonly reason: string }[];
  readonly reviews: readonly { readonly reason: string; readonly subject: string; readonly status: string }[];
  readonly problems: number;
  readonly breachesAgreeOnEveryNode: boolean;
  readonly alerts: number;
  readonly replication: {
    readonly kiosks: Readonly<Record<string, { readonly size: number; readonly hqSize: number; readonly rootMatchesHq: boolean }>>;
    readonly allRootsMatchHq: boolean;
    readonly lagMs: { readonly p50: number; readonly max: number };
    /** Real time HQ took to hold the whole log of the kiosk back from its outage; -1 if it never did. */
    readonly catchUpMs: number;
  };
}

interface Kiosk {
  readonly id: KioskId;
  readonly path: string;
  readonly signer: Signer;
  readonly witness: Signer;
  node?: KioskNode;
  offline?: { store: LedgerStore; writer: LogWriter };
}

const SETTLE_MS = 30_000;

export class DemoCenter {
  private readonly sent = new Map<string, Map<number, number>>();
  private readonly lags: number[] = [];
  /** The kiosk back from its outage: when it reconnected, how big its log was, how long HQ took to catch up. */
  private catchUp: { origin: string; size: number; start: number; ms?: number } | undefined;

  private constructor(
    private readonly options: DemoOptions,
    private readonly script: Script,
    private readonly clock: SimClock,
    readonly broker: EmbeddedBroker,
    private readonly users: ReadonlyMap<string, string>,
    readonly hq: HqService,
    private readonly hqStore: SqliteHqStore,
    readonly http: HqHttp,
    private readonly kiosks: Kiosk[],
  ) {
    hq.events.on('entries', ({ origin, size }) => {
      if (this.catchUp?.origin === origin && this.catchUp.ms === undefined && size >= this.catchUp.size) this.catchUp.ms = performance.now() - this.catchUp.start;
      const pending = this.sent.get(origin);
      if (!pending) return;
      for (const [seq, at] of pending) {
        if (seq >= size) continue;
        this.lags.push(performance.now() - at);
        pending.delete(seq);
      }
    });
  }

  static async start(options: DemoOptions): Promise<DemoCenter> {
    if (options.fresh) rmSync(options.dataDir, { recursive: true, force: true });
    mkdirSync(options.dataDir, { recursive: true });
    const script = scriptFor(options.day, options.people);
    const dayMs = (DAY_END_MINUTE - DAY_START_MINUTE) * 60_000;
    const clock = new SimClock(script.instant(DAY_START_MINUTE), dayMs / (options.durationS * 1000));
    // Every node gets a password; the broker's ACL keeps each to its own topics.
    const users = new Map([...KIOSKS, 'hq'].map((id) => [topicId(id), randomBytes(12).toString('hex')]));
    // What has started so far is stopped again if a later step fails (a busy port, say).
    const started: (() => Promise<void>)[] = [];
    try {
      const broker = await startEmbeddedBroker({ port: options.mqttPort, host: '127.0.0.1', users, alertPublishers: new Set(['hq']) });
      started.push(() => broker.close());
      const kiosks: Kiosk[] = KIOSKS.map((id) => {
        const path = join(options.dataDir, `${topicId(id)}.db`);
        return { id, path, signer: loadOrCreateSigner(`${path}.key`, id).signer, witness: loadOrCreateSigner(`${path}.witness.key`, id).signer };
      });
      const hqPath = join(options.dataDir, 'hq.db');
      const hqStore = SqliteHqStore.open(hqPath, { trustedKeys: new Map(kiosks.map((k) => [k.id, k.signer.verifier.publicKey])), clock: clock.now });
      started.push(() => hqStore.close());
      const hq = await HqService.start({
        store: hqStore,
        broker: { url: broker.url, username: 'hq', password: users.get('hq') ?? '' },
        witnessSigner: loadOrCreateSigner(`${hqPath}.witness.key`, 'hq').signer,
        clock: clock.now,
        retryMs: 200,
      });
      started.push(() => hq.close());
      const http = await startHqHttp(hq, options.httpPort, '127.0.0.1');
      started.push(() => http.close());
      const center = new DemoCenter(options, script, clock, broker, users, hq, hqStore, http, kiosks);
      for (const kiosk of kiosks) {
        await center.connect(kiosk);
        started.push(() => kiosk.node?.close() ?? Promise.resolve());
      }
      return center;
    } catch (error) {
      for (const stop of started.reverse()) await stop().catch(() => undefined);
      throw error;
    }
  }

  get urls(): { readonly hqApi: string; readonly mqtt: string } {
    return { hqApi: `${this.http.url}/api/logs`, mqtt: this.broker.url };
  }

  async runDay(): Promise<DemoSummary> {
    const { script, clock, options } = this;
    const outage = script.outage;
    const steps = [
      ...script.actions.map((a) => ({ minute: a.minute, run: () => this.append(a.kiosk, a) })),
      { minute: outage.from, run: () => this.disconnect(outage.kiosk) },
      { minute: outage.to, run: () => this.reconnect(outage.kiosk) },
    ].sort((a, b) => a.minute - b.minute);
    options.say(`${script.day} in ${ZONE}: ${script.people.length} people under supervision, window 08:00-10:00, grace 15 min`);
    for (const step of steps) {
      await clock.advanceTo(script.instant(step.minute));
      await step.run();
    }
    await clock.advanceTo(script.judgedAt);
    await this.settle();
    return this.summarise();
  }

  async close(): Promise<void> {
    for (const kiosk of this.kiosks) {
      await kiosk.node?.close();
      kiosk.offline?.store.close();
    }
    await this.http.close();
    await this.hq.close();
    await this.hqStore.close();
    await this.broker.close();
  }

  private async connect(kiosk: Kiosk): Promise<void> {
    kiosk.node = await KioskNode.start({
      storePath: kiosk.path,
      signer: kiosk.signer,
      witnessSigner: kiosk.witness,
      broker: { url: this.broker.url, username: topicId(kiosk.id), password: this.users.get(topicId(kiosk.id)) ?? '' },
      peers: KIOSKS.filter((k) => k !== kiosk.id),
      clock: this.clock.now,
      retryMs: 200,
      heartbeat: { everyMs: 2000, version: 'demo' },
    });
  }

  private async append(id: KioskId, action: Script['actions'][number]): Promise<void> {
    const kiosk = this.kiosk(id);
    try {
      const appended = kiosk.node ? await kiosk.node.append(action.type, action.payload) : await (kiosk.offline as { writer: LogWriter }).writer.append(action.type, action.payload);
      if (kiosk.node) this.pending(id).set(appended.seq, performance.now());
      if (action.type !== 'plan') this.options.say(`${this.localTime()} ${id}: ${action.says}`);
    } catch (error) {
      this.options.say(`${this.localTime()} ${id}: could not record (${errorMessage(error)})`);
    }
  }

  private async disconnect(id: KioskId): Promise<void> {
    const kiosk = this.kiosk(id);
    await kiosk.node?.close(true);
    delete kiosk.node;
    const store = LedgerStore.open(kiosk.path);
    kiosk.offline = { store, writer: LogWriter.open(store, kiosk.signer, this.clock.now) };
    this.options.say(`${this.localTime()} ${id}: network down; check-ins keep going into its own log`);
  }

  private async reconnect(id: KioskId): Promise<void> {
    const kiosk = this.kiosk(id);
    const size = kiosk.offline?.store.head(id).size ?? 0;
    kiosk.offline?.store.close();
    delete kiosk.offline;
    this.catchUp = { origin: id, size, start: performance.now() };
    await this.connect(kiosk);
    this.options.say(`${this.localTime()} ${id}: network back; catching up from its log`);
  }

  /** Waits (bounded) until HQ and every peer hold every kiosk's whole log. */
  private async settle(): Promise<void> {
    const deadline = performance.now() + SETTLE_MS;
    while (performance.now() < deadline) {
      if (await this.converged()) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    this.options.say('replication did not converge in time; the summary shows where it stands');
  }

  private async converged(): Promise<boolean> {
    for (const kiosk of this.kiosks) {
      const size = kiosk.node?.writer.store.head(kiosk.id).size ?? 0;
      if ((await this.hqStore.size(kiosk.id)) !== size) return false;
      for (const peer of this.kiosks) if (peer !== kiosk && (await peer.node?.store.size(kiosk.id)) !== size) return false;
    }
    return true;
  }

  private async summarise(): Promise<DemoSummary> {
    const { script } = this;
    const atHq = judge(this.hqStore.ledger, script.judgedAt);
    const agree = this.kiosks.every((k) => k.node && sameFindings(judge(k.node.writer.store, script.judgedAt), atHq));
    let alerts = 0;
    for (const breach of atHq.breaches.filter((b) => breachStands(b.status))) {
      const evidence = breach.evidence.map((e) => ({ origin: e.origin, seq: e.seq }));
      await this.hq.reportBreach({ kiosk: evidence.at(-1)?.origin ?? KIOSKS[0], subject: breach.subject, rule: breach.rule, summary: breach.detail, entries: evidence });
      alerts++;
    }
    const kiosks: Record<string, { size: number; hqSize: number; rootMatchesHq: boolean }> = {};
    for (const kiosk of this.kiosks) {
      const own = (kiosk.node as KioskNode).writer.store;
      const size = own.head(kiosk.id).size;
      const hqSize = await this.hqStore.size(kiosk.id);
      const rootMatchesHq = hqSize === size && toHex(await this.hqStore.root(kiosk.id, size)) === toHex(await (kiosk.node as KioskNode).store.root(kiosk.id, size));
      kiosks[kiosk.id] = { size, hqSize, rootMatchesHq };
    }
    const records = readLogRecords(this.hqStore.ledger, script.judgedAt).records;
    const lags = [...this.lags].sort((a, b) => a - b);
    return {
      day: script.day,
      zone: ZONE,
      people: script.people.length,
      checkins: [...new Set(records.flatMap((r) => (r.type === 'checkin' && typeof r.payload.subject === 'string' ? [r.payload.subject] : [])))].sort(),
      breaches: atHq.breaches.filter((b) => breachStands(b.status)).map((b) => ({ rule: b.rule, subject: b.subject, evidence: b.evidence.length })),
      excused: atHq.breaches.filter((b) => b.status === 'excused').map((b) => ({ rule: b.rule, subject: b.subject, reason: b.history.at(-1)?.note ?? '' })),
      reviews: atHq.reviews.map((r) => ({ reason: r.reason, subject: r.subject, status: r.status })),
      problems: atHq.problems.length,
      breachesAgreeOnEveryNode: agree,
      alerts,
      replication: {
        kiosks,
        allRootsMatchHq: Object.values(kiosks).every((k) => k.rootMatchesHq),
        lagMs: { p50: Math.round(lags[Math.floor(lags.length / 2)] ?? 0), max: Math.round(lags.at(-1) ?? 0) },
        catchUpMs: Math.round(this.catchUp?.ms ?? -1),
      },
    };
  }

  private kiosk(id: KioskId): Kiosk {
    return this.kiosks.find((k) => k.id === id) as Kiosk;
  }

  private pending(origin: string): Map<number, number> {
    let map = this.sent.get(origin);
    if (!map) {
      map = new Map<number, number>();
      this.sent.set(origin, map);
    }
    return map;
  }

  private localTime(): string {
    return new Intl.DateTimeFormat('en-GB', { timeZone: ZONE, hour: '2-digit', minute: '2-digit' }).format(this.clock.now());
  }
}

function judge(store: Ledger, at: number): BreachReport {
  return computeBreaches(readLogRecords(store, at).records, at);
}

function sameFindings(a: BreachReport, b: BreachReport): boolean {
  const key = (r: BreachReport): string => JSON.stringify({ breaches: r.breaches.map((x) => [x.id, x.status]), reviews: r.reviews.map((x) => [x.id, x.status]) });
  return key(a) === key(b);
}
