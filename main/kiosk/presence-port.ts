// The presence port on the kiosk's real devices: the fingerprint sensor's finger detect (GenImg's "no finger"
// on an R30x, IsPressFinger on a GT-511), a camera frame through the face worker (a face found or not), and the
// face step's own frames as the face port analyses them. A device that is missing, down or still starting answers
// null: no evidence either way (core/checkin/presence.ts).
import type { PresenceReading, PresenceSource } from '../../core/checkin/presence.ts';
import type { Camera } from '../../drivers/camera/vc0706-camera.ts';
import type { FingerprintSensor } from '../../drivers/fingerprint/fingerprint-sensor.ts';
import type { Capture } from '../../face/capture.ts';
import type { FaceService } from '../../face/face-service.ts';
import type { PresencePort } from './ports.ts';

export interface DevicePresenceOptions {
  readonly sensor?: FingerprintSensor | undefined;
  readonly camera?: Camera | undefined;
  /** The face worker once its models are in; undefined while they load (no reading then). */
  readonly service: () => Promise<FaceService> | undefined;
}

export interface DevicePresence extends PresencePort {
  /**
   * A frame the face step analysed: a face found (also one refused for its size or light), or none; an unreadable
   * frame says nothing.
   */
  readonly captured: (capture: Capture) => void;
}

export function devicePresence(options: DevicePresenceOptions): DevicePresence {
  const listeners = new Set<(source: PresenceSource, reading: PresenceReading) => void>();
  const { sensor, camera } = options;
  return {
    ...(sensor ? { finger: () => sensor.fingerPresent() } : {}),
    ...(camera
      ? {
          face: async (): Promise<PresenceReading> => {
            const service = await options.service();
            if (!service) return null;
            const analysis = await service.analyze({ kind: 'jpeg', bytes: await camera.capture() });
            return analysis.faceCount > 0;
          },
        }
      : {}),
    subscribe: (listener) => {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    captured: (capture) => {
      const reading = faceSeen(capture);
      if (reading === null) return;
      for (const listener of listeners) listener('face', reading);
    },
  };
}

function faceSeen(capture: Capture): PresenceReading {
  if (capture.kind === 'usable') return true;
  if (capture.reason === 'no-face') return false;
  // A face too small, dark or turned is still someone there; an unreadable frame says nothing.
  return capture.analysis ? capture.analysis.faceCount > 0 : null;
}
