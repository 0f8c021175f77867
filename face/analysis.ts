// What the inference worker reports about one frame. Plain data: it crosses the worker boundary by
// structured clone.
import type { Box, Point } from './face-api-types.ts';
import type { RgbaFrame } from './frame.ts';
import type { HeadPose } from './landmarks.ts';

/** A VC0706 JPEG (bytes) or a webcam frame from the renderer (RGBA). */
export type FrameInput =
  { readonly kind: 'jpeg'; readonly bytes: Uint8Array } | { readonly kind: 'rgba'; readonly frame: RgbaFrame };

export interface QualityMeasures {
  readonly detectionScore: number;
  /** Face box width in pixels of the analysed frame (longest side INFERENCE_MAX_SIDE). */
  readonly faceWidth: number;
  /** Smallest gap between the face box and a frame edge, in face widths; negative when cut off. */
  readonly edgeMargin: number;
  readonly brightness: number;
  readonly sharpness: number;
  readonly pose: HeadPose;
  /**
   * Both eyes' lid gap over their width (face/eyelids.ts): about 0.2-0.3 open, under 0.1 shut. Absent when the
   * engine runs without eye openness (a kiosk whose challenge is not 'blink').
   */
  readonly eyeAspectRatio?: number;
}

/** Human's presentation-attack models, 0..1, higher means a live person rather than a photo or screen. */
export interface LivenessScores {
  readonly antispoof: number;
  readonly liveness: number;
}

export interface FaceObservation {
  readonly box: Box;
  readonly landmarks: readonly Point[];
  /** 128-d face-api (dlib ResNet-34) descriptor. */
  readonly descriptor: Float32Array;
  readonly measures: QualityMeasures;
  readonly liveness: LivenessScores;
}

export interface FrameAnalysis {
  readonly source: { readonly width: number; readonly height: number };
  readonly analysed: { readonly width: number; readonly height: number };
  /** Faces the detector found; a descriptor is computed only when this is exactly 1. */
  readonly faceCount: number;
  /** Every face box found, in source-image pixels (for framing guidance on screen, and for cropping). */
  readonly boxes: readonly Box[];
  readonly face?: FaceObservation;
  readonly decodeMs: number;
  /** Everything after decoding: shrink, detection, landmarks, descriptor, liveness. */
  readonly inferenceMs: number;
  /** Detection (with the image tensor); the other stages are 0 when no single face was found. */
  readonly stagesMs: {
    readonly detect: number;
    readonly landmarks: number;
    readonly descriptor: number;
    readonly liveness: number;
  };
}
