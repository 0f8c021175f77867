// The workflow's face port with the active liveness challenge (kiosk configuration `face.challenge`): the person
// is asked to turn their head (or blink), the camera takes a sequence of frames while they do, and
// face/live-verification.ts judges the sequence. A photo or a still screen held up to the camera cannot move: a
// failed challenge is `liveness-failed` (a retry, then a referral to staff, never a mismatch); a camera that
// stops answering mid-sequence throws, which the workflow logs as the device being down, never as the person failing.
import { setTimeout as delay } from 'node:timers/promises';
import type { FaceResult } from '../../core/checkin/checkin-machine.ts';
import type { GuidanceCode } from '../../core/checkin/guidance.ts';
import type { FrameInput } from '../../face/analysis.ts';
import { type ChallengeKind, MIN_CHALLENGE_FRAMES } from '../../face/challenge.ts';
import { verifyLive } from '../../face/live-verification.ts';
import { type CameraFacePortOptions, faceResult } from './face-port.ts';
import type { FacePort } from './ports.ts';

/** One frame more than the challenge needs, so one frame without a face does not cost the person a try. */
export const CHALLENGE_FRAMES = MIN_CHALLENGE_FRAMES + 1;

/**
 * The least time from one frame to the next capture: a head turn takes a person about a second, and a webcam
 * answers in tens of milliseconds, so unpaced frames would all show the same moment (the serial camera takes
 * longer than this a frame anyway).
 */
export const CHALLENGE_INTERVAL_MS = 400;

const PROMPT: { readonly [K in ChallengeKind]: GuidanceCode } = { 'turn-head': 'face-turn', 'blink': 'face-blink' };

export interface ChallengeFacePortOptions extends Omit<CameraFacePortOptions, 'frames'> {
  readonly kind: ChallengeKind;
  /** Frames in the sequence (default CHALLENGE_FRAMES, at least MIN_CHALLENGE_FRAMES). */
  readonly frames?: number;
  /** The least time from one frame's arrival to the next capture (default CHALLENGE_INTERVAL_MS). */
  readonly intervalMs?: number;
  /** Tells the person the movement before the first frame. */
  readonly onPrompt?: (guidance: GuidanceCode) => void;
}

export function challengeFacePort(options: ChallengeFacePortOptions): FacePort {
  const count = options.frames ?? CHALLENGE_FRAMES;
  if (!Number.isInteger(count) || count < MIN_CHALLENGE_FRAMES)
    throw new TypeError(`frames: expected a whole number of at least ${MIN_CHALLENGE_FRAMES}, got ${count}`);
  return {
    verify: async (subject: string): Promise<FaceResult> => {
      const template = options.template(subject);
      // As in the one-frame port: no template here means the camera path cannot serve this person.
      if (!template) return { kind: 'device-down' };
      options.onPrompt?.(PROMPT[options.kind]);
      const frames: FrameInput[] = [];
      let last: number | undefined;
      for (let i = 0; i < count; i++) {
        const wait = last === undefined ? 0 : last + (options.intervalMs ?? CHALLENGE_INTERVAL_MS) - performance.now();
        if (wait > 0) await delay(wait);
        const bytes = await options.camera.capture();
        // From when the frame came: a first capture that opens the webcam takes long, and its frame is of its end.
        last = performance.now();
        options.onFrame?.(bytes);
        frames.push({ kind: 'jpeg', bytes });
      }
      const { verification } = await verifyLive(options.service, template, options.kind, frames, options.threshold);
      return faceResult(verification);
    },
  };
}
