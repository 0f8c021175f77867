// The inference engine: one per worker thread. Decodes and shrinks the frame, finds faces, and for a single
// face computes landmarks, the 128-d descriptor, quality measures and the liveness scores.
import { join } from 'node:path';
import type { GraphModel, Rank, Tensor, Tensor4D } from '@tensorflow/tfjs';
import type { FaceObservation, FrameAnalysis, FrameInput } from './analysis.ts';
import { type BackendChoice, type BackendName, loadBackend } from './backend.ts';
import type { Detection } from './blazeface.ts';
import { type DetectorName, type FaceDetector, loadDetector } from './detectors.ts';
import { IRIS_INPUT, IRIS_VALUES, eyeCrops, lidAspectRatio } from './eyelids.ts';
import type { Box, FaceApi, FaceLandmarks, Point, Tensor3D } from './face-api-types.ts';
import { type RgbaFrame, checkFrame, downscale, toRgb } from './frame.ts';
import { fileModelHandler } from './graph-model-file.ts';
import { regionMeasures } from './image-measures.ts';
import { decodeJpeg } from './jpeg.ts';
import { headPose } from './landmarks.ts';
import { faceApiModelDirectory, humanModelDirectory } from './models.ts';

export type { DetectorName } from './detectors.ts';

export interface EngineOptions {
  readonly backend: BackendChoice;
  readonly detector: DetectorName;
  /**
   * Load and run the iris model for eye openness (the blink challenge's measure). Off, a frame's analysis has no
   * eyeAspectRatio and costs one model less, at start and per frame.
   */
  readonly eyes: boolean;
}

export interface EngineHealth {
  readonly backend: BackendName;
  readonly fallbackReason?: string;
  readonly tfjsVersion: string;
  readonly faceApiVersion: string;
  readonly detector: DetectorName;
  readonly models: readonly string[];
  /** Backend and models loaded, from the engine's start (the warm-up not included). */
  readonly loadMs: number;
  /** Where the start went: the backend (tfjs and its wasm), the models' weights, the warm-up inference. */
  readonly startMs: { readonly backend: number; readonly models: number; readonly warmUp: number };
}

/** Human crops faces with a margin around the detector box before its anti-spoof models. */
const LIVENESS_CROP_SCALE = 1.2;

/** Mean pixel value a dim liveness crop is brought up to, and the most it is multiplied by. */
const DIM_GAIN = { target: 110, max: 2 } as const;

/**
 * The crop for the second landmark pass: the first pass's landmarks' bounding box grown by REFRAME.scale and
 * moved up by REFRAME.up of its height, to take in the brow that the 68 points leave out.
 */
const REFRAME = { scale: 1.1, up: 0.1 } as const;

function landmarkFrame(points: readonly Point[]): Box {
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  const [left, right, top, bottom] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const width = (right - left) * REFRAME.scale;
  const height = (bottom - top) * REFRAME.scale;
  return { x: (left + right - width) / 2, y: (top + bottom - height) / 2 - (bottom - top) * REFRAME.up, width, height };
}

/** A box as whole pixels inside the image, at least one pixel wide and tall. */
function clip(image: Tensor3D, box: Box): Box {
  const [height, width] = image.shape;
  const x = Math.min(width - 1, Math.max(0, Math.floor(box.x)));
  const y = Math.min(height - 1, Math.max(0, Math.floor(box.y)));
  return {
    x,
    y,
    width: Math.max(1, Math.min(width, Math.floor(box.x + box.width)) - x),
    height: Math.max(1, Math.min(height, Math.floor(box.y + box.height)) - y),
  };
}

export class FaceEngine {
  private constructor(
    private readonly faceApi: FaceApi,
    private readonly detector: FaceDetector,
    private readonly antispoof: GraphModel,
    private readonly liveness: GraphModel,
    /** Absent when the engine was started without eye openness (EngineOptions.eyes). */
    private readonly iris: GraphModel | undefined,
    /** Completed by load() once the warm-up ran (its time is part of it). */
    public health: EngineHealth,
  ) {}

  static async load(options: EngineOptions): Promise<FaceEngine> {
    const started = performance.now();
    const backend = await loadBackend(options.backend);
    const backendLoaded = performance.now();
    const { faceApi } = backend;
    const { tf, nets } = faceApi;
    const faceDir = faceApiModelDirectory();
    const [detector] = await Promise.all([
      loadDetector(faceApi, options.detector, faceDir),
      nets.faceLandmark68Net.loadFromDisk(faceDir),
      nets.faceRecognitionNet.loadFromDisk(faceDir),
    ]);
    const humanDir = humanModelDirectory();
    const antispoof = await tf.loadGraphModel(fileModelHandler(tf, join(humanDir, 'antispoof.json')));
    const liveness = await tf.loadGraphModel(fileModelHandler(tf, join(humanDir, 'liveness.json')));
    const iris = options.eyes ? await tf.loadGraphModel(fileModelHandler(tf, join(humanDir, 'iris.json'))) : undefined;
    const loaded = performance.now();
    const health: EngineHealth = {
      backend: backend.name,
      ...(backend.fallbackReason === undefined ? {} : { fallbackReason: backend.fallbackReason }),
      tfjsVersion: tf.version_core,
      faceApiVersion: faceApi.version,
      detector: options.detector,
      models: [
        detector.model,
        'face-api face_landmark_68',
        'face-api face_recognition (128-d)',
        'human antispoof',
        'human liveness',
        ...(iris ? ['human iris (eyelids)'] : []),
      ],
      loadMs: loaded - started,
      startMs: { backend: backendLoaded - started, models: loaded - backendLoaded, warmUp: 0 },
    };
    const engine = new FaceEngine(faceApi, detector, antispoof, liveness, iris, health);
    await engine.warmUp();
    engine.health = { ...health, startMs: { ...health.startMs, warmUp: performance.now() - loaded } };
    return engine;
  }

  /** The first inference on wasm compiles kernels and takes seconds; pay that at start, not on a person's first frame. */
  private async warmUp(): Promise<void> {
    const { tf, nets } = this.faceApi;
    const blank = tf.zeros<Rank.R3>([480, 640, 3], 'int32');
    const face = tf.zeros<Rank.R3>([150, 150, 3], 'int32');
    try {
      await this.detector.detect(blank);
      await nets.faceLandmark68Net.detectLandmarks(face);
      await nets.faceRecognitionNet.computeFaceDescriptor(face);
      await this.livenessScores(face, { x: 0, y: 0, width: 150, height: 150 });
      if (this.iris)
        await this.eyeOpenness(
          this.iris,
          face,
          Array.from({ length: 68 }, (_, i) => ({ x: 10 + i * 2, y: 60 })),
        );
    } finally {
      tf.dispose([blank, face]);
    }
  }

  async analyze(input: FrameInput): Promise<FrameAnalysis> {
    const started = performance.now();
    const source = input.kind === 'jpeg' ? decodeJpeg(input.bytes) : checkFrame(input.frame);
    const frame = downscale(source);
    const rgb = toRgb(frame);
    const decoded = performance.now();
    const { tf } = this.faceApi;
    const image = tf.tensor3d(rgb, [frame.height, frame.width, 3], 'int32');
    try {
      const detections = await this.detector.detect(image);
      const stagesMs = { detect: performance.now() - decoded, landmarks: 0, descriptor: 0, liveness: 0 };
      const [only] = detections;
      // Landmarks, descriptor and liveness only for a single face: a frame with several is a retry anyway.
      const face = only && detections.length === 1 ? await this.observe(image, frame, only, stagesMs) : undefined;
      const scale = source.width / frame.width;
      return {
        source: { width: source.width, height: source.height },
        analysed: { width: frame.width, height: frame.height },
        faceCount: detections.length,
        boxes: detections.map(({ box }) => ({
          x: box.x * scale,
          y: box.y * scale,
          width: box.width * scale,
          height: box.height * scale,
        })),
        ...(face ? { face } : {}),
        decodeMs: decoded - started,
        inferenceMs: performance.now() - decoded,
        stagesMs,
      };
    } finally {
      image.dispose();
    }
  }

  private async observe(
    image: Tensor3D,
    frame: RgbaFrame,
    detection: Detection,
    stagesMs: { landmarks: number; descriptor: number; liveness: number },
  ): Promise<FaceObservation> {
    const landmarksStart = performance.now();
    const first = await this.landmarks(image, detection.box);
    // Second pass on a crop framed by the first pass's landmarks: the landmark net then sees every face
    // framed alike whichever detector found it, and the descriptor's alignment follows (ARCHITECTURE.md).
    const box = landmarkFrame(first.positions);
    const landmarks = await this.landmarks(image, box);
    const points = landmarks.positions.map(({ x, y }) => ({ x, y }));
    const eyes = this.iris ? await this.eyeOpenness(this.iris, image, points) : undefined;
    const descriptorStart = performance.now();
    // face-api's alignment: the landmarks' bounding box, padded, is what the descriptor net sees.
    const descriptor = await this.inCrop(image, landmarks.align(), (crop) =>
      this.faceApi.nets.faceRecognitionNet.computeFaceDescriptor(crop),
    );
    const livenessStart = performance.now();
    const liveness = await this.livenessScores(image, box);
    stagesMs.landmarks = descriptorStart - landmarksStart;
    stagesMs.descriptor = livenessStart - descriptorStart;
    stagesMs.liveness = performance.now() - livenessStart;
    const single = Array.isArray(descriptor) ? descriptor[0] : descriptor;
    if (!(single instanceof Float32Array)) throw new Error('face-api returned no descriptor');
    const margin =
      Math.min(box.x, box.y, frame.width - box.x - box.width, frame.height - box.y - box.height) / box.width;
    return {
      box,
      landmarks: points,
      descriptor: single,
      measures: {
        detectionScore: detection.score,
        faceWidth: box.width,
        edgeMargin: margin,
        ...regionMeasures(frame, box),
        pose: headPose(points),
        ...(eyes === undefined ? {} : { eyeAspectRatio: eyes }),
      },
      liveness,
    };
  }

  /** The 68 landmarks of the face in box, in frame pixels. */
  private async landmarks(image: Tensor3D, box: Box): Promise<FaceLandmarks> {
    // Landmarks come back in the crop's pixels; the crop starts where inCrop clipped the box to.
    const origin = clip(image, box);
    return (await this.inCrop(image, box, (crop) => this.faceApi.nets.faceLandmark68Net.detectLandmarks(crop))).shiftBy(
      origin.x,
      origin.y,
    );
  }

  /** Runs a net on the part of the image inside box (clipped to the frame, whole pixels). */
  private async inCrop<T>(image: Tensor3D, box: Box, run: (crop: Tensor3D) => Promise<T>): Promise<T> {
    const { x, y, width, height } = clip(image, box);
    const crop = this.faceApi.tf.slice3d(image, [y, x, 0], [height, width, 3]);
    try {
      return await run(crop);
    } finally {
      crop.dispose();
    }
  }

  /** Both eyes' lid aspect ratio, averaged (face/eyelids.ts): the blink challenge's measure. */
  private async eyeOpenness(iris: GraphModel, image: Tensor3D, points: readonly Point[]): Promise<number> {
    const { tf } = this.faceApi;
    const [height, width] = image.shape;
    const boxes = eyeCrops(points).map((b) => [
      b.y / height,
      b.x / width,
      (b.y + b.height) / height,
      (b.x + b.width) / width,
    ]);
    const output = tf.tidy(() => {
      const crops = tf.image.cropAndResize(tf.expandDims<Tensor4D>(image, 0), boxes, [0, 0], [IRIS_INPUT, IRIS_INPUT]);
      const [left, right] = tf.split<Tensor4D>(crops, 2);
      const input = tf.concat([left as Tensor4D, tf.image.flipLeftRight(right as Tensor4D)]);
      return iris.execute(tf.div(input, 255)) as Tensor;
    });
    const values = await output.data();
    output.dispose();
    return (lidAspectRatio(values, 0) + lidAspectRatio(values, IRIS_VALUES)) / 2;
  }

  private async livenessScores(image: Tensor3D, box: Box): Promise<{ antispoof: number; liveness: number }> {
    const { tf } = this.faceApi;
    const [height, width] = image.shape;
    const side = Math.max(box.width, box.height) * LIVENESS_CROP_SCALE;
    const cx = box.x + box.width / 2;
    const cy = box.y + box.height / 2;
    const crop = [(cy - side / 2) / height, (cx - side / 2) / width, (cy + side / 2) / height, (cx + side / 2) / width];
    const score = async (model: GraphModel, size: number): Promise<number> => {
      const output = tf.tidy(() => {
        // Crop first, then scale to 0..1: dividing the whole frame would cost more than either model.
        const pixels = tf.image.cropAndResize(tf.expandDims<Tensor4D>(image, 0), [crop], [0], [size, size]);
        // A dim face is brightened to DIM_GAIN.target mean before scoring (never darkened): the models scored
        // genuine faces in a dim kiosk below their limits (bench/README.md, face-frr).
        const gain = tf.clipByValue(tf.div(DIM_GAIN.target, tf.maximum(tf.mean(pixels), 1)), 1, DIM_GAIN.max);
        const input = tf.minimum(tf.div<Tensor4D>(tf.mul(pixels, gain), 255), 1);
        return model.execute(input) as Tensor;
      });
      const values = await output.data();
      output.dispose();
      return values[0] ?? 0;
    };
    return { antispoof: await score(this.antispoof, 128), liveness: await score(this.liveness, 32) };
  }
}
