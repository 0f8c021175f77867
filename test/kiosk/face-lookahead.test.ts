// The face step's first frame taken during the fingerprint step (main/kiosk/face-lookahead.ts): through the real
// face worker on frames made from the development faces; the camera is a queue of JPEGs.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceError } from '../../drivers/device-error.ts';
import { enrol } from '../../face/enrolment.ts';
import { FaceService } from '../../face/face-service.ts';
import { DEFAULT_MATCH_THRESHOLD } from '../../face/match.ts';
import type { FaceTemplate } from '../../face/template.ts';
import { FaceLookahead, LOOKAHEAD_MAX_AGE_MS, lookingAhead } from '../../main/kiosk/face-lookahead.ts';
import { cameraFacePort } from '../../main/kiosk/face-port.ts';
import { CAMERA_VARIANTS, FACES_DIR, decode, encode, kioskFrame, queueCamera } from '../face/camera.ts';

let service: FaceService;
let template: FaceTemplate;
const photo = (file: string): ReturnType<typeof decode> => decode(readFileSync(new URL(file, FACES_DIR)));
const black = encode({ width: 640, height: 480, data: new Uint8Array(640 * 480 * 4).fill(0) });
let obama: Uint8Array;
let biden: Uint8Array;

beforeAll(async () => {
  service = await FaceService.start({ backend: 'wasm' });
  const face = photo('obama_1.jpg');
  const inputs = (['kiosk', 'bright', 'far'] as const).map((v) => ({
    kind: 'jpeg' as const,
    bytes: (CAMERA_VARIANTS[v] as (f: typeof face) => Uint8Array)(face),
  }));
  template = (await enrol(service, 'p-1', inputs, DEFAULT_MATCH_THRESHOLD)).template;
  obama = encode(kioskFrame(photo('obama_2.jpg')));
  biden = encode(kioskFrame(photo('biden_2.jpg')));
}, 300_000);

afterAll(async () => {
  await service.close();
});

/** A face port whose first frame comes from `lookahead`, recording what reached the screen. */
function facePort(
  camera: ReturnType<typeof queueCamera>,
  lookahead: FaceLookahead,
): { shown: Uint8Array[]; verify: () => ReturnType<ReturnType<typeof cameraFacePort>['verify']> } {
  const shown: Uint8Array[] = [];
  const port = cameraFacePort({
    camera,
    service,
    template: () => template,
    threshold: DEFAULT_MATCH_THRESHOLD,
    frames: 3,
    onFrame: (f) => shown.push(f),
    ahead: () => lookahead.take(),
  });
  return { shown, verify: () => port.verify('p-1') };
}

describe('the face look-ahead', { timeout: 180_000 }, () => {
  it('matches on the frame taken during the fingerprint step, asking the camera for nothing more', async () => {
    const camera = queueCamera([obama]);
    const lookahead = new FaceLookahead(camera, () => Promise.resolve(service));
    const fingerprint = lookingAhead(
      {
        identify: () => Promise.resolve({ kind: 'match', subject: 'p-1', score: 90 }),
        verify: () => Promise.reject(new Error('unused')),
      },
      lookahead,
    );
    expect(await fingerprint.identify()).toMatchObject({ kind: 'match' });
    const { shown, verify } = facePort(camera, lookahead);
    expect(await verify()).toMatchObject({ kind: 'match' });
    expect(camera.taken).toBe(1);
    // The person sees the frame that decided, as with any other frame.
    expect(shown).toEqual([obama]);
  });

  it('counts the frame taken ahead as one of the try frames: an impostor gets no extra chance', async () => {
    const camera = queueCamera([biden, biden, biden, biden]);
    const lookahead = new FaceLookahead(camera, () => Promise.resolve(service));
    lookahead.start();
    const result = await facePort(camera, lookahead).verify();
    expect(result.kind).toBe('mismatch');
    expect(camera.taken).toBe(3);
  });

  it('drops a frame with no usable face (the person looking down at the sensor) and takes fresh ones', async () => {
    const camera = queueCamera([black, obama]);
    const lookahead = new FaceLookahead(camera, () => Promise.resolve(service));
    lookahead.start();
    const { shown, verify } = facePort(camera, lookahead);
    expect(await verify()).toMatchObject({ kind: 'match' });
    expect(camera.taken).toBe(2);
    expect(shown).toEqual([obama]);
  });

  it('drops a frame older than its limit when the face step starts: it may show someone else', async () => {
    let now = 0;
    const camera = queueCamera([obama, biden, biden, biden]);
    const lookahead = new FaceLookahead(
      camera,
      () => Promise.resolve(service),
      () => now,
    );
    lookahead.start();
    // Let the look-ahead frame land before the clock moves on.
    await expect.poll(() => camera.taken).toBe(1);
    now += LOOKAHEAD_MAX_AGE_MS + 1;
    expect(await facePort(camera, lookahead).verify()).toMatchObject({ kind: 'mismatch' });
    expect(camera.taken).toBe(4);
  });

  it('offers a frame once, and a new fingerprint call replaces the one before', async () => {
    const camera = queueCamera([biden, obama]);
    const lookahead = new FaceLookahead(camera, () => Promise.resolve(service));
    lookahead.start();
    lookahead.start();
    const frame = await lookahead.take();
    expect(frame?.bytes).toBe(obama);
    expect(await lookahead.take()).toBeUndefined();
  });

  it('leaves a camera fault to the face step, which reports it as the device being down', async () => {
    const fault = new DeviceError('device.timeout', 'camera did not answer');
    const camera = queueCamera([fault, fault, fault]);
    const lookahead = new FaceLookahead(camera, () => Promise.resolve(service));
    lookahead.start();
    expect(await lookahead.take()).toBeUndefined();
    lookahead.start();
    // The face step's own capture meets the fault and throws it (the workflow logs device-down).
    await expect(facePort(camera, lookahead).verify()).rejects.toBe(fault);
  });
});
