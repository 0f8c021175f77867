// Head pose from face-api's 68 landmarks (iBUG 300-W numbering): cheap geometry used by the quality gate
// (frontal pose) and the active liveness challenge (head turn). Eye openness comes from a model that follows the
// lids (face/eyelids.ts): these 68 points hardly move when the eyes shut.
import type { Point } from './face-api-types.ts';

export interface HeadPose {
  /** -1..1: 0 frontal, negative when the nose moves toward the image's left. */
  readonly yaw: number;
  /** Nose-tip height between the eye line and the mouth: about 0.5 when level with the camera. */
  readonly pitch: number;
  /** Tilt of the eye line, in degrees. */
  readonly roll: number;
}

const JAW_LEFT = 0;
const JAW_RIGHT = 16;
const NOSE_TIP = 30;
const RIGHT_EYE = [36, 37, 38, 39, 40, 41] as const;
const LEFT_EYE = [42, 43, 44, 45, 46, 47] as const;
const MOUTH_LEFT = 48;
const MOUTH_RIGHT = 54;

export const LANDMARK_COUNT = 68;

function at(points: readonly Point[], i: number): Point {
  const p = points[i];
  if (!p) throw new TypeError(`landmarks: expected ${LANDMARK_COUNT} points, got ${points.length}`);
  return p;
}

function distance(a: Point, b: Point): number {
  return Math.hypot(a.x - b.x, a.y - b.y);
}

function centre(points: readonly Point[], indices: readonly number[]): Point {
  let x = 0;
  let y = 0;
  for (const i of indices) {
    x += at(points, i).x;
    y += at(points, i).y;
  }
  return { x: x / indices.length, y: y / indices.length };
}

export function headPose(points: readonly Point[]): HeadPose {
  const nose = at(points, NOSE_TIP);
  // Yaw: a turned head brings the nose toward one jaw line.
  const toLeft = distance(nose, at(points, JAW_LEFT));
  const toRight = distance(nose, at(points, JAW_RIGHT));
  const yaw = (toLeft - toRight) / (toLeft + toRight);
  const rightEye = centre(points, RIGHT_EYE);
  const leftEye = centre(points, LEFT_EYE);
  const eyes = { x: (rightEye.x + leftEye.x) / 2, y: (rightEye.y + leftEye.y) / 2 };
  const mouth = centre(points, [MOUTH_LEFT, MOUTH_RIGHT]);
  const pitch = (nose.y - eyes.y) / Math.max(1e-6, mouth.y - eyes.y);
  const roll = (Math.atan2(leftEye.y - rightEye.y, leftEye.x - rightEye.x) * 180) / Math.PI;
  return { yaw, pitch, roll };
}
