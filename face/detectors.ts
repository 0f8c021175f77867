// The face detectors the engine can run. Each returns face boxes in face-api's framing (brow to chin, a
// little wider than the cheeks), the crop the 68-landmark net and the quality limits were made for.
import type { Tensor3D } from '@tensorflow/tfjs';
import { BlazeFace, type Detection } from './blazeface.ts';
import type { FaceApi } from './face-api-types.ts';

/**
 * blazeface: MediaPipe BlazeFace at 256 px, the live default (finds smaller faces than tiny, for less CPU);
 * tiny: face-api's TinyFaceDetector at 320 px; ssd: face-api's SSD MobileNet v1 (about 3x tiny's cost).
 */
export const DETECTOR_NAMES = ['blazeface', 'tiny', 'ssd'] as const;
export type DetectorName = (typeof DETECTOR_NAMES)[number];
export const DEFAULT_DETECTOR: DetectorName = 'blazeface';

export const MIN_DETECTION_SCORE = 0.5;

export interface FaceDetector {
  readonly model: string;
  detect(image: Tensor3D): Promise<Detection[]>;
}

/**
 * BlazeFace's box is tight around eyes, nose and mouth. Over the development faces, face-api's
 * TinyFaceDetector box around the same face was a median 1.35x as wide and 1.25x as tall, its centre 0.06
 * box heights lower; this maps one onto the other.
 */
const BLAZE_TO_FACE_API = { width: 1.35, height: 1.25, down: 0.06 } as const;

export async function loadDetector(
  faceApi: FaceApi,
  name: DetectorName,
  modelDirectory: string,
): Promise<FaceDetector> {
  const { nets } = faceApi;
  if (name === 'blazeface') {
    const blaze = await BlazeFace.load(faceApi.tf);
    return {
      model: 'human blazeface (256 px)',
      detect: async (image) =>
        (await blaze.detect(image, MIN_DETECTION_SCORE)).map(({ score, box }) => ({
          score,
          box: toFaceApiFraming(box),
        })),
    };
  }
  if (name === 'tiny') {
    await nets.tinyFaceDetector.loadFromDisk(modelDirectory);
    const options = new faceApi.TinyFaceDetectorOptions({ inputSize: 320, scoreThreshold: MIN_DETECTION_SCORE });
    return {
      model: 'face-api tiny_face_detector (320 px)',
      detect: async (image) => plain(await nets.tinyFaceDetector.locateFaces(image, options)),
    };
  }
  await nets.ssdMobilenetv1.loadFromDisk(modelDirectory);
  const options = new faceApi.SsdMobilenetv1Options({ minConfidence: MIN_DETECTION_SCORE, maxResults: 10 });
  return {
    model: 'face-api ssd_mobilenetv1',
    detect: async (image) => plain(await nets.ssdMobilenetv1.locateFaces(image, options)),
  };
}

function toFaceApiFraming(box: Detection['box']): Detection['box'] {
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height * (0.5 + BLAZE_TO_FACE_API.down);
  const width = box.width * BLAZE_TO_FACE_API.width;
  const height = box.height * BLAZE_TO_FACE_API.height;
  return { x: cx - width / 2, y: cy - height / 2, width, height };
}

/** face-api's FaceDetection objects as plain data (they must cross the worker boundary). */
function plain(found: readonly Detection[]): Detection[] {
  return found.map(({ score, box: { x, y, width, height } }) => ({ score, box: { x, y, width, height } }));
}
