// The face-frr bench's per-frame results (bench/face-frr.bench.ts), kept on disk between runs: Muster's analysis
// of a frame (gated again on reading, face/capture.ts gated) and face-api's own pipeline's descriptor, by the
// frame's bytes. The file's name carries a hash of the face layer's sources and the face packages' versions, so
// a change to either starts a new cache. A run that ran out of its time budget leaves what it computed here
// and the next run goes on from there.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FrameAnalysis } from '../face/analysis.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PACKAGES = ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', '@vladmandic/face-api', '@vladmandic/human'];

interface CacheFile {
  readonly muster: Record<string, FrameAnalysis>;
  /** null: face-api found no face. */
  readonly faceApi: Record<string, number[] | null>;
}

export class FrameCache {
  private readonly data: CacheFile;

  private constructor(readonly file: string) {
    this.data = existsSync(file) ? readCache(file) : { muster: {}, faceApi: {} };
  }

  static open(): FrameCache {
    const dir = join(ROOT, 'node_modules/.cache/muster');
    mkdirSync(dir, { recursive: true });
    return new FrameCache(join(dir, `face-frr-${version()}.json`));
  }

  muster(bytes: Uint8Array): FrameAnalysis | undefined {
    return this.data.muster[key(bytes)];
  }

  setMuster(bytes: Uint8Array, analysis: FrameAnalysis): void {
    this.data.muster[key(bytes)] = analysis;
  }

  /** undefined: not computed yet; null: computed, no face. */
  faceApi(bytes: Uint8Array): Float32Array | null | undefined {
    const stored = this.data.faceApi[key(bytes)];
    return stored === undefined || stored === null ? stored : Float32Array.from(stored);
  }

  setFaceApi(bytes: Uint8Array, descriptor: Float32Array | undefined): void {
    this.data.faceApi[key(bytes)] = descriptor ? Array.from(descriptor) : null;
  }

  save(): void {
    writeFileSync(
      this.file,
      JSON.stringify(this.data, (_key, value: unknown) => (value instanceof Float32Array ? Array.from(value) : value)),
    );
  }
}

function key(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function readCache(file: string): CacheFile {
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as CacheFile;
  // Descriptors were written as plain arrays.
  for (const analysis of Object.values(parsed.muster))
    if (analysis.face) Object.assign(analysis.face, { descriptor: Float32Array.from(analysis.face.descriptor) });
  return parsed;
}

/** Face modules that judge an analysis after it is made (applied to cached ones when read) or are off its path. */
const AFTER_ANALYSIS = new Set([
  'capture.ts',
  'quality.ts',
  'verification.ts',
  'liveness.ts',
  'match.ts',
  'calibration.ts',
  'template.ts',
  'enrolment.ts',
  'challenge.ts',
  'active-challenge.ts',
  'live-verification.ts',
  'pairs-csv.ts',
  'key-file.ts',
  'image-file.ts',
  'face-service.ts',
]);

/** The sources of the face layer's analysis and the face packages' versions. */
function version(): string {
  const hash = createHash('sha256');
  const dir = join(ROOT, 'face');
  for (const name of readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && !AFTER_ANALYSIS.has(f))
    .sort())
    hash.update(name).update(readFileSync(join(dir, name)));
  for (const name of PACKAGES) {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as {
      version: string;
    };
    hash.update(`${name}@${manifest.version}`);
  }
  return hash.digest('hex').slice(0, 16);
}
