// Active liveness: the person blinks or turns their head across several frames. A photo or a still screen
// cannot do either. Geometry only (the lids' aspect ratio, face/eyelids.ts; yaw from the 68 landmarks), checked
// on frames that are all the same person as the first.
import type { FaceObservation } from './analysis.ts';
import { descriptorDistance } from './match.ts';

export type ChallengeKind = 'blink' | 'turn-head';

export interface ChallengeLimits {
  /**
   * A blink: eye aspect ratio falls below this fraction of the open-eye level, between frames above reopen. A
   * still photo stays within 0.85 of its own level across light, distance, blur, noise and JPEG loss.
   */
  readonly closedFraction: number;
  readonly reopenFraction: number;
  /** A head turn: yaw moves this far from the first frame (yaw runs -1..1). */
  readonly minYawChange: number;
}

export const DEFAULT_CHALLENGE_LIMITS: ChallengeLimits = {
  closedFraction: 0.7,
  reopenFraction: 0.85,
  minYawChange: 0.2,
};

export type ChallengeResult =
  | { readonly passed: true; readonly frames: number }
  | {
      readonly passed: false;
      readonly reason: 'too-few-frames' | 'different-person' | 'no-blink' | 'no-head-turn';
      readonly detail: string;
    };

export const MIN_CHALLENGE_FRAMES = 3;

/** Judges a challenge from the faces seen in consecutive frames (frames without exactly one face left out). */
export function evaluateChallenge(
  kind: ChallengeKind,
  faces: readonly FaceObservation[],
  sameFaceThreshold: number,
  limits: ChallengeLimits = DEFAULT_CHALLENGE_LIMITS,
): ChallengeResult {
  const [first] = faces;
  if (!first || faces.length < MIN_CHALLENGE_FRAMES) {
    return {
      passed: false,
      reason: 'too-few-frames',
      detail: `${faces.length} frames with one face, need ${MIN_CHALLENGE_FRAMES}`,
    };
  }
  const stranger = faces.findIndex((f) => descriptorDistance(f.descriptor, first.descriptor) >= sameFaceThreshold);
  if (stranger >= 0)
    return { passed: false, reason: 'different-person', detail: `frame ${stranger} shows a different face` };
  if (kind === 'turn-head')
    return headTurn(
      faces.map((f) => f.measures.pose.yaw),
      limits,
      faces.length,
    );
  const ear = faces.map((f) => f.measures.eyeAspectRatio);
  // A wiring fault (a face service started without eye openness), never a person's failed try.
  if (!ear.every((e): e is number => e !== undefined))
    throw new Error('blink challenge on frames without eye openness');
  return blink(ear, limits, faces.length);
}

function blink(ear: readonly number[], limits: ChallengeLimits, frames: number): ChallengeResult {
  const open = Math.max(...ear);
  const isOpen = (e: number): boolean => e >= open * limits.reopenFraction;
  // Any shut frame between open ones: the first frame may catch the eyes shut, or a person may blink twice.
  const blinked = ear.some(
    (e, i) => e < open * limits.closedFraction && ear.slice(0, i).some(isOpen) && ear.slice(i + 1).some(isOpen),
  );
  if (blinked) return { passed: true, frames };
  return { passed: false, reason: 'no-blink', detail: `eye aspect ratio ${ear.map((e) => e.toFixed(2)).join(' ')}` };
}

function headTurn(yaw: readonly number[], limits: ChallengeLimits, frames: number): ChallengeResult {
  const start = yaw[0] ?? 0;
  const change = Math.max(...yaw.map((y) => Math.abs(y - start)));
  if (change >= limits.minYawChange) return { passed: true, frames };
  return {
    passed: false,
    reason: 'no-head-turn',
    detail: `yaw moved ${change.toFixed(2)}, need ${limits.minYawChange}`,
  };
}
