// A running centre for the screens tests: an embedded MQTT broker, HQ (store, witness, fleet) with its web
// server, and one kiosk (its signed log replicating to HQ) whose check-in workflow runs on the real R30x
// driver against the fingerprint emulator; the kiosk's web server serves the kiosk and staff screens. Users
// sign in through the access layer. The clock is settable, so "later that day" needs no waiting.
// The face step answers from a script here (the face worker and camera emulator have their own suites);
// the badge reader is never asked on this path. The kiosk's calls for staff reach the staff screen.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Plan, ALL_DAYS, planPayload } from '../../../core/records/plan.ts';
import { parseDay } from '../../../core/time/civil-day.ts';
import { zonedInstant } from '../../../core/time/zoned-time.ts';
import { PersonalDataStore } from '../../../access/personal-data-store.ts';
import { UserStore } from '../../../access/user-store.ts';
import { Signer } from '../../../ledger/keys.ts';
import { type EmbeddedBroker, startEmbeddedBroker } from '../../../net/embedded-broker.ts';
import { HqService } from '../../../net/hq/hq-service.ts';
import { SqliteHqStore } from '../../../net/hq/sqlite-hq-store.ts';
import { KioskNode } from '../../../net/kiosk-node.ts';
import { topicId } from '../../../net/topics.ts';
import { CheckinWorkflow } from '../../../main/kiosk/checkin-workflow.ts';
import { sensorFingerprintPort } from '../../../main/kiosk/fingerprint-port.ts';
import { HqBackend } from '../../../main/web/hq-backend.ts';
import { KioskScreen } from '../../../main/web/kiosk-screen.ts';
import { StaffBackend } from '../../../main/web/staff-backend.ts';
import { StaffConfirmations } from '../../../main/web/staff-confirmations.ts';
import { type WebServer, startWebServer } from '../../../main/web/web-server.ts';
import { type R30xRig, mockR30xRig } from '../../drivers/support/r30x-rig.ts';

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'faces');
export const CENTRE = 'centre-01';
export const KIOSK = 'centre-01/kiosk-1';
export const ZONE = 'Asia/Shanghai';
export const DAY = '2026-06-01';
export const PASSWORD = 'correct horse battery staple';
/** p-0001 checks in at the kiosk; p-0002 never comes; p-0003 is excused by staff. */
export const PEOPLE = ['p-0001', 'p-0002', 'p-0003'] as const;

export interface CentreOptions {
  /** People with today's plan (default PEOPLE). */
  readonly people?: readonly string[];
  /** Names in the personal-data store, each with the same enrolment photo (default p-0002, 张伟). */
  readonly names?: Readonly<Record<string, string>>;
}

export function localTime(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return zonedInstant(parseDay(DAY) as number, h * 60 + m, ZONE);
}

export interface Centre {
  readonly kioskWeb: WebServer;
  readonly hqWeb: WebServer;
  readonly rig: R30xRig;
  readonly hq: HqService;
  readonly node: KioskNode;
  readonly screen: KioskScreen;
  readonly staff: StaffBackend;
  /** The kiosk's requests for staff: a camera-down confirmation waits on every staff screen. */
  readonly confirmations: StaffConfirmations;
  /** The kiosk's personal-data store (names, photos, face captures kept for review). */
  readonly personal: PersonalDataStore;
  now: number;
  /** Added to the wall clock of the user store: sessions age without waiting. */
  sessionSkewMs: number;
  close(): Promise<void>;
}

export async function startCentre(options: CentreOptions = {}): Promise<Centre> {
  const dir = mkdtempSync(join(tmpdir(), 'muster-screens-'));
  const stops: (() => Promise<void> | void)[] = [
    () => {
      rmSync(dir, { recursive: true, force: true });
    },
  ];
  const close = async (): Promise<void> => {
    for (const stop of stops.reverse()) await stop();
  };
  try {
    const state = { now: localTime('07:30'), sessionSkewMs: 0 };
    const clock = (): number => state.now;
    const passwords = new Map([KIOSK, 'hq'].map((id) => [topicId(id), randomBytes(12).toString('hex')]));
    const broker: EmbeddedBroker = await startEmbeddedBroker({
      port: 0,
      host: '127.0.0.1',
      users: passwords,
      alertPublishers: new Set(['hq']),
    });
    stops.push(() => broker.close());
    const signer = Signer.generate(KIOSK);
    const hqStore = SqliteHqStore.open(join(dir, 'hq.db'), {
      trustedKeys: new Map([[KIOSK, signer.verifier.publicKey]]),
      clock,
    });
    stops.push(() => hqStore.close());
    const hq = await HqService.start({
      store: hqStore,
      broker: { url: broker.url, username: 'hq', password: passwords.get('hq') ?? '' },
      witnessSigner: Signer.generate('hq'),
      clock,
      retryMs: 200,
      checkEveryMs: 3_600_000,
    });
    stops.push(() => hq.close());
    const node = await KioskNode.start({
      storePath: join(dir, 'kiosk.db'),
      signer,
      witnessSigner: Signer.generate(KIOSK),
      broker: { url: broker.url, username: topicId(KIOSK), password: passwords.get(topicId(KIOSK)) ?? '' },
      peers: [],
      clock,
      retryMs: 200,
    });
    stops.push(() => node.close());
    const plans = new Map<string, Plan>();
    for (const subject of options.people ?? PEOPLE) {
      const plan = planFor(subject, localTime('00:00') - 86_400_000);
      plans.set(subject, plan);
      await node.append('plan', planPayload(plan));
    }

    const rig = await mockR30xRig({}, 2000);
    stops.push(() => rig.close());
    rig.emulator.enrolDirect('p-0001-right-index', 1);
    const pages = new Map([[1, 'p-0001']]);
    // Read in English by these tests (the kiosk's own screen tests cover both languages).
    // Call staff and "see staff" reach the staff screen through the kiosk's staff requests.
    const confirmations = new StaffConfirmations({ clock });
    const screen = new KioskScreen({
      idleSeconds: 30,
      language: 'en',
      zone: ZONE,
      callStaff: (reference, reason) => {
        confirmations.call(reference, reason);
      },
    });
    // Identity aids: names and an enrolment photo in the personal-data store (reads leave access entries on the kiosk's log).
    const personal = PersonalDataStore.open(join(dir, 'personal-data.db'), {
      centreKey: randomBytes(32),
      log: { append: (type, payload) => node.append(type, payload) },
      clock,
    });
    stops.push(() => {
      personal.close();
    });
    const photo = new Uint8Array(readFileSync(join(FIXTURES, 'biden_1.jpg')));
    for (const [subject, name] of Object.entries(options.names ?? { 'p-0002': '张伟' }))
      personal.put(subject, CENTRE, { name, photo });
    const staff = new StaffBackend({
      centre: CENTRE,
      kiosk: KIOSK,
      store: node.writer.store,
      append: (type, payload) => node.append(type, payload),
      clock,
      zone: ZONE,
      personal,
      confirmations,
    });
    stops.push(() => {
      staff.close();
    });
    const workflow = new CheckinWorkflow(
      {
        fingerprint: sensorFingerprintPort(rig.sensor, {
          subjectOf: (page) => pages.get(page),
          fingerTimeoutMs: 10_000,
        }),
        badge: { read: () => Promise.resolve({ kind: 'timeout' }) },
        face: { verify: () => Promise.resolve({ kind: 'match', score: 0.31 }) },
        staff: { confirm: () => Promise.resolve({ kind: 'timeout' }) },
        screen,
        devices: { availability: () => ({ fingerprint: true, camera: true, badge: true }) },
        plans: { dueToday: (subject) => plans.get(subject)?.tasks ?? [] },
        log: {
          origin: KIOSK,
          store: node.writer.store,
          append: (type, payload) => node.append(type, payload),
          checkpoint: () => node.writer.checkpoint(),
        },
      },
      {
        centre: CENTRE,
        kiosk: KIOSK,
        mode: 'fingerprint-search',
        newAttemptId: () => `a-${randomBytes(4).toString('hex')}`,
      },
    );
    screen.attach(async () => {
      const outcome = await workflow.run();
      staff.changed();
      return outcome;
    });

    const users = UserStore.open(join(dir, 'users.db'), {
      scrypt: { logN: 10, r: 8, p: 1 },
      clock: () => Date.now() + state.sessionSkewMs,
    });
    stops.push(() => {
      users.close();
    });
    await users.add({ name: 'sam', role: 'staff', password: PASSWORD, centres: [CENTRE] });
    await users.add({ name: 'olga', role: 'officer', password: PASSWORD });
    await users.add({ name: 'pat', role: 'police', password: PASSWORD });
    const kioskWeb = await startWebServer({ kiosk: screen, staff, users });
    stops.push(() => kioskWeb.close());
    const hqWeb = await startWebServer({ hq: new HqBackend({ hq, clock }), users });
    stops.push(() => hqWeb.close());
    return {
      kioskWeb,
      hqWeb,
      rig,
      hq,
      node,
      screen,
      staff,
      confirmations,
      personal,
      get now() {
        return state.now;
      },
      set now(value: number) {
        state.now = value;
      },
      get sessionSkewMs() {
        return state.sessionSkewMs;
      },
      set sessionSkewMs(value: number) {
        state.sessionSkewMs = value;
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

function planFor(subject: string, effectiveFrom: number): Plan {
  const day = parseDay(DAY) as number;
  return {
    subject,
    effectiveFrom,
    start: day,
    end: null,
    zone: ZONE,
    centres: [CENTRE],
    days: ALL_DAYS,
    open: 8 * 60,
    close: 10 * 60,
    graceMinutes: 15,
    lateMinutes: 60,
    tasks: [{ id: 'study', kind: 'study', module: 'law-basics-3', days: 'reporting' }],
    staff: 'staff-07',
    reason: 'legal',
  };
}
