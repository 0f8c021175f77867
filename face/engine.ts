// The inference engine: one per worker thread. Decodes and shrinks the frame, finds faces, and for a single
// face computes landmarks, the 128-d descriptor, quality measures and the liveness scores.
import { join } from 'node:path';
import type { GraphModel, Rank, Tensor, Tensor4D } from '@tensorflow/tfjs';
import type { FaceObservation, FrameAnalysis, FrameInput } from './analysis.ts';
import { type BackendChoice, type BackendName, loadBackend } from './backend.ts';
import type { Box, FaceApi, Tensor3D } from './face-api-types.ts';
import { checkFrame, downscale, toRgb } from './frame.ts';
import { fileModelHandler } from './graph-model-file.ts';
import { regionMeasures } from './image-measures.ts';
import { decodeJpeg } from './jpeg.ts';
import { eyeAspectRatio, headPose } from './landmarks.ts';
import { faceApiModelDirectory, humanModelDirectory } from './models.ts';

/** tiny: TinyFaceDetector at 320 px input, the live default (fits the 250 ms budget); ssd: SSD MobileNet v1, slower, finds smaller faces. */
export type DetectorName = 'tiny' | 'ssd';

export interface EngineOptions {
  readonly backend: BackendChoice;
  readonly detector: DetectorName;
}

export interface EngineHealth {
  readonly backend: BackendName;
  readonly fallbackReason?: string;
  readonly tfjsVersion: string;
  readonly faceApiVersion: string;
  readonly detector: DetectorName;
  readonly models: readonly string[];
  readonly loadMs: number;
}

const MIN_DETECTION_SCORE = 0.5;
/** Human crops faces with a margin around the detector box before its anti-spoof models. */
const LIVENESS_CROP_SCALE = 1.2;

export class FaceEngine {
  private constructor(
    private readonly faceApi: FaceApi,
    private readonly detectorOptions: object,
    private readonly antispoof: GraphModel,
    private readonly liveness: GraphModel,
    readonly health: EngineHealth,
  ) {}

  static async load(options: EngineOptions): Promise<FaceEngine> {
    const started = performance.now();
    const backend = await loadBackend(options.backend);
    const { faceApi } = backend;
    const { tf, nets } = faceApi;
    const faceDir = faceApiModelDirectory();
    const detectorNet = options.detector === 'tiny' ? nets.tinyFaceDetector : nets.ssdMobilenetv1;
    await Promise.all([detectorNet, nets.faceLandmark68Net, nets.faceRecognitionNet].map((net) => net.loadFromDisk(faceDir)));
    const humanDir = humanModelDirectory();
    const antispoof = await tf.loadGraphModel(fileModelHandler(tf, join(humanDir, 'antispoof.json')));
    const liveness = await tf.loadGraphModel(fileModelHandler(tf, join(humanDir, 'liveness.json')));
    const detectorOptions =
      options.detector === 'tiny'
        ? new faceApi.TinyFaceDetectorOptions({ inputSize: 320, scoreThreshold: MIN_DETECTION_SCORE })
        : new faceApi.SsdMobilenetv1Options({ minConfidence: MIN_DETECTION_SCORE, maxResults: 10 });
    const health: EngineHealth = {
      backend: backend.name,
      ...(backend.fallbackReason === undefined ? {} : { fallbackReason: backend.fallbackReason }),
      tfjsVersion: tf.version_core,
      faceApiVersion: faceApi.version,
      detector: options.detector,
      models: [
        options.detector === 'tiny' ? 'face-api tiny_face_detector' : 'face-api ssd_mobilenetv1',
        'face-api face_landmark_68',
        'face-api face_recognition (128-d)',
        'human antispoof',
        'human liveness',
      ],
      loadMs: performance.now() - started,
    };
    const engine = new FaceEngine(faceApi, detectorOptions, antispoof, liveness, health);
    await engine.warmUp();
    return engine;
  }

  /** The first inference on wasm compiles kernels and takes seconds; pay that at start, not on a person's first frame. */
  private async warmUp(): Promise<void> {
    const { tf, nets } = this.faceApi;
    const blank = tf.zeros<Rank.R3>([480, 640, 3], 'int32');
    const face = tf.zeros<Rank.R3>([150, 150, 3], 'int32');
    try {
      await this.faceApi.detectAllFaces(blank, this.detectorOptions).withFaceLandmarks();
      await nets.faceLandmark68Net.detectLandmarks(face);
      await nets.faceRecognitionNet.computeFaceDescriptor(face);
      await this.livenessScores(face, { x: 0, y: 0, width: 150, height: 150 });
    } finally {
      tf.dispose([blank, face]);
    }
  }

  async analyze(input: FrameInput): Promise<FrameAnalysis> {
    const started = performance.now();
    const source = input.kind === 'jpeg' ? decodeJpeg(input.bytes) : checkFrame(input.frame);
    const frame = downscale(source);
    const decoded = performance.now();
    const { tf } = this.faceApi;
    const image = tf.tensor3d(toRgb(frame), [frame.height, frame.width, 3], 'int32');
    try {
      const detectStart = performance.now();
      const faces = await this.faceApi.detectAllFaces(image, this.detectorOptions).withFaceLandmarks();
      const stagesMs = { detect: performance.now() - detectStart, descriptor: 0, liveness: 0 };
      const [only] = faces;
      let face: FaceObservation | undefined;
      if (only && faces.length === 1) {
        const box = only.detection.box;
        const landmarks = only.landmarks.positions.map(({ x, y }) => ({ x, y }));
        const margin = Math.min(box.x, box.y, frame.width - box.x - box.width, frame.height - box.y - box.height) / box.width;
        const descriptorStart = performance.now();
        const descriptor = await this.descriptor(image, only.landmarks.align());
        const livenessStart = performance.now();
        const liveness = await this.livenessScores(image, box);
        stagesMs.descriptor = livenessStart - descriptorStart;
        stagesMs.liveness = performance.now() - livenessStart;
        face = {
          box: { x: box.x, y: box.y, width: box.width, height: box.height },
          landmarks,
          descriptor,
          measures: {
            detectionScore: only.detection.score,
            faceWidth: box.width,
            edgeMargin: margin,
            ...regionMeasures(frame, box),
            pose: headPose(landmarks),
            eyeAspectRatio: eyeAspectRatio(landmarks),
          },
          liveness,
        };
      }
      return {
        source: { width: source.width, height: source.height },
        analysed: { width: frame.width, height: frame.height },
        faceCount: faces.length,
        boxes: faces.map(({ detection: { box } }) => {
          const scale = source.width / frame.width;
          return { x: box.x * scale, y: box.y * scale, width: box.width * scale, height: box.height * scale };
        }),
        ...(face ? { face } : {}),
        decodeMs: decoded - started,
        inferenceMs: performance.now() - decoded,
        stagesMs,
      };
    } finally {
      image.dispose();
    }
  }

  private async descriptor(image: Tensor3D, aligned: unknown): Promise<Float32Array> {
    const crops = await this.faceApi.extractFaceTensors(image, [aligned]);
    try {
      const [crop] = crops;
      if (!crop) throw new Error('face-api returned no face crop');
      const result = await this.faceApi.nets.faceRecognitionNet.computeFaceDescriptor(crop);
      const descriptor = Array.isArray(result) ? result[0] : result;
      if (!(descriptor instanceof Float32Array)) throw new Error('face-api returned no descriptor');
      return descriptor;
    } finally {
      this.faceApi.tf.dispose(crops);
    }
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
        const input = tf.image.cropAndResize(tf.div<Tensor4D>(tf.expandDims<Tensor4D>(image, 0), 255), [crop], [0], [size, size]);
        return model.execute(input) as Tensor;
      });
      const values = await output.data();
      output.dispose();
      return values[0] ?? 0;
    };
    return { antispoof: await score(this.antispoof, 128), liveness: await score(this.liveness, 32) };
  }
}
