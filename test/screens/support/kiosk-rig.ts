// One kiosk for the kiosk screen's browser tests: a real signed log in a temp dir with a plan for p-0001, the
// real plans port (tasks due, today's window), the real R30x driver against the fingerprint emulator (which can
// be unplugged), the real staff confirmations, and the kiosk screen served over HTTP. The face step and the
// badge reader answer from switches here (the face worker and the badge driver have their own suites), so a
// test can make the camera match, mismatch, hang or go down, and take a card.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { KioskLanguage } from '../../../core/api/kiosk-api.ts';
import type { DeviceAvailability, FaceResult } from '../../../core/checkin/checkin-machine.ts';
import type { Payload } from '../../../core/entry.ts';
import { MusterError } from '../../../core/errors.ts';
import { Signer } from '../../../ledger/keys.ts';
import { LogWriter } from '../../../ledger/log-writer.ts';
import { LedgerStore } from '../../../ledger/store.ts';
import { CheckinWorkflow } from '../../../main/kiosk/checkin-workflow.ts';
import { sensorFingerprintPort } from '../../../main/kiosk/fingerprint-port.ts';
import { readLogRecords } from '../../../main/kiosk/log-records.ts';
import { LogPlans } from '../../../main/kiosk/plans-port.ts';
import type { FacePort } from '../../../main/kiosk/ports.ts';
import { KioskScreen } from '../../../main/web/kiosk-screen.ts';
import { StaffConfirmations } from '../../../main/web/staff-confirmations.ts';
import { type WebServer, startWebServer } from '../../../main/web/web-server.ts';
import { t } from '../../../renderer/kiosk/kiosk-text.ts';
import { type R30xRig, mockR30xRig } from '../../drivers/support/r30x-rig.ts';
import { planPayload } from '../../checkin/support/log-builder.ts';
import { waitFor } from '../../helpers/wait-for.ts';

export const CENTRE = 'centre-01';
export const KIOSK = 'centre-01/kiosk-1';
export const ZONE = 'Asia/Shanghai';
export const PERSON = 'p-0001';
export const FINGER = 'p-0001-right-index';
export const CARD = '0004201337';
export const NAMES = {
  centre: { 'zh-CN': '东城区社区矫正中心', 'en': 'Dongcheng Community Corrections Centre' },
  tasks: {
    'law-basics-3': { 'zh-CN': '法律基础 第三课', 'en': 'Law basics, lesson 3' },
    'law-basics-4': { 'zh-CN': '法律基础 第四课', 'en': 'Law basics, lesson 4' },
    'community-garden': { 'zh-CN': '社区花园劳动', 'en': 'Community garden work' },
    'q-weekly': { 'zh-CN': '每周情况问卷', 'en': 'Weekly questionnaire' },
  },
} as const;
/** p-0001's plan: one study task, as most tests need it. */
export const ONE_TASK: readonly Payload[] = [{ id: 'study', kind: 'study', module: 'law-basics-3', days: 'daily' }];
/** A longer plan, one of each kind: the tasks screen must still fit its window. */
export const FOUR_TASKS: readonly Payload[] = [
  ...ONE_TASK,
  { id: 'study-2', kind: 'study', module: 'law-basics-4', days: 'daily' },
  { id: 'community-garden', kind: 'service', minutes: 120, days: 'daily' },
  { id: 'weekly', kind: 'questionnaire', questionnaire: 'q-weekly', flags: {}, days: 'daily' },
];
/** Short waits, so walking away takes seconds. */
export const WAIT = {
  fingerMs: 2500,
  badgeMs: 10_000,
  faceSeconds: 6,
  idleSeconds: 6,
  receiptSeconds: 3,
  noticeSeconds: 8,
  failureSeconds: 15,
} as const;
/** How long the card reader and staff wait, as configured: `KioskRig.waits`, each test may shorten them. */
export const STAFF_WAIT_MS = 60_000;

export interface DeviceWaits {
  badgeMs: number;
  staffMs: number;
}

/**
 * `mismatch-then-hang`: the first try is someone else's face, then the person stands still before the camera.
 * `challenge`: the face challenge asks for a head turn (main/kiosk/challenge-face-port.ts) and a still photo fails
 * it; on the next try the person is asked again and stands still. `starting`: the face models are still loading
 * (main/kiosk/kiosk-sessions.ts faceEngine), for as long as the test lets them.
 */
export type FaceMode = 'match' | 'mismatch-then-hang' | 'hang' | 'down' | 'challenge' | 'challenge-hang' | 'starting';

export interface KioskRig {
  readonly url: string;
  readonly sensor: R30xRig;
  readonly screen: KioskScreen;
  readonly staff: StaffConfirmations;
  face: FaceMode;
  /** The card reader's and staff's waits, read at each wait: a walk-away test shortens them for itself. */
  waits: DeviceWaits;
  /** A card tapped on the reader (taps count only while the kiosk waits for one). */
  tap(card: string): void;
  /** What the runtime's device registry would say; the start screen shows it. */
  available: DeviceAvailability;
  /** The log's checkin and checkin-attempt entries, as `type:outcome`. */
  entries(): string[];
  /** Check-in sessions started (attempt ids handed out). */
  sessions(): number;
  /**
   * Back to the start for the next test: the switches and waits as started, no finger, any session ended, and each
   * of `screens` showing the start with every device in (a device state still on its way would draw the start
   * screen over the next test's first step).
   */
  reset(screens: readonly Page[]): Promise<void>;
  close(): Promise<void>;
}

export interface KioskRigOptions {
  /** The kiosk configuration's `screen.voice` (tone and speech on each step). */
  readonly voice?: boolean;
  /** A real face port on the kiosk screen (its webcam), in place of the switches. */
  readonly face?: (screen: KioskScreen) => FacePort;
  /** p-0001's tasks (`ONE_TASK` unless given). */
  readonly tasks?: readonly Payload[];
  /** How long each try waits for a finger (`WAIT.fingerMs` unless given): a test may hold a retry on screen. */
  readonly fingerMs?: number;
  /** How long the tasks wait for a touch (`WAIT.idleSeconds` unless given): a test may look at them at length. */
  readonly idleSeconds?: number;
}

export async function startKioskRig(language: KioskLanguage, options: KioskRigOptions = {}): Promise<KioskRig> {
  const { store, writer, plans, sensor, entries, close } = await openKioskLog('muster-kiosk-screen-', options.tasks);
  const rig = {
    face: 'match' as FaceMode,
    available: { fingerprint: true, camera: true, badge: true },
    waits: { badgeMs: WAIT.badgeMs, staffMs: STAFF_WAIT_MS },
  };
  const staff = new StaffConfirmations({
    get timeoutMs() {
      return rig.waits.staffMs;
    },
  });
  const screen = new KioskScreen({
    language,
    zone: ZONE,
    centre: NAMES.centre,
    taskNames: NAMES.tasks,
    idleSeconds: options.idleSeconds ?? WAIT.idleSeconds,
    receiptSeconds: WAIT.receiptSeconds,
    noticeSeconds: WAIT.noticeSeconds,
    failureSeconds: WAIT.failureSeconds,
    waitSeconds: WAIT.faceSeconds,
    voice: options.voice ?? false,
    callStaff: (reference, reason) => {
      staff.call(reference, reason);
    },
  });
  let sessions = 0;
  let reader: ((card: string) => void) | undefined;
  const face = (): Promise<FaceResult> => {
    switch (rig.face) {
      case 'match':
        return Promise.resolve({ kind: 'match', score: 0.31 });
      case 'mismatch-then-hang':
        rig.face = 'hang';
        return Promise.resolve({ kind: 'mismatch', score: 0.71 });
      case 'hang':
        return new Promise<FaceResult>(() => undefined);
      case 'challenge':
        screen.prompt('face-turn');
        rig.face = 'challenge-hang';
        return Promise.resolve({ kind: 'liveness-failed' });
      case 'challenge-hang':
        screen.prompt('face-turn');
        return new Promise<FaceResult>(() => undefined);
      case 'starting':
        screen.prompt('face-starting');
        return new Promise<FaceResult>(() => undefined);
      case 'down':
        return Promise.reject(new MusterError('camera.timeout', 'the camera does not answer'));
    }
  };
  const workflow = new CheckinWorkflow(
    {
      fingerprint: sensorFingerprintPort(sensor.sensor, {
        subjectOf: (page) => (page === 1 ? PERSON : undefined),
        fingerTimeoutMs: options.fingerMs ?? WAIT.fingerMs,
      }),
      badge: {
        read: () =>
          new Promise((resolve) => {
            const timer = setTimeout(() => {
              reader = undefined;
              resolve({ kind: 'timeout' });
            }, rig.waits.badgeMs);
            reader = (card) => {
              clearTimeout(timer);
              reader = undefined;
              resolve(card === CARD ? { kind: 'known', subject: PERSON } : { kind: 'unknown-badge' });
            };
          }),
        get waitMs() {
          return rig.waits.badgeMs;
        },
      },
      face: options.face ? options.face(screen) : { verify: face },
      staff,
      screen,
      devices: { availability: () => rig.available },
      plans,
      log: {
        origin: KIOSK,
        store,
        append: (type, payload) => writer.append(type, payload),
        checkpoint: () => writer.checkpoint(),
      },
    },
    {
      centre: CENTRE,
      kiosk: KIOSK,
      mode: 'fingerprint-search',
      newAttemptId: () => `a-${++sessions}${Date.now().toString(36)}`,
    },
  );
  screen.attach(
    () => workflow.run(),
    () => ({ available: rig.available, window: plans.windowToday(CENTRE) }),
  );
  const web: WebServer = await startWebServer({ kiosk: screen });
  return Object.assign(rig, {
    url: web.urls.kiosk ?? '',
    sensor,
    screen,
    staff,
    tap: (card: string) => {
      reader?.(card);
    },
    entries,
    sessions: () => sessions,
    reset: async (screens: readonly Page[]) => {
      rig.face = 'match';
      rig.available = { fingerprint: true, camera: true, badge: true };
      rig.waits = { badgeMs: WAIT.badgeMs, staffMs: STAFF_WAIT_MS };
      sensor.place({ kind: 'none' });
      const handlers = screen.handlers as Record<string, (params: unknown) => unknown>;
      await waitFor(() => {
        const { phase, kiosk } = screen.current();
        const { fingerprint, camera, badge } = kiosk.available;
        if (phase === 'idle' && fingerprint && camera && badge) return true;
        // A reset at the start publishes it again with the devices now in, not at the next 2 s refresh.
        handlers['kiosk.cancel']?.({ staff: false });
        handlers['kiosk.reset']?.({});
        return false;
      }, 'the kiosk back at the start with every device in');
      for (const page of screens) {
        await page.locator('.notice, .out-of-service').waitFor({ state: 'detached' });
        await page.getByRole('button', { name: t(language, 'start') }).waitFor();
      }
    },
    close: async () => {
      screen.close();
      await web.close();
      await close();
    },
  });
}

export interface KioskLog {
  readonly store: LedgerStore;
  readonly writer: LogWriter;
  readonly plans: LogPlans;
  readonly sensor: R30xRig;
  /** The log's checkin and checkin-attempt entries, as `type:outcome`. */
  readonly entries: () => string[];
  /** The sensor, the store and the temp dir: after the screen and web server are closed. */
  readonly close: () => Promise<void>;
}

/**
 * What every kiosk rig stands on: a signed log in a temp dir (named from `prefix`) holding p-0001's plan with
 * `tasks`, the plans port over it, and the R30x sensor against its emulator with p-0001's finger enrolled.
 */
export async function openKioskLog(prefix: string, tasks: readonly Payload[] = ONE_TASK): Promise<KioskLog> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const store = LedgerStore.open(join(dir, 'kiosk.db'), { create: true });
  const writer = LogWriter.init(store, KIOSK, Signer.generate(KIOSK), Date.now);
  await writer.append(
    'plan',
    planPayload({
      subject: PERSON,
      start: '2026-01-01',
      zone: ZONE,
      centres: [CENTRE],
      open: '08:00',
      close: '10:00',
      tasks,
    }),
  );
  const sensor = await mockR30xRig({}, 2000);
  sensor.emulator.enrolDirect(FINGER, 1);
  return {
    store,
    writer,
    plans: new LogPlans(store, Date.now),
    sensor,
    entries: () =>
      readLogRecords(store)
        .records.filter((r) => r.type === 'checkin' || r.type === 'checkin-attempt')
        .map((r) => `${r.type}:${(r.payload as { outcome?: string }).outcome ?? ''}`),
    close: async () => {
      await sensor.close();
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
