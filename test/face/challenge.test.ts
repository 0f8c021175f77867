import { describe, expect, it } from 'vitest';
import type { FaceObservation, FrameAnalysis } from '../../face/analysis.ts';
import { evaluateChallenge } from '../../face/challenge.ts';
import { IRIS_VALUES, eyeCrops, lidAspectRatio } from '../../face/eyelids.ts';
import { headPose } from '../../face/landmarks.ts';
import { verifyCapture } from '../../face/verification.ts';

const SAME = new Float32Array(128).fill(0.1);
const OTHER = new Float32Array(128).fill(0.5);
const ANALYSIS: FrameAnalysis = {
  source: { width: 1, height: 1 },
  analysed: { width: 1, height: 1 },
  faceCount: 1,
  boxes: [],
  decodeMs: 0,
  inferenceMs: 0,
  stagesMs: { detect: 0, landmarks: 0, descriptor: 0, liveness: 0 },
};

function face(ear: number, yaw: number, descriptor = SAME): FaceObservation {
  return {
    box: { x: 0, y: 0, width: 100, height: 100 },
    landmarks: [],
    descriptor,
    measures: {
      detectionScore: 1,
      faceWidth: 100,
      edgeMargin: 1,
      brightness: 120,
      sharpness: 1,
      pose: { yaw, pitch: 0.55, roll: 0 },
      eyeAspectRatio: ear,
    },
    liveness: { antispoof: 1, liveness: 1 },
  };
}

describe('active liveness challenge', () => {
  it('sees a blink: open, closed, open', () => {
    const frames = [0.31, 0.3, 0.12, 0.29, 0.31].map((e) => face(e, 0));
    expect(evaluateChallenge('blink', frames, 0.55)).toEqual({ passed: true, frames: 5 });
  });

  it('sees a blink whose shut eyes are not the first shut frame: shut at the start, or blinking twice', () => {
    expect(
      evaluateChallenge(
        'blink',
        [0.1, 0.3, 0.11, 0.29].map((e) => face(e, 0)),
        0.55,
      ),
    ).toEqual({
      passed: true,
      frames: 4,
    });
    expect(
      evaluateChallenge(
        'blink',
        [0.3, 0.1, 0.3, 0.1].map((e) => face(e, 0)),
        0.55,
      ),
    ).toMatchObject({
      passed: true,
    });
  });

  it('does not take a photo (eyes never close) or eyes that close and stay closed for a blink', () => {
    expect(
      evaluateChallenge(
        'blink',
        [0.3, 0.3, 0.29, 0.3].map((e) => face(e, 0)),
        0.55,
      ),
    ).toMatchObject({ passed: false, reason: 'no-blink' });
    expect(
      evaluateChallenge(
        'blink',
        [0.3, 0.3, 0.1, 0.1].map((e) => face(e, 0)),
        0.55,
      ),
    ).toMatchObject({ passed: false, reason: 'no-blink' });
  });

  it('sees a head turn either way, and not a still head', () => {
    expect(
      evaluateChallenge(
        'turn-head',
        [0, 0.1, 0.3].map((y) => face(0.3, y)),
        0.55,
      ),
    ).toMatchObject({ passed: true });
    expect(
      evaluateChallenge(
        'turn-head',
        [0, -0.12, -0.25].map((y) => face(0.3, y)),
        0.55,
      ),
    ).toMatchObject({ passed: true });
    expect(
      evaluateChallenge(
        'turn-head',
        [0, 0.05, 0.04].map((y) => face(0.3, y)),
        0.55,
      ),
    ).toMatchObject({ passed: false, reason: 'no-head-turn' });
  });

  it('refuses a swap of people mid-challenge and too few frames', () => {
    expect(evaluateChallenge('blink', [face(0.3, 0), face(0.1, 0, OTHER), face(0.3, 0)], 0.55)).toMatchObject({
      passed: false,
      reason: 'different-person',
    });
    expect(evaluateChallenge('blink', [face(0.3, 0)], 0.55)).toMatchObject({ passed: false, reason: 'too-few-frames' });
  });

  it('judges a head turn on frames without eye openness, and refuses to judge a blink on them', () => {
    const withoutEyes = (yaw: number): FaceObservation => {
      const { eyeAspectRatio: _, ...measures } = face(0.3, yaw).measures;
      return { ...face(0.3, yaw), measures };
    };
    expect(evaluateChallenge('turn-head', [0, 0.1, 0.3].map(withoutEyes), 0.55)).toMatchObject({ passed: true });
    // A face service started without the iris model under a blink challenge is a wiring fault, not a person's failure.
    expect(() => evaluateChallenge('blink', [0, 0, 0].map(withoutEyes), 0.55)).toThrow(/without eye openness/);
  });
});

describe('landmark geometry', () => {
  // A symmetric synthetic face: jaw at x 0 and 100, nose tip at 50, eyes at y 40, mouth at y 80.
  const points = Array.from({ length: 68 }, () => ({ x: 50, y: 50 }));
  points[0] = { x: 0, y: 50 };
  points[16] = { x: 100, y: 50 };
  points[30] = { x: 50, y: 60 };
  const eye = (i: number, cx: number, open: number): void => {
    points[i] = { x: cx - 10, y: 40 };
    points[i + 1] = { x: cx - 4, y: 40 - open };
    points[i + 2] = { x: cx + 4, y: 40 - open };
    points[i + 3] = { x: cx + 10, y: 40 };
    points[i + 4] = { x: cx + 4, y: 40 + open };
    points[i + 5] = { x: cx - 4, y: 40 + open };
  };
  eye(36, 30, 3);
  eye(42, 70, 3);
  points[48] = { x: 35, y: 80 };
  points[54] = { x: 65, y: 80 };

  it('reads a frontal, level head', () => {
    const pose = headPose(points);
    expect(pose.yaw).toBeCloseTo(0);
    expect(pose.roll).toBeCloseTo(0);
    expect(pose.pitch).toBeCloseTo(0.5);
  });

  it('reads a turned head from the nose moving toward one jaw line', () => {
    const turned = points.map((p, i) => (i === 30 ? { x: 75, y: 60 } : p));
    expect(headPose(turned).yaw).toBeGreaterThan(0.3);
  });
});

describe("eyelids (the iris model's contour)", () => {
  /** One eye's model output: lower lid 0-8 along y 32 from x 8 to 56, upper lid 9-15 `gap` above points 1-7. */
  function eye(gap: number): number[] {
    const out = new Array<number>(IRIS_VALUES).fill(0);
    for (let i = 0; i <= 8; i++) [out[i * 3], out[i * 3 + 1]] = [8 + i * 6, 32];
    for (let k = 0; k < 7; k++) [out[(9 + k) * 3], out[(9 + k) * 3 + 1]] = [14 + k * 6, 32 - gap];
    return out;
  }

  it('reads the lid gap over the eye width, for each eye of the batch', () => {
    expect(lidAspectRatio(eye(12))).toBeCloseTo(0.25);
    expect(lidAspectRatio([...eye(12), ...eye(2.4)], IRIS_VALUES)).toBeCloseTo(0.05);
    expect(() => lidAspectRatio(eye(12), IRIS_VALUES)).toThrow(/expected 228 values/);
  });

  it('crops each eye square around its corners, the image-left eye first', () => {
    const points = Array.from({ length: 68 }, () => ({ x: 0, y: 0 }));
    points[36] = { x: 20, y: 40 };
    points[39] = { x: 40, y: 40 };
    points[42] = { x: 60, y: 40 };
    points[45] = { x: 80, y: 40 };
    expect(eyeCrops(points)).toEqual([
      { x: 7, y: 17, width: 46, height: 46 },
      { x: 47, y: 17, width: 46, height: 46 },
    ]);
    expect(() => eyeCrops(points.slice(0, 40))).toThrow(/expected 68 points/);
  });
});

describe('verification outcomes', () => {
  const template = { subjectId: 'P-1', createdAt: '', salt: new Uint8Array(32), descriptors: [SAME, SAME, SAME] };
  it('is a retry for a refused frame, a referral for a low liveness score, and only otherwise a match decision', () => {
    expect(
      verifyCapture(template, { kind: 'unusable', reason: 'blurry', guidance: 'Hold still', detail: '' }, 0.55),
    ).toEqual({ outcome: 'retry', reason: 'blurry', guidance: 'Hold still' });
    const spoof = { ...face(0.3, 0), liveness: { antispoof: 0.05, liveness: 0.9 } };
    expect(verifyCapture(template, { kind: 'usable', face: spoof, analysis: ANALYSIS }, 0.55)).toMatchObject({
      outcome: 'spoof-suspected',
    });
    expect(verifyCapture(template, { kind: 'usable', face: face(0.3, 0), analysis: ANALYSIS }, 0.55)).toMatchObject({
      outcome: 'match',
      match: { distance: 0 },
    });
    expect(
      verifyCapture(template, { kind: 'usable', face: face(0.3, 0, OTHER), analysis: ANALYSIS }, 0.55),
    ).toMatchObject({ outcome: 'no-match' });
  });
});
