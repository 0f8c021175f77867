// What a kiosk runtime test file needs around its kiosks: the real face worker with demo faces and an embedded
// broker, started once for the file and closed after it; a configuration file for kiosk centre-a/k1 on them (the
// test's own fields over the defaults); and person p-1 enrolled (finger on page 3, badge, face) with a study plan
// for the day.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { parseCheckinAttempt } from '../../core/records/checkin.ts';
import { FaceService } from '../../face/face-service.ts';
import { DEFAULT_MATCH_THRESHOLD } from '../../face/match.ts';
import { type DemoFace, type DemoFaces, defaultFaceCacheDir, prepareDemoFaces } from '../../main/demo/demo-faces.ts';
import type { EmulatedDevices } from '../../main/kiosk/emulated-devices.ts';
import type { KioskRuntime } from '../../main/kiosk/kiosk-runtime.ts';
import type { readLogRecords } from '../../main/kiosk/log-records.ts';
import { type EmbeddedBroker, startEmbeddedBroker } from '../../net/embedded-broker.ts';
import { planPayload } from '../checkin/support/log-builder.ts';

export interface KioskFixture {
  readonly face: FaceService;
  readonly faces: DemoFaces;
  readonly broker: EmbeddedBroker;
  /** Runs `step` after the current test, after the steps pushed later. */
  cleanup(step: () => Promise<void> | void): void;
  /** A fresh data directory, removed after the test. */
  tempDir(prefix: string): string;
  /**
   * Writes `dir`/kiosk.json for centre-a/k1 on the fixture's broker; each of `overrides`' fields replaces the
   * default of that name (`timeouts`: finger 2 s, badge 5 s) or adds one (`face`, `devices`). Returns its path.
   */
  configFile(dir: string, overrides: Readonly<Record<string, unknown>>): string;
}

/**
 * Registers the file's hooks: the face worker (with `needed` demo faces; 0 for a file that brings its own
 * photos) and the broker before all its tests.
 */
export function kioskFixture(needed: number): KioskFixture {
  let started: { face: FaceService; faces: DemoFaces | undefined; broker: EmbeddedBroker } | undefined;
  const steps: (() => Promise<void> | void)[] = [];
  beforeAll(async () => {
    const face = await FaceService.start();
    // The demo's own faces, chosen at the threshold the demo centre runs at (and cached under it for both).
    const faces =
      needed > 0
        ? await prepareDemoFaces(face, { needed, threshold: DEFAULT_MATCH_THRESHOLD, cacheDir: defaultFaceCacheDir() })
        : undefined;
    const broker = await startEmbeddedBroker({ port: 0, host: '127.0.0.1', alertPublishers: new Set(['hq']) });
    started = { face, faces, broker };
  }, 240_000);
  afterEach(async () => {
    for (const step of steps.splice(0).reverse()) await step();
  });
  afterAll(async () => {
    await started?.broker.close();
    await started?.face.close();
  });
  const running = () => {
    if (!started) throw new Error('the kiosk fixture is used before its beforeAll ran');
    return started;
  };
  const fixture: KioskFixture = {
    get face() {
      return running().face;
    },
    get faces() {
      const { faces } = running();
      if (!faces) throw new Error('this kiosk fixture prepared no demo faces (needed: 0)');
      return faces;
    },
    get broker() {
      return running().broker;
    },
    cleanup: (step) => {
      steps.push(step);
    },
    tempDir: (prefix) => {
      const dir = mkdtempSync(join(tmpdir(), prefix));
      fixture.cleanup(() => {
        rmSync(dir, { recursive: true, force: true });
      });
      return dir;
    },
    configFile: (dir, overrides) => {
      const file = join(dir, 'kiosk.json');
      const config = {
        centre: 'centre-a',
        kiosk: 'centre-a/k1',
        dataDir: 'data',
        broker: { url: running().broker.url },
        timeouts: { fingerMs: 2000, badgeMs: 5000 },
        ...overrides,
      };
      writeFileSync(file, JSON.stringify(config));
      return file;
    },
  };
  return fixture;
}

/** Person p-1 with a study plan from 2026-03-02, enrolled on page 3 with `finger`, `card` and the first demo face. */
export async function enrolPerson(
  runtime: KioskRuntime,
  emulated: EmulatedDevices,
  faces: DemoFaces,
  enrolment: { readonly finger: string; readonly card: string },
): Promise<DemoFace> {
  await runtime.append(
    'plan',
    planPayload({ subject: 'p-1', start: '2026-03-02', tasks: [{ id: 't-study', kind: 'study', module: 'm-1' }] }),
  );
  emulated.fingerprint.enrolDirect(enrolment.finger, 3);
  const [person] = faces.faces;
  if (!person) throw new Error('no demo face');
  await runtime.enrol({
    subject: 'p-1',
    page: 3,
    card: enrolment.card,
    name: 'Pat Example',
    descriptors: person.descriptors,
    photo: person.checkinFrame,
  });
  return person;
}

/** The log's check-in attempts as `method/outcome`, with ` fault` after a device fault's when `faults` is set. */
export function checkinAttempts(records: ReturnType<typeof readLogRecords>['records'], faults = false): string[] {
  return records
    .filter((r) => r.type === 'checkin-attempt')
    .map((r) => {
      const a = parseCheckinAttempt(r.payload);
      return `${a.method}/${a.outcome}${faults && a.fault !== undefined ? ` ${a.fault}` : ''}`;
    });
}
