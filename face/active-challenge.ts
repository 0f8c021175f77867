// Runs an active liveness challenge on frames from the camera: every frame goes through the worker, frames
// with exactly one face are judged together (the pose gate is skipped here: a head turn is the point).
import type { FaceObservation, FrameInput } from './analysis.ts';
import { type ChallengeKind, type ChallengeResult, evaluateChallenge } from './challenge.ts';
import type { FaceService } from './face-service.ts';

export async function runChallenge(
  service: FaceService,
  kind: ChallengeKind,
  frames: readonly FrameInput[],
  sameFaceThreshold: number,
): Promise<ChallengeResult> {
  const faces: FaceObservation[] = [];
  for (const frame of frames) {
    const analysis = await service.analyze(frame);
    if (analysis.faceCount === 1 && analysis.face) faces.push(analysis.face);
  }
  return evaluateChallenge(kind, faces, sameFaceThreshold);
}
