// The kiosk's face engine runs the iris model (eye openness) only when its challenge is 'blink': without it a frame
// costs one model less and the match, the quality gate and the liveness scores are the same. Real face worker,
// wasm backend, a kiosk frame made from a development face.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capture } from '../../face/capture.ts';
import type { FaceService } from '../../face/face-service.ts';
import { DEFAULT_MATCH_THRESHOLD, descriptorDistance } from '../../face/match.ts';
import { KioskFace } from '../../main/kiosk/kiosk-face.ts';
import type { KioskConfig } from '../../main/kiosk/kiosk-config.ts';
import { componentLogger } from '../../runtime/logger.ts';
import { FACES_DIR, decode, encode, kioskFrame } from '../face/camera.ts';

const IRIS = 'human iris (eyelids)';
const settings = (challenge: KioskConfig['face']['challenge']): KioskConfig['face'] => ({
  threshold: DEFAULT_MATCH_THRESHOLD,
  detector: 'blazeface',
  backend: 'wasm',
  challenge,
  lookahead: true,
});
const kiosks = {
  none: new KioskFace(settings('none'), undefined, componentLogger('face')),
  blink: new KioskFace(settings('blink'), undefined, componentLogger('face')),
};
let plain: FaceService;
let blink: FaceService;
const frame = {
  kind: 'jpeg' as const,
  bytes: encode(kioskFrame(decode(readFileSync(new URL('obama_1.jpg', FACES_DIR))))),
};

beforeAll(async () => {
  // One after the other: two engines loading at once on a loaded 2-core host only slows both.
  plain = await kiosks.none.service();
  blink = await kiosks.blink.service();
}, 300_000);

afterAll(async () => {
  await kiosks.none.close();
  await kiosks.blink.close();
}, 60_000);

describe("the kiosk's face engine and the blink challenge", { timeout: 120_000 }, () => {
  it('loads the iris model only for a blink challenge', () => {
    expect(plain.health.models).not.toContain(IRIS);
    expect(blink.health.models).toContain(IRIS);
    expect(kiosks.none.ready && kiosks.blink.ready).toBe(true);
  });

  it('measures eye openness only with the iris model, and the same face, gate and liveness either way', async () => {
    const [without, withEyes] = [await capture(plain, frame), await capture(blink, frame)];
    if (without.kind !== 'usable' || withEyes.kind !== 'usable')
      throw new Error(`expected usable captures, got ${without.kind} and ${withEyes.kind}`);
    expect(without.face.measures.eyeAspectRatio).toBeUndefined();
    // Open eyes: about 0.2-0.3 (face/eyelids.ts).
    expect(withEyes.face.measures.eyeAspectRatio).toBeGreaterThan(0.15);
    expect(descriptorDistance(without.face.descriptor, withEyes.face.descriptor)).toBeLessThan(1e-4);
    expect(without.face.liveness.antispoof).toBeCloseTo(withEyes.face.liveness.antispoof, 4);
    expect(without.face.liveness.liveness).toBeCloseTo(withEyes.face.liveness.liveness, 4);
    expect(without.marginal).toEqual(withEyes.marginal);
    const { eyeAspectRatio: _, ...rest } = withEyes.face.measures;
    expect(without.face.measures).toEqual(rest);
  });
});
