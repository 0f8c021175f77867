// Builds the labelled pair set used to calibrate the match threshold (bench/face.bench.ts, and by hand with
// `muster face calibrate --pairs DIR/pairs.csv`). Sources, written into the CSV's header comment:
//  - test/fixtures/faces: 11 photos of 5 named people, each turned into camera-like 640x480 variants
//    (camera.ts). Genuine pairs join variants of two DIFFERENT photos of a person, never two variants of
//    one photo, which would flatter the matcher.
//  - @vladmandic/face-api demo/sample1-6.jpg: group photos of unnamed people, cut into one-face frames.
//    Two faces in one photo are two people, so they give impostor pairs with each other and with the
//    named people. Faces of different demo photos are never paired: they may be the same person.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FaceService } from '../../face/face-service.ts';
import type { RgbaFrame } from '../../face/frame.ts';
import { CAMERA_VARIANTS, FACES_DIR, FACE_API_DEMO_DIR, crop, decode, encode, kioskFrame } from './camera.ts';

interface PairImage {
  readonly file: string;
  /** Person's name, or `demo<N>/<face>` for an unnamed face. */
  readonly identity: string;
  /** The photo it came from: genuine pairs must come from two different photos. */
  readonly photo: string;
}

const CHIPS_DIR = 'dlib-johns';

export interface PairSet {
  readonly csv: string;
  readonly images: number;
  readonly genuine: number;
  readonly impostor: number;
}

export function labelledPhotos(): { file: string; person: string }[] {
  return readdirSync(fileURLToPath(FACES_DIR))
    .filter((f) => /^[a-z_]+_\d+\.jpg$/.test(f) && !f.startsWith('group_'))
    .sort()
    .map((file) => ({ file, person: file.replace(/_\d+\.jpg$/, '') }));
}

/**
 * dlib's aligned face chips (test/fixtures/faces/dlib-johns, Boost licence): `dlib-johns/<person>_<n>.jpg`,
 * 150x150 and cropped tight around the face, so a caller frames them smaller (camera.ts kioskFrame, fill 0.5).
 */
export function faceChips(): { file: string; person: string }[] {
  return readdirSync(fileURLToPath(new URL(`${CHIPS_DIR}/`, FACES_DIR)))
    .filter((f) => /^[a-z_]+_\d+\.jpg$/.test(f))
    .sort()
    .map((f) => ({ file: `${CHIPS_DIR}/${f}`, person: f.replace(/_\d+\.jpg$/, '') }));
}

/** One-face crops of face-api's demo group photos: `demo<N>/<k>`, unnamed, so only ever impostors. */
export async function demoFaces(
  cropper: FaceService,
): Promise<{ identity: string; photo: string; frame: RgbaFrame }[]> {
  const faces: { identity: string; photo: string; frame: RgbaFrame }[] = [];
  for (let n = 1; n <= 6; n++) {
    const bytes = readFileSync(new URL(`sample${n}.jpg`, FACE_API_DEMO_DIR));
    const analysis = await cropper.analyze({ kind: 'jpeg', bytes });
    const photo = decode(bytes);
    analysis.boxes.forEach((box, k) =>
      faces.push({ identity: `demo${n}/${k}`, photo: `sample${n}.jpg`, frame: crop(photo, box) }),
    );
  }
  return faces;
}

export async function buildPairSet(
  directory: string,
  cropper: FaceService,
  variants: readonly string[] = Object.keys(CAMERA_VARIANTS),
): Promise<PairSet> {
  const images: PairImage[] = [];
  for (const { file, person } of labelledPhotos()) {
    const photo = decode(readFileSync(new URL(file, FACES_DIR)));
    for (const name of variants) {
      const make = CAMERA_VARIANTS[name];
      if (!make) throw new TypeError(`unknown variant ${name}`);
      const out = `${file.replace(/\.jpg$/, '')}.${name}.jpg`;
      writeFileSync(join(directory, out), make(photo));
      images.push({ file: out, identity: person, photo: file });
    }
  }
  for (const face of await demoFaces(cropper)) {
    const out = `${face.identity.replace('/', '-face')}.jpg`;
    writeFileSync(join(directory, out), encode(kioskFrame(face.frame), 85));
    images.push({ file: out, identity: face.identity, photo: face.photo });
  }
  const lines: string[] = [];
  let genuine = 0;
  let impostor = 0;
  for (let i = 0; i < images.length; i++) {
    for (let j = i + 1; j < images.length; j++) {
      const a = images[i] as PairImage;
      const b = images[j] as PairImage;
      const demoA = a.identity.startsWith('demo');
      const demoB = b.identity.startsWith('demo');
      if (a.identity === b.identity) {
        if (a.photo === b.photo) continue;
        lines.push(`${a.file},${b.file},same`);
        genuine++;
      } else if (!(demoA && demoB) || a.photo === b.photo) {
        lines.push(`${a.file},${b.file},different`);
        impostor++;
      }
    }
  }
  const header = [
    '# Built by test/face/pair-set.ts: named photos from test/fixtures/faces (camera-like variants: ' +
      variants.join(', ') +
      ')',
    '# and one-face crops of @vladmandic/face-api demo/sample1-6.jpg (impostor pairs only).',
    'image_a,image_b,label',
  ];
  const csv = join(directory, 'pairs.csv');
  writeFileSync(csv, `${[...header, ...lines].join('\n')}\n`);
  return { csv, images: images.length, genuine, impostor };
}
