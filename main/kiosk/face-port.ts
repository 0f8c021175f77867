// The workflow's face port: camera frames through the face worker and the quality gate, each 1:1 against every
// capture of the subject's decrypted template at the configured threshold, best of up to `frames` (verifyFrames). A refused frame is a retry, low liveness a
// referral, and only a usable live face further than the threshold is a mismatch; a camera or worker fault
// throws, which the workflow logs as the device being down.
import type { FaceResult } from '../../core/checkin/checkin-machine.ts';
import type { Camera } from '../../drivers/camera/vc0706-camera.ts';
import type { Capture } from '../../face/capture.ts';
import { traced, tracedCapture } from './checkin-trace.ts';
import type { FaceService } from '../../face/face-service.ts';
import type { FaceTemplate } from '../../face/template.ts';
import { DEFAULT_FACE_FRAMES, type Verification, verifyFrames } from '../../face/verification.ts';
import type { AheadFrame } from './face-lookahead.ts';
import type { FacePort } from './ports.ts';

export interface CameraFacePortOptions {
  readonly camera: Camera;
  readonly service: FaceService;
  readonly template: (subject: string) => FaceTemplate | undefined;
  /** The distance below which a face matches: from the kiosk configuration (`muster face calibrate`). */
  readonly threshold: number;
  /** Frames one face try may take (default DEFAULT_FACE_FRAMES); a match on an earlier frame ends it. */
  readonly frames?: number;
  /** Each frame as the camera gave it, before it is analysed (the kiosk screen shows it to the person). */
  readonly onFrame?: (jpeg: Uint8Array) => void;
  /** Each frame once analysed (the presence cue: a face found or not). */
  readonly onCapture?: (capture: Capture) => void;
  /** A frame already taken and analysed during the fingerprint step (face-lookahead.ts): the try's first, when given. */
  readonly ahead?: () => Promise<AheadFrame | undefined>;
}

export function cameraFacePort(options: CameraFacePortOptions): FacePort {
  return {
    verify: async (subject: string): Promise<FaceResult> => {
      const template = options.template(subject);
      // Nobody can be compared with a template that is not here: the camera path is unusable for this person,
      // so the workflow falls back to staff confirmation, and the person is not blamed.
      if (!template) return { kind: 'device-down' };
      let first = true;
      const next = async (): Promise<Capture> => {
        const ahead = first && options.ahead ? await traced('face-ahead-wait', options.ahead) : undefined;
        first = false;
        if (ahead) {
          options.onFrame?.(ahead.bytes);
          options.onCapture?.(ahead.capture);
          return ahead.capture;
        }
        const bytes = await traced('camera', () => options.camera.capture());
        options.onFrame?.(bytes);
        const capture = await tracedCapture(options.service, bytes);
        options.onCapture?.(capture);
        return capture;
      };
      return faceResult(await verifyFrames(template, next, options.frames ?? DEFAULT_FACE_FRAMES, options.threshold));
    },
  };
}

/** A verification as the workflow sees it (also the challenge port's, challenge-face-port.ts). */
export function faceResult(verification: Verification): FaceResult {
  switch (verification.outcome) {
    case 'retry':
      return { kind: 'poor-quality' };
    case 'spoof-suspected':
      return { kind: 'liveness-failed' };
    case 'match':
      return { kind: 'match', score: round(verification.match.distance) };
    case 'no-match':
      return { kind: 'mismatch', score: round(verification.match.distance) };
  }
}

function round(distance: number): number {
  return Math.round(distance * 1000) / 1000;
}
