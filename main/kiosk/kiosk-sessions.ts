// The kiosk's sessions: one person at a time, since the devices serve one person. A check-in runs the workflow
// over ports built from the devices as they stand when it starts; enrolment at the kiosk queues in the same line.
import { randomBytes } from 'node:crypto';
import type { GuidanceCode } from '../../core/checkin/guidance.ts';
import { MusterError, errorMessage } from '../../core/errors.ts';
import { DeviceError } from '../../drivers/device-error.ts';
import type { FaceService } from '../../face/face-service.ts';
import type { Logger } from '../../runtime/logger.ts';
import type { LedgerStore } from '../../ledger/store.ts';
import { type CheckinOutcome, CheckinWorkflow } from './checkin-workflow.ts';
import type { DeviceHealthLog } from './device-health-log.ts';
import type { EnrolmentStore } from './enrolment-store.ts';
import { challengeFacePort } from './challenge-face-port.ts';
import { traced } from './checkin-trace.ts';
import { FaceLookahead, lookingAhead } from './face-lookahead.ts';
import { cameraFacePort } from './face-port.ts';
import { sensorFingerprintPort } from './fingerprint-port.ts';
import { devicePresence } from './presence-port.ts';
import type { KioskConfig } from './kiosk-config.ts';
import type { KioskConnectivity } from './kiosk-connectivity.ts';
import type { KioskDevices } from './kiosk-devices.ts';
import type { KioskFace } from './kiosk-face.ts';
import type { LogPlans } from './plans-port.ts';
import type { CheckinPorts, FingerprintPort, LogPort, ScreenPort, StaffPort } from './ports.ts';

export interface KioskSessionsOptions {
  readonly config: KioskConfig;
  readonly devices: KioskDevices;
  readonly face: KioskFace;
  readonly enrolments: EnrolmentStore;
  readonly ledger: LedgerStore;
  readonly connectivity: KioskConnectivity;
  readonly plans: LogPlans;
  readonly health: DeviceHealthLog;
  /** The screen the person sees; headless (guidance to `log`, no tasks marked) when omitted. */
  readonly screen?: ScreenPort | undefined;
  /** Staff confirmation when the camera is down; nobody confirms when omitted. */
  readonly staff?: StaffPort | undefined;
  /** Keeps a face check's frames for staff review (the personal-data store); returns their commitment. */
  readonly keepCapture?: ((subject: string, frames: readonly Uint8Array[]) => string) | undefined;
  readonly logger: Logger;
}

/** The last frames of a face check kept for review (the best frame is often the last, before the try gave up). */
const KEPT_FRAMES = 4;

export class KioskSessions {
  private tail: Promise<unknown> = Promise.resolve();
  private closed = false;
  /** The frames of the running face check, until the workflow keeps them or the next check starts. */
  private frames: Uint8Array[] = [];

  constructor(private readonly options: KioskSessionsOptions) {}

  /** One person's check-in session, after the sessions queued before it. */
  checkIn(): Promise<CheckinOutcome> {
    return this.exclusive(() => this.runCheckin());
  }

  /** Runs `work` with the devices to itself, after the sessions queued before it. */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.tail.then(work);
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Refuses new check-ins; resolves once the running and queued sessions ended. */
  async close(): Promise<void> {
    this.closed = true;
    await this.tail;
  }

  private async runCheckin(): Promise<CheckinOutcome> {
    const { config, devices, health } = this.options;
    if (this.closed) throw new MusterError('kiosk-closed', `${config.kiosk} is closed`);
    devices.badgePort?.session(true);
    try {
      return await new CheckinWorkflow(this.ports(), {
        centre: config.centre,
        kiosk: config.kiosk,
        mode: config.identify,
        newAttemptId: () => randomBytes(8).toString('hex'),
        keepCapture: (subject) => this.keepCapture(subject),
        presence: {
          presenceMs: config.screen.presenceSeconds * 1000,
          idleMs: config.screen.idleSeconds * 1000,
        },
      }).run();
    } finally {
      devices.badgePort?.session(false);
      // A device that failed during the session is on the log before the next person starts.
      await health.flushed();
    }
  }

  /** The frames of the face check just made, kept for staff review; a failure to keep them is logged, not thrown. */
  private keepCapture(subject: string): string | undefined {
    const { keepCapture, logger } = this.options;
    const frames = this.frames;
    this.frames = [];
    if (!keepCapture || frames.length === 0) return undefined;
    try {
      return keepCapture(subject, frames);
    } catch (error) {
      logger.error({ err: error, subject }, 'could not keep the face capture for review');
      return undefined;
    }
  }

  /**
   * The face engine, once its models are in. They load beside the kiosk's start (kiosk-face.ts), so a person who
   * reaches the face step first is told the camera check is getting ready, and waits for it (Cancel and Call
   * staff stay on screen); the wait never becomes a failed face check. Models that failed to load leave the camera
   * unable to serve anyone: that is the face device down (staff confirm the person), never the person failing.
   */
  private async faceEngine(): Promise<FaceService> {
    const { face, screen } = this.options;
    const waits = !face.ready;
    if (waits) screen?.prompt?.('face-starting');
    try {
      const service = await face.service();
      if (waits) screen?.prompt?.('look-at-camera');
      return service;
    } catch (error) {
      throw new DeviceError(error instanceof MusterError ? error.code : 'face-worker-exited', errorMessage(error), {
        cause: error,
      });
    }
  }

  private ports(): CheckinPorts {
    const { config, devices, face, enrolments, connectivity } = this.options;
    const { sensor, camera } = devices;
    const log: LogPort = {
      origin: config.kiosk,
      store: this.options.ledger,
      append: (type, payload) =>
        traced(
          'log-append',
          () => connectivity.append(type, payload),
          () => ({ type }),
        ),
      checkpoint: () => connectivity.checkpoint(),
    };
    // The one-frame face try starts from a frame taken while the fingerprint step runs (face-lookahead.ts).
    const lookahead =
      camera && config.face.lookahead && config.face.challenge === 'none'
        ? new FaceLookahead(camera, () => face.service())
        : undefined;
    const presence = devicePresence({
      sensor,
      camera,
      service: () => (face.ready ? face.service() : undefined),
    });
    return {
      fingerprint: sensor
        ? lookingAhead(
            tracedFingerprint(
              sensorFingerprintPort(sensor, {
                subjectOf: (page) => enrolments.subjectOfPage(page),
                fingerTimeoutMs: config.timeouts.fingerMs,
              }),
            ),
            lookahead,
          )
        : {
            identify: () => Promise.resolve({ kind: 'device-down' }),
            verify: () => Promise.resolve({ kind: 'device-down' }),
          },
      badge: devices.badgePort ?? { read: () => Promise.resolve({ kind: 'device-down' }) },
      face: {
        verify: async (subject) => {
          if (!camera) return { kind: 'device-down' };
          const service = await this.faceEngine();
          const still = this.options.screen?.still?.bind(this.options.screen);
          this.frames = [];
          const onFrame = (jpeg: Uint8Array): void => {
            this.frames = [...this.frames, jpeg].slice(-KEPT_FRAMES);
            still?.(jpeg);
          };
          const onPrompt = this.options.screen?.prompt?.bind(this.options.screen);
          const port = {
            camera,
            service,
            template: (s: string) => enrolments.template(s),
            threshold: face.threshold,
            onFrame,
            onCapture: presence.captured,
          };
          const { challenge } = config.face;
          return (
            challenge === 'none'
              ? cameraFacePort({ ...port, ...(lookahead ? { ahead: () => lookahead.take() } : {}) })
              : challengeFacePort({ ...port, kind: challenge, ...(onPrompt ? { onPrompt } : {}) })
          ).verify(subject);
        },
      },
      staff: this.options.staff ?? { confirm: () => Promise.resolve({ kind: 'timeout' }) },
      screen: this.options.screen ?? {
        guide: (g: GuidanceCode) => {
          this.options.logger.info({ guidance: g }, 'guidance (headless)');
        },
        tasks: () => Promise.resolve([]),
      },
      devices: { availability: () => devices.availability() },
      plans: this.options.plans,
      log,
      presence,
    };
  }
}

/** The fingerprint port's calls as spans of the check-in trace (checkin-trace.ts). */
function tracedFingerprint(port: FingerprintPort): FingerprintPort {
  return {
    ...port,
    identify: () => traced('fingerprint', () => port.identify()),
    verify: (subject) => traced('fingerprint', () => port.verify(subject)),
  };
}
