// `muster face ...`: verify two photos, enrol a person, calibrate the match threshold, show the backend.
// Exit codes of verify: 0 same person, 1 different person, 2 unusable input; nothing else may exit 1.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { MusterError, errorMessage } from '../../core/errors.ts';
import { type Calibration, DEFAULT_TARGET_FAR, type ScoredPair, calibrate } from '../../face/calibration.ts';
import type { FrameInput } from '../../face/analysis.ts';
import type { BackendChoice } from '../../face/backend.ts';
import type { Capture } from '../../face/capture.ts';
import { DEFAULT_DETECTOR, DETECTOR_NAMES, type DetectorName } from '../../face/detectors.ts';
import { enrol } from '../../face/enrolment.ts';
import { FaceService } from '../../face/face-service.ts';
import { captureFile, readImageFile } from '../../face/image-file.ts';
import { readOrCreateKeyFile } from '../../face/key-file.ts';
import { DEFAULT_MATCH_THRESHOLD, decide, descriptorDistance } from '../../face/match.ts';
import { parsePairsCsv } from '../../face/pairs-csv.ts';
import { sealTemplate, templateCommitment } from '../../face/template.ts';
import { componentLogger, createLogger } from '../../runtime/logger.ts';
import { loadKioskConfig } from '../kiosk/kiosk-config.ts';
import { type Command, type CommandContext, type OptionValues, UsageError, writeLine } from './command.ts';
import { optionalString, requireString } from './options.ts';
import { EXIT_INTERNAL } from './run-cli.ts';

const EXIT_SAME = 0;
const EXIT_DIFFERENT = 1;
const EXIT_UNUSABLE = 2;

const engineOptions = {
  'threshold': { type: 'string' },
  'detector': { type: 'string' },
  'wasm-only': { type: 'boolean' },
  'config': { type: 'string' },
} as const;

const ENGINE_DETAILS = [
  `--threshold N   match when the descriptor distance is below N (default ${DEFAULT_MATCH_THRESHOLD}; see muster face calibrate)`,
  `--detector D    ${DETECTOR_NAMES.join(', ')} (default ${DEFAULT_DETECTOR}, the live kiosk detector)`,
  '--wasm-only     do not try @tensorflow/tfjs-node',
  '--config FILE   take threshold, detector and backend from a kiosk configuration (its "face" section);',
  '                --threshold, --detector and --wasm-only given as well take precedence',
];

interface EngineSettings {
  readonly threshold: number;
  readonly detector: DetectorName;
  readonly backend: BackendChoice;
}

/** Settings from --config (the kiosk's own file, so a check on a workstation uses what the kiosk uses), then flags. */
function engineSettings(values: OptionValues): EngineSettings {
  const configPath = optionalString(values, 'config');
  let base: EngineSettings = { threshold: DEFAULT_MATCH_THRESHOLD, detector: DEFAULT_DETECTOR, backend: 'auto' };
  if (configPath !== undefined) {
    try {
      base = loadKioskConfig(configPath).face;
    } catch (error) {
      if (!(error instanceof MusterError)) throw error;
      throw new UsageError(`--config: ${error.message}`);
    }
  }
  return {
    threshold: threshold(values) ?? base.threshold,
    detector: detector(values) ?? base.detector,
    backend: values['wasm-only'] === true ? 'wasm' : base.backend,
  };
}

function threshold(values: OptionValues): number | undefined {
  const text = optionalString(values, 'threshold');
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!/^\d*\.?\d+$/.test(text) || !(value > 0 && value < 2))
    throw new UsageError(`--threshold must be a number between 0 and 2, got ${JSON.stringify(text)}`);
  return value;
}

function detector(values: OptionValues): DetectorName | undefined {
  const text = optionalString(values, 'detector');
  if (text === undefined) return undefined;
  const name = DETECTOR_NAMES.find((d) => d === text);
  if (!name)
    throw new UsageError(`--detector must be one of ${DETECTOR_NAMES.join(', ')}, got ${JSON.stringify(text)}`);
  return name;
}

/** Starts the worker; a backend that cannot start is an internal failure (70), never "different person". */
async function withService(
  context: CommandContext,
  settings: EngineSettings,
  fn: (service: FaceService) => Promise<number>,
): Promise<number> {
  const { io } = context;
  let service: FaceService;
  try {
    service = await FaceService.start({
      backend: settings.backend,
      detector: settings.detector,
      // A command's own answer is on stdout: its log records go to stderr.
      logger: componentLogger('face', createLogger({ destination: io.stderr })),
    });
  } catch (error) {
    if (!(error instanceof MusterError)) throw error;
    writeLine(io.stderr, `muster face: ${error.message} (${error.code})`);
    return EXIT_INTERNAL;
  }
  try {
    return await fn(service);
  } finally {
    await service.close();
  }
}

function describeUnusable(label: string, c: Extract<Capture, { kind: 'unusable' }>): string {
  return `${label}: unusable (${c.reason}): ${c.detail}. Guidance: ${c.guidance}`;
}

const verify: Command = {
  path: ['face', 'verify'],
  summary: 'Compare the faces in two JPEG photos',
  usage: 'face verify IMG_A IMG_B [--json] [--threshold N | --config FILE]',
  details: [
    'Exit 0: same person; 1: different person; 2: unusable input (not an image, no face, several faces, poor quality).',
    ...ENGINE_DETAILS,
  ],
  options: { json: { type: 'boolean' }, ...engineOptions },
  positionals: { min: 2, max: 2 },
  run: (context) => {
    const settings = engineSettings(context.values);
    const limit = settings.threshold;
    return withService(context, settings, async (service) => {
      const { positionals, io, values } = context;
      const started = performance.now();
      const captures: Capture[] = [];
      for (const path of positionals) captures.push(await captureFile(service, path));
      const totalMs = performance.now() - started;
      const [a, b] = captures as [Capture, Capture];
      const json = values.json === true;
      if (a.kind === 'unusable' || b.kind === 'unusable') {
        const problems = captures.flatMap((c, i) =>
          c.kind === 'unusable'
            ? [{ image: positionals[i] ?? '', reason: c.reason, detail: c.detail, guidance: c.guidance }]
            : [],
        );
        if (json)
          writeLine(io.stdout, JSON.stringify({ decision: 'unusable', problems, backend: service.health.backend }));
        else for (const p of problems) writeLine(io.stderr, describeUnusable(p.image, { kind: 'unusable', ...p }));
        return EXIT_UNUSABLE;
      }
      const result = decide(descriptorDistance(a.face.descriptor, b.face.descriptor), limit);
      const timing = {
        totalMs: Math.round(totalMs),
        perImage: captures.map((c) =>
          c.kind === 'usable'
            ? { decodeMs: Math.round(c.analysis.decodeMs), inferenceMs: Math.round(c.analysis.inferenceMs) }
            : null,
        ),
      };
      const liveness = [a.face.liveness, b.face.liveness];
      if (json) {
        writeLine(
          io.stdout,
          JSON.stringify({
            ...result,
            sameFace: result.decision === 'match',
            backend: service.health.backend,
            detector: service.health.detector,
            timing,
            liveness,
          }),
        );
      } else {
        writeLine(
          io.stdout,
          `${result.decision === 'match' ? 'same person' : 'different person'}: distance ${result.distance.toFixed(4)}, threshold ${result.threshold}`,
        );
        writeLine(
          io.stdout,
          `time: ${timing.totalMs} ms for both images (${timing.perImage.map((t) => `decode ${t?.decodeMs} ms + inference ${t?.inferenceMs} ms`).join(', ')}); backend ${service.health.backend}`,
        );
        writeLine(
          io.stdout,
          `liveness (advisory): ${liveness.map((l) => `anti-spoof ${l.antispoof.toFixed(2)} liveness ${l.liveness.toFixed(2)}`).join('; ')}`,
        );
      }
      return result.decision === 'match' ? EXIT_SAME : EXIT_DIFFERENT;
    });
  },
};

const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

const enroll: Command = {
  path: ['face', 'enroll'],
  summary: 'Enrol a person from 3 or more JPEG photos into an encrypted template',
  usage: 'face enroll --id ID --key FILE [--out FILE] IMG IMG IMG...',
  details: [
    "--id ID      the person's id (letters, digits, . _ -)",
    '--key FILE   32-byte data key; created with mode 0600 when missing',
    '--out FILE   template file (default face-templates/ID.json in the current directory)',
    'The template holds the face descriptors (never the photos), sealed with AES-256-GCM. The commitment printed is what',
    'the log records for the enrolment. Exit 0: enrolled; 2: too few usable photos or photos of different people.',
    ...ENGINE_DETAILS,
  ],
  options: { id: { type: 'string' }, key: { type: 'string' }, out: { type: 'string' }, ...engineOptions },
  positionals: { min: 3, max: 20 },
  run: async (context) => {
    const { values, positionals, io } = context;
    const id = requireString(values, 'id');
    if (!SAFE_ID.test(id))
      throw new UsageError(`--id may hold only letters, digits, '.', '_' and '-', got ${JSON.stringify(id)}`);
    const keyPath = requireString(values, 'key');
    const out = optionalString(values, 'out') ?? join('face-templates', `${id}.json`);
    const settings = engineSettings(values);
    // Files first: a typo in a path fails before any model is loaded.
    const inputs: FrameInput[] = [];
    try {
      for (const path of positionals) inputs.push(await readImageFile(path));
    } catch (error) {
      if (!(error instanceof MusterError)) throw error;
      writeLine(io.stderr, `muster face enroll: ${error.message}`);
      return EXIT_UNUSABLE;
    }
    const key = await readOrCreateKeyFile(keyPath);
    return withService(context, settings, async (service) => {
      let enrolment;
      try {
        enrolment = await enrol(service, id, inputs, settings.threshold);
      } catch (error) {
        if (!(error instanceof MusterError)) throw error;
        writeLine(io.stderr, `muster face enroll: ${error.message}`);
        return EXIT_UNUSABLE;
      }
      enrolment.captures.forEach((c, i) => {
        const label = positionals[i] ?? '';
        writeLine(io.stderr, c.kind === 'usable' ? `${label}: usable` : describeUnusable(label, c));
      });
      await mkdir(dirname(out), { recursive: true });
      await writeFile(out, `${JSON.stringify(sealTemplate(enrolment.template, key), null, 2)}\n`, { mode: 0o600 });
      writeLine(io.stdout, `enrolled ${id}: ${enrolment.template.descriptors.length} captures, template ${out}`);
      writeLine(io.stdout, `commitment ${templateCommitment(enrolment.template)}`);
      return 0;
    });
  },
};

const calibrateCommand: Command = {
  path: ['face', 'calibrate'],
  summary: 'FAR/FRR over thresholds from a CSV of labelled image pairs; suggests an operating point',
  usage: 'face calibrate --pairs FILE [--target-far F] [--json]',
  details: [
    '--pairs FILE      lines image_a,image_b,same|different (paths relative to FILE)',
    `--target-far F    highest acceptable false-accept rate (default ${DEFAULT_TARGET_FAR})`,
    'Pairs with an unusable image are counted and left out: a quality failure is not a match error.',
    ...ENGINE_DETAILS,
  ],
  options: {
    'pairs': { type: 'string' },
    'target-far': { type: 'string' },
    'json': { type: 'boolean' },
    ...engineOptions,
  },
  run: async (context) => {
    const { values, io } = context;
    const pairsPath = requireString(values, 'pairs');
    const targetText = optionalString(values, 'target-far');
    const targetFar = targetText === undefined ? DEFAULT_TARGET_FAR : Number(targetText);
    if (!(targetFar >= 0 && targetFar < 1))
      throw new UsageError(`--target-far must be a rate between 0 and 1, got ${JSON.stringify(targetText)}`);
    const text = await readFile(pairsPath, 'utf8').catch((error: unknown) => {
      throw new UsageError(`cannot read --pairs ${pairsPath}: ${errorMessage(error)}`);
    });
    const pairs = parsePairsCsv(text, dirname(pairsPath));
    return withService(context, engineSettings(values), async (service) => {
      const captures = new Map<string, Capture>();
      for (const path of new Set(pairs.flatMap((p) => [p.a, p.b])))
        captures.set(path, await captureFile(service, path));
      const scored: ScoredPair[] = [];
      const unusable = new Map<string, number>();
      for (const pair of pairs) {
        const a = captures.get(pair.a);
        const b = captures.get(pair.b);
        if (a?.kind !== 'usable' || b?.kind !== 'usable') {
          const reason = a?.kind === 'unusable' ? a.reason : b?.kind === 'unusable' ? b.reason : 'missing';
          unusable.set(reason, (unusable.get(reason) ?? 0) + 1);
          continue;
        }
        scored.push({ distance: descriptorDistance(a.face.descriptor, b.face.descriptor), same: pair.same });
      }
      if (!scored.some((p) => p.same) || !scored.some((p) => !p.same)) {
        writeLine(
          io.stderr,
          `muster face calibrate: need usable genuine and impostor pairs; unusable: ${JSON.stringify(Object.fromEntries(unusable))}`,
        );
        return EXIT_UNUSABLE;
      }
      const result = calibrate(scored, targetFar);
      if (values.json === true)
        writeLine(io.stdout, JSON.stringify({ ...result, unusablePairs: Object.fromEntries(unusable) }));
      else writeLine(io.stdout, calibrationText(result, unusable));
      return 0;
    });
  },
};

function calibrationText(result: Calibration, unusable: ReadonlyMap<string, number>): string {
  const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;
  const lines = [
    `pairs: ${result.genuine} genuine, ${result.impostor} impostor usable; unusable: ${unusable.size ? [...unusable].map(([r, n]) => `${n} ${r}`).join(', ') : 'none'}`,
    `genuine distances ${result.genuineDistances.min.toFixed(3)}-${result.genuineDistances.max.toFixed(3)}, impostor distances ${result.impostorDistances.min.toFixed(3)}-${result.impostorDistances.max.toFixed(3)}`,
    '',
    'threshold      FAR      FRR',
    ...result.sweep
      .filter((p) => Math.round(p.threshold * 100) % 5 === 0)
      .map((p) => `${p.threshold.toFixed(2).padStart(9)} ${pct(p.far).padStart(8)} ${pct(p.frr).padStart(8)}`),
    '',
    `equal error rate: ${pct((result.equalError.far + result.equalError.frr) / 2)} at threshold ${result.equalError.threshold.toFixed(2)}`,
    `operating point (loosest threshold with FAR <= ${pct(result.targetFar)}): threshold ${result.operatingPoint.threshold.toFixed(2)}, FAR ${pct(result.operatingPoint.far)}, FRR ${pct(result.operatingPoint.frr)}`,
    `FAR resolution of this pair set: about ${pct(result.farResolution)} (rule of three over ${result.impostor} impostor pairs)`,
    `suggested: --threshold ${result.operatingPoint.threshold.toFixed(2)}`,
  ];
  return lines.join('\n');
}

const status: Command = {
  path: ['face', 'status'],
  summary: 'Load the face models and report the backend in use',
  usage: 'face status [--json]',
  details: ENGINE_DETAILS,
  options: { json: { type: 'boolean' }, ...engineOptions },
  run: (context) =>
    withService(context, engineSettings(context.values), (service) => {
      writeLine(
        context.io.stdout,
        context.values.json === true ? JSON.stringify(service.health) : JSON.stringify(service.health, null, 2),
      );
      return Promise.resolve(0);
    }),
};

export const faceCommands: readonly Command[] = [verify, enroll, calibrateCommand, status];
