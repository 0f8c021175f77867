// The kiosk runtime: everything one kiosk runs, assembled from its configuration. Its parts: the keys
// (kiosk-keys.ts), the link to peers and HQ that every append goes through (kiosk-connectivity.ts), the personal
// data and enrolment table (kiosk-personal-data.ts), the devices behind the device registry (kiosk-devices.ts),
// the face service (kiosk-face.ts), enrolment (kiosk-enrolment.ts) and the one-at-a-time sessions
// (kiosk-sessions.ts). A device-health entry is written whenever a device changes state.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BindingInterface } from '@serialport/bindings-cpp';
import type { DeviceHealth } from '../../core/device-health.ts';
import { type EntryType, type Payload, decodeLeaf } from '../../core/entry.ts';
import { toHex } from '../../core/bytes.ts';
import type { LogRecord } from '../../core/records/entry-ref.ts';
import type { ReportSource } from '../../drivers/badge/report-source.ts';
import { DeviceRegistry } from '../../drivers/device-registry.ts';
import type { FaceService } from '../../face/face-service.ts';
import type { Appended } from '../../ledger/log-writer.ts';
import { LedgerStore } from '../../ledger/store.ts';
import type { KioskNode } from '../../net/kiosk-node.ts';
import type { ErasureJob } from '../../access/erasure-job.ts';
import type { SecretStore } from '../../access/key-store.ts';
import type { PersonalDataStore } from '../../access/personal-data-store.ts';
import { topicId } from '../../net/topics.ts';
import { type Logger, componentLogger } from '../../runtime/logger.ts';
import type { BackoffPolicy } from '../../runtime/retry.ts';
import type { CheckinOutcome } from './checkin-workflow.ts';
import { DeviceHealthLog } from './device-health-log.ts';
import type { EnrolmentStore } from './enrolment-store.ts';
import type { KioskConfig } from './kiosk-config.ts';
import { KioskConnectivity } from './kiosk-connectivity.ts';
import { KioskDevices } from './kiosk-devices.ts';
import {
  type Enrolment,
  type EnrolmentParts,
  type KioskEnrolOptions,
  enrol,
  enrolWithDevices,
} from './kiosk-enrolment.ts';
import { KioskFace, type FleetDevice } from './kiosk-face.ts';
import { type KioskKeys, loadKioskKeys } from './kiosk-keys.ts';
import { openPersonalData, startRetention } from './kiosk-personal-data.ts';
import { KioskSessions } from './kiosk-sessions.ts';
import { PeerHealth } from './peer-health.ts';
import { LogPlans } from './plans-port.ts';
import type { ScreenPort, StaffPort } from './ports.ts';

export type { Enrolment } from './kiosk-enrolment.ts';

export interface KioskRuntimeOptions {
  readonly config: KioskConfig;
  /** The screen the person sees; headless (guidance to `log`, no tasks marked) when omitted. */
  readonly screen?: ScreenPort;
  /** Staff confirmation when the camera is down; nobody confirms when omitted. */
  readonly staff?: StaffPort;
  /**
   * A face service to share (several kiosks in one process), or one still starting (the kiosk takes people at
   * its fingerprint step meanwhile); otherwise the runtime starts its own.
   */
  readonly face?: FaceService | Promise<FaceService>;
  readonly clock?: () => number;
  /** Broker password; otherwise read from the configuration's passwordFile. */
  readonly brokerPassword?: string;
  /** Emulators and tests: the serialport binding the fingerprint sensor and camera open through. */
  readonly binding?: BindingInterface;
  /** Emulators and tests: where badge reports come from instead of the configured reader. */
  readonly badgeSource?: () => Promise<ReportSource>;
  /** How often a device that is missing at start is tried again (default kiosk-devices.ts REOPEN, jittered backoff). */
  readonly reopen?: BackoffPolicy;
  readonly heartbeatMs?: number;
  /** Default: the process logger's `kiosk` child (JSON lines on stdout for journald). */
  readonly logger?: Logger;
  /** Breach alerts HQ publishes for the centre (kiosk-screens.ts keeps them for the staff screen). */
  readonly onAlert?: (payload: Buffer) => void;
  /** Where the signing keys and the centre data key live; default owner-only files (Electron main: safeStorage). */
  readonly secrets?: SecretStore;
  /** Period of the retention job that erases people whose supervision and retention period ended; default 1 hour. */
  readonly erasureEveryMs?: number;
}

interface RuntimeParts extends EnrolmentParts {
  readonly registry: DeviceRegistry;
  readonly peers: PeerHealth;
  readonly ledger: LedgerStore;
  readonly health: DeviceHealthLog;
  readonly plans: LogPlans;
  readonly sessions: KioskSessions;
}

export class KioskRuntime {
  readonly config: KioskConfig;
  readonly registry: DeviceRegistry;
  /** A read connection to the kiosk's store that lives as long as the runtime (the writer's changes with the network). */
  readonly ledger: LedgerStore;
  /** Names, ID numbers, photos; reads go through the access policy and leave an `access` entry. */
  readonly personal: PersonalDataStore;
  readonly enrolments: EnrolmentStore;
  /** The plans on the kiosk's logs: tasks due, and today's window for the start screen. */
  readonly plans: LogPlans;
  /** The retention job (access/erasure-job.ts) over the personal-data store; tests call `runOnce`. */
  readonly erasure: ErasureJob;
  private closed = false;

  private constructor(
    private readonly parts: RuntimeParts,
    erasure: ErasureJob,
  ) {
    ({
      config: this.config,
      registry: this.registry,
      ledger: this.ledger,
      personal: this.personal,
      enrolments: this.enrolments,
      plans: this.plans,
    } = parts);
    this.erasure = erasure;
  }

  static async start(options: KioskRuntimeOptions): Promise<KioskRuntime> {
    const { config } = options;
    const clock = options.clock ?? Date.now;
    mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    const keys = loadKioskKeys(config, options.secrets);
    const registry = new DeviceRegistry({ now: clock });
    const logger = (options.logger ?? componentLogger('kiosk')).child({ kiosk: config.kiosk });
    const face = new KioskFace(config.face, options.face, logger);
    // The face models take seconds to load: they load in their worker beside the log, broker and devices, and
    // the kiosk takes people at its fingerprint step before they are in (the face step waits for them).
    if (config.devices.camera || options.face) face.start();
    try {
      return await KioskRuntime.assemble(options, { clock, keys, registry, logger, face });
    } catch (error) {
      await face.close();
      throw error;
    }
  }

  /** The rest of start(), once the face models are loading: start() stops them again if this fails. */
  private static async assemble(
    options: KioskRuntimeOptions,
    started: {
      readonly clock: () => number;
      readonly keys: KioskKeys;
      readonly registry: DeviceRegistry;
      readonly logger: Logger;
      readonly face: KioskFace;
    },
  ): Promise<KioskRuntime> {
    const { config } = options;
    const { clock, keys, registry, logger, face } = started;
    const peers = new PeerHealth(config.peers, clock);
    const connectivity = new KioskConnectivity({
      config,
      keys,
      clock,
      brokerPassword: options.brokerPassword,
      heartbeatMs: options.heartbeatMs,
      devices: () => fleetDevices(registry, face),
      logger,
      onAlert: options.onAlert,
      onPeerHeartbeat: (heartbeat) => {
        peers.receive(heartbeat);
      },
    });
    // A device that changes state is news for the peers' staff screens and HQ now, not at the next period.
    let published = '';
    registry.on('health', () => {
      const states = fleetDevices(registry, face)
        .map((d) => `${d.id}=${d.state}`)
        .join(' ');
      if (states === published) return;
      published = states;
      void connectivity.kioskNode?.publishHeartbeat().catch(() => undefined);
    });
    const append = (type: EntryType, payload: Payload): Promise<Appended> => connectivity.append(type, payload);
    const { personal, enrolments } = openPersonalData(config, keys, { append }, clock);
    // The node creates the log on first start; the runtime's own read connection opens it after.
    await connectivity.setOnline(true);
    const ledger = LedgerStore.open(join(config.dataDir, `${topicId(config.kiosk)}.db`));
    const health = new DeviceHealthLog({
      centre: config.centre,
      kiosk: config.kiosk,
      append,
      onError: (error) => {
        logger.error({ err: error }, 'could not log device health');
      },
    });
    health.restore(ownDeviceHealth(ledger, config.kiosk));
    const devices = new KioskDevices({
      config,
      registry,
      health,
      subjectOfBadge: (card) => enrolments.subjectOfBadge(card),
      binding: options.binding,
      badgeSource: options.badgeSource,
      reopen: options.reopen,
      logger,
    });
    const plans = new LogPlans(ledger, clock);
    const sessions = new KioskSessions({
      config,
      devices,
      face,
      enrolments,
      ledger,
      connectivity,
      plans,
      health,
      screen: options.screen,
      staff: options.staff,
      keepCapture: (subject, frames) => personal.putCapture(subject, config.centre, frames, clock()),
      logger,
    });
    const parts = {
      config,
      peers,
      clock,
      registry,
      ledger,
      personal,
      enrolments,
      health,
      plans,
      devices,
      face,
      connectivity,
      sessions,
    };
    const runtime = new KioskRuntime(
      parts,
      startRetention(personal, { everyMs: options.erasureEveryMs, clock, logger }),
    );
    try {
      await devices.open();
    } catch (error) {
      await runtime.close();
      throw error;
    }
    return runtime;
  }

  /** The face threshold in force: the configuration's, from `muster face calibrate`. */
  get faceThreshold(): number {
    return this.parts.face.threshold;
  }

  get online(): boolean {
    return this.parts.connectivity.online;
  }

  /** The replication node while online. */
  get kioskNode(): KioskNode | undefined {
    return this.parts.connectivity.kioskNode;
  }

  /** Why nothing can be signed any more: HQ's registry revoked this kiosk's key (LogWriter's 'key-revoked'). */
  get keyRevoked(): string | undefined {
    return this.parts.connectivity.keyRevoked;
  }

  devices(): DeviceHealth[] {
    return this.registry.all();
  }

  /** What the heartbeat reports (net/heartbeat.ts): every device's state, and the face engine with its backend. */
  fleetDevices(): FleetDevice[] {
    return fleetDevices(this.registry, this.parts.face);
  }

  /** The centre's other kiosks as their signed heartbeats report them (the staff screen's device health). */
  get peerHealth(): PeerHealth {
    return this.parts.peers;
  }

  /** Appends to the kiosk's own log; resolves once durable. Replicated at once while online, on reconnect otherwise. */
  append(type: EntryType, payload: Payload): Promise<Appended> {
    return this.parts.connectivity.append(type, payload);
  }

  /** One person's check-in session. Sessions run one at a time: the devices serve one person. */
  checkIn(): Promise<CheckinOutcome> {
    return this.parts.sessions.checkIn();
  }

  /** Enrols a person: sensor page, badge and face template in the enrolment table, and an `enrolment` entry (no biometrics). */
  enrol(e: Enrolment): Promise<{ seq: number; faceCommitment?: string }> {
    return enrol(this.parts, e);
  }

  /**
   * Enrols a person at this kiosk, as staff do it: the finger twice on the sensor (into the next free page), then
   * three camera frames through the face worker. Runs between check-ins, never during one. The staff screen's
   * Enrol button calls this; failures come back as a message for staff, not an exception.
   */
  enrolAtKiosk(subject: string, options: KioskEnrolOptions = {}): Promise<{ ok: boolean; message: string }> {
    return this.parts.sessions.exclusive(() => enrolWithDevices(this.parts, subject, options));
  }

  /** Drops the network (the log keeps taking check-ins) or brings it back (the replicator catches up from the log). */
  async setOnline(online: boolean): Promise<void> {
    if (online === this.online || this.closed) return;
    // Device-health changes seen offline are on the log before the node starts publishing it.
    if (online) await this.parts.health.flushed();
    await this.parts.connectivity.setOnline(online);
  }

  /** Resolves once every device-health change seen so far is on the log. */
  healthLogged(): Promise<void> {
    return this.parts.health.flushed();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const { devices, sessions, health, face, connectivity } = this.parts;
    devices.stopReopening();
    this.erasure.stop();
    await sessions.close();
    await devices.close();
    await health.flushed();
    await face.close();
    await connectivity.close();
    this.personal.close();
    this.ledger.close();
  }
}

function fleetDevices(registry: DeviceRegistry, face: KioskFace): FleetDevice[] {
  const devices = registry.all().map((d) => ({ id: d.id, state: d.state }));
  return face.engine ? [...devices, face.engine] : devices;
}

/** The device-health entries of the kiosk's own log (only those are decoded: replicas can be large). */
function ownDeviceHealth(ledger: LedgerStore, kiosk: string): LogRecord[] {
  const records: LogRecord[] = [];
  for (const row of ledger.range(kiosk, 0, ledger.head(kiosk).size)) {
    if (row.type !== 'device-health') continue;
    const { body } = decodeLeaf(row.leaf);
    records.push({
      ref: { origin: kiosk, seq: row.seq, hash: toHex(row.hash) },
      ts: body.ts,
      type: body.type,
      payload: body.payload,
    });
  }
  return records;
}
