// The workflow's face port: a camera frame through the face worker and the quality gate, then 1:1 against the
// subject's decrypted template at the configured threshold. A refused frame is a retry, low liveness a
// referral, and only a usable live face further than the threshold is a mismatch; a camera or worker fault
// throws, which the workflow logs as the device being down.
import type { FaceResult } from '../../core/checkin/checkin-machine.ts';
import type { Camera } from '../../drivers/camera/vc0706-camera.ts';
import { capture } from '../../face/capture.ts';
import type { FaceService } from '../../face/face-service.ts';
import type { FaceTemplate } from '../../face/template.ts';
import { verifyCapture } from '../../face/verification.ts';
import type { FacePort } from './ports.ts';

export interface CameraFacePortOptions {
  readonly camera: Camera;
  readonly service: FaceService;
  readonly template: (subject: string) => FaceTemplate | undefined;
  /** The distance below which a face matches: from the kiosk configuration (`muster face calibrate`). */
  readonly threshold: number;
}

export function cameraFacePort(options: CameraFacePortOptions): FacePort {
  return {
    verify: async (subject: string): Promise<FaceResult> => {
      const template = options.template(subject);
      // Nobody can be compared with a template that is not here: the camera path is unusable for this person,
      // so the workflow falls back to staff confirmation, and the person is not blamed.
      if (!template) return { kind: 'device-down' };
      const frame = await options.camera.capture();
      const result = verifyCapture(template, await capture(options.service, { kind: 'jpeg', bytes: frame }), options.threshold);
      switch (result.outcome) {
        case 'retry':
          return { kind: 'poor-quality' };
        case 'spoof-suspected':
          return { kind: 'liveness-failed' };
        case 'match':
          return { kind: 'match', score: round(result.match.distance) };
        case 'no-match':
          return { kind: 'mismatch', score: round(result.match.distance) };
      }
    },
  };
}

function round(distance: number): number {
  return Math.round(distance * 1000) / 1000;
}
