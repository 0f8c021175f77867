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

interface FaceLandmarks {
  readonly positions: readonly Point[];
  /** The face rectangle aligned on the landmarks, as face-api crops it for the descriptor. */
  align(): unknown;
}

export interface DetectedFace {
  readonly detection: { readonly score: number; readonly box: Box };
  readonly landmarks: FaceLandmarks;
}

export interface FaceApi {
  readonly tf: Tf;
  readonly version: string;
  readonly nets: {
    readonly ssdMobilenetv1: Net;
    readonly tinyFaceDetector: Net;
    readonly faceLandmark68Net: Net & { detectLandmarks(input: Tensor3D): Promise<unknown> };
    readonly faceRecognitionNet: Net & { computeFaceDescriptor(input: Tensor3D): Promise<Float32Array | Float32Array[]> };
  };
  readonly SsdMobilenetv1Options: new (options: { minConfidence: number; maxResults: number }) => object;
  readonly TinyFaceDetectorOptions: new (options: { inputSize: number; scoreThreshold: number }) => object;
  detectAllFaces(input: Tensor3D, options: object): { withFaceLandmarks(): Promise<DetectedFace[]> };
  extractFaceTensors(input: Tensor3D, regions: readonly unknown[]): Promise<Tensor3D[]>;
}
