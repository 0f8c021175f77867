// The kiosk runtime: everything one kiosk runs, assembled from its configuration. It owns the device drivers
// (behind the device registry), the face service in its worker thread, the enrolment table with the encrypted
// templates, and the replication node with the kiosk's log; it drives the check-in workflow one session at a
// time and writes a device-health entry whenever a device changes state. Emulated devices plug in below the
// drivers (a serialport binding, a report source), so the same code runs against emulators and hardware.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BindingInterface } from '@serialport/bindings-cpp';
import type { DeviceAvailability } from '../../core/checkin/checkin-machine.ts';
import type { GuidanceCode } from '../../core/checkin/guidance.ts';
import { type DeviceHealth, type DeviceKind, deviceUsable } from '../../core/device-health.ts';
import { type EntryType, type Payload, decodeLeaf } from '../../core/entry.ts';
import { toHex } from '../../core/bytes.ts';
import type { LogRecord } from '../../core/records/entry-ref.ts';
import { MusterError, errorMessage } from '../../core/errors.ts';
import { BadgeReader } from '../../drivers/badge/badge-reader.ts';
import { DataModeDecoder } from '../../drivers/badge/keyboard-report.ts';
import { openHidSource } from '../../drivers/badge/node-hid-source.ts';
import { type ReportSource, StreamReportSource } from '../../drivers/badge/report-source.ts';
import type { Camera } from '../../drivers/camera/vc0706-camera.ts';
import { DeviceRegistry, type HealthSource } from '../../drivers/device-registry.ts';
import type { EnrolStep, FingerprintSensor } from '../../drivers/fingerprint/fingerprint-sensor.ts';
import { openCamera, openFingerprintSensor } from '../../drivers/open-device.ts';
import { SerialTransport } from '../../drivers/serial-transport.ts';
import { FaceService } from '../../face/face-service.ts';
import { createTemplate, type FaceTemplate, MIN_ENROLMENT_CAPTURES } from '../../face/template.ts';
import { enrol as enrolFace } from '../../face/enrolment.ts';
import { readRegistryKey } from '../../ledger/key-schedule.ts';
import { type Signer, loadOrCreateSigner } from '../../ledger/keys.ts';
import { type Appended, LogWriter } from '../../ledger/log-writer.ts';
import { LedgerStore } from '../../ledger/store.ts';
import { KioskNode } from '../../net/kiosk-node.ts';
import { type ErasureJob, startErasureJob } from '../../access/erasure-job.ts';
import { CENTRE_KEY_NAME, FileSecretStore, type SecretStore, adoptedSigningKey, dataKey } from '../../access/key-store.ts';
import { PersonalDataStore } from '../../access/personal-data-store.ts';
import { topicId } from '../../net/topics.ts';
import { ReaderBadgePort } from './badge-port.ts';
import { type CheckinOutcome, CheckinWorkflow } from './checkin-workflow.ts';
import { DeviceHealthLog } from './device-health-log.ts';
import { BADGE_KEY_NAME, EnrolmentStore } from './enrolment-store.ts';
import { cameraFacePort } from './face-port.ts';
import { sensorFingerprintPort } from './fingerprint-port.ts';
import type { KioskConfig } from './kiosk-config.ts';
import { LogPlans } from './plans-port.ts';
import type { CheckinPorts, LogPort, ScreenPort, StaffPort } from './ports.ts';

export interface KioskRuntimeOptions {
  readonly config: KioskConfig;
  /** The screen the person sees; headless (guidance to `log`, no tasks marked) when omitted. */
  readonly screen?: ScreenPort;
  /** Staff confirmation when the camera is down; nobody confirms when omitted. */
  readonly staff?: StaffPort;
  /** A face service to share (several kiosks in one process); otherwise the runtime starts its own. */
  readonly face?: FaceService;
  readonly clock?: () => number;
  /** Broker password; otherwise read from the configuration's passwordFile. */
  readonly brokerPassword?: string;
  /** Emulators and tests: the serialport binding the fingerprint sensor and camera open through. */
  readonly binding?: BindingInterface;
  /** Emulators and tests: where badge reports come from instead of the configured reader. */
  readonly badgeSource?: () => Promise<ReportSource>;
  /** How long a device that is missing at start waits before the next try. */
  readonly reopenMs?: number;
  readonly heartbeatMs?: number;
  readonly log?: (line: string) => void;
  /** Where the signing keys and the centre data key live; default owner-only files (Electron main: safeStorage). */
  readonly secrets?: SecretStore;
  /** Period of the retention job that erases people whose supervision and retention period ended; default 1 hour. */
  readonly erasureEveryMs?: number;
}

export interface Enrolment {
  readonly subject: string;
  /** The sensor page holding the person's finger (enrolled on the sensor beforehand, or with `enrolFinger`). */
  readonly page?: number;
  /** Capture the finger on the sensor into `page` now. */
  readonly enrolFinger?: boolean;
  readonly card?: string;
  /** Kept in the personal-data store, never on the log. */
  readonly name?: string;
  readonly idNumber?: string;
  /** The enrolment photo (JPEG) for staff to compare with; the first face capture when omitted. */
  readonly photo?: Uint8Array;
  /** Face captures (JPEG), at least three, through the face worker and the quality gate. */
  readonly frames?: readonly Uint8Array[];
  /** Or descriptors computed before (the demo's cache of its sample faces). */
  readonly descriptors?: readonly Float32Array[];
}

const VERSION = '0.1.0';

export class KioskRuntime {
  readonly registry: DeviceRegistry;
  private node: KioskNode | undefined;
  /** Why nothing can be signed any more: HQ's registry revoked this kiosk's key (LogWriter's 'key-revoked'). */
  keyRevoked: string | undefined;
  /** The retention job (access/erasure-job.ts) over the personal-data store; tests call `runOnce`. */
  erasure: ErasureJob | undefined;
  private offline: { store: LedgerStore; writer: LogWriter } | undefined;
  private sensor: FingerprintSensor | undefined;
  private camera: Camera | undefined;
  private reader: BadgeReader | undefined;
  private badgePort: ReaderBadgePort | undefined;
  private face: Promise<FaceService> | undefined;
  /** The face engine as the fleet sees it: backend and detector in its id, ok once its models loaded, failing if they did not. */
  private faceEngine: { id: string; state: DeviceHealth['state'] } | undefined;
  private session: Promise<unknown> = Promise.resolve();
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;

  private constructor(
    readonly config: KioskConfig,
    private readonly options: KioskRuntimeOptions,
    private readonly clock: () => number,
    /** A read connection to the kiosk's store that lives as long as the runtime (the writer's changes with the network). */
    readonly ledger: LedgerStore,
    /** Names, ID numbers, photos; reads go through the access policy and leave an `access` entry. */
    readonly personal: PersonalDataStore,
    readonly enrolments: EnrolmentStore,
    private readonly health: DeviceHealthLog,
    /** The plans on the kiosk's logs: tasks due, and today's window for the start screen. */
    readonly plans: LogPlans,
    private readonly signers: { readonly signer: Signer; readonly witness: Signer; readonly devices: () => { id: string; state: DeviceHealth['state'] }[] },
  ) {
    this.registry = new DeviceRegistry({ now: clock });
  }

  static async start(options: KioskRuntimeOptions): Promise<KioskRuntime> {
    const { config } = options;
    const clock = options.clock ?? Date.now;
    mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    const base = join(config.dataDir, topicId(config.kiosk));
    const { secrets } = options;
    // With a secret store, key files from earlier runs move into it (the log keeps its key).
    const signer = secrets ? adoptedSigningKey(secrets, 'log-signing.key', config.kiosk, `${base}.db.key`) : loadOrCreateSigner(`${base}.db.key`, config.kiosk).signer;
    const witness = secrets ? adoptedSigningKey(secrets, 'witness-signing.key', config.kiosk, `${base}.db.witness.key`) : loadOrCreateSigner(`${base}.db.witness.key`, config.kiosk).signer;
    // Personal data (names, photos) and the data keys the face templates are sealed under; the centre key that
    // wraps them stays in the key store (owner-only files here; Electron safeStorage on a packaged kiosk).
    const self: { runtime?: KioskRuntime } = {};
    const keyStore = secrets ?? new FileSecretStore(join(config.dataDir, 'secrets'));
    const personal = PersonalDataStore.open(join(config.dataDir, 'personal-data.db'), {
      centreKey: dataKey(keyStore, CENTRE_KEY_NAME),
      log: { append: (type, payload) => (self.runtime as KioskRuntime).append(type, payload) },
      clock,
    });
    // Badge numbers are keyed hashes under a key of the key store, not beside the table.
    const enrolments = EnrolmentStore.open(config.dataDir, (subject) => personal.dataKey(subject), dataKey(keyStore, BADGE_KEY_NAME));
    // The node creates the log on first start; the runtime's own read connection opens it after.
    // The node and the health log start before the runtime they report on exists.
    const heartbeatDevices = (): { id: string; state: DeviceHealth['state'] }[] => self.runtime?.fleetDevices() ?? [];
    const node = await KioskRuntime.startNode(config, options, clock, signer, witness, heartbeatDevices);
    const ledger = LedgerStore.open(`${base}.db`);
    const health = new DeviceHealthLog({
      centre: config.centre,
      kiosk: config.kiosk,
      append: (type, payload) => (self.runtime as KioskRuntime).append(type, payload),
      onError: (error) => options.log?.(`${config.kiosk}: could not log device health: ${errorMessage(error)}`),
    });
    health.restore(ownDeviceHealth(ledger, config.kiosk));
    const runtime = new KioskRuntime(config, options, clock, ledger, personal, enrolments, health, new LogPlans(ledger, clock), { signer, witness, devices: heartbeatDevices });
    runtime.node = node;
    self.runtime = runtime;
    runtime.erasure = startErasureJob(personal, {
      everyMs: options.erasureEveryMs ?? 3_600_000,
      clock,
      onErased: (subjects) => options.log?.(`${config.kiosk}: erased the personal data of ${subjects.length} people (retention ended)`),
      onError: (error) => options.log?.(`${config.kiosk}: erasure job: ${errorMessage(error)}`),
    });
    try {
      await runtime.openDevices();
    } catch (error) {
      await runtime.close();
      throw error;
    }
    return runtime;
  }

  private static async startNode(
    config: KioskConfig,
    options: KioskRuntimeOptions,
    clock: () => number,
    signer: Signer,
    witness: Signer,
    devices: () => { id: string; state: DeviceHealth['state'] }[],
  ): Promise<KioskNode> {
    let password = options.brokerPassword;
    if (password === undefined && config.broker.passwordFile !== undefined) {
      try {
        password = readFileSync(config.broker.passwordFile, 'utf8').trim();
      } catch (error) {
        throw new MusterError('bad-config', `${config.source}: broker.passwordFile: ${errorMessage(error)}`);
      }
    }
    return KioskNode.start({
      storePath: join(config.dataDir, `${topicId(config.kiosk)}.db`),
      signer,
      witnessSigner: witness,
      broker: { url: config.broker.url, username: config.broker.username ?? topicId(config.kiosk), ...(password === undefined ? {} : { password }) },
      peers: config.peers,
      ...(config.registryPub === undefined ? {} : { registryKey: readRegistryKey(config.registryPub) }),
      clock,
      retryMs: 200,
      heartbeat: { everyMs: options.heartbeatMs ?? 30_000, version: VERSION, devices },
    });
  }

  /** The face threshold in force: the configuration's, from `muster face calibrate`. */
  get faceThreshold(): number {
    return this.config.face.threshold;
  }

  get online(): boolean {
    return this.node !== undefined;
  }

  /** The replication node while online. */
  get kioskNode(): KioskNode | undefined {
    return this.node;
  }

  devices(): DeviceHealth[] {
    return this.registry.all();
  }

  /** What the heartbeat reports (net/heartbeat.ts): every device's state, and the face engine with its backend. */
  fleetDevices(): { id: string; state: DeviceHealth['state'] }[] {
    const devices = this.devices().map((d) => ({ id: d.id, state: d.state }));
    return this.faceEngine ? [...devices, this.faceEngine] : devices;
  }

  /** Appends to the kiosk's own log; resolves once durable. Replicated at once while online, on reconnect otherwise. */
  append(type: EntryType, payload: Payload): Promise<Appended> {
    const appended = this.node ? this.node.append(type, payload) : this.offline ? this.offline.writer.append(type, payload) : Promise.reject(new MusterError('kiosk-closed', `${this.config.kiosk} is closed`));
    return appended.catch((error: unknown) => {
      if (error instanceof MusterError && error.code === 'key-revoked' && this.keyRevoked === undefined) {
        this.keyRevoked = error.message;
        this.options.log?.(`${this.config.kiosk}: ${error.message}`);
      }
      throw error;
    });
  }

  /** One person's check-in session. Sessions run one at a time: the devices serve one person. */
  checkIn(): Promise<CheckinOutcome> {
    const run = this.session.then(() => this.runSession());
    this.session = run.catch(() => undefined);
    return run;
  }

  /** Enrols a person: sensor page, badge and face template in the enrolment table, and an `enrolment` entry (no biometrics). */
  async enrol(e: Enrolment): Promise<{ seq: number; faceCommitment?: string }> {
    if (e.enrolFinger) {
      if (!this.sensor || e.page === undefined) throw new MusterError('enrol-failed', 'enrolling a finger needs the fingerprint sensor and a page');
      await this.sensor.enrol(e.page, { fingerTimeoutMs: this.config.timeouts.fingerMs });
    }
    // The person's record in the personal-data store comes first: their data key seals the face template.
    const photo = e.photo ?? e.frames?.[0];
    const personal = { ...(e.name === undefined ? {} : { name: e.name }), ...(e.idNumber === undefined ? {} : { idNumber: e.idNumber }), ...(photo ? { photo } : {}) };
    if (Object.keys(personal).length > 0) this.personal.put(e.subject, this.config.centre, personal);
    let template: FaceTemplate | undefined;
    if (e.descriptors) template = createTemplate(e.subject, e.descriptors, new Date(this.clock()));
    else if (e.frames) {
      const service = await this.faceService();
      template = (await enrolFace(service, e.subject, e.frames.map((bytes) => ({ kind: 'jpeg' as const, bytes })), this.faceThreshold)).template;
    }
    const faceCommitment = this.enrolments.save(e.subject, { ...(e.page === undefined ? {} : { page: e.page }), ...(e.card === undefined ? {} : { card: e.card }), ...(template ? { template } : {}) });
    const methods = [...(e.page === undefined ? [] : ['fingerprint']), ...(e.card === undefined ? [] : ['badge']), ...(template ? ['face'] : [])];
    const { seq } = await this.append('enrolment', { subject: e.subject, centre: this.config.centre, kiosk: this.config.kiosk, methods, ...(faceCommitment ? { faceCommitment } : {}) });
    return { seq, ...(faceCommitment ? { faceCommitment } : {}) };
  }

  /**
   * Enrols a person at this kiosk, as staff do it: the finger twice on the sensor (into the next free page), then
   * three camera frames through the face worker. Runs between check-ins, never during one. The staff screen's
   * Enrol button calls this; failures come back as a message for staff, not an exception.
   */
  enrolAtKiosk(subject: string, options: { readonly card?: string; readonly onStep?: (step: EnrolStep) => void | Promise<void> } = {}): Promise<{ ok: boolean; message: string }> {
    const run = this.session.then(async () => {
      const sensor = this.sensor;
      const camera = this.camera;
      if (!sensor || !camera || !this.availability().fingerprint || !this.availability().camera) {
        return { ok: false, message: 'enrolment needs the fingerprint sensor and the camera in service' };
      }
      try {
        const page = this.enrolments.nextPage();
        await sensor.enrol(page, { fingerTimeoutMs: this.config.timeouts.fingerMs, ...(options.onStep ? { onStep: options.onStep } : {}) });
        const frames: Uint8Array[] = [];
        for (let i = 0; i < MIN_ENROLMENT_CAPTURES; i++) frames.push(await camera.capture());
        const { seq } = await this.enrol({ subject, page, frames, ...(options.card === undefined ? {} : { card: options.card }) });
        return { ok: true, message: `${subject} enrolled (sensor page ${page}, face template sealed; entry ${seq})` };
      } catch (error) {
        return { ok: false, message: `enrolment of ${subject} failed: ${errorMessage(error)}` };
      }
    });
    this.session = run.catch(() => undefined);
    return run;
  }

  /** Drops the network (the log keeps taking check-ins) or brings it back (the replicator catches up from the log). */
  async setOnline(online: boolean): Promise<void> {
    if (online === this.online || this.closed) return;
    if (!online) {
      await this.node?.close(true);
      this.node = undefined;
      const store = LedgerStore.open(join(this.config.dataDir, `${topicId(this.config.kiosk)}.db`));
      this.offline = { store, writer: LogWriter.open(store, this.signers.signer, this.clock) };
      return;
    }
    await this.health.flushed();
    this.offline?.store.close();
    this.offline = undefined;
    this.node = await KioskRuntime.startNode(this.config, this.options, this.clock, this.signers.signer, this.signers.witness, this.signers.devices);
  }

  /** Resolves once every device-health change seen so far is on the log. */
  healthLogged(): Promise<void> {
    return this.health.flushed();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.erasure?.stop();
    await this.session;
    await this.sensor?.close().catch(() => undefined);
    await this.camera?.close().catch(() => undefined);
    await this.reader?.close().catch(() => undefined);
    await this.health.flushed();
    if (this.face) await (await this.face.catch(() => undefined))?.close();
    await this.node?.close();
    this.offline?.store.close();
    this.personal.close();
    this.ledger.close();
  }

  private async runSession(): Promise<CheckinOutcome> {
    if (this.closed) throw new MusterError('kiosk-closed', `${this.config.kiosk} is closed`);
    this.badgePort?.session(true);
    try {
      return await new CheckinWorkflow(this.ports(), {
        centre: this.config.centre,
        kiosk: this.config.kiosk,
        mode: this.config.identify,
        newAttemptId: () => randomBytes(8).toString('hex'),
      }).run();
    } finally {
      this.badgePort?.session(false);
      // A device that failed during the session is on the log before the next person starts.
      await this.health.flushed();
    }
  }

  private ports(): CheckinPorts {
    const { config } = this;
    const say = (line: string): void => this.options.log?.(line);
    const down = (what: string): never => {
      throw new MusterError('device-down', `${what} is not available`);
    };
    const sensor = this.sensor;
    const camera = this.camera;
    const log: LogPort = {
      origin: config.kiosk,
      store: this.ledger,
      append: (type, payload) => this.append(type, payload),
      checkpoint: () => (this.node?.writer ?? this.offline?.writer ?? down('the log')).checkpoint(),
    };
    return {
      fingerprint: sensor
        ? sensorFingerprintPort(sensor, { subjectOf: (page) => this.enrolments.subjectOfPage(page), fingerTimeoutMs: config.timeouts.fingerMs })
        : { identify: () => Promise.resolve({ kind: 'device-down' }), verify: () => Promise.resolve({ kind: 'device-down' }) },
      badge: this.badgePort ?? { read: () => Promise.resolve({ kind: 'device-down' }) },
      face: {
        verify: async (subject) => {
          if (!camera) return { kind: 'device-down' };
          const service = await this.faceService();
          return cameraFacePort({ camera, service, template: (s) => this.enrolments.template(s), threshold: this.faceThreshold }).verify(subject);
        },
      },
      staff: this.options.staff ?? { confirm: () => Promise.resolve(null) },
      screen: this.options.screen ?? {
        guide: (g: GuidanceCode) => {
          say(`${config.kiosk}: ${g}`);
        },
        tasks: () => Promise.resolve([]),
      },
      devices: { availability: () => this.availability() },
      plans: this.plans,
      log,
    };
  }

  private availability(): DeviceAvailability {
    const usable = (kind: DeviceKind): boolean => this.registry.all().some((d) => d.kind === kind && deviceUsable(d.state));
    return { fingerprint: usable('fingerprint'), camera: usable('camera'), badge: usable('badge') };
  }

  private async faceService(): Promise<FaceService> {
    if (this.options.face) {
      this.faceEngine ??= engineHealth(this.options.face);
      return this.options.face;
    }
    if (!this.face) {
      this.face = FaceService.start({ backend: this.config.face.backend, detector: this.config.face.detector, ...(this.options.log ? { log: this.options.log } : {}) });
      this.face.then(
        (service) => {
          this.faceEngine = engineHealth(service);
        },
        () => {
          this.faceEngine = { id: 'face', state: 'failing' };
        },
      );
    }
    return this.face;
  }

  private async openDevices(): Promise<void> {
    const { devices } = this.config;
    this.registry.on('health', (h) => {
      this.health.observe(h);
    });
    const binding = this.options.binding ? { binding: this.options.binding } : {};
    if (devices.fingerprint) {
      const settings = devices.fingerprint;
      await this.openDevice('fingerprint', 'fingerprint', async () => {
        const opened = await openFingerprintSensor({ family: settings.family, target: settings.target, baudRate: settings.baudRate, ...(settings.model ? { model: settings.model } : {}), ...binding });
        this.sensor = opened.device;
        return opened.health;
      });
    }
    if (devices.camera) {
      const settings = devices.camera;
      await this.openDevice('camera', 'camera', async () => {
        const opened = await openCamera({ target: settings.target, baudRate: settings.baudRate, ...(settings.chunkSize ? { camera: { chunkSize: settings.chunkSize } } : {}), ...binding });
        this.camera = opened.device;
        return opened.health;
      });
      void this.faceService().catch((error: unknown) => this.options.log?.(`${this.config.kiosk}: face service: ${errorMessage(error)}`));
    }
    const badge = devices.badge;
    if (badge) {
      const open: () => Promise<ReportSource> =
        this.options.badgeSource ??
        (badge.kind === 'hid'
          ? () => openHidSource(badge.target, { exclusive: badge.exclusive })
          : async () => {
              const transport = new SerialTransport({ target: { path: badge.path }, baudRate: 115_200, reconnect: false });
              await transport.open();
              return new StreamReportSource(transport, 8);
            });
      const reader = new BadgeReader({ open, ...(badge.kind === 'hid' && badge.mode !== 'keyboard' ? { decoder: new DataModeDecoder(badge.mode) } : {}) });
      this.reader = reader;
      this.badgePort = new ReaderBadgePort(reader, (card) => this.enrolments.subjectOfBadge(card), this.config.timeouts.badgeMs);
      await this.openDevice('badge', 'badge', async () => {
        await reader.open();
        return reader;
      });
    }
    await this.health.flushed();
  }

  /**
   * Declares the device, then opens it; a device missing at start is logged as disconnected and tried again
   * every reopenMs, so a kiosk booting without its reader still checks people in with the rest.
   */
  private async openDevice(id: string, kind: DeviceKind, open: () => Promise<HealthSource>): Promise<void> {
    this.registry.declare(id, kind);
    let first = true;
    const attempt = async (): Promise<void> => {
      if (this.closed) return;
      try {
        this.registry.attach(id, await open());
      } catch (error) {
        // Logged once, as it stood at start (disconnected); the registry reports the rest.
        const declared = this.registry.health(id);
        if (first && declared) this.health.observe(declared);
        first = false;
        this.options.log?.(`${this.config.kiosk}: ${kind} not available (${errorMessage(error)}); trying again`);
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          void attempt();
        }, this.options.reopenMs ?? 5000);
        timer.unref();
        this.timers.add(timer);
      }
    };
    await attempt();
  }
}

/** The device-health entries of the kiosk's own log (only those are decoded: replicas can be large). */
function ownDeviceHealth(ledger: LedgerStore, kiosk: string): LogRecord[] {
  const records: LogRecord[] = [];
  for (const row of ledger.range(kiosk, 0, ledger.head(kiosk).size)) {
    if (row.type !== 'device-health') continue;
    const { body } = decodeLeaf(row.leaf);
    records.push({ ref: { origin: kiosk, seq: row.seq, hash: toHex(row.hash) }, ts: body.ts, type: body.type, payload: body.payload });
  }
  return records;
}

function engineHealth(service: FaceService): { id: string; state: DeviceHealth['state'] } {
  return { id: `face/${service.health.backend}/${service.health.detector}`, state: 'ok' };
}
