// The face models load beside the kiosk's start (main/kiosk/kiosk-face.ts): the kiosk is ready, and takes a person
// at its fingerprint step, before they are in. A person who reaches the face step first is told the camera check
// is getting ready and waits; the check-in then completes. Models that fail to load are the face device down
// (staff confirm), never the person failing. Here the face service is handed to the kiosk only once the person
// waits at the face step, so the wait happens whatever the machine's speed; the service itself is the real worker.
import { describe, expect, it } from 'vitest';
import { deviceUsable } from '../../core/device-health.ts';
import { MusterError } from '../../core/errors.ts';
import type { GuidanceCode } from '../../core/checkin/guidance.ts';
import type { FaceService } from '../../face/face-service.ts';
import { inProcessDevices } from '../../main/kiosk/emulated-devices.ts';
import { loadKioskConfig } from '../../main/kiosk/kiosk-config.ts';
import { KioskRuntime } from '../../main/kiosk/kiosk-runtime.ts';
import { readLogRecords } from '../../main/kiosk/log-records.ts';
import { at } from '../checkin/support/log-builder.ts';
import { checkinAttempts, enrolPerson, kioskFixture } from '../helpers/kiosk-fixture.ts';

const NY = 'America/New_York';
const FINGER = 'p-1 right index';
const TIMEOUT = { timeout: 120_000 };
const fixture = kioskFixture(1);

interface Loading {
  readonly promise: Promise<FaceService>;
  resolve(service: FaceService): void;
  reject(error: Error): void;
}

function loading(): Loading {
  let resolve: (service: FaceService) => void = () => undefined;
  let reject: (error: Error) => void = () => undefined;
  const promise = new Promise<FaceService>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A kiosk whose face models are still loading; `onStarting` runs when the screen says the camera check is getting ready. */
async function kiosk(face: Loading, onStarting: () => void) {
  const dir = fixture.tempDir('muster-face-starting-');
  const emulated = inProcessDevices(`fs${Math.random().toString(36).slice(2)}`);
  fixture.cleanup(() => emulated.close());
  const file = fixture.configFile(dir, { face: { threshold: 0.55 }, devices: emulated.devices });
  const seen = { guidance: [] as GuidanceCode[], prompts: [] as GuidanceCode[] };
  const runtime = await KioskRuntime.start({
    config: loadKioskConfig(file),
    face: face.promise,
    clock: () => at('2026-03-02 09:30', NY),
    ...(emulated.inProcess ?? {}),
    screen: {
      guide: (g) => seen.guidance.push(g),
      prompt: (g) => {
        seen.prompts.push(g);
        if (g === 'face-starting') onStarting();
      },
      tasks: (_subject, due) => Promise.resolve(due.map((t) => ({ task: t.id }))),
    },
    staff: { confirm: () => Promise.resolve({ kind: 'confirmed', staff: 'staff-3' }) },
    reopen: { initialMs: 60_000, maxMs: 60_000, jitter: 0 },
  });
  fixture.cleanup(() => runtime.close());
  const person = await enrolPerson(runtime, emulated, fixture.faces, { finger: FINGER, card: '0004711' });
  emulated.camera.setFrames([person.checkinFrame]);
  emulated.fingerprint.finger = { kind: 'finger', name: FINGER };
  const attempts = (): string[] => checkinAttempts(readLogRecords(runtime.ledger).records, true);
  return { runtime, seen, attempts };
}

describe('a check-in that reaches the face step while the face models still load', () => {
  it('is ready before the models, waits at the face step saying so, then checks the person in', TIMEOUT, async () => {
    const face = loading();
    let engineAtWait: string[] = [];
    const { runtime, seen, attempts } = await kiosk(face, () => {
      engineAtWait = runtime.fleetDevices().map((d) => d.id);
      face.resolve(fixture.face);
    });
    // Ready for a check-in: every device usable, no face engine yet.
    expect(runtime.devices().every((d) => deviceUsable(d.state))).toBe(true);
    expect(runtime.fleetDevices().some((d) => d.id.startsWith('face/'))).toBe(false);
    const outcome = await runtime.checkIn();
    expect(outcome.ok).toBe(true);
    expect(engineAtWait.some((id) => id.startsWith('face/'))).toBe(false);
    expect(seen.prompts).toEqual(['face-starting', 'look-at-camera']);
    expect(attempts()).toEqual(['fingerprint/matched', 'face/matched']);
    expect(runtime.fleetDevices()).toContainEqual({
      id: `face/${fixture.face.health.backend}/${fixture.face.health.detector}`,
      state: 'ok',
    });
  });

  it('models that fail to load are the face device down: staff confirm the person', TIMEOUT, async () => {
    const face = loading();
    const { runtime, seen, attempts } = await kiosk(face, () => {
      face.reject(new MusterError('face-backend-unavailable', 'TensorFlow.js backend wasm did not start'));
    });
    const outcome = await runtime.checkIn();
    expect(outcome.ok).toBe(true);
    expect(seen.prompts).toEqual(['face-starting']);
    expect(attempts()).toEqual(['fingerprint/matched', 'face/device-down face-backend-unavailable', 'staff/matched']);
    expect(runtime.fleetDevices()).toContainEqual({ id: 'face', state: 'failing' });
  });
});
