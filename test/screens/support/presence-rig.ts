// One kiosk for the presence cue's browser test: as kiosk-rig.ts (a real signed log with a plan for p-0001, the
// real plans port, the real R30x driver against the fingerprint emulator, the kiosk screen over HTTP), with the
// presence cue on (main/kiosk/presence-watch.ts) over the sensor's real finger detect and camera frames that
// show what `camera` says. The face step (match, or a camera that never decides) and the frames are switches:
// the face worker has its own suites. The device waits are minutes, so only the cue ends a session in a test.
import type { KioskLanguage } from '../../../core/api/kiosk-api.ts';
import type { DeviceAvailability, FaceResult } from '../../../core/checkin/checkin-machine.ts';
import type { PresenceReading, PresenceSource } from '../../../core/checkin/presence.ts';
import { CheckinWorkflow } from '../../../main/kiosk/checkin-workflow.ts';
import { sensorFingerprintPort } from '../../../main/kiosk/fingerprint-port.ts';
import { KioskScreen } from '../../../main/web/kiosk-screen.ts';
import { StaffConfirmations } from '../../../main/web/staff-confirmations.ts';
import { startWebServer } from '../../../main/web/web-server.ts';
import type { R30xRig } from '../../drivers/support/r30x-rig.ts';
import { CENTRE, KIOSK, NAMES, PERSON, ZONE, openKioskLog } from './kiosk-rig.ts';

/** The device waits, the tasks' idle time and the staff wait: far beyond any test's patience. */
const LONG_SECONDS = 300;
const FRAME_EVERY_MS = 250;

export interface PresenceRig {
  readonly url: string;
  readonly sensor: R30xRig;
  readonly screen: KioskScreen;
  /** 'hang': the camera never decides (a webcam that sends nothing, a face check still starting). */
  face: 'match' | 'hang';
  /** What the camera sees in each frame the presence cue gets (4 a second while a wait is watched). */
  camera: PresenceReading;
  /** Which devices work (the camera down: staff confirm the person). */
  available: DeviceAvailability;
  /** Frames the presence cue got so far: the test's measure of watched time, never a sleep. */
  frames(): number;
  /** The log's checkin and checkin-attempt entries, as `type:outcome`. */
  entries(): string[];
  close(): Promise<void>;
}

/** `idleSeconds`: the presence cue's idle time (nothing seen), default as long as the device waits. */
export async function startPresenceRig(
  language: KioskLanguage,
  presenceSeconds: number,
  idleSeconds = LONG_SECONDS,
): Promise<PresenceRig> {
  const { store, writer, plans, sensor, entries, close } = await openKioskLog('muster-kiosk-presence-');
  const screen = new KioskScreen({
    language,
    zone: ZONE,
    centre: NAMES.centre,
    taskNames: NAMES.tasks,
    idleSeconds: LONG_SECONDS,
    waitSeconds: LONG_SECONDS,
    receiptSeconds: 3,
    noticeSeconds: 3,
  });
  let frames = 0;
  let sessions = 0;
  const rig: { face: 'match' | 'hang'; camera: PresenceReading; available: DeviceAvailability } = {
    face: 'match',
    camera: null,
    available: { fingerprint: true, camera: true, badge: false },
  };
  // The camera's frames while a wait is watched: the face step's own, and on the other waits frames taken for it.
  const subscribe = (listener: (source: PresenceSource, reading: PresenceReading) => void): (() => void) => {
    const timer = setInterval(() => {
      frames++;
      listener('face', rig.camera);
    }, FRAME_EVERY_MS);
    return () => {
      clearInterval(timer);
    };
  };
  const workflow = new CheckinWorkflow(
    {
      fingerprint: sensorFingerprintPort(sensor.sensor, {
        subjectOf: (page) => (page === 1 ? PERSON : undefined),
        fingerTimeoutMs: 30_000,
      }),
      badge: { read: () => Promise.resolve({ kind: 'device-down' }) },
      face: {
        verify: (): Promise<FaceResult> =>
          rig.face === 'match' ? Promise.resolve({ kind: 'match', score: 0.31 }) : new Promise(() => undefined),
      },
      staff: new StaffConfirmations({ timeoutMs: LONG_SECONDS * 1000 }),
      screen,
      devices: { availability: () => rig.available },
      plans,
      log: {
        origin: KIOSK,
        store,
        append: (type, payload) => writer.append(type, payload),
        checkpoint: () => writer.checkpoint(),
      },
      presence: { finger: () => sensor.sensor.fingerPresent(), subscribe },
    },
    {
      centre: CENTRE,
      kiosk: KIOSK,
      mode: 'fingerprint-search',
      newAttemptId: () => `a-${++sessions}${Date.now().toString(36)}`,
      presence: { presenceMs: presenceSeconds * 1000, idleMs: idleSeconds * 1000, pollMs: FRAME_EVERY_MS },
    },
  );
  screen.attach(
    () => workflow.run(),
    () => ({ available: rig.available, window: plans.windowToday(CENTRE) }),
  );
  const web = await startWebServer({ kiosk: screen });
  return Object.assign(rig, {
    url: web.urls.kiosk ?? '',
    sensor,
    screen,
    frames: () => frames,
    entries,
    close: async () => {
      screen.close();
      await web.close();
      await close();
    },
  });
}
