// Camera-like variants of a photo, made at test time from the development faces in test/fixtures/faces with jpeg-js and
// plain pixel operations: what a 640x480 VC0706 serial camera does to a face (scale, light, focus,
// compression, sensor noise).
import jpeg from 'jpeg-js';
import type { Camera } from '../../drivers/camera/vc0706-camera.ts';
import type { RgbaFrame } from '../../face/frame.ts';
import { brightness, kioskFrame, mapPixels } from '../../face/frame-edit.ts';

export { brightness, crop, kioskFrame, resize } from '../../face/frame-edit.ts';

export const FACES_DIR = new URL('../fixtures/faces/', import.meta.url);
export const FACE_API_DEMO_DIR = new URL('../../node_modules/@vladmandic/face-api/demo/', import.meta.url);

export function decode(bytes: Uint8Array): RgbaFrame {
  const { width, height, data } = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true });
  return { width, height, data };
}

export function encode(frame: RgbaFrame, quality = 85): Uint8Array {
  return new Uint8Array(jpeg.encode({ width: frame.width, height: frame.height, data: frame.data }, quality).data);
}

/** Zero-mean Gaussian-ish sensor noise from a seeded generator, so variants are the same on every run. */
export function noise(frame: RgbaFrame, amplitude: number, seed = 1): RgbaFrame {
  let state = seed >>> 0 || 1;
  const next = (): number => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
  return mapPixels(frame, (v) => v + (next() + next() + next() - 1.5) * amplitude);
}

/** Separable box blur: an out-of-focus or moving subject. */
export function blur(frame: RgbaFrame, radius: number): RgbaFrame {
  const pass = (src: Uint8Array, dx: number, dy: number): Uint8Array => {
    const out = new Uint8Array(src.length);
    for (let y = 0; y < frame.height; y++) {
      for (let x = 0; x < frame.width; x++) {
        for (let c = 0; c < 3; c++) {
          let sum = 0;
          let n = 0;
          for (let k = -radius; k <= radius; k++) {
            const xx = x + k * dx;
            const yy = y + k * dy;
            if (xx < 0 || yy < 0 || xx >= frame.width || yy >= frame.height) continue;
            sum += src[(yy * frame.width + xx) * 4 + c] as number;
            n++;
          }
          out[(y * frame.width + x) * 4 + c] = sum / n;
        }
        out[(y * frame.width + x) * 4 + 3] = 255;
      }
    }
    return out;
  };
  return { width: frame.width, height: frame.height, data: pass(pass(frame.data, 1, 0), 0, 1) };
}

export function mirror(frame: RgbaFrame): RgbaFrame {
  const out = new Uint8Array(frame.data.length);
  for (let y = 0; y < frame.height; y++) {
    for (let x = 0; x < frame.width; x++) {
      const from = (y * frame.width + x) * 4;
      out.set(frame.data.subarray(from, from + 4), (y * frame.width + (frame.width - 1 - x)) * 4);
    }
  }
  return { width: frame.width, height: frame.height, data: out };
}

/** Rotation about the centre (a tilted head), nearest neighbour, grey outside. */
export function rotate(frame: RgbaFrame, degrees: number): RgbaFrame {
  const out = new Uint8Array(frame.data.length).fill(128);
  const cos = Math.cos((degrees * Math.PI) / 180);
  const sin = Math.sin((degrees * Math.PI) / 180);
  const cx = frame.width / 2;
  const cy = frame.height / 2;
  for (let y = 0; y < frame.height; y++) {
    for (let x = 0; x < frame.width; x++) {
      const sx = Math.round(cos * (x - cx) + sin * (y - cy) + cx);
      const sy = Math.round(-sin * (x - cx) + cos * (y - cy) + cy);
      if (sx < 0 || sy < 0 || sx >= frame.width || sy >= frame.height) continue;
      out.set(
        frame.data.subarray((sy * frame.width + sx) * 4, (sy * frame.width + sx) * 4 + 4),
        (y * frame.width + x) * 4,
      );
    }
  }
  return { width: frame.width, height: frame.height, data: out };
}

/** The camera-like variants used by tests and calibration, by name. */
export const CAMERA_VARIANTS: Readonly<Record<string, (photo: RgbaFrame) => Uint8Array>> = {
  'kiosk': (p) => encode(kioskFrame(p), 85),
  'dark': (p) => encode(brightness(kioskFrame(p), 0.55), 85),
  'bright': (p) => encode(brightness(kioskFrame(p), 1.35), 85),
  'far': (p) => encode(kioskFrame(p, 0.6), 85),
  'blur': (p) => encode(blur(kioskFrame(p), 1), 85),
  'jpeg-q25': (p) => encode(kioskFrame(p), 25),
  'noisy': (p) => encode(noise(kioskFrame(p), 12), 70),
  'mirrored': (p) => encode(mirror(kioskFrame(p)), 85),
};

/** A camera that hands out the given frames in turn (an Error in the list: that capture fails) and counts the captures. */
export function queueCamera(frames: readonly (Uint8Array | Error)[]): Camera & { taken: number } {
  const camera = {
    taken: 0,
    capture: (): Promise<Uint8Array> => {
      const frame = frames[camera.taken++];
      if (frame instanceof Error) return Promise.reject(frame);
      return frame
        ? Promise.resolve(frame)
        : Promise.reject(new Error('camera asked for more frames than the test gave'));
    },
    close: (): Promise<void> => Promise.resolve(),
  };
  return camera;
}
