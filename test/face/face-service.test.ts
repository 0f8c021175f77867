// The face pipeline end to end on the wasm backend, in its worker: matching on the shared development
// faces, robustness to camera-like changes, the quality gate on real frames, bad input, enrolment.
// Inputs are 640x480 kiosk frames made from the photos, so each analysis costs what a kiosk frame costs.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaceObservation } from '../../face/analysis.ts';
import { type Capture, capture } from '../../face/capture.ts';
import { runChallenge } from '../../face/active-challenge.ts';
import { type CheckinState, type Effect, MAX_TRIES, step } from '../../core/checkin/checkin-machine.ts';
import { faceResult } from '../../main/kiosk/face-port.ts';
import { enrol } from '../../face/enrolment.ts';
import { FaceService } from '../../face/face-service.ts';
import { DEFAULT_MATCH_THRESHOLD, decide, descriptorDistance, templateDistance } from '../../face/match.ts';
import { type FaceTemplate, openTemplate, sealTemplate } from '../../face/template.ts';
import type { RgbaFrame } from '../../face/frame.ts';
import { verifyLive } from '../../face/live-verification.ts';
import { verifyCapture } from '../../face/verification.ts';
import { CAMERA_VARIANTS, FACES_DIR, blur, brightness, decode, encode, kioskFrame, mirror, rotate } from './camera.ts';
import { labelledPhotos } from './pair-set.ts';
import { printedPhoto, screenReplay } from './spoof.ts';

let service: FaceService;
const photos = labelledPhotos().map(({ file, person }) => ({
  file,
  person,
  frame: decode(readFileSync(new URL(file, FACES_DIR))),
}));
const faces = new Map<string, FaceObservation>();

function jpeg(bytes: Uint8Array): { kind: 'jpeg'; bytes: Uint8Array } {
  return { kind: 'jpeg', bytes };
}

function usable(c: Capture): FaceObservation {
  if (c.kind !== 'usable') throw new Error(`expected a usable capture, got ${c.reason}: ${c.detail}`);
  return c.face;
}

function photo(file: string): (typeof photos)[number] {
  const found = photos.find((p) => p.file === file);
  if (!found) throw new Error(`no photo ${file}`);
  return found;
}

function face(file: string): FaceObservation {
  const found = faces.get(file);
  if (!found) throw new Error(`no face for ${file}`);
  return found;
}

// Many frames per test through one worker: seconds alone, far more on a loaded machine.
const MANY_FRAMES = { timeout: 180_000 };

beforeAll(async () => {
  service = await FaceService.start({ backend: 'wasm' });
  for (const p of photos) faces.set(p.file, usable(await capture(service, jpeg(encode(kioskFrame(p.frame))))));
}, 300_000);

afterAll(async () => {
  await service.close();
});

describe('face service on the wasm backend', MANY_FRAMES, () => {
  it('reports the backend it chose and the models it loaded', () => {
    expect(service.health.backend).toBe('wasm');
    expect(service.health.detector).toBe('blazeface');
    expect(service.health.models).toEqual(
      expect.arrayContaining([
        'human blazeface (256 px)',
        'face-api face_recognition (128-d)',
        'human antispoof',
        'human liveness',
        'human iris (eyelids)',
      ]),
    );
  });

  it('matches every genuine pair and no impostor pair of the shared faces', () => {
    const wrong: string[] = [];
    for (let i = 0; i < photos.length; i++) {
      for (let j = i + 1; j < photos.length; j++) {
        const a = photos[i] as (typeof photos)[number];
        const b = photos[j] as (typeof photos)[number];
        const distance = descriptorDistance(face(a.file).descriptor, face(b.file).descriptor);
        const expected = a.person === b.person ? 'match' : 'no-match';
        if (decide(distance, DEFAULT_MATCH_THRESHOLD).decision !== expected)
          wrong.push(`${a.file} ${b.file} ${distance.toFixed(3)}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  // Each person's second photo through the camera-like changes, checked as a kiosk checks a face: against a
  // template enrolled from three captures of the first photo. The safety property: the same person is a match or,
  // where the default threshold (set so that no impostor try of the face-frr bench passes: face/match.ts) is
  // stricter than the distance, a mismatch that the kiosk asks again and then sends to staff, never a breach.
  // Measured: kit_harington_2, a dim photo, darkened or brightened lies 0.554-0.557 from his template, under
  // face-api's 0.6 (one photo against the other, as `muster face verify` compares them, 0.562-0.564). Liveness
  // is not judged here (limits 0): its refusals have their own tests (liveness-limits.test.ts).
  const pairs = ['biden', 'kit_harington', 'obama'].flatMap((person) =>
    ['dark', 'bright', 'far', 'blur', 'jpeg-q25', 'noisy'].map((variant) => [person, variant] as const),
  );
  const allDevices = { fingerprint: true, camera: true, badge: true };
  const noLivenessLimits = { minAntispoof: 0, minLiveness: 0 };
  const beyondThreshold = new Set(['kit_harington dark', 'kit_harington bright']);
  const templates = new Map<string, Promise<FaceTemplate>>();
  const templateOf = (person: string): Promise<FaceTemplate> => {
    let template = templates.get(person);
    if (!template) {
      const first = photo(`${person}_1.jpg`).frame;
      const inputs = (['kiosk', 'bright', 'mirrored'] as const).map((v) =>
        jpeg((CAMERA_VARIANTS[v] as (f: RgbaFrame) => Uint8Array)(first)),
      );
      template = enrol(service, person, inputs, DEFAULT_MATCH_THRESHOLD).then((e) => e.template);
      templates.set(person, template);
    }
    return template;
  };
  it.each(pairs)(
    '%s under the %s camera change: a match, or asked again and then sent to staff',
    async (person, variant) => {
      const make = CAMERA_VARIANTS[variant];
      if (!make) throw new Error(variant);
      const verdict = verifyCapture(
        await templateOf(person),
        await capture(service, jpeg(make(photo(`${person}_2.jpg`).frame))),
        DEFAULT_MATCH_THRESHOLD,
        noLivenessLimits,
      );
      if (!beyondThreshold.has(`${person} ${variant}`)) {
        expect(verdict.outcome).toBe('match');
        return;
      }
      if (verdict.outcome !== 'no-match') throw new Error(`expected a mismatch, got ${verdict.outcome}`);
      expect(verdict.match.distance).toBeLessThan(0.6);
      // What the kiosk makes of it (face-port.ts, checkin-machine.ts): "try 2 of 3", "try 3 of 3", then see staff.
      let state: CheckinState = {
        kind: 'face',
        identity: { subject: 'p-1', methods: ['fingerprint'] },
        tries: 0,
        devices: allDevices,
      };
      const effects: Effect[] = [];
      for (let i = 0; i < MAX_TRIES; i++) {
        const next = step(state, { type: 'face', result: faceResult(verdict) });
        state = next.state;
        effects.push(...next.effects);
      }
      expect(state).toEqual({ kind: 'failed', guidance: 'see-staff' });
      expect(effects.filter((e) => e.kind === 'guide')).toEqual([
        { kind: 'guide', guidance: 'face-again', try: 2 },
        { kind: 'guide', guidance: 'face-again', try: 3 },
        { kind: 'guide', guidance: 'see-staff' },
      ]);
      expect(effects.flatMap((e) => (e.kind === 'log-attempt' ? [e.attempt.outcome] : []))).toEqual([
        'mismatch',
        'mismatch',
        'mismatch',
      ]);
      expect(effects.filter((e) => e.kind === 'record-checkin')).toEqual([]);
    },
  );

  it.each<[string, () => Uint8Array, string]>([
    [
      'an empty grey frame',
      () => encode({ width: 640, height: 480, data: new Uint8Array(640 * 480 * 4).fill(128) }),
      'no-face',
    ],
    [
      'a group photo',
      () => encode(kioskFrame(decode(readFileSync(new URL('group_obama_biden.jpg', FACES_DIR))))),
      'several-faces',
    ],
    ['an out-of-focus face', () => encode(blur(kioskFrame(photo('obama_1.jpg').frame), 4)), 'blurry'],
    ['a face in the dark', () => encode(brightness(kioskFrame(photo('obama_1.jpg').frame), 0.3)), 'too-dark'],
    ['a face in glare', () => encode(brightness(kioskFrame(photo('biden_2.jpg').frame), 2.6)), 'too-bright'],
    ['a tilted head', () => encode(rotate(kioskFrame(photo('obama_1.jpg').frame), 35)), 'not-frontal'],
  ])('turns %s away with guidance, not a mismatch', async (_name, make, reason) => {
    const result = await capture(service, jpeg(make()));
    expect(result).toMatchObject({ kind: 'unusable', reason });
    if (result.kind === 'unusable') expect(result.guidance).toMatch(/\w/);
  });

  it.each<[string, () => Uint8Array, string]>([
    ['text', () => new TextEncoder().encode('not a picture'), 'not-an-image'],
    ['a truncated JPEG', () => readFileSync(new URL('obama_1.jpg', FACES_DIR)).subarray(0, 30_000), 'not-an-image'],
    [
      'a 50 MP JPEG header',
      () =>
        new Uint8Array([
          0xff, 0xd8, 0xff, 0xc0, 0, 17, 8, 0x16, 0x8d, 0x21, 0xd4, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1, 0xff, 0xd9,
        ]),
      'image-too-large',
    ],
  ])('answers %s with a clear result and keeps working', async (_name, make, reason) => {
    expect(await capture(service, jpeg(make()))).toMatchObject({ kind: 'unusable', reason });
  });

  it('finds the face of a person standing further back: a usable face or "come closer", never "no face"', async () => {
    // Half the frame height: faces 60-90 px wide, where face-api's TinyFaceDetector missed about half.
    const reasons: string[] = [];
    for (const p of photos) {
      const result = await capture(service, { kind: 'rgba', frame: kioskFrame(p.frame, 0.5) });
      reasons.push(result.kind === 'usable' ? 'usable' : result.reason);
    }
    expect(reasons.filter((r) => r !== 'usable' && r !== 'face-too-small')).toEqual([]);
    expect(reasons.filter((r) => r === 'usable').length).toBeGreaterThan(photos.length / 2);
  });

  it('keeps working after a JPEG whose image data is garbage', async () => {
    const bytes = new Uint8Array(readFileSync(new URL('obama_1.jpg', FACES_DIR)));
    bytes.fill(0xff, 2000, 2100);
    const result = await capture(service, jpeg(bytes));
    expect(['usable', 'unusable']).toContain(result.kind);
    expect(usable(await capture(service, jpeg(encode(kioskFrame(photo('obama_2.jpg').frame)))))).toBeDefined();
  });

  it('takes raw RGBA webcam frames like JPEG frames', async () => {
    const frame = kioskFrame(photo('obama_2.jpg').frame);
    const probe = usable(await capture(service, { kind: 'rgba', frame }));
    expect(
      decide(descriptorDistance(face('obama_1.jpg').descriptor, probe.descriptor), DEFAULT_MATCH_THRESHOLD).decision,
    ).toBe('match');
  });

  it('runs inference off the event loop', async () => {
    // The main thread keeps turning its event loop while a frame is analysed.
    const state = { ticks: 0, done: false };
    const pending = service.analyze(jpeg(encode(kioskFrame(photo('biden_2.jpg').frame)))).finally(() => {
      state.done = true;
    });
    const spin = async (): Promise<void> => {
      while (!state.done) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        state.ticks++;
      }
    };
    await Promise.all([pending, spin()]);
    expect(state.ticks).toBeGreaterThan(1);
  });

  it('refuses frames beyond its queue rather than hoarding them', async () => {
    const blank = { kind: 'rgba' as const, frame: { width: 64, height: 48, data: new Uint8Array(64 * 48 * 4) } };
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => service.analyze(blank)));
    const busy = results.filter((r) => r.status === 'rejected' && (r.reason as { code?: string }).code === 'face-busy');
    expect(busy).toHaveLength(2);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(4);
  });
});

describe('enrolment and 1:1 verification against a template', MANY_FRAMES, () => {
  const key = new Uint8Array(32).fill(3);

  it('enrols from three captures and verifies the same person, not another', async () => {
    const obama = photo('obama_1.jpg').frame;
    const inputs = (['kiosk', 'bright', 'mirrored'] as const).map((v) =>
      jpeg((CAMERA_VARIANTS[v] as (f: typeof obama) => Uint8Array)(obama)),
    );
    const { template, captures } = await enrol(service, 'P-7', inputs, DEFAULT_MATCH_THRESHOLD);
    expect(captures.every((c) => c.kind === 'usable')).toBe(true);
    const reopened = openTemplate(sealTemplate(template, key), key);
    const probe = await capture(service, jpeg(encode(kioskFrame(photo('obama_2.jpg').frame))));
    expect(verifyCapture(reopened, probe, DEFAULT_MATCH_THRESHOLD)).toMatchObject({
      outcome: 'match',
      match: { threshold: DEFAULT_MATCH_THRESHOLD },
    });
    const blank = await capture(service, {
      kind: 'rgba',
      frame: { width: 640, height: 480, data: new Uint8Array(640 * 480 * 4) },
    });
    expect(verifyCapture(reopened, blank, DEFAULT_MATCH_THRESHOLD)).toMatchObject({
      outcome: 'retry',
      reason: 'no-face',
    });
    expect(
      decide(templateDistance(reopened.descriptors, face('obama_2.jpg').descriptor), DEFAULT_MATCH_THRESHOLD).decision,
    ).toBe('match');
    expect(
      decide(templateDistance(reopened.descriptors, face('biden_2.jpg').descriptor), DEFAULT_MATCH_THRESHOLD).decision,
    ).toBe('no-match');
  });

  it('refuses to enrol captures of two different people, or too few usable ones', async () => {
    const mixed = ['obama_1.jpg', 'obama_2.jpg', 'biden_2.jpg'].map((f) => jpeg(encode(kioskFrame(photo(f).frame))));
    await expect(enrol(service, 'P-8', mixed, DEFAULT_MATCH_THRESHOLD)).rejects.toMatchObject({
      code: 'enrolment-inconsistent',
    });
    const poor = [
      jpeg(encode(kioskFrame(photo('obama_1.jpg').frame))),
      jpeg(new Uint8Array([1, 2, 3])),
      jpeg(new Uint8Array([4])),
    ];
    await expect(enrol(service, 'P-9', poor, DEFAULT_MATCH_THRESHOLD)).rejects.toMatchObject({
      code: 'enrolment-too-few-captures',
    });
  });
});

describe('a photo or a screen held up to the camera', MANY_FRAMES, () => {
  const obama = (): Uint8Array[] =>
    (['kiosk', 'bright', 'mirrored'] as const).map((v) =>
      (CAMERA_VARIANTS[v] as (f: RgbaFrame) => Uint8Array)(photo('obama_1.jpg').frame),
    );

  it.each([
    ['a phone screen showing the enrolled face', () => screenReplay(photo('obama_2.jpg').frame)],
    ['a printed photo of the enrolled face', () => printedPhoto(photo('obama_2.jpg').frame)],
  ])('refers %s to staff or asks again: never a match, never a crash', async (_name, make) => {
    const { template } = await enrol(service, 'P-10', obama().map(jpeg), DEFAULT_MATCH_THRESHOLD);
    const attack = { kind: 'rgba' as const, frame: make() };
    const single = verifyCapture(template, await capture(service, attack), DEFAULT_MATCH_THRESHOLD);
    // One frame alone may pass for a face: the anti-spoof scores overlap (ARCHITECTURE.md). Its result is typed.
    expect(['match', 'no-match', 'spoof-suspected', 'retry']).toContain(single.outcome);
    const live = await verifyLive(service, template, 'blink', [attack, attack, attack], DEFAULT_MATCH_THRESHOLD);
    expect(['spoof-suspected', 'retry']).toContain(live.verification.outcome);
    expect(live.challenge.passed).toBe(false);
  });

  it('accepts the enrolled person who does the challenge', async () => {
    const { template } = await enrol(service, 'P-11', obama().map(jpeg), DEFAULT_MATCH_THRESHOLD);
    const straight = kioskFrame(photo('obama_2.jpg').frame);
    const frames = [straight, straight, mirror(straight)].map((frame) => ({ kind: 'rgba' as const, frame }));
    const live = await verifyLive(service, template, 'turn-head', frames, DEFAULT_MATCH_THRESHOLD);
    expect(live).toMatchObject({ verification: { outcome: 'match' }, challenge: { passed: true } });
  });
});

describe('active liveness challenge on camera frames', MANY_FRAMES, () => {
  it('sees a head turn across frames, and none in a still photo', async () => {
    const straight = kioskFrame(photo('obama_2.jpg').frame);
    const frames = (list: (typeof straight)[]) => list.map((frame) => ({ kind: 'rgba' as const, frame }));
    expect(
      await runChallenge(service, 'turn-head', frames([straight, straight, mirror(straight)]), DEFAULT_MATCH_THRESHOLD),
    ).toMatchObject({ passed: true });
    expect(
      await runChallenge(service, 'turn-head', frames([straight, straight, straight]), DEFAULT_MATCH_THRESHOLD),
    ).toMatchObject({
      passed: false,
      reason: 'no-head-turn',
    });
  });
});
