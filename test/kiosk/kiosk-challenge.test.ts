// The active face challenge on a serial camera: a kiosk configured with `face.challenge` asks the person to turn
// their head or to blink and takes a sequence of frames over the VC0706 protocol, here from the emulator on socat
// PTYs, opened by path like a real camera. The emulated camera serves a head turn (the person's frame, then the
// same frame mirrored: the other cheek towards the camera), a blink (the frame, then the same face with its eyes
// shut: the demo faces' `live` frames) or a still photo (one frame, the same every time). A still photo fails
// either challenge as liveness (a retry, then staff: a review, never a breach); a camera unplugged mid-sequence
// is a device fault (staff confirm), never the person failing.
import jpeg from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { computeBreaches } from '../../core/breach/engine.ts';
import type { GuidanceCode } from '../../core/checkin/guidance.ts';
import { type EmulatedDevices, ptyDevices } from '../../main/kiosk/emulated-devices.ts';
import type { ChallengeKind } from '../../face/challenge.ts';
import { CHALLENGE_FRAMES } from '../../main/kiosk/challenge-face-port.ts';
import { loadKioskConfig } from '../../main/kiosk/kiosk-config.ts';
import { KioskRuntime } from '../../main/kiosk/kiosk-runtime.ts';
import { readLogRecords } from '../../main/kiosk/log-records.ts';
import { at } from '../checkin/support/log-builder.ts';
import { mirror } from '../face/camera.ts';
import { checkinAttempts, enrolPerson, kioskFixture } from '../helpers/kiosk-fixture.ts';

const NY = 'America/New_York';
const FINGER = 'p-1 right index';
const TIMEOUT = { timeout: 120_000 };
const fixture = kioskFixture(1);

interface Seen {
  readonly guidance: GuidanceCode[];
  readonly prompts: GuidanceCode[];
  stills: number;
}

/** A kiosk on PTY emulators with the `kind` challenge; p-1 enrolled (finger, badge, face) with a plan for today. */
async function kiosk(kind: ChallengeKind, onStill?: (emulated: EmulatedDevices, n: number) => void) {
  const dir = fixture.tempDir('muster-challenge-');
  const emulated = await ptyDevices();
  fixture.cleanup(() => emulated.close());
  const file = fixture.configFile(dir, {
    face: { threshold: 0.55, challenge: kind },
    devices: emulated.devices,
  });
  const seen: Seen = { guidance: [], prompts: [], stills: 0 };
  const runtime = await KioskRuntime.start({
    config: loadKioskConfig(file),
    face: fixture.face,
    clock: () => at('2026-03-02 09:30', NY),
    screen: {
      guide: (g) => seen.guidance.push(g),
      prompt: (g) => seen.prompts.push(g),
      still: () => {
        seen.stills += 1;
        onStill?.(emulated, seen.stills);
      },
      tasks: (_subject, due) => Promise.resolve(due.map((t) => ({ task: t.id }))),
    },
    staff: { confirm: () => Promise.resolve({ kind: 'confirmed', staff: 'staff-3' }) },
    reopen: { initialMs: 60_000, maxMs: 60_000, jitter: 0 },
  });
  fixture.cleanup(() => runtime.close());
  const person = await enrolPerson(runtime, emulated, fixture.faces, { finger: FINGER, card: '0004711' });
  emulated.fingerprint.finger = { kind: 'finger', name: FINGER };
  const records = () => readLogRecords(runtime.ledger).records;
  const attempts = () => checkinAttempts(records());
  return { runtime, emulated, person, seen, records, attempts };
}

/** The person's frame turned the other way: the mirror image shows the other cheek (their yaw changes sign). */
function turned(frame: Uint8Array): Uint8Array {
  const { width, height, data } = jpeg.decode(frame, { useTArray: true, formatAsRGBA: true });
  return new Uint8Array(jpeg.encode(mirror({ width, height, data }), 88).data);
}

describe('the active face challenge on a serial camera (socat PTYs)', () => {
  it('checks in a person who turns their head while the camera takes its frames', TIMEOUT, async () => {
    const { runtime, emulated, person, seen, attempts } = await kiosk('turn-head');
    // Each frame the camera takes moves its live view on: straight, straight, turned, straight.
    emulated.camera.setFrames([person.checkinFrame, person.checkinFrame, turned(person.checkinFrame)]);
    const outcome = await runtime.checkIn();
    expect(outcome.ok).toBe(true);
    expect(attempts()).toEqual(['fingerprint/matched', 'face/matched']);
    expect(seen.prompts).toEqual(['face-turn']);
    expect(seen.stills).toBe(CHALLENGE_FRAMES);
  });

  it(
    'refers a still photo to staff as failed liveness: three tries, then a review, never a breach',
    TIMEOUT,
    async () => {
      const { runtime, emulated, person, seen, attempts, records } = await kiosk('turn-head');
      // The enrolled person's own photo held up to the camera: the right face, but the live view never moves on.
      emulated.camera.setFrames([person.checkinFrame, person.checkinFrame, turned(person.checkinFrame)]);
      emulated.camera.hold = true;
      const outcome = await runtime.checkIn();
      expect(outcome.ok).toBe(false);
      expect(attempts()).toEqual([
        'fingerprint/matched',
        'face/liveness-failed',
        'face/liveness-failed',
        'face/liveness-failed',
      ]);
      expect(seen.guidance).toEqual(['place-finger', 'look-at-camera', 'face-move', 'face-move', 'see-staff']);
      expect(seen.prompts).toEqual(['face-turn', 'face-turn', 'face-turn']);
      expect(records().some((r) => r.type === 'checkin')).toBe(false);
      const report = computeBreaches(records(), at('2026-03-02 23:00', NY));
      expect(report.breaches).toEqual([]);
      expect(report.reviews.map((r) => r.reason)).toContain('verification-failed');
    },
  );

  it('checks in a person who blinks while the camera takes its frames', TIMEOUT, async () => {
    const { runtime, emulated, person, seen, attempts } = await kiosk('blink');
    // Eyes open, then shut, round and round: any four frames in a row hold a blink between open eyes.
    emulated.camera.setFrames(person.live);
    const outcome = await runtime.checkIn();
    expect(outcome.ok).toBe(true);
    expect(attempts()).toEqual(['fingerprint/matched', 'face/matched']);
    expect(seen.prompts).toEqual(['face-blink']);
    expect(seen.stills).toBe(CHALLENGE_FRAMES);
  });

  it(
    'refers a still photo to staff when asked to blink: the eyes never shut, three tries, then a review',
    TIMEOUT,
    async () => {
      const { runtime, emulated, person, seen, attempts, records } = await kiosk('blink');
      emulated.camera.setFrames(person.live);
      emulated.camera.hold = true;
      const outcome = await runtime.checkIn();
      expect(outcome.ok).toBe(false);
      expect(attempts()).toEqual([
        'fingerprint/matched',
        'face/liveness-failed',
        'face/liveness-failed',
        'face/liveness-failed',
      ]);
      expect(seen.prompts).toEqual(['face-blink', 'face-blink', 'face-blink']);
      expect(records().some((r) => r.type === 'checkin')).toBe(false);
      expect(computeBreaches(records(), at('2026-03-02 23:00', NY)).breaches).toEqual([]);
    },
  );

  it(
    'a camera unplugged in the middle of the sequence is the device down: staff confirm the person',
    TIMEOUT,
    async () => {
      const { runtime, person, emulated, attempts } = await kiosk('turn-head', (devices, n) => {
        if (n === 1) devices.camera.unplug();
      });
      emulated.camera.setFrames([person.checkinFrame, person.checkinFrame, turned(person.checkinFrame)]);
      const outcome = await runtime.checkIn();
      expect(outcome.ok).toBe(true);
      expect(attempts()).toEqual(['fingerprint/matched', 'face/device-down', 'staff/matched']);
    },
  );

  it(
    'frames the camera sends corrupt are asked again (poor quality), never a mismatch or a crash',
    TIMEOUT,
    async () => {
      const { runtime, emulated, attempts, records } = await kiosk('turn-head');
      // JPEG markers around garbage: the driver takes it whole, the face worker cannot decode it.
      const corrupt = Uint8Array.from([0xff, 0xd8, 0xff, 0xdb, 0x00, 0x02, 0x13, 0x37, 0xff, 0xd9]);
      emulated.camera.setFrames([corrupt]);
      const outcome = await runtime.checkIn();
      expect(outcome.ok).toBe(false);
      expect(attempts()).toEqual([
        'fingerprint/matched',
        'face/poor-quality',
        'face/poor-quality',
        'face/poor-quality',
      ]);
      expect(computeBreaches(records(), at('2026-03-02 23:00', NY)).breaches).toEqual([]);
    },
  );
});
