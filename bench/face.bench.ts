// Face benchmarks: per 640x480 kiosk frame with one face, Muster's pipeline (detection, two passes of the
// 68-landmark net, face-api's 128-d descriptor, anti-spoof and liveness) in its worker on the wasm backend,
// with the default detector and with face-api's TinyFaceDetector (the earlier default), beside
// @vladmandic/human's own pipeline (BlazeFace, FaceMesh, FaceRes, the same anti-spoof and liveness models)
// on the same frames in the same run. Stage figures are wall times inside the worker; CPU time per frame
// (process.cpuUsage) is the steadier figure on a shared machine. Then FAR/FRR at the operating point on the calibration pair set, beside face-api's
// published LFW accuracy.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { calibrate, ratesAt, type ScoredPair } from '../face/calibration.ts';
import { DEFAULT_DETECTOR, type DetectorName } from '../face/detectors.ts';
import type { Tf } from '../face/face-api-types.ts';
import type { RgbaFrame } from '../face/frame.ts';
import { FaceService } from '../face/face-service.ts';
import { registerFileModelRouter } from '../face/graph-model-file.ts';
import { captureFile } from '../face/image-file.ts';
import { DEFAULT_MATCH_THRESHOLD, descriptorDistance } from '../face/match.ts';
import { humanModelDirectory, humanWasmBuild } from '../face/models.ts';
import { parsePairsCsv } from '../face/pairs-csv.ts';
import { FACES_DIR, decode, encode, kioskFrame } from '../test/face/camera.ts';
import { buildPairSet, labelledPhotos } from '../test/face/pair-set.ts';
import { type BenchReport, percentile } from './report.ts';
import type { Suite } from './suites.ts';

const require = createRequire(import.meta.url);
const ROUNDS = 3;
/** face-api's model card: the dlib ResNet-34 face recognition model, 99.38% on LFW at distance 0.6. */
const LFW_ACCURACY_PERCENT = 99.38;

interface HumanResult {
  readonly face: readonly unknown[];
}
interface Human {
  readonly tf: Tf;
  load(): Promise<void>;
  detect(input: unknown): Promise<HumanResult>;
}

async function startHuman(): Promise<Human> {
  const { Human: HumanClass } = require(humanWasmBuild()) as { Human: new (config: object) => Human };
  const human = new HumanClass({
    backend: 'wasm',
    wasmPath: `${dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))}/`,
    modelBasePath: `${pathToFileURL(humanModelDirectory()).href}/`,
    debug: false,
    // Video-mode caching would skip work on repeated frames; every frame is measured in full.
    cacheSensitivity: 0,
    face: {
      enabled: true,
      detector: { rotation: false, maxDetected: 5, skipFrames: 0 },
      mesh: { enabled: true },
      iris: { enabled: false },
      description: { enabled: true, skipFrames: 0 },
      emotion: { enabled: false },
      antispoof: { enabled: true, skipFrames: 0 },
      liveness: { enabled: true, skipFrames: 0 },
    },
    body: { enabled: false },
    hand: { enabled: false },
    object: { enabled: false },
    gesture: { enabled: false },
    segmentation: { enabled: false },
    filter: { enabled: false },
  });
  registerFileModelRouter(human.tf);
  await human.load();
  return human;
}

/** Process CPU time since `since`: on a shared, loaded machine it tracks the work done better than wall time. */
function cpuMs(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
}

function addLatency(report: BenchReport, name: string, samples: readonly number[], baseline?: string): void {
  const sorted = [...samples].sort((a, b) => a - b);
  report.add(`${name} p50`, percentile(sorted, 50), 'ms', baseline && `${baseline} p50`);
  report.add(`${name} p95`, percentile(sorted, 95), 'ms', baseline && `${baseline} p95`);
}

/** One face-api pipeline over the frames: per-stage latencies and process CPU time per frame. */
async function faceApiPipeline(
  report: BenchReport,
  detector: DetectorName,
  frames: readonly RgbaFrame[],
  jpegs: readonly Uint8Array[],
): Promise<void> {
  const label = `face: face-api wasm (${detector})`;
  const service = await FaceService.start({ backend: 'wasm', detector });
  try {
    const stages: Record<
      'detectAndDescribe' | 'inference' | 'roundTrip' | 'detect' | 'landmarks' | 'descriptor' | 'liveness',
      number[]
    > = {
      detectAndDescribe: [],
      inference: [],
      roundTrip: [],
      detect: [],
      landmarks: [],
      descriptor: [],
      liveness: [],
    };
    let cpu = process.cpuUsage();
    // RGBA frames (a webcam's), so the figures cover what Human's cover; JPEG decoding is measured after.
    for (let round = 0; round <= ROUNDS; round++) {
      if (round === 1) cpu = process.cpuUsage();
      for (const frame of frames) {
        const started = performance.now();
        const analysis = await service.analyze({ kind: 'rgba', frame });
        if (round === 0) continue;
        if (analysis.faceCount !== 1) throw new Error(`${detector}: ${analysis.faceCount} faces in a one-face frame`);
        const { detect, landmarks, descriptor, liveness } = analysis.stagesMs;
        stages.roundTrip.push(performance.now() - started);
        stages.inference.push(analysis.inferenceMs);
        stages.detectAndDescribe.push(detect + landmarks + descriptor);
        stages.detect.push(detect);
        stages.landmarks.push(landmarks);
        stages.descriptor.push(descriptor);
        stages.liveness.push(liveness);
      }
    }
    const cpuPerFrame = cpuMs(cpu) / stages.inference.length;
    const human = 'face: human wasm detect+mesh+descriptor+liveness';
    addLatency(
      report,
      `${label} detection+landmarks+descriptor`,
      stages.detectAndDescribe,
      detector === 'tiny' ? undefined : 'face: face-api wasm (tiny) detection+landmarks+descriptor',
    );
    addLatency(report, `${label} all stages incl. liveness`, stages.inference, human);
    report.add(`${label} CPU time per frame`, cpuPerFrame, 'ms', 'face: human wasm CPU time per frame');
    if (detector === 'tiny') return;
    addLatency(report, `${label} stage: detection`, stages.detect);
    addLatency(report, `${label} stage: landmarks (2 passes)`, stages.landmarks);
    addLatency(report, `${label} stage: descriptor`, stages.descriptor);
    addLatency(report, `${label} stage: anti-spoof+liveness`, stages.liveness);
    addLatency(report, `${label} frame round trip via worker`, stages.roundTrip);
    const decodeMs: number[] = [];
    for (const bytes of jpegs) decodeMs.push((await service.analyze({ kind: 'jpeg', bytes })).decodeMs);
    addLatency(report, 'face: JPEG decode 640x480 in the worker (jpeg-js)', decodeMs);
  } finally {
    await service.close();
  }
}

async function latency(report: BenchReport): Promise<void> {
  // Other work on a shared machine inflates wall times; the load average says how much there was.
  report.add('face: load average (1 min) at start', loadavg()[0] ?? 0, 'runnable');
  const frames = await Promise.all(
    labelledPhotos().map(async ({ file }) => kioskFrame(decode(await readFile(new URL(file, FACES_DIR))))),
  );
  const jpegs = frames.map((f) => encode(f, 85));

  const human = await startHuman();
  const { tf } = human;
  const humanMs: number[] = [];
  let humanCpu = process.cpuUsage();
  for (let round = 0; round <= ROUNDS; round++) {
    if (round === 1) humanCpu = process.cpuUsage(); // round 0 warms up
    for (const frame of frames) {
      const rgb = tf.tidy(() =>
        tf.slice(tf.tensor3d(frame.data, [frame.height, frame.width, 4], 'int32'), [0, 0, 0], [-1, -1, 3]),
      );
      const started = performance.now();
      await human.detect(rgb);
      if (round > 0) humanMs.push(performance.now() - started);
      rgb.dispose();
    }
  }
  const humanCpuMs = cpuMs(humanCpu) / humanMs.length;
  addLatency(report, 'face: human wasm detect+mesh+descriptor+liveness', humanMs);
  report.add('face: human wasm CPU time per frame', humanCpuMs, 'ms');

  // The previous live detector first, as the baseline the default is compared with.
  await faceApiPipeline(report, 'tiny', frames, jpegs);
  await faceApiPipeline(report, DEFAULT_DETECTOR, frames, jpegs);
  report.add('face: load average (1 min) at end', loadavg()[0] ?? 0, 'runnable');
}

async function accuracy(report: BenchReport): Promise<void> {
  const directory = await mkdtemp(join(tmpdir(), 'muster-face-pairs-'));
  const cropper = await FaceService.start({ backend: 'wasm', detector: 'ssd' });
  const service = await FaceService.start({ backend: 'wasm' });
  try {
    const set = await buildPairSet(directory, cropper);
    const pairs = parsePairsCsv(await readFile(set.csv, 'utf8'), directory);
    const descriptors = new Map<string, Float32Array | undefined>();
    for (const path of new Set(pairs.flatMap((p) => [p.a, p.b]))) {
      const c = await captureFile(service, path);
      descriptors.set(path, c.kind === 'usable' ? c.face.descriptor : undefined);
    }
    const scored: ScoredPair[] = pairs.flatMap((p) => {
      const a = descriptors.get(p.a);
      const b = descriptors.get(p.b);
      return a && b ? [{ distance: descriptorDistance(a, b), same: p.same }] : [];
    });
    const calibration = calibrate(scored);
    const atDefault = ratesAt(scored, DEFAULT_MATCH_THRESHOLD);
    report.add('face: pair set genuine pairs (usable)', calibration.genuine, 'pairs');
    report.add('face: pair set impostor pairs (usable)', calibration.impostor, 'pairs');
    report.add('face: pair set pairs left out (unusable image)', pairs.length - scored.length, 'pairs');
    report.add(`face: FAR at threshold ${DEFAULT_MATCH_THRESHOLD} (default)`, atDefault.far * 100, '%');
    report.add(`face: FRR at threshold ${DEFAULT_MATCH_THRESHOLD} (default)`, atDefault.frr * 100, '%');
    report.add('face: suggested threshold (FAR <= 0.1%)', calibration.operatingPoint.threshold, 'distance');
    report.add('face: FAR at suggested threshold', calibration.operatingPoint.far * 100, '%');
    report.add('face: FRR at suggested threshold', calibration.operatingPoint.frr * 100, '%');
    report.add('face: LFW accuracy published (face-api / dlib)', LFW_ACCURACY_PERCENT, '%');
    const accuracyAtDefault = 100 * (1 - (atDefault.far + atDefault.frr) / 2);
    report.add(
      `face: balanced accuracy at ${DEFAULT_MATCH_THRESHOLD} on the pair set`,
      accuracyAtDefault,
      '%',
      'face: LFW accuracy published (face-api / dlib)',
    );
  } finally {
    await Promise.all([cropper.close(), service.close()]);
    await rm(directory, { recursive: true, force: true });
  }
}

export const faceSuite: Suite = {
  name: 'face',
  run: async (report) => {
    await latency(report);
    await accuracy(report);
  },
};
