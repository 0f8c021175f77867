// `muster hq`: follows every kiosk log on the broker, verifies and stores it (HqStore), witnesses it, keeps
// the fleet's health, raises alerts (stored, published on muster/v1/alerts/<center>, pushed to dashboards),
// and feeds verified entries to the breach engine through a typed hook.
import { EventEmitter } from 'node:events';
import { decodeLeaf, type EntryBody } from '../../core/entry.ts';
import { type Enrolment, parseEnrolment } from '../../core/records/enrolment.ts';
import { type ClockObservation, type ClockReport, clockDrift } from '../../core/time/clock-drift.ts';
import { errorMessage } from '../../core/errors.ts';
import { type Logger, componentLogger } from '../../runtime/logger.ts';
import { REGISTRY_ORIGIN, type Registry, readRegistry, registryFrom } from '../../ledger/registry.ts';
import type { Signer, Verifier } from '../../ledger/keys.ts';
import type { LedgerStore } from '../../ledger/store.ts';
import { type Alert, type StoredAlert, alertFor, centerOf } from '../alerts.ts';
import {
  DEFAULT_FLEET_POLICY,
  type FleetPolicy,
  type KioskState,
  decodeSignedHeartbeat,
  kioskState,
} from '../heartbeat.ts';
import { type LinkOptions, MqttLink } from '../mqtt-link.ts';
import { type RegistryHealth, RegistryPublisher } from '../registry-publisher.ts';
import { type ReplicationEvent, Replicator } from '../replicator.ts';
import { ROOT, type ParsedTopic, topics } from '../topics.ts';
import { Witness } from '../witness.ts';
import { toHex, utf8 } from '../../core/bytes.ts';
import { sha256 } from '../../ledger/hash.ts';
import { reportedAlert } from '../witness-reports.ts';
import type { BreachAlert } from './breach-alert.ts';
import type { HqStore, LastHeartbeat } from './hq-store.ts';
import { type Cosignature, OtherWitnesses } from './other-witnesses.ts';

/** What the breach engine reports: a subject missed an obligation, with the entries that show it. */
export interface BreachReport {
  readonly kiosk: string;
  readonly subject: string;
  readonly rule: string;
  readonly summary: string;
  /** (origin, seq) of the entries the finding rests on. */
  readonly entries: readonly { readonly origin: string; readonly seq: number }[];
}

/** Verified entries as they arrive, in log order per origin: the breach engine's input. */
export type EntryListener = (origin: string, entries: readonly EntryBody[]) => void;

export interface FleetEntry {
  readonly kiosk: string;
  readonly state: KioskState;
  readonly reasons: readonly string[];
  readonly lastHeartbeatAt?: number;
}

export interface HqEvents {
  'alert': [StoredAlert];
  'breach-alert': [BreachAlert];
  'entries': [{ origin: string; size: number; inserted: number }];
  'kiosk': [FleetEntry];
  /** Another witness's cosignature of a log, listed anew or changed (`HqService.cosignatures`). */
  'cosignature': [{ origin: string; cosignature: Cosignature }];
  /** A fault HQ survived (a failed fleet check, a registry publication to retry): reported, never silent. */
  'fault': [{ component: string; message: string }];
}

/** What HQ's health shows of its own background work. */
export interface HqHealth {
  readonly fleetCheck: { readonly failures: number; readonly lastError?: string };
  readonly registry?: RegistryHealth;
}

/** Live entries kept per kiosk to judge its clock by (core/time/clock-drift.ts). */
const CLOCK_SAMPLES = 32;

/** Alerts remembered as shown on the screens, newest kept (HqService.showBreachAlert). */
const SHOWN_KEPT = 10_000;
/** Alert keys kept in memory to spare the store a call per standing report; the store's once_key decides. */
const RAISED_KEPT = 10_000;

/**
 * How often HQ cosigns each log at most (net/checkpoint-witnessing.ts; 0: every checkpoint). Off by default: at a
 * province's rate a log checkpoints about every 45 s, so a 2-5 s window merged 0-2% of the cosignatures and only
 * delayed the witnessed column (ARCHITECTURE.md, "Witness"); a site whose kiosks checkpoint every few seconds sets it.
 */
export const HQ_COSIGN_EVERY_MS = 0;

export interface HqServiceOptions {
  readonly store: HqStore;
  readonly broker: Omit<LinkOptions, 'nodeId'>;
  /** Node id on the broker (the ACL lets `hq` publish alerts). */
  readonly nodeId?: string;
  readonly witnessSigner: Signer;
  readonly clock?: () => number;
  readonly policy?: FleetPolicy;
  /** Real-time period of the fleet check; tests call checkFleet() after moving a fake clock instead. */
  readonly checkEveryMs?: number;
  readonly retryMs?: number;
  /** Each log is cosigned at most this often (real time; default HQ_COSIGN_EVERY_MS; 0: every checkpoint). */
  readonly cosignEveryMs?: number;
  /** HQ's registry log store (`muster kiosk provision`): published to the kiosks, so they refuse revoked keys too. */
  readonly registry?: LedgerStore;
  /**
   * Kiosk logs admitted besides the registry's (their keys pinned in the store, `muster hq --trust`). With a
   * registry or this set, HQ stores only those logs: any other is refused with a security alert.
   */
  readonly trusted?: ReadonlySet<string>;
  /**
   * An independent agency's node (the police): it follows, verifies, stores, witnesses and judges every log on its
   * own, but publishes neither alerts nor the registry (HQ does; the broker lets only HQ publish them).
   */
  readonly agency?: boolean;
  /**
   * Follow HQ's registry log over MQTT instead of reading a registry file (the agency node): the kiosks it registers,
   * as this node's own store holds it, are admitted, and its revocations apply to them there. The store must pin
   * the registry's genesis key (trustedKeys), so only HQ's registry is taken in, from the broker or any inbox.
   */
  readonly followsRegistry?: boolean;
  /**
   * Other witnesses' keys (the police node's, peer kiosks'): their cosignatures of the logs HQ holds are checked
   * against HQ's own copy of each log and shown beside HQ's (`cosignatures`).
   */
  readonly cosigners?: readonly Verifier[];
  /** Default: the process logger's `hq` child. */
  readonly logger?: Logger;
}

/**
 * Whether HQ stores a log: a pinned one, one the registry registers (its file, or the followed registry log as the
 * store holds it), or the registry itself.
 */
function admitted(origin: string, options: HqServiceOptions, followed: Registry | undefined): boolean {
  if (options.trusted?.has(origin) === true) return true;
  if (options.followsRegistry === true && (origin === REGISTRY_ORIGIN || followed?.registered.has(origin) === true))
    return true;
  if (!options.registry) return false;
  return origin === REGISTRY_ORIGIN || readRegistry(options.registry)?.registered.has(origin) === true;
}

export class HqService {
  readonly events = new EventEmitter<HqEvents>();
  private readonly entryListeners = new Set<EntryListener>();
  private readonly fleet = new Map<string, FleetEntry>();
  private readonly raised = new Set<string>();
  /** What the screens were shown: per breach alert its latest version, per fleet alert `fleet:<id>` (0). */
  private readonly shown = new Map<string, number>();
  private readonly clock: () => number;
  private timer: NodeJS.Timeout | undefined;
  private registryPublisher: RegistryPublisher | undefined;
  private fleetCheck: HqHealth['fleetCheck'] = { failures: 0 };
  private readonly pending = new Set<Promise<unknown>>();
  private readonly log: Logger;
  /** Per kiosk: kiosk time (ts) and HQ time of arrival of its latest live entries. */
  private readonly clockSamples = new Map<string, ClockObservation[]>();
  /** Per kiosk, the signed time of the newest heartbeat taken. */
  private readonly lastBeatAt = new Map<string, number>();
  /** Per kiosk, the SHA-256 of the last heartbeat this node took (verified, stored, judged): one per kiosk. */
  private readonly beatTaken = new Map<string, string>();
  private beatsLoaded = false;
  /** Other witnesses' latest cosignatures (retained on the broker, so they come back after a restart). */
  private readonly witnesses: OtherWitnesses;
  /** The registry log as the store holds it (`followsRegistry`), re-read as it grows, one read at a time. */
  private followed: Registry | undefined;
  private followedRead: Promise<void> = Promise.resolve();

  private constructor(
    readonly store: HqStore,
    readonly link: MqttLink,
    readonly replicator: Replicator,
    private readonly options: HqServiceOptions,
  ) {
    this.clock = options.clock ?? Date.now;
    this.log = options.logger ?? componentLogger('hq');
    this.witnesses = new OtherWitnesses(store, options.cosigners ?? [], (origin, cosignature) =>
      this.events.emit('cosignature', { origin, cosignature }),
    );
  }

  static async start(options: HqServiceOptions): Promise<HqService> {
    const nodeId = options.nodeId ?? 'hq';
    if (options.witnessSigner.name !== nodeId)
      throw new TypeError(`witnessSigner: expected a key named ${JSON.stringify(nodeId)}`);
    const clock = options.clock ?? Date.now;
    const link = new MqttLink({
      ...options.broker,
      nodeId,
      ...(options.logger ? { logger: componentLogger('mqtt', options.logger) } : {}),
    });
    // The replicator's callbacks reach the service, which is built from the replicator.
    const late: { service?: HqService } = {};
    const replicator = new Replicator({
      link,
      store: options.store,
      witness: new Witness(options.store, options.witnessSigner, clock),
      follow: 'all',
      clock,
      cosignEveryMs: options.cosignEveryMs ?? HQ_COSIGN_EVERY_MS,
      ...(options.retryMs === undefined ? {} : { retryMs: options.retryMs }),
      onEvent: (event) => late.service?.onReplication(event),
      onOther: (topic, payload) => late.service?.onOther(topic, payload) ?? Promise.resolve(),
      ...(options.registry || options.trusted || options.followsRegistry
        ? { admits: (origin: string) => admitted(origin, options, late.service?.followed) }
        : {}),
    });
    const service = new HqService(options.store, link, replicator, options);
    late.service = service;
    if (options.followsRegistry === true) await service.readFollowedRegistry();
    // Retained and superseded: QoS 0, sent again at each connack (net/topics.ts).
    await link.subscribe([topics.everyHeartbeat, ...(options.cosigners?.length ? [`${ROOT}/log/+/cosign/+`] : [])], 0);
    await replicator.start();
    if (options.registry && options.agency !== true) {
      service.registryPublisher = new RegistryPublisher({
        link,
        registry: options.registry,
        store: options.store,
        onError: (error) => {
          service.fault('registry-publisher', error);
        },
      });
      await service.registryPublisher.refresh();
    }
    // Judged once at start too, so the fleet view and offline alerts hold every known kiosk before the first tick.
    await service.checkFleet();
    service.timer = setInterval(() => {
      // On a store HQ nodes share, another node may have stored what a cosignature waits for: no ingest here says so.
      service.track(service.witnesses.grew());
      // A failed store read is reported and the next tick tries again: it must never end HQ.
      service.checkFleet().then(
        () => {
          service.fleetCheck = { failures: 0 };
        },
        (error: unknown) => {
          service.fleetCheck = { failures: service.fleetCheck.failures + 1, lastError: errorMessage(error) };
          service.fault('fleet-check', error);
        },
      );
    }, options.checkEveryMs ?? 10_000);
    service.timer.unref();
    return service;
  }

  /** Publishes what `muster kiosk provision|revoke` added to the registry since (also done every few seconds). */
  async publishRegistry(): Promise<void> {
    await this.registryPublisher?.refresh();
  }

  /** The registry as followed over MQTT and held in this node's store (`followsRegistry`); undefined otherwise. */
  followedRegistry(): Registry | undefined {
    return this.followed;
  }

  /**
   * Re-reads the followed registry from the store; a kiosk it newly registers is admitted from now on, and what it
   * published while refused is fetched (its retained checkpoint was ignored then).
   */
  private readFollowedRegistry(): Promise<void> {
    const read = this.followedRead.then(async () => {
      const before = this.followed;
      const size = await this.store.size(REGISTRY_ORIGIN);
      const registry = registryFrom(await this.store.rows(REGISTRY_ORIGIN, 0, size));
      this.followed = registry;
      if (!before) return; // at start: the kiosks' retained checkpoints arrive with the subscription
      for (const origin of registry.registered.keys())
        if (!before.registered.has(origin)) this.replicator.admitted(origin);
    });
    this.followedRead = read.catch(() => undefined);
    return read;
  }

  /** The breach engine's feed of verified entries. Returns an unsubscribe function. */
  onEntries(listener: EntryListener): () => void {
    this.entryListeners.add(listener);
    return () => this.entryListeners.delete(listener);
  }

  /** The breach engine's way to raise a breach alert. */
  async reportBreach(breach: BreachReport): Promise<StoredAlert> {
    return this.raise({
      kind: 'breach',
      kiosk: breach.kiosk,
      center: centerOf(breach.kiosk),
      at: this.clock(),
      summary: breach.summary,
      evidence: { subject: breach.subject, rule: breach.rule, entries: breach.entries },
    });
  }

  health(): HqHealth {
    const registry = this.registryPublisher?.health();
    return { fleetCheck: this.fleetCheck, ...(registry ? { registry } : {}) };
  }

  private fault(component: string, error: unknown): void {
    const message = errorMessage(error);
    this.log.warn({ err: error, part: component }, `${component} failed`);
    this.events.emit('fault', { component, message });
  }

  fleetView(): FleetEntry[] {
    return [...this.fleet.values()].sort((a, b) => a.kiosk.localeCompare(b.kiosk));
  }

  /** Re-judges every known kiosk by HQ's clock; a kiosk that turns offline or degraded raises an alert. */
  async checkFleet(): Promise<void> {
    const now = this.clock();
    const beats = await this.store.heartbeats();
    const known = new Set([...beats.keys(), ...(await this.store.origins())]);
    known.delete(REGISTRY_ORIGIN);
    // One kiosk's failed alert must not leave the rest unjudged until the next check: each is tried, the first
    // failure reported after.
    const failures: unknown[] = [];
    for (const kiosk of known)
      await this.judge(kiosk, beats.get(kiosk), now).catch((error: unknown) => failures.push(error));
    if (failures.length > 0) throw failures[0];
  }

  /**
   * One kiosk's state by HQ's clock, from its last heartbeat and its entries' times; a change is an event, a turn for
   * the worse an alert, once per episode: the store names the episode (noteFleetState), so a node that comes to it
   * late (started, or back, in the middle of it) names it as the node that saw it first did.
   */
  private async judge(kiosk: string, last: LastHeartbeat | undefined, now: number): Promise<void> {
    const policy = this.options.policy ?? DEFAULT_FLEET_POLICY;
    let { state, reasons } = kioskState(last, now, policy);
    // Heartbeats show the clock now; entries show it along the log (a clock that stepped back, or drifts).
    const drift = this.clockReport(kiosk, policy);
    if (state !== 'offline' && drift?.flagged === true) {
      state = 'degraded';
      reasons = [...reasons, `entry times: ${drift.reason ?? 'clock drift'}`];
    }
    const entry: FleetEntry = { kiosk, state, reasons, ...(last ? { lastHeartbeatAt: last.receivedAt } : {}) };
    const before = this.fleet.get(kiosk);
    this.fleet.set(kiosk, entry);
    if (before?.state === state && before.reasons.join() === reasons.join()) return;
    this.events.emit('kiosk', entry);
    if (before?.state === state) return;
    try {
      // A kiosk never heard from has no episode to share: its silence is named `never`.
      const episode = last ? await this.store.noteFleetState(kiosk, state, last.heartbeat.at) : undefined;
      // Online ends the episode; a turn another node saw end already (at a later heartbeat) raises nothing.
      if (state === 'online' || (episode && episode.state !== state)) return;
      const alert: Alert = {
        kind: state,
        kiosk,
        center: centerOf(kiosk),
        at: now,
        summary: `${kiosk} is ${state}: ${reasons.join('; ')}`,
        evidence: { reasons, lastHeartbeatAt: last?.receivedAt ?? null },
      };
      await this.raiseOnce(alert, `${state}:${kiosk}:${episode?.since ?? 'never'}`);
    } catch (error) {
      // Not stored: judged again at the next check, as if never seen.
      if (before) this.fleet.set(kiosk, before);
      else this.fleet.delete(kiosk);
      throw error;
    }
  }

  /** Ends in bounded time, even with the broker away: nothing new starts, the link closes, then the work in hand ends. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    const registry = this.registryPublisher?.close();
    this.replicator.stop();
    // Before the work in hand is awaited: closing fails every publish the broker has not acknowledged, which
    // with the broker away (a lost connection keeps them for the next one) would be awaited for ever.
    await this.link.close();
    await registry;
    await this.replicator.close();
    await Promise.allSettled([...this.pending]);
  }

  private onReplication(event: ReplicationEvent): void {
    if (event.kind === 'fault') {
      this.fault('replicator', new Error(event.reason));
      return;
    }
    const alert = alertFor(event, this.clock());
    if (alert) this.track(this.raiseOnce(alert, `${alert.kind}:${alert.kiosk}:${JSON.stringify(alert.evidence)}`));
    if (event.kind === 'ingested') {
      if (event.origin === REGISTRY_ORIGIN && this.options.followsRegistry === true)
        this.track(this.readFollowedRegistry());
      this.events.emit('entries', { origin: event.origin, size: event.size, inserted: event.inserted });
      this.track(this.witnesses.grew(event.origin));
      // Backfilled entries say nothing about the kiosk's clock: they were late by design.
      const live = event.source === 'live';
      this.track(this.received(event.origin, event.size - event.inserted, event.size, live ? this.clock() : undefined));
    }
  }

  /** Feeds the breach engine, raises an alert for each re-enrolment and, for live entries (seenAt set), keeps the clock samples. */
  private async received(origin: string, from: number, to: number, seenAt: number | undefined): Promise<void> {
    const bodies = (await this.store.leaves(origin, from, to)).map((leaf) => decodeLeaf(leaf).body);
    for (const body of bodies)
      if (body.type === 'enrolment') this.track(this.reenrolled(origin, body.seq, body.payload));
    if (seenAt !== undefined) {
      const samples = this.clockSamples.get(origin) ?? [];
      for (const body of bodies) samples.push({ origin, seq: body.seq, ts: body.ts, seenAt });
      this.clockSamples.set(origin, samples.slice(-CLOCK_SAMPLES));
    }
    for (const listener of this.entryListeners) {
      try {
        listener(origin, bodies);
      } catch (error) {
        this.log.error({ err: error, origin }, 'breach feed listener failed');
      }
    }
  }

  /** A person's biometrics replaced (an approved re-enrolment): officers hear of it, with who did it and who approved. */
  private async reenrolled(origin: string, seq: number, payload: unknown): Promise<void> {
    let enrolment: Enrolment;
    try {
      enrolment = parseEnrolment(payload);
    } catch {
      return; // A malformed entry is the breach engine's problem to report.
    }
    if (enrolment.replaces !== true) return;
    const { subject, staff, approvedBy } = enrolment;
    await this.raiseOnce(
      {
        kind: 'security',
        kiosk: origin,
        center: centerOf(origin),
        at: this.clock(),
        summary: `${subject} re-enrolled at ${origin} by ${staff ?? '?'}, approved by ${approvedBy ?? '?'}: their biometrics were replaced`,
        evidence: { subject, staff: staff ?? null, approvedBy: approvedBy ?? null, origin, seq },
      },
      `security:re-enrolment:${origin}:${seq}`,
    );
  }

  private clockReport(kiosk: string, policy: FleetPolicy): ClockReport | undefined {
    const samples = this.clockSamples.get(kiosk);
    return samples ? clockDrift(samples, { toleranceMs: policy.maxSkewMs })[0] : undefined;
  }

  /** Other witnesses' latest checked cosignatures of a log, by witness name. */
  cosignatures(origin: string): Cosignature[] {
    return this.witnesses.of(origin);
  }

  private async onOther(topic: ParsedTopic, payload: Buffer): Promise<void> {
    if (topic.kind === 'cosign') {
      if (this.replicator.admits(topic.origin) === false) return undefined;
      return this.witnesses.take(topic.origin, topic.witness, payload.toString('utf8'));
    }
    if (topic.kind !== 'health') return;
    // The same bytes this node took already: the broker's retained copy, sent again at every connack (the QoS 0
    // subscription is made again there, for what came while away). Taken again it cost a key read, a verify and a
    // store write that changed nothing, per kiosk and reconnect (2,000 at 2,000 kiosks).
    const digest = toHex(sha256(payload));
    if (this.beatTaken.get(topic.origin) === digest) return;
    const { heartbeat, signed, signature } = decodeSignedHeartbeat(payload);
    if (heartbeat.kiosk !== topic.origin || heartbeat.kiosk === REGISTRY_ORIGIN) return;
    const kiosk = heartbeat.kiosk;
    const receivedAt = this.clock();
    const refuse = (why: string): Promise<void> =>
      this.raiseOnce(
        {
          kind: 'security',
          kiosk,
          center: centerOf(kiosk),
          at: receivedAt,
          summary: `heartbeat for ${kiosk} ignored: ${why}`,
          evidence: { kiosk, reason: why, publisher: topic.origin },
        },
        `security:heartbeat:${kiosk}:${why}`,
      );
    // Only a kiosk HQ knows has a fleet row: one the admission gate refuses is an attack; one admitted whose log
    // has not arrived yet is judged from its next heartbeat.
    if (this.replicator.admits(kiosk) === false) return refuse('not a registered kiosk');
    const verifiers = await this.store.verifiers(kiosk);
    const key = verifiers.at(-1);
    if (!key) return undefined;
    if (!key.verify(signed, signature)) return refuse("signature does not verify under the kiosk's key");
    // An older signed time than the one held: replayed or reordered, not news. The same one is judged (the other HQ
    // node may have stored it first; the store keeps it once). The times are kept here (read from the store once),
    // so a heartbeat costs no read of the whole fleet's.
    if (!this.beatsLoaded) {
      for (const [id, last] of await this.store.heartbeats())
        if (!this.lastBeatAt.has(id)) this.lastBeatAt.set(id, last.heartbeat.at);
      this.beatsLoaded = true;
    }
    if (heartbeat.at < (this.lastBeatAt.get(kiosk) ?? -1)) return undefined;
    this.lastBeatAt.set(kiosk, heartbeat.at);
    await this.store.recordHeartbeat(heartbeat, receivedAt);
    // What the kiosk found wrong with its peers' logs while witnessing them: an alert about each peer, once.
    for (const report of heartbeat.witnessed ?? [])
      await this.raiseOnce(
        reportedAlert(kiosk, report, receivedAt),
        `witnessed:${kiosk}:${report.kind}:${report.origin}:${report.at}`,
      );
    // Only this kiosk: the others' states change with time and with their entries' times, which the periodic
    // fleet check judges; judging the whole fleet on every heartbeat made each one cost as much as the fleet.
    await this.judge(kiosk, { heartbeat, receivedAt }, receivedAt);
    this.beatTaken.set(kiosk, digest);
  }

  /**
   * Raises an alert about an event once: `key` names the event the same way on every HQ node and in every run, and
   * the store refuses a key it holds, so neither a restart nor the other node raises it again when the event comes
   * back (a kiosk's standing witness report is in every heartbeat). Hashed: a key may carry a fork's evidence,
   * longer than an index entry may be. Raised by the node that saw the event, lease or not: entries the other node
   * stored first, a kiosk's silence while the other node is down, or a lease holder cut off from the broker (the
   * lease is PostgreSQL's), are seen here alone.
   */
  private async raiseOnce(alert: Alert, key: string): Promise<void> {
    if (this.raised.has(key)) return;
    this.raised.add(key);
    // Bounded: a key forgotten long ago costs one store call that finds it held, never a second alert.
    const oldest = this.raised.size > RAISED_KEPT ? this.raised.values().next().value : undefined;
    if (oldest !== undefined) this.raised.delete(oldest);
    let stored: StoredAlert | undefined;
    try {
      stored = await this.store.recordAlertOnce(alert, toHex(sha256(utf8(key))));
    } catch (error) {
      this.raised.delete(key); // not stored: the event raises it again when it comes back
      throw error;
    }
    if (stored) this.announce(stored);
  }

  /**
   * Pushes a breach alert's version to the screens (the `breach-alert` event, streamed as SSE) unless that version
   * or a later one was pushed already: on HQ nodes sharing one store both this node's watcher and the store's
   * notice (net/hq/pg-alert-feed.ts) bring it, in either order.
   */
  showBreachAlert(alert: BreachAlert): void {
    if (this.firstShown(alert.id, alert.version)) this.events.emit('breach-alert', alert);
  }

  /** Pushes a stored fleet or security alert to the screens once, whichever node raised it. */
  showAlert(alert: StoredAlert): void {
    if (this.firstShown(`fleet:${alert.id}`, 0)) this.events.emit('alert', alert);
  }

  private firstShown(key: string, version: number): boolean {
    const before = this.shown.get(key);
    if (before !== undefined && before >= version) return false;
    this.shown.delete(key);
    this.shown.set(key, version);
    // Bounded: a version pushed long ago that comes again is at worst shown twice.
    const oldest = this.shown.size > SHOWN_KEPT ? this.shown.keys().next().value : undefined;
    if (oldest !== undefined) this.shown.delete(oldest);
    return true;
  }

  private async raise(alert: Alert): Promise<StoredAlert> {
    const stored = await this.store.recordAlert(alert);
    this.announce(stored);
    return stored;
  }

  /** A stored alert to the screens and, but on an agency node, to the centre's topic. */
  private announce(stored: StoredAlert): void {
    this.showAlert(stored);
    if (this.link.connected && this.options.agency !== true)
      this.track(this.link.publish(topics.alerts(stored.center), JSON.stringify(stored)));
  }

  private track(work: Promise<unknown>): void {
    const tracked = work.catch((error: unknown) => {
      this.log.warn({ err: error }, 'background work failed');
    });
    this.pending.add(tracked);
    void tracked.finally(() => this.pending.delete(tracked));
  }
}
