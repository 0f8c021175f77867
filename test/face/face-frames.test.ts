// A face try over several camera frames (face/verification.ts verifyFrames, main/kiosk/face-port.ts): each
// frame against every enrolled capture, the first match ends the try, otherwise the closest mismatch or a
// retry stands. Through the real face worker on frames made from the development faces; the camera is a queue
// of JPEGs (the VC0706 and webcam both hand the port one JPEG per call).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Capture, capture } from '../../face/capture.ts';
import { enrol } from '../../face/enrolment.ts';
import { FaceService } from '../../face/face-service.ts';
import { DEFAULT_MATCH_THRESHOLD } from '../../face/match.ts';
import type { FaceTemplate } from '../../face/template.ts';
import { verifyFrames } from '../../face/verification.ts';
import { cameraFacePort } from '../../main/kiosk/face-port.ts';
import { CAMERA_VARIANTS, FACES_DIR, brightness, decode, encode, kioskFrame, queueCamera } from './camera.ts';
import { NO_FACE, at, usableCapture } from './observations.ts';

let service: FaceService;
let template: FaceTemplate;
const photo = (file: string): ReturnType<typeof decode> => decode(readFileSync(new URL(file, FACES_DIR)));
const black = encode({ width: 640, height: 480, data: new Uint8Array(640 * 480 * 4).fill(0) });

function port(
  frames: readonly Uint8Array[],
  subjects: Readonly<Record<string, FaceTemplate>> = { 'p-1': template },
): {
  camera: ReturnType<typeof queueCamera>;
  shown: Uint8Array[];
  verify: (s: string) => ReturnType<ReturnType<typeof cameraFacePort>['verify']>;
} {
  const camera = queueCamera(frames);
  const shown: Uint8Array[] = [];
  const facePort = cameraFacePort({
    camera,
    service,
    template: (s) => subjects[s],
    threshold: DEFAULT_MATCH_THRESHOLD,
    frames: 3,
    onFrame: (f) => shown.push(f),
  });
  return { camera, shown, verify: (s) => facePort.verify(s) };
}

beforeAll(async () => {
  service = await FaceService.start({ backend: 'wasm' });
  const obama = photo('obama_1.jpg');
  const inputs = (['kiosk', 'bright', 'far'] as const).map((v) => ({
    kind: 'jpeg' as const,
    bytes: (CAMERA_VARIANTS[v] as (f: typeof obama) => Uint8Array)(obama),
  }));
  template = (await enrol(service, 'p-1', inputs, DEFAULT_MATCH_THRESHOLD)).template;
}, 300_000);

afterAll(async () => {
  await service.close();
});

describe('a face try over several frames, against every enrolled capture', { timeout: 180_000 }, () => {
  it('looks again after a frame with no face and matches on the next, taking no more frames than it needed', async () => {
    const frames = [black, encode(kioskFrame(photo('obama_2.jpg')))];
    const { camera, shown, verify } = port(frames);
    const result = await verify('p-1');
    expect(result).toMatchObject({ kind: 'match' });
    expect(camera.taken).toBe(2);
    // Each frame went to the screen as the camera gave it (the person sees what the camera sees).
    expect(shown).toEqual(frames);
  });

  it('stops at the first matching frame', async () => {
    const frame = encode(kioskFrame(photo('obama_3.jpg')));
    const { camera, verify } = port([frame, frame, frame]);
    expect(await verify('p-1')).toMatchObject({ kind: 'match' });
    expect(camera.taken).toBe(1);
  });

  it("rejects another person's face after every frame, with the closest distance seen", async () => {
    const biden = photo('biden_1.jpg');
    const frames = [
      encode(kioskFrame(biden)),
      encode(brightness(kioskFrame(biden), 0.7)),
      encode(kioskFrame(photo('biden_2.jpg'))),
    ];
    const { camera, verify } = port(frames);
    const result = await verify('p-1');
    expect(result.kind).toBe('mismatch');
    expect(camera.taken).toBe(3);
    // The score on the log is the closest of the three frames, each against every capture.
    const scores: number[] = [];
    for (const bytes of frames) {
      const single = await verifyFrames(template, () => captureOf(bytes), 1, DEFAULT_MATCH_THRESHOLD);
      if (single.outcome !== 'no-match') throw new Error(`expected a mismatch, got ${single.outcome}`);
      scores.push(single.match.distance);
    }
    expect(result).toMatchObject({ score: Math.round(Math.min(...scores) * 1000) / 1000 });
  });

  it('is a retry (never a mismatch) when no frame shows a usable face', async () => {
    const { camera, verify } = port([black, black, black]);
    expect(await verify('p-1')).toEqual({ kind: 'poor-quality' });
    expect(camera.taken).toBe(3);
  });

  it('is the camera path being unusable, not the person failing, when no template is enrolled', async () => {
    const { camera, verify } = port([black], {});
    expect(await verify('p-1')).toEqual({ kind: 'device-down' });
    expect(camera.taken).toBe(0);
  });

  it('throws on a camera fault so the workflow logs the device as down', async () => {
    const { verify } = port([]);
    await expect(verify('p-1')).rejects.toThrow('camera asked for more frames');
  });

  it('refuses a frame count that is not a whole number of at least one', async () => {
    await expect(verifyFrames(template, () => captureOf(black), 0, DEFAULT_MATCH_THRESHOLD)).rejects.toThrow(TypeError);
    await expect(verifyFrames(template, () => captureOf(black), 1.5, DEFAULT_MATCH_THRESHOLD)).rejects.toThrow(
      TypeError,
    );
  });
});

describe('which frame decides', () => {
  const enrolled: FaceTemplate = {
    subjectId: 's',
    descriptors: [at(0), at(0), at(0)],
    salt: new Uint8Array(32),
    createdAt: '2026-01-01T00:00:00.000Z',
  };
  const usable = (x: number, liveness?: number, marginal?: 'face-too-small'): Capture => ({
    ...usableCapture(at(x), liveness),
    ...(marginal ? { marginal } : {}),
  });
  const small = (x: number, liveness?: number): Capture => usable(x, liveness, 'face-too-small');
  const unusable = NO_FACE;
  const run = (captures: readonly Capture[]): ReturnType<typeof verifyFrames> => {
    let next = 0;
    return verifyFrames(enrolled, () => Promise.resolve(captures[next++] ?? unusable), 3, 0.5);
  };

  it('keeps the closest mismatch, not the first or the last', async () => {
    expect(await run([usable(0.75), usable(0.625), usable(0.875)])).toMatchObject({
      outcome: 'no-match',
      match: { distance: 0.625 },
      frames: 3,
    });
  });

  it('prefers a mismatch on a usable frame to a retry, whatever the order', async () => {
    expect(await run([unusable, usable(0.7), unusable])).toMatchObject({ outcome: 'no-match', frames: 3 });
    expect(await run([usable(0.7), unusable, unusable])).toMatchObject({ outcome: 'no-match', frames: 3 });
  });

  it('ends the try at a spoof-suspected frame, a referral to staff, even if a later frame would match', async () => {
    expect(await run([usable(0.7), usable(0.1, 0.1), usable(0.1)])).toMatchObject({
      outcome: 'spoof-suspected',
      frames: 2,
    });
  });

  it('lets a small (marginal) face confirm a person but never reject one: its mismatch is "come closer"', async () => {
    expect(await run([small(0.25)])).toMatchObject({ outcome: 'match', frames: 1 });
    expect(await run([small(0.75), small(0.625), unusable])).toMatchObject({
      outcome: 'retry',
      reason: 'face-too-small',
      frames: 3,
    });
    // A full-size face's mismatch still stands beside a small face's.
    expect(await run([small(0.625), usable(0.75), unusable])).toMatchObject({
      outcome: 'no-match',
      match: { distance: 0.75 },
    });
    // A small face is still checked for liveness: a spoof-suspected small frame refers to staff.
    expect(await run([small(0.1, 0.1)])).toMatchObject({
      outcome: 'spoof-suspected',
    });
  });

  it('matches on the first frame within the threshold', async () => {
    expect(await run([usable(0.875), usable(0.25), usable(0.125)])).toMatchObject({
      outcome: 'match',
      match: { distance: 0.25 },
      frames: 2,
    });
  });
});

function captureOf(bytes: Uint8Array): Promise<Capture> {
  return capture(service, { kind: 'jpeg', bytes });
}
