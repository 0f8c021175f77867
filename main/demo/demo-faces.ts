// Faces for the demo centre, from images an installed package ships: the six group photos in
// @vladmandic/face-api's demo/ folder (MIT licence, like the package). Each face found is cut out into
// 640x480 camera frames: three for enrolment (as taken, dimmer, further away) and a brighter one the camera
// serves at check-in, which the real face worker analyses then, with its eyes shut beside it (face/frame-edit.ts
// closeEyes) for the blink the demo kiosks' face challenge asks for. Two faces of one photo are two people: the
// person who "fails the face check" shows a neighbour's face.
// Inference costs up to a second or two a frame on a small machine, so what the enrolment computes (face boxes,
// descriptors, which faces pass the quality gate) is cached on disk, keyed by the photos and the models;
// a missing or stale cache is simply rebuilt.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import jpeg from 'jpeg-js';
import { errorMessage } from '../../core/errors.ts';
import { type Capture, capture } from '../../face/capture.ts';
import { enrol } from '../../face/enrolment.ts';
import { evaluateChallenge } from '../../face/challenge.ts';
import type { Box } from '../../face/face-api-types.ts';
import type { FaceService } from '../../face/face-service.ts';
import { brightness, closeEyes, crop, kioskFrame } from '../../face/frame-edit.ts';
import type { RgbaFrame } from '../../face/frame.ts';
import { DEFAULT_LIVENESS_LIMITS } from '../../face/liveness.ts';
import { DEFAULT_QUALITY_LIMITS } from '../../face/quality.ts';
import { createTemplate } from '../../face/template.ts';
import { verifyCapture } from '../../face/verification.ts';

export interface DemoFace {
  /** `sample<N>-<k>`: the k-th face found in demo photo N. */
  readonly id: string;
  /** Descriptors of the three enrolment frames. */
  readonly descriptors: readonly Float32Array[];
  /** The frame the camera serves when this person checks in (JPEG, 640x480)... */
  readonly checkinFrame: Uint8Array;
  /** ...and the file in the folder of demo faces that holds it. */
  readonly frameFile: string;
  /**
   * What the camera sees of this person standing before it, one frame a capture, round and round: eyes open, then
   * shut (blinking as the blink challenge asks; any four frames in a row hold a blink between open eyes). Their
   * photo held up is `[checkinFrame]` alone.
   */
  readonly live: readonly Uint8Array[];
}

export interface DemoFaces {
  /** Faces that enrol and verify at the threshold, in a fixed order. */
  readonly faces: readonly DemoFace[];
  /** A face of another person, from the same photo as faces[impostorOf], that does not match it (live: blinking). */
  readonly impostor: { readonly of: number; readonly frame: Uint8Array; readonly live: readonly Uint8Array[] };
  /** Where the photos came from, for the console. */
  readonly source: string;
}

// Best first: most faces of photos 3 and 6 pass the quality gate, so a small demo analyses only those.
const PHOTOS = [3, 6, 1, 5, 4, 2].map((n) => `sample${n}.jpg`);
const CACHE_VERSION = 'demo-faces/6';
/**
 * Distance a demo face keeps from the threshold (matching below it, the impostor above it), so another backend's
 * rounding cannot flip the scripted outcome.
 */
const MARGIN = 0.05;

interface CachedFace {
  readonly box: Box;
  /** Why it cannot serve (quality gate, inconsistent captures), or its descriptors. */
  readonly unusable?: string;
  readonly descriptors?: number[][];
  /** The check-in frame verifies, and so does its shut-eyed twin, which passes the blink challenge beside it. */
  readonly checkinOk?: boolean;
}

interface Cache {
  key: string;
  photos: Record<string, CachedFace[]>;
  mismatch: Record<string, boolean>;
}

function faceApiDirectory(): string {
  return dirname(dirname(createRequire(import.meta.url).resolve('@vladmandic/face-api')));
}

export function demoPhotoDirectory(): string {
  return join(faceApiDirectory(), 'demo');
}

/** node_modules/.cache/muster: outside the repository and the demo's data, so `--fresh` keeps it. */
export function defaultFaceCacheDir(): string {
  return join(faceApiDirectory(), '..', '..', '.cache', 'muster');
}

/** Prepares `needed` usable faces and one impostor (from cache where it holds). */
export async function prepareDemoFaces(
  service: FaceService,
  options: {
    readonly needed: number;
    readonly threshold: number;
    readonly cacheDir: string;
    readonly say?: (line: string) => void;
  },
): Promise<DemoFaces> {
  const dir = demoPhotoDirectory();
  const photos = PHOTOS.map((file) => ({ file, bytes: new Uint8Array(readFileSync(join(dir, file))) }));
  const key = createHash('sha256')
    .update(CACHE_VERSION)
    .update(JSON.stringify(service.health.models))
    .update(service.health.faceApiVersion)
    .update(service.health.backend)
    // What decides whether a face serves: the gate's and liveness's limits as much as the models.
    .update(JSON.stringify([DEFAULT_QUALITY_LIMITS, DEFAULT_LIVENESS_LIMITS]))
    .update(String(options.threshold));
  for (const p of photos) key.update(p.bytes);
  const cachePath = join(options.cacheDir, 'demo-faces.json');
  const frameDir = join(options.cacheDir, 'demo-faces');
  const cache = readCache(cachePath, key.digest('hex'));
  let computed = false;
  const faces: DemoFace[] = [];
  let impostor: DemoFaces['impostor'] | undefined;
  const done = (): boolean => faces.length >= options.needed && impostor !== undefined;
  for (const photo of photos) {
    if (done()) break;
    // Decoding a 2 MP photo and cutting frames from it cost more than reading the cached frames: only on a miss.
    let decoded: RgbaFrame | undefined;
    const image = (): RgbaFrame => (decoded ??= decode(photo.bytes));
    let entries = cache.photos[photo.file];
    if (!entries) {
      options.say?.(`preparing demo faces from ${photo.file} (cached for later runs in ${options.cacheDir})`);
      const analysis = await service.analyze({ kind: 'jpeg', bytes: photo.bytes });
      entries = analysis.boxes.map((box) => ({ box }));
      cache.photos[photo.file] = entries;
      computed = true;
    }
    const inPhoto: { index: number; face: DemoFace }[] = [];
    for (const [k, entry] of entries.entries()) {
      if (done()) break;
      const id = `${photo.file.replace('.jpg', '')}-${k}`;
      const frameFile = join(frameDir, `${id}.jpg`);
      // Apart from the open-eyed frames: a camera emulator serving the folder shows open eyes only.
      const shutFile = join(frameDir, 'shut', `${id}.jpg`);
      let ready = entry;
      if (entry.unusable === undefined && entry.descriptors === undefined) {
        const frames = framesOf(image(), entry.box);
        const examined = await examine(service, id, entry.box, frames, options.threshold);
        ready = examined.face;
        entries[k] = ready;
        computed = true;
        writeFrame(frameFile, frames.checkin);
        if (examined.shut) writeFrame(shutFile, examined.shut);
      }
      if (ready.descriptors === undefined || ready.checkinOk !== true) continue;
      const checkinFrame = readFrame(frameFile) ?? writeFrame(frameFile, framesOf(image(), entry.box).checkin);
      // Landmarks decide where the lids go: a lost file costs one more analysis, not a new examination.
      const shut = readFrame(shutFile) ?? (await shutEyes(service, checkinFrame));
      if (!shut) continue;
      writeFrame(shutFile, shut);
      const face: DemoFace = {
        id,
        descriptors: ready.descriptors.map((d) => Float32Array.from(d)),
        checkinFrame,
        frameFile,
        live: [checkinFrame, shut],
      };
      inPhoto.push({ index: faces.length, face });
      if (faces.length < options.needed) faces.push(face);
      // The impostor: a second usable face of the same photo, against the first one's template.
      const [first, second] = inPhoto;
      if (!impostor && first && second && first.index < faces.length) {
        const pair = `${first.face.id}|${second.face.id}`;
        if (cache.mismatch[pair] === undefined) {
          const verdict = verifyCapture(
            createTemplate(first.face.id, first.face.descriptors),
            await capture(service, { kind: 'jpeg', bytes: second.face.checkinFrame }),
            options.threshold,
          );
          cache.mismatch[pair] = verdict.outcome === 'no-match' && verdict.match.distance >= options.threshold + MARGIN;
          computed = true;
        }
        if (cache.mismatch[pair])
          impostor = { of: first.index, frame: second.face.checkinFrame, live: second.face.live };
      }
    }
  }
  if (computed) writeCache(cachePath, cache, options.say);
  if (faces.length === 0 || !impostor)
    throw new Error(
      `the demo photos in ${dir} gave ${faces.length} usable faces and ${impostor ? 'an' : 'no'} impostor`,
    );
  return { faces, impostor, source: dir };
}

function readFrame(path: string): Uint8Array | undefined {
  try {
    return new Uint8Array(readFileSync(path));
  } catch {
    return undefined;
  }
}

/** Keeps the frame as a file (the folder the demo camera serves); the frame is returned either way. */
function writeFrame(path: string, frame: Uint8Array): Uint8Array {
  try {
    mkdirSync(dirname(path), { recursive: true });
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, frame);
    renameSync(tmp, path);
  } catch {
    // A read-only cache only costs time on the next run.
  }
  return frame;
}

/**
 * Enrols from the three enrolment frames and checks that the check-in frame verifies, and that its shut-eyed twin
 * verifies too and blinks between it (the blink challenge, as the kiosk judges it): only such faces serve.
 */
async function examine(
  service: FaceService,
  id: string,
  box: Box,
  frames: Frames,
  threshold: number,
): Promise<{ readonly face: CachedFace; readonly shut?: Uint8Array }> {
  try {
    const { template } = await enrol(
      service,
      id,
      frames.enrol.map((bytes) => ({ kind: 'jpeg' as const, bytes })),
      threshold,
    );
    const matches = (c: Capture | undefined): boolean => {
      const verdict = c && verifyCapture(template, c, threshold);
      return verdict?.outcome === 'match' && verdict.match.distance <= threshold - MARGIN;
    };
    const checkin = await capture(service, { kind: 'jpeg', bytes: frames.checkin });
    const shut = checkin.kind === 'usable' ? await shutEyes(service, frames.checkin) : undefined;
    const closed = shut ? await capture(service, { kind: 'jpeg', bytes: shut }) : undefined;
    const blinks =
      checkin.kind === 'usable' &&
      closed?.kind === 'usable' &&
      evaluateChallenge('blink', [checkin.face, closed.face, checkin.face], threshold).passed;
    const face: CachedFace = {
      box,
      descriptors: template.descriptors.map((d) => [...d]),
      checkinOk: matches(checkin) && blinks && matches(closed),
    };
    return shut ? { face, shut } : { face };
  } catch (error) {
    return { face: { box, unusable: errorMessage(error) } };
  }
}

/** The frame with the face's eyes shut where its landmarks put them; none when the frame shows no single face. */
async function shutEyes(service: FaceService, frame: Uint8Array): Promise<Uint8Array | undefined> {
  const { face } = await service.analyze({ kind: 'jpeg', bytes: frame });
  return face ? encode(closeEyes(decode(frame), face.landmarks)) : undefined;
}

interface Frames {
  readonly enrol: readonly Uint8Array[];
  readonly checkin: Uint8Array;
}

function framesOf(image: RgbaFrame, box: Box): Frames {
  // A tight crop keeps neighbours out of the frame; the gain evens out faces in shadow.
  const face = crop(image, box, 0.4);
  const gain = Math.min(1.6, Math.max(0.8, 120 / meanLevel(crop(image, box, 0))));
  const frame = (fill: number, extra = 1): Uint8Array => encode(brightness(kioskFrame(face, fill), gain * extra));
  return { enrol: [frame(0.9), frame(0.8, 0.92), frame(0.7)], checkin: frame(0.85, 1.08) };
}

function readCache(path: string, key: string): Cache {
  try {
    const cache = JSON.parse(readFileSync(path, 'utf8')) as Cache;
    if (cache.key === key && typeof cache.photos === 'object' && typeof cache.mismatch === 'object') return cache;
  } catch {
    // No cache, or an unreadable one: rebuilt below.
  }
  return { key, photos: {}, mismatch: {} };
}

function writeCache(path: string, cache: Cache, say?: (line: string) => void): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
    // Renamed into place: tests running side by side may read it while another writes.
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(cache));
    renameSync(tmp, path);
  } catch (error) {
    say?.(`could not cache the demo faces in ${path}: ${errorMessage(error)}`);
  }
}

function decode(bytes: Uint8Array): RgbaFrame {
  const { width, height, data } = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true });
  return { width, height, data };
}

function encode(frame: RgbaFrame): Uint8Array {
  return new Uint8Array(jpeg.encode({ width: frame.width, height: frame.height, data: frame.data }, 88).data);
}

function meanLevel(frame: RgbaFrame): number {
  let sum = 0;
  for (let i = 0; i < frame.data.length; i += 4)
    sum += ((frame.data[i] as number) + (frame.data[i + 1] as number) + (frame.data[i + 2] as number)) / 3;
  return sum / Math.max(1, frame.data.length / 4);
}
