// The small part of @vladmandic/face-api this layer uses. The package's own bundled typings redeclare all of
// TensorFlow.js under other names, which would not line up with @tensorflow/tfjs; these lean on tfjs's types.
import type * as Tfjs from '@tensorflow/tfjs';

export type Tf = typeof Tfjs;
export type Tensor3D = Tfjs.Tensor3D;

export interface Point {
  readonly x: number;
  readonly y: number;
}

export interface Box {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

interface Net {
  loadFromDisk(directory: string): Promise<void>;
}

/** Landmarks in the pixels of the crop they were found in, until shifted by the crop's origin. */
export interface FaceLandmarks {
  readonly positions: readonly Point[];
  shiftBy(x: number, y: number): FaceLandmarks;
  /** The face rectangle aligned on the landmarks (their bounding box, padded), as face-api crops it for the descriptor. */
  align(): Box;
}

interface Detector extends Net {
  locateFaces(input: Tensor3D, options: object): Promise<{ readonly score: number; readonly box: Box }[]>;
}

export interface FaceApi {
  readonly tf: Tf;
  readonly version: string;
  readonly nets: {
    readonly ssdMobilenetv1: Detector;
    readonly tinyFaceDetector: Detector;
    readonly faceLandmark68Net: Net & { detectLandmarks(input: Tensor3D): Promise<FaceLandmarks> };
    readonly faceRecognitionNet: Net & {
      computeFaceDescriptor(input: Tensor3D): Promise<Float32Array | Float32Array[]>;
    };
  };
  readonly SsdMobilenetv1Options: new (options: { minConfidence: number; maxResults: number }) => object;
  readonly TinyFaceDetectorOptions: new (options: { inputSize: number; scoreThreshold: number }) => object;
}
