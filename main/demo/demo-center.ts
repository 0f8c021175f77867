// The all-in-one demo centre: an embedded broker, HQ with its HTTP API, and two kiosk runtimes of one centre on
// emulated devices (fingerprint sensor, camera serving faces from a folder, badge reader), playing the scripted
// day on an accelerated clock. Every check-in is the real workflow: the R30x driver finds the finger, the face
// worker compares the camera's frame with the person's encrypted template, the entry goes through the real log,
// the real replication and HQ's verification; breaches come from the same pure engine every node runs.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UserStore } from '../../access/user-store.ts';
import { computeBreaches } from '../../core/breach/engine.ts';
import { breachStands, type BreachReport } from '../../core/breach/findings.ts';
import { toHex } from '../../core/bytes.ts';
import { errorMessage } from '../../core/errors.ts';
import { FaceService } from '../../face/face-service.ts';
import { DEFAULT_MATCH_THRESHOLD } from '../../face/match.ts';
import { loadOrCreateSigner } from '../../ledger/keys.ts';
import type { LedgerStore } from '../../ledger/store.ts';
import { type EmbeddedBroker, startEmbeddedBroker } from '../../net/embedded-broker.ts';
import { type HqHttp, startHqHttp } from '../../net/hq/hq-http.ts';
import { openHqLog } from '../../net/hq/hq-log.ts';
import { HqService } from '../../net/hq/hq-service.ts';
import { SqliteHqStore } from '../../net/hq/sqlite-hq-store.ts';
import { topicId } from '../../net/topics.ts';
import { BLANK_FRAME, type EmulatedDevices, inProcessDevices } from '../kiosk/emulated-devices.ts';
import { loadKioskConfig } from '../kiosk/kiosk-config.ts';
import { KioskRuntime } from '../kiosk/kiosk-runtime.ts';
import { kioskScreenOptions, kioskStatus } from '../kiosk/kiosk-screens.ts';
import { readLogRecords, unverifiedProblem } from '../kiosk/log-records.ts';
import { HqBackend } from '../web/hq-backend.ts';
import { KioskScreen } from '../web/kiosk-screen.ts';
import { StaffBackend } from '../web/staff-backend.ts';
import { EvidenceExports, withHqEvidence, withStaffEvidence } from '../web/evidence-export.ts';
import { StaffConfirmations } from '../web/staff-confirmations.ts';
import { type WebServer, startWebServer } from '../web/web-server.ts';
import { type DemoFaces, defaultFaceCacheDir, prepareDemoFaces } from './demo-faces.ts';
import { DEMO_CONTROL_HELP, parseDemoControl } from './demo-controls.ts';
import { DemoPanelBackend } from './demo-panel.ts';
import { DemoScreen } from './demo-screen.ts';
import {
  CAST,
  CENTRE,
  DAY_END_MINUTE,
  DAY_START_MINUTE,
  DEMO_NAMES,
  KIOSKS,
  type KioskId,
  type Script,
  type ScriptedEvent,
  STAFF,
  ZONE,
  scriptFor,
  visitors,
} from './scripted-day.ts';
import { SimClock } from './sim-clock.ts';

export interface DemoOptions {
  readonly dataDir: string;
  readonly fresh: boolean;
  readonly people: number;
  readonly day: string;
  /** Real seconds the scripted day (07:00-13:00 local) takes, face inference aside. */
  readonly durationS: number;
  readonly httpPort: number;
  readonly mqttPort: number;
  /** Port of the kiosk, staff and HQ screens; none are served when omitted (headless). */
  readonly webPort?: number;
  /** Where the demo faces' descriptors are cached (default node_modules/.cache/muster). */
  readonly faceCacheDir?: string;
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
  /** Face comparisons the face worker made during the day, and how long they took in all (real ms). */
  readonly faceChecks: { readonly count: number; readonly ms: number };
  readonly replication: {
    readonly kiosks: Readonly<
      Record<string, { readonly size: number; readonly hqSize: number; readonly rootMatchesHq: boolean }>
    >;
    readonly allRootsMatchHq: boolean;
    readonly lagMs: { readonly p50: number; readonly max: number };
    /** Real time HQ took to hold the whole log of the kiosk back from its outage; -1 if it never did. */
    readonly catchUpMs: number;
  };
}

/** Demo sign-ins for the staff and HQ screens (printed at start; the accounts live in the demo's data dir). */
export interface DemoAccount {
  readonly user: string;
  readonly role: string;
  readonly password: string;
}

interface Kiosk {
  readonly id: KioskId;
  readonly runtime: KioskRuntime;
  readonly devices: EmulatedDevices;
  readonly screen: DemoScreen;
  /** Own-log entries already counted for replication lag. */
  counted: number;
}

const SETTLE_MS = 30_000;
const MAX_DISTINCT_FACES = 8;

export class DemoCenter {
  private readonly sent = new Map<string, Map<number, number>>();
  private readonly lags: number[] = [];
  private readonly faceChecks = { count: 0, ms: 0 };
  /** The kiosk back from its outage: when it reconnected, how big its log was, how long HQ took to catch up. */
  private catchUp: { origin: string; size: number; start: number; ms?: number } | undefined;
  private assigned: Map<string, DemoFaces['faces'][number]> | undefined;

  private constructor(
    private readonly options: DemoOptions,
    private readonly script: Script,
    private readonly clock: SimClock,
    readonly broker: EmbeddedBroker,
    readonly hq: HqService,
    private readonly hqStore: SqliteHqStore,
    readonly http: HqHttp,
    private readonly faces: DemoFaces,
    private readonly kiosks: Kiosk[],
    private readonly screens:
      { readonly web: WebServer; readonly staff: StaffBackend; readonly panel: DemoPanelBackend } | undefined,
    readonly accounts: readonly DemoAccount[],
    private readonly stops: (() => Promise<void> | void)[],
  ) {
    hq.events.on('entries', ({ origin, size }) => {
      if (this.catchUp?.origin === origin && this.catchUp.ms === undefined && size >= this.catchUp.size)
        this.catchUp.ms = performance.now() - this.catchUp.start;
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
    // What has started so far is stopped again, in reverse, if a later step fails (a busy port, say).
    const stops: (() => Promise<void> | void)[] = [];
    try {
      const broker = await startEmbeddedBroker({
        port: options.mqttPort,
        host: '127.0.0.1',
        users,
        alertPublishers: new Set(['hq']),
      });
      stops.push(() => broker.close());
      // Each kiosk has a configuration file and a data directory of its own, as a real one would.
      const configs = KIOSKS.map((id) => {
        const devices = inProcessDevices(topicId(id));
        const file = join(options.dataDir, `${topicId(id)}.json`);
        writeFileSync(
          file,
          `${JSON.stringify(
            {
              centre: CENTRE,
              kiosk: id,
              dataDir: topicId(id),
              peers: KIOSKS.filter((k) => k !== id),
              broker: { url: broker.url },
              // The active challenge: a person blinks as the camera takes its frames (demo-faces.ts `live`).
              face: { threshold: DEFAULT_MATCH_THRESHOLD, challenge: 'blink' },
              devices: devices.devices,
              timeouts: { fingerMs: 3000, badgeMs: 5000 },
              language: 'zh-CN',
              zone: ZONE,
              names: DEMO_NAMES,
            },
            null,
            2,
          )}\n`,
        );
        const config = loadKioskConfig(file);
        mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
        const key = loadOrCreateSigner(join(config.dataDir, `${topicId(id)}.db.key`), id).signer;
        return { id, config, devices, key };
      });
      const hqPath = join(options.dataDir, 'hq.db');
      const hqStore = SqliteHqStore.open(hqPath, {
        trustedKeys: new Map(configs.map((k) => [k.id, k.key.verifier.publicKey])),
        clock: clock.now,
      });
      stops.push(() => hqStore.close());
      const hq = await HqService.start({
        store: hqStore,
        broker: { url: broker.url, username: 'hq', password: users.get('hq') ?? '' },
        witnessSigner: loadOrCreateSigner(`${hqPath}.witness.key`, 'hq').signer,
        // The demo's kiosks, pinned above, are the only logs HQ stores: any other is refused with a security alert.
        trusted: new Set(configs.map((k) => k.id)),
        clock: clock.now,
        retryMs: 200,
      });
      stops.push(() => hq.close());
      const signIn = options.webPort === undefined ? undefined : await demoUsers(options, stops);
      const http = await startHqHttp(hq, options.httpPort, '127.0.0.1', signIn?.users);
      stops.push(() => http.close());

      options.say('loading the face models (TensorFlow.js, in a worker thread)...');
      const face = await FaceService.start();
      stops.push(() => face.close());
      const faces = await prepareDemoFaces(face, {
        // Bounded: each new face costs seconds of inference once; beyond these, faces repeat.
        needed: Math.min(visitors(script.people).length, MAX_DISTINCT_FACES),
        threshold: DEFAULT_MATCH_THRESHOLD,
        cacheDir: options.faceCacheDir ?? defaultFaceCacheDir(),
        say: options.say,
      });

      const display =
        options.webPort === undefined
          ? undefined
          : new KioskScreen(kioskScreenOptions((configs[0] as (typeof configs)[number]).config, clock.now));
      // Camera down at kiosk-1: a staff member confirms on the staff screen (the script never needs it).
      const confirmations = options.webPort === undefined ? undefined : new StaffConfirmations();
      const kiosks: Kiosk[] = [];
      for (const { id, config, devices } of configs) {
        const screen = new DemoScreen(id === KIOSKS[0] ? display : undefined);
        const runtime = await KioskRuntime.start({
          config,
          face,
          clock: clock.now,
          brokerPassword: users.get(topicId(id)) ?? '',
          ...(devices.inProcess ?? {}),
          screen,
          ...(id === KIOSKS[0] && confirmations ? { staff: confirmations } : {}),
          heartbeatMs: 2000,
        });
        stops.push(() => runtime.close());
        kiosks.push({ id, runtime, devices, screen, counted: 0 });
      }
      const first = kiosks[0] as Kiosk;
      display?.attach(() => first.runtime.checkIn(), kioskStatus(first.runtime));
      stops.push(() => {
        display?.close();
      });
      const screens = signIn
        ? await startScreens(
            options,
            first,
            hq,
            clock,
            display as KioskScreen,
            confirmations as StaffConfirmations,
            faces.impostor.frame,
            signIn.users,
            stops,
          )
        : undefined;
      const center = new DemoCenter(
        options,
        script,
        clock,
        broker,
        hq,
        hqStore,
        http,
        faces,
        kiosks,
        screens,
        signIn?.accounts ?? [],
        stops,
      );
      screens?.panel.attach({
        control: (line) => center.control(line),
        kiosks: KIOSKS,
        people: script.people,
        zone: ZONE,
        now: clock.now,
      });
      return center;
    } catch (error) {
      for (const stop of stops.reverse()) await Promise.resolve(stop()).catch(() => undefined);
      throw error;
    }
  }

  get urls(): {
    readonly hqApi: string;
    readonly mqtt: string;
    readonly kiosk?: string;
    readonly staff?: string;
    readonly hq?: string;
    readonly demo?: string;
  } {
    return { hqApi: `${this.http.url}/api/logs`, mqtt: this.broker.url, ...(this.screens?.web.urls ?? {}) };
  }

  /** Where the demo faces came from, for the console. */
  get faceSource(): string {
    return this.faces.source;
  }

  /** Puts an enrolled person at kiosk-1 for a check-in from its screen: their finger on the sensor, their own face before the camera. */
  present(subject: string): void {
    const face = this.faceAssignment().get(subject)?.live;
    if (!face) throw new Error(`${subject} has no face to show`);
    const { devices } = this.kiosks[0] as Kiosk;
    devices.fingerprint.finger = { kind: 'finger', name: fingerOf(subject) };
    devices.camera.setFrames(face);
  }

  /** One `muster demo` control line (main/demo/demo-controls.ts): plays a parolee on the emulated devices. */
  async control(line: string): Promise<string> {
    const command = parseDemoControl(line, KIOSKS);
    if (command.kind === 'help') return DEMO_CONTROL_HELP;
    if (command.kind === 'clock') {
      await this.clock.advanceTo(this.clock.now() + command.minutes * 60_000);
      return `ok clock ${new Date(this.clock.now()).toISOString()}`;
    }
    const { devices } = this.kiosks.find((k) => k.id === command.kiosk) as Kiosk;
    switch (command.kind) {
      case 'finger':
        devices.fingerprint.finger =
          command.subject === 'none' ? { kind: 'none' } : { kind: 'finger', name: fingerOf(command.subject) };
        return `ok finger ${command.subject} on ${command.kiosk}`;
      case 'face': {
        const frames =
          command.subject === 'impostor' ? this.faces.impostor.live : this.faceAssignment().get(command.subject)?.live;
        if (command.subject !== 'none' && !frames) throw new TypeError(`${command.subject} has no face in this demo`);
        devices.camera.setFrames(frames ?? [BLANK_FRAME]);
        return `ok face ${command.subject} before ${command.kiosk}'s camera`;
      }
      case 'card': {
        const index = this.script.people.indexOf(command.subject);
        if (index < 0) throw new TypeError(`${command.subject} is not enrolled in this demo`);
        devices.badge.tap(cardOf(index));
        return `ok card of ${command.subject} tapped on ${command.kiosk}`;
      }
      case 'unplug':
      case 'replug': {
        if (command.device === 'badge') {
          if (command.kind === 'unplug') devices.badge.unplug();
          else devices.badge.replug();
        } else {
          const device = command.device === 'fingerprint' ? devices.fingerprint : devices.camera;
          if (command.kind === 'unplug') device.unplug();
          else device.replug();
        }
        return `ok ${command.device} ${command.kind}ged on ${command.kiosk}`;
      }
    }
  }

  async runDay(): Promise<DemoSummary> {
    const { script, clock, options } = this;
    options.say(
      `${script.day} in ${ZONE}: ${script.people.length} people under supervision, window 08:00-10:00, grace 15 min`,
    );
    await this.enrolEveryone();
    for (const event of script.events) {
      await clock.advanceTo(script.instant(event.minute));
      await this.play(event);
      this.track();
      this.screens?.staff.changed();
    }
    await clock.advanceTo(script.judgedAt);
    await this.settle();
    return this.summarise();
  }

  async close(): Promise<void> {
    for (const stop of this.stops.splice(0).reverse()) await Promise.resolve(stop()).catch(() => undefined);
  }

  /** Before the day: each person enrolled on both kiosks (finger, badge, face), and the plans signed at the centre. */
  private async enrolEveryone(): Promise<void> {
    const { script } = this;
    const faceOf = this.faceAssignment();
    for (const kiosk of this.kiosks) {
      for (const [i, subject] of script.people.entries()) {
        kiosk.devices.fingerprint.enrolDirect(fingerOf(subject), i + 1);
        const face = faceOf.get(subject);
        // Names are the demo's own inventions; they go to each kiosk's personal-data store, never to the log.
        await kiosk.runtime.enrol({
          subject,
          page: i + 1,
          card: cardOf(i),
          name: `Demo Person ${i + 1}`,
          ...(face ? { descriptors: face.descriptors, photo: face.checkinFrame } : {}),
        });
      }
    }
    for (const plan of script.plans) await (this.kiosks[0] as Kiosk).runtime.append('plan', plan);
    const folder = dirname((this.faces.faces[0] as DemoFaces['faces'][number]).frameFile);
    this.options.say(
      `${script.people.length} people enrolled on both kiosks; the cameras serve faces from ${folder} (cut from the MIT-licensed sample photos in ${this.faces.source}); plans signed`,
    );
  }

  /** Who shows which face: the person who fails the face check has a neighbour in their photo; others in order, repeating when the photos run out. */
  private faceAssignment(): Map<string, DemoFaces['faces'][number]> {
    if (this.assigned) return this.assigned;
    const { faces, impostor } = this.faces;
    const faceOf = new Map<string, DemoFaces['faces'][number]>();
    this.assigned = faceOf;
    const own = faces[impostor.of] as DemoFaces['faces'][number];
    const rest = faces.filter((_, i) => i !== impostor.of);
    let next = 0;
    for (const subject of visitors(this.script.people)) {
      if (subject === CAST.faceFails) faceOf.set(subject, own);
      else faceOf.set(subject, rest.length > 0 ? (rest[next++ % rest.length] as DemoFaces['faces'][number]) : own);
    }
    return faceOf;
  }

  private async play(event: ScriptedEvent): Promise<void> {
    const kiosk = this.kiosk(event.kiosk);
    const say = (text: string): void => {
      this.options.say(`${this.localTime()} ${event.kiosk}: ${text}`);
    };
    try {
      switch (event.kind) {
        case 'visit':
          say(`${event.says}: ${await this.visit(kiosk, event)}`);
          break;
        case 'staff':
          await kiosk.runtime.append(event.type, event.payload);
          say(event.says);
          break;
        case 'network':
          if (event.online)
            this.catchUp = {
              origin: kiosk.id,
              size: kiosk.runtime.ledger.head(kiosk.id).size,
              start: performance.now(),
            };
          await kiosk.runtime.setOnline(event.online);
          say(event.says);
          break;
      }
    } catch (error) {
      say(`could not play "${event.kind}" (${errorMessage(error)})`);
    }
  }

  /** A person at the kiosk: finger on the sensor, a face before the camera, the badge when asked, tasks marked done. */
  private async visit(kiosk: Kiosk, event: Extract<ScriptedEvent, { kind: 'visit' }>): Promise<string> {
    const faces = this.faceAssignment();
    const face = event.face === 'own' ? faces.get(event.subject)?.live : this.faces.impostor.live;
    if (!face) throw new Error(`${event.subject} has no face to show`);
    const { devices } = kiosk;
    const index = this.script.people.indexOf(event.subject);
    devices.fingerprint.finger = { kind: 'finger', name: fingerOf(event.subject) };
    devices.camera.setFrames(face);
    kiosk.screen.stand({
      onGuide: (g) => {
        if (g === 'tap-badge' || g === 'finger-badge-instead' || g === 'finger-unread-badge')
          devices.badge.tap(cardOf(index));
      },
      answers: (due) => due.map((t) => ({ task: t.id })),
    });
    const started = performance.now();
    try {
      const outcome = await kiosk.runtime.checkIn();
      await kiosk.screen.ended(outcome);
      const looks = kiosk.screen.said.filter(
        (g) => g === 'look-at-camera' || g === 'face-again' || g === 'face-light' || g === 'face-move',
      ).length;
      this.faceChecks.count += looks;
      if (looks > 0) this.faceChecks.ms += performance.now() - started;
      return outcome.ok
        ? `checked in (entry ${outcome.seq}, receipt ${outcome.receipt.proof.leafHash.slice(0, 12)})`
        : `not checked in: ${outcome.guidance.at(-1) ?? 'see-staff'}`;
    } finally {
      kiosk.screen.stand(undefined);
      devices.fingerprint.finger = { kind: 'none' };
    }
  }

  /** Notes when each new own-log entry was written, for the replication lag to HQ. */
  private track(): void {
    for (const kiosk of this.kiosks) {
      const size = kiosk.runtime.ledger.head(kiosk.id).size;
      if (!kiosk.runtime.online) continue;
      const pending = this.pending(kiosk.id);
      for (let seq = kiosk.counted; seq < size; seq++) pending.set(seq, performance.now());
      kiosk.counted = size;
    }
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
      const size = kiosk.runtime.ledger.head(kiosk.id).size;
      if ((await this.hqStore.size(kiosk.id)) !== size) return false;
      for (const peer of this.kiosks)
        if (peer !== kiosk && (await peer.runtime.kioskNode?.store.size(kiosk.id)) !== size) return false;
    }
    return true;
  }

  private async summarise(): Promise<DemoSummary> {
    const { script } = this;
    const atHq = judge(this.hqStore.ledger, script.judgedAt);
    const agree = this.kiosks.every((k) => sameFindings(judge(k.runtime.ledger, script.judgedAt), atHq));
    let alerts = 0;
    for (const breach of atHq.breaches.filter((b) => breachStands(b.status))) {
      const evidence = breach.evidence.map((e) => ({ origin: e.origin, seq: e.seq }));
      await this.hq.reportBreach({
        kiosk: evidence.at(-1)?.origin ?? KIOSKS[0],
        subject: breach.subject,
        rule: breach.rule,
        summary: breach.detail,
        entries: evidence,
      });
      alerts++;
    }
    const kiosks: Record<string, { size: number; hqSize: number; rootMatchesHq: boolean }> = {};
    for (const kiosk of this.kiosks) {
      const size = kiosk.runtime.ledger.head(kiosk.id).size;
      const hqSize = await this.hqStore.size(kiosk.id);
      const node = kiosk.runtime.kioskNode;
      const rootMatchesHq =
        node !== undefined &&
        hqSize === size &&
        toHex(await this.hqStore.root(kiosk.id, size)) === toHex(await node.store.root(kiosk.id, size));
      kiosks[kiosk.id] = { size, hqSize, rootMatchesHq };
    }
    const { records } = readLogRecords(this.hqStore.ledger, script.judgedAt);
    const lags = [...this.lags].sort((a, b) => a - b);
    return {
      day: script.day,
      zone: ZONE,
      people: script.people.length,
      checkins: [
        ...new Set(
          records.flatMap((r) =>
            r.type === 'checkin' && typeof r.payload.subject === 'string' ? [r.payload.subject] : [],
          ),
        ),
      ].sort(),
      breaches: atHq.breaches
        .filter((b) => breachStands(b.status))
        .map((b) => ({ rule: b.rule, subject: b.subject, evidence: b.evidence.length })),
      excused: atHq.breaches
        .filter((b) => b.status === 'excused')
        .map((b) => ({ rule: b.rule, subject: b.subject, reason: b.history.at(-1)?.note ?? '' })),
      reviews: atHq.reviews.map((r) => ({ reason: r.reason, subject: r.subject, status: r.status })),
      problems: atHq.problems.length,
      breachesAgreeOnEveryNode: agree,
      alerts,
      faceChecks: { count: this.faceChecks.count, ms: Math.round(this.faceChecks.ms) },
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
    return new Intl.DateTimeFormat('en-GB', { timeZone: ZONE, hour: '2-digit', minute: '2-digit' }).format(
      this.clock.now(),
    );
  }
}

/** Demo accounts for the staff and HQ sign-ins; the same passwords across runs unless --fresh. */
async function demoUsers(
  options: DemoOptions,
  stops: (() => Promise<void> | void)[],
): Promise<{ users: UserStore; accounts: DemoAccount[] }> {
  // Real time, not the scripted day's: sessions are about the people watching, whose minutes are real.
  const users = UserStore.open(join(options.dataDir, 'users.db'));
  stops.push(() => {
    users.close();
  });
  const accounts: DemoAccount[] = [
    { user: STAFF, role: 'staff', password: randomBytes(6).toString('hex') },
    { user: 'officer-1', role: 'officer', password: randomBytes(6).toString('hex') },
  ];
  const passwords = join(options.dataDir, 'demo-accounts.json');
  const known = readAccounts(passwords);
  for (const account of accounts) {
    const existing = known.find((a) => a.user === account.user);
    if (existing && users.list().some((u) => u.user === account.user))
      Object.assign(account, { password: existing.password });
    else
      await users.add({
        name: account.user,
        role: account.role === 'staff' ? 'staff' : 'officer',
        password: account.password,
        ...(account.role === 'staff' ? { centres: [CENTRE] } : {}),
      });
  }
  writeFileSync(passwords, JSON.stringify(accounts), { mode: 0o600 });
  return { users, accounts };
}

/** The kiosk, staff and HQ screens in the browser. */
async function startScreens(
  options: DemoOptions,
  kiosk: Kiosk,
  hq: HqService,
  clock: SimClock,
  display: KioskScreen,
  confirmations: StaffConfirmations,
  newcomerFace: Uint8Array,
  users: UserStore,
  stops: (() => Promise<void> | void)[],
): Promise<{ web: WebServer; staff: StaffBackend; panel: DemoPanelBackend }> {
  const { runtime } = kiosk;
  const staff = new StaffBackend({
    centre: CENTRE,
    kiosk: kiosk.id,
    store: runtime.ledger,
    append: (type, payload) => runtime.append(type, payload),
    clock: clock.now,
    zone: ZONE,
    devices: () => runtime.devices(),
    personal: runtime.personal,
    confirmations,
    // Enrolling from the staff screen: the newcomer is emulated too (a finger placed, lifted and placed again as
    // the sensor asks; a face not enrolled yet before the camera).
    enrol: async (subject, by) => {
      const { fingerprint, camera } = kiosk.devices;
      const finger = { kind: 'finger', name: fingerOf(subject) } as const;
      camera.setFrames([newcomerFace]);
      try {
        return await runtime.enrolAtKiosk(subject, {
          by,
          onStep: (step) => {
            fingerprint.finger = step.action === 'lift' ? { kind: 'none' } : finger;
          },
        });
      } finally {
        fingerprint.finger = { kind: 'none' };
      }
    },
  });
  stops.push(() => {
    staff.close();
  });
  // "Export evidence": the staff screen's from the kiosk's store (its log and its peer's), each export logged on the
  // kiosk's log; the dashboard's from HQ's store, HQ's witness cosigning, each export logged on HQ's own log.
  const hqLog = openHqLog(join(options.dataDir, 'hq.log.db'), 'hq');
  stops.push(() => {
    hqLog.close();
  });
  const staffEvidence = new EvidenceExports({
    stores: [runtime.ledger],
    log: { origin: kiosk.id, append: (type, payload) => runtime.append(type, payload) },
    clock: clock.now,
  });
  const hqBackend = new HqBackend({ hq, clock: clock.now, staffOrigin: isDemoKiosk });
  const hqWitness = loadOrCreateSigner(join(options.dataDir, 'hq.db.witness.key'), 'hq').signer;
  const dashboard =
    hq.store instanceof SqliteHqStore
      ? withHqEvidence(
          hqBackend,
          new EvidenceExports({ stores: [hq.store.ledger], log: hqLog, witnessSigners: [hqWitness], clock: clock.now }),
        )
      : hqBackend;
  const panel = new DemoPanelBackend();
  const web = await startWebServer({
    port: options.webPort ?? 0,
    kiosk: display,
    staff: withStaffEvidence(staff, staffEvidence),
    hq: dashboard,
    demo: panel,
    users,
  });
  stops.push(() => web.close());
  return { web, staff, panel };
}

function readAccounts(path: string): DemoAccount[] {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as DemoAccount[];
  } catch {
    return [];
  }
}

function fingerOf(subject: string): string {
  return `${subject} right index`;
}

function cardOf(index: number): string {
  return `40${String(index + 1).padStart(6, '0')}`;
}

function judge(store: LedgerStore, at: number): BreachReport {
  const { records, unverified } = readLogRecords(store, at);
  const report = computeBreaches(records, at);
  return { ...report, problems: [...unverified.map(unverifiedProblem), ...report.problems] };
}

function sameFindings(a: BreachReport, b: BreachReport): boolean {
  const key = (r: BreachReport): string =>
    JSON.stringify({
      breaches: r.breaches.map((x) => [x.id, x.status]),
      reviews: r.reviews.map((x) => [x.id, x.status]),
    });
  return key(a) === key(b);
}

/** The demo's kiosks serve its staff screen, so they are its staff logs: staff decisions from any other log never count. */
function isDemoKiosk(origin: string): boolean {
  return (KIOSKS as readonly string[]).includes(origin);
}
