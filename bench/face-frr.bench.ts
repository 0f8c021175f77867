// False rejects of a check-in's face try, on labelled public photos with several photos per person
// (test/fixtures/faces), three pipelines on the same attempts in the same run:
//  - Muster now: best of 3 consecutive frames, each against every enrolled capture (face/verification.ts
//    verifyFrames, what the kiosk's face port runs);
//  - Muster before: the first frame only, against the template (the previous face port);
//  - face-api's own pipeline: detectSingleFace (SSD MobileNet v1) + landmarks + descriptor on the first frame,
//    FaceMatcher over the same enrolment photos at face-api's default threshold 0.6.
// An attempt is 3 frames of one held-out photo under one light and distance (the kiosk's usual, and dim and
// small): a clean frame, a noisy one, a blurred one, in three orders; the person is enrolled from their OTHER photos. Impostor attempts: every
// other named person's attempts and one-face crops of face-api's demo photos, claiming each enrolled person.
// FRR at FAR <= 0.1% is read at each pipeline's own loosest threshold within that FAR on these attempts.
import { readFileSync } from 'node:fs';
import type { Tensor3D } from '@tensorflow/tfjs';
import type { FaceTemplate } from '../face/template.ts';
import { loadBackend } from '../face/backend.ts';
import { type Capture, capture } from '../face/capture.ts';
import { type ScoredPair, calibrate, ratesAt } from '../face/calibration.ts';
import type { FaceApi } from '../face/face-api-types.ts';
import { FaceService } from '../face/face-service.ts';
import { type RgbaFrame, toRgb } from '../face/frame.ts';
import { livenessVerdict } from '../face/liveness.ts';
import { DEFAULT_MATCH_THRESHOLD, templateDistance } from '../face/match.ts';
import { faceApiModelDirectory } from '../face/models.ts';
import { DEFAULT_FACE_FRAMES, verifyFrames } from '../face/verification.ts';
import {
  CAMERA_VARIANTS,
  FACES_DIR,
  blur,
  brightness,
  decode,
  encode,
  kioskFrame,
  noise,
} from '../test/face/camera.ts';
import { demoFaces, labelledPhotos } from '../test/face/pair-set.ts';
import type { Suite } from './suites.ts';

/** face-api's FaceMatcher default. */
const FACE_API_THRESHOLD = 0.6;
const TARGET_FAR = 0.001;

/** Light and distance of an attempt: the kiosk's usual frame, and the dim, small captures that failed most. */
const CONDITIONS: Readonly<Record<string, (photo: RgbaFrame) => RgbaFrame>> = {
  'normal': (p) => kioskFrame(p),
  'dim-small': (p) => brightness(kioskFrame(p, 0.6), 0.55),
};
/** Three consecutive frames of one pose differ in sensor noise and motion blur. */
const FRAMES: readonly ((f: RgbaFrame) => Uint8Array)[] = [
  (f) => encode(f, 85),
  (f) => encode(noise(f, 12, 7), 70),
  (f) => encode(blur(f, 1), 85),
];
/** Enrolment is supervised, in good light: the usable ones of these captures of each photo become the template. */
const ENROLMENT_VARIANTS = ['kiosk', 'bright', 'dark', 'blur', 'noisy'] as const;

interface Attempt {
  readonly identity: string;
  readonly condition: string;
  /** Keys into the frame store, in the order the camera gives them. */
  readonly frames: readonly string[];
}

/** face-api's own pipeline, beyond the nets face/ already uses. */
interface FaceApiPipeline {
  detectSingleFace(
    input: Tensor3D,
    options: object,
  ): { withFaceLandmarks(): { withFaceDescriptor(): Promise<{ readonly descriptor: Float32Array } | undefined> } };
  readonly LabeledFaceDescriptors: new (label: string, descriptors: Float32Array[]) => object;
  readonly FaceMatcher: new (
    labelled: object[],
    threshold: number,
  ) => { matchDescriptor(d: Float32Array): { readonly distance: number } };
}

async function startFaceApi(): Promise<FaceApi & FaceApiPipeline> {
  const { faceApi } = await loadBackend('wasm');
  const directory = faceApiModelDirectory();
  await Promise.all([
    faceApi.nets.ssdMobilenetv1.loadFromDisk(directory),
    faceApi.nets.faceLandmark68Net.loadFromDisk(directory),
    faceApi.nets.faceRecognitionNet.loadFromDisk(directory),
  ]);
  return faceApi as FaceApi & FaceApiPipeline;
}

export const faceFrrSuite: Suite = {
  name: 'face-frr',
  async run(report) {
    const frames = new Map<string, Uint8Array>();
    const attempts: Attempt[] = [];
    const enrolmentFiles = new Map<string, { photo: string; key: string }[]>();
    const photos = labelledPhotos();
    for (const { file, person } of photos) {
      const photo = decode(readFileSync(new URL(file, FACES_DIR)));
      for (const variant of ENROLMENT_VARIANTS) {
        const key = `${file}/enrol-${variant}`;
        frames.set(key, (CAMERA_VARIANTS[variant] as (p: RgbaFrame) => Uint8Array)(photo));
        enrolmentFiles.set(person, [...(enrolmentFiles.get(person) ?? []), { photo: file, key }]);
      }
      addAttempts(frames, attempts, person, file, photo, Object.keys(CONDITIONS));
    }
    const cropper = await FaceService.start({ backend: 'wasm', detector: 'ssd' });
    const demo = await demoFaces(cropper).finally(() => cropper.close());
    for (const face of demo)
      addAttempts(frames, attempts, face.identity, face.identity, face.frame, Object.keys(CONDITIONS));

    // Every frame once through each pipeline.
    const service = await FaceService.start({ backend: 'wasm' });
    const captures = new Map<string, Capture>();
    try {
      for (const [key, bytes] of frames) captures.set(key, await capture(service, { kind: 'jpeg', bytes }));
    } finally {
      await service.close();
    }
    const faceApi = await startFaceApi();
    const faceApiDescriptors = new Map<string, Float32Array | undefined>();
    const firstFrames = new Set([
      ...attempts.map((a) => a.frames[0] as string),
      ...[...enrolmentFiles.values()].flat().map((e) => e.key),
    ]);
    for (const key of firstFrames)
      faceApiDescriptors.set(key, await faceApiDescriptor(faceApi, frames.get(key) as Uint8Array));

    /** Enrolment of `person` from every photo but `heldOut` (all photos when the claimant is someone else). */
    const enrolment = (person: string, heldOut: string): { muster: FaceTemplate; faceApi: Float32Array[] } => {
      const keys = (enrolmentFiles.get(person) ?? [])
        .filter((e) => !heldOut.startsWith(`${e.photo}/`))
        .map((e) => e.key);
      const muster = keys.flatMap((k) => {
        const c = captures.get(k);
        return c?.kind === 'usable' ? [c.face.descriptor] : [];
      });
      return {
        muster: { subjectId: person, descriptors: muster, salt: new Uint8Array(32), createdAt: '' },
        faceApi: keys.flatMap((k) => {
          const d = faceApiDescriptors.get(k);
          return d ? [d] : [];
        }),
      };
    };

    const scored: Record<'now' | 'before' | 'faceApi', (ScoredPair & { condition: string })[]> = {
      now: [],
      before: [],
      faceApi: [],
    };
    let nowAtDefault = { falseRejects: 0, falseAccepts: 0 };
    let fewestEnrolled = Number.POSITIVE_INFINITY;
    for (const claimed of enrolmentFiles.keys()) {
      for (const attempt of attempts) {
        const same = attempt.identity === claimed;
        const { muster, faceApi: faceApiEnrolled } = enrolment(claimed, same ? (attempt.frames[0] as string) : '');
        if (muster.descriptors.length === 0 || faceApiEnrolled.length === 0)
          throw new Error(`enrolment of ${claimed} has no usable capture`);
        fewestEnrolled = Math.min(fewestEnrolled, muster.descriptors.length);
        const attemptCaptures = attempt.frames.map((k) => captures.get(k) as Capture);
        const row = { same, condition: attempt.condition };
        scored.now.push({ ...row, distance: attemptDistance(muster, attemptCaptures) });
        scored.before.push({ ...row, distance: attemptDistance(muster, attemptCaptures.slice(0, 1)) });
        const first = faceApiDescriptors.get(attempt.frames[0] as string);
        scored.faceApi.push({
          ...row,
          distance: first
            ? new faceApi.FaceMatcher(
                [new faceApi.LabeledFaceDescriptors(claimed, faceApiEnrolled)],
                FACE_API_THRESHOLD,
              ).matchDescriptor(first).distance
            : Number.POSITIVE_INFINITY,
        });
        // The kiosk's own function at the configured threshold, not just the score sweep.
        let next = 0;
        const result = await verifyFrames(
          muster,
          () => Promise.resolve(attemptCaptures[next++] as Capture),
          DEFAULT_FACE_FRAMES,
          DEFAULT_MATCH_THRESHOLD,
        );
        const accepted = result.outcome === 'match';
        nowAtDefault = {
          falseRejects: nowAtDefault.falseRejects + (same && !accepted ? 1 : 0),
          falseAccepts: nowAtDefault.falseAccepts + (!same && accepted ? 1 : 0),
        };
      }
    }

    const genuine = scored.now.filter((p) => p.same).length;
    const impostor = scored.now.length - genuine;
    report.add('face-frr: genuine attempts (3 frames each)', genuine, 'attempts');
    report.add('face-frr: impostor attempts', impostor, 'attempts');
    report.add('face-frr: fewest usable enrolment captures (Muster)', fewestEnrolled, 'captures');
    const baseline = `face-frr: FRR face-api own pipeline at ${FACE_API_THRESHOLD}`;
    const faceApiDefault = ratesAt(scored.faceApi, FACE_API_THRESHOLD);
    report.add(baseline, faceApiDefault.frr * 100, '%');
    report.add(`face-frr: FAR face-api own pipeline at ${FACE_API_THRESHOLD}`, faceApiDefault.far * 100, '%');
    report.add(
      `face-frr: FRR Muster best of ${DEFAULT_FACE_FRAMES} frames at ${DEFAULT_MATCH_THRESHOLD} (verifyFrames)`,
      (100 * nowAtDefault.falseRejects) / genuine,
      '%',
      baseline,
    );
    report.add(
      `face-frr: FAR Muster best of ${DEFAULT_FACE_FRAMES} frames at ${DEFAULT_MATCH_THRESHOLD} (verifyFrames)`,
      (100 * nowAtDefault.falseAccepts) / impostor,
      '%',
    );
    const before = ratesAt(scored.before, DEFAULT_MATCH_THRESHOLD);
    report.add(`face-frr: FRR Muster before (1 frame) at ${DEFAULT_MATCH_THRESHOLD}`, before.frr * 100, '%', baseline);
    report.add(`face-frr: FAR Muster before (1 frame) at ${DEFAULT_MATCH_THRESHOLD}`, before.far * 100, '%');
    const names = {
      now: `Muster best of ${DEFAULT_FACE_FRAMES} frames`,
      before: 'Muster before (1 frame)',
      faceApi: 'face-api own pipeline',
    } as const;
    const atFar = (key: keyof typeof scored): string => `face-frr: FRR at FAR <= ${TARGET_FAR * 100}%, ${names[key]}`;
    for (const key of ['faceApi', 'before', 'now'] as const) {
      const point = calibrate(scored[key], TARGET_FAR).operatingPoint;
      report.add(atFar(key), point.frr * 100, '%', key === 'faceApi' ? undefined : atFar('faceApi'));
      report.add(`face-frr: threshold for FAR <= ${TARGET_FAR * 100}%, ${names[key]}`, point.threshold, 'distance');
    }
    for (const condition of Object.keys(CONDITIONS)) {
      const only = (key: keyof typeof scored): ScoredPair[] => scored[key].filter((p) => p.condition === condition);
      const base = `face-frr: FRR ${condition}, face-api own pipeline at ${FACE_API_THRESHOLD}`;
      report.add(base, ratesAt(only('faceApi'), FACE_API_THRESHOLD).frr * 100, '%');
      report.add(
        `face-frr: FRR ${condition}, ${names.before} at ${DEFAULT_MATCH_THRESHOLD}`,
        ratesAt(only('before'), DEFAULT_MATCH_THRESHOLD).frr * 100,
        '%',
        base,
      );
      report.add(
        `face-frr: FRR ${condition}, ${names.now} at ${DEFAULT_MATCH_THRESHOLD}`,
        ratesAt(only('now'), DEFAULT_MATCH_THRESHOLD).frr * 100,
        '%',
        base,
      );
    }
  },
};

/** Three frames of `photo` under each condition, in three orders (each frame leads once). */
function addAttempts(
  frames: Map<string, Uint8Array>,
  attempts: Attempt[],
  identity: string,
  source: string,
  photo: RgbaFrame,
  conditions: readonly string[],
): void {
  for (const condition of conditions) {
    const pose = (CONDITIONS[condition] as (p: RgbaFrame) => RgbaFrame)(photo);
    const keys = FRAMES.map((make, i) => {
      const key = `${source}/${condition}-${i}`;
      frames.set(key, make(pose));
      return key;
    });
    for (let lead = 0; lead < keys.length; lead++)
      attempts.push({ identity, condition, frames: [...keys.slice(lead), ...keys.slice(0, lead)] });
  }
}

/**
 * The distance verifyFrames compares with its threshold, as one score: the closest usable, live frame before
 * the first spoof-suspected one (which ends the try), each frame against every enrolled capture; infinite
 * when there is none. verifyFrames accepts at threshold t exactly when this is below t.
 */
function attemptDistance(template: FaceTemplate, captures: readonly Capture[]): number {
  let best = Number.POSITIVE_INFINITY;
  for (const c of captures) {
    if (c.kind !== 'usable') continue;
    if (!livenessVerdict(c.face.liveness).live) break;
    best = Math.min(best, templateDistance(template.descriptors, c.face.descriptor));
  }
  return best;
}

async function faceApiDescriptor(
  faceApi: FaceApi & FaceApiPipeline,
  bytes: Uint8Array,
): Promise<Float32Array | undefined> {
  const frame = decode(bytes);
  const image = faceApi.tf.tensor3d(toRgb(frame), [frame.height, frame.width, 3], 'int32');
  try {
    const options = new faceApi.SsdMobilenetv1Options({ minConfidence: 0.5, maxResults: 100 });
    return (await faceApi.detectSingleFace(image, options).withFaceLandmarks().withFaceDescriptor())?.descriptor;
  } finally {
    image.dispose();
  }
}
