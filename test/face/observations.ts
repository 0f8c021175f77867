// Made-up face observations and captures for tests that judge analyses without running the models: a
// descriptor where the test needs one, every measure well inside the quality gate.
import type { FaceObservation, FrameAnalysis } from '../../face/analysis.ts';
import type { Capture } from '../../face/capture.ts';

export const ANALYSIS: FrameAnalysis = {
  source: { width: 640, height: 480 },
  analysed: { width: 640, height: 480 },
  faceCount: 1,
  boxes: [],
  decodeMs: 0,
  inferenceMs: 0,
  stagesMs: { detect: 0, landmarks: 0, descriptor: 0, liveness: 0 },
};

/** A 128-d descriptor at `x` along the first axis: distances between two are exact binary fractions. */
export function at(x: number): Float32Array {
  return Float32Array.from({ length: 128 }, (_, i) => (i === 0 ? x : 0));
}

export function observation(descriptor: Float32Array, liveness = 0.9): FaceObservation {
  return {
    box: { x: 0, y: 0, width: 100, height: 100 },
    landmarks: [],
    descriptor,
    measures: {
      detectionScore: 0.9,
      faceWidth: 100,
      edgeMargin: 0.2,
      brightness: 120,
      sharpness: 0.5,
      pose: { yaw: 0, pitch: 0.55, roll: 0 },
      eyeAspectRatio: 0.3,
    },
    liveness: { antispoof: liveness, liveness },
  };
}

export function usableCapture(descriptor: Float32Array, liveness?: number): Extract<Capture, { kind: 'usable' }> {
  return { kind: 'usable', face: observation(descriptor, liveness), analysis: ANALYSIS };
}

export const NO_FACE: Capture = {
  kind: 'unusable',
  reason: 'no-face',
  guidance: 'look at the camera',
  detail: 'no face',
};
