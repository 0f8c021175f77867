// Camera-like variants of a photo, made at test time from the shared development faces with jpeg-js and
// plain pixel operations: what a 640x480 VC0706 serial camera does to a face (scale, light, focus,
// compression, sensor noise).
import jpeg from 'jpeg-js';
import type { Box } from '../../face/face-api-types.ts';
import type { RgbaFrame } from '../../face/frame.ts';

export const FACES_DIR = new URL('../../../shared/data/faces/', import.meta.url);
export const FACE_API_DEMO_DIR = new URL('../../node_modules/@vladmandic/face-api/demo/', import.meta.url);

export function decode(bytes: Uint8Array): RgbaFrame {
  const { width, height, data } = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true });
  return { width, height, data };
}

export function encode(frame: RgbaFrame, quality = 85): Uint8Array {
  return new Uint8Array(jpeg.encode({ width: frame.width, height: frame.height, data: frame.data }, quality).data);
}

/** Bilinear resize. */
export function resize(frame: RgbaFrame, width: number, height: number): RgbaFrame {
  const out = new Uint8Array(width * height * 4);
  const sx = frame.width / width;
  const sy = frame.height / height;
  for (let y = 0; y < height; y++) {
    const fy = Math.min(frame.height - 1, Math.max(0, (y + 0.5) * sy - 0.5));
    const y0 = Math.floor(fy);
    const y1 = Math.min(frame.height - 1, y0 + 1);
    const wy = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = Math.min(frame.width - 1, Math.max(0, (x + 0.5) * sx - 0.5));
      const x0 = Math.floor(fx);
      const x1 = Math.min(frame.width - 1, x0 + 1);
      const wx = fx - x0;
      for (let c = 0; c < 4; c++) {
        const p = (yy: number, xx: number): number => frame.data[(yy * frame.width + xx) * 4 + c] as number;
        const top = p(y0, x0) * (1 - wx) + p(y0, x1) * wx;
        const bottom = p(y1, x0) * (1 - wx) + p(y1, x1) * wx;
        out[(y * width + x) * 4 + c] = top * (1 - wy) + bottom * wy;
      }
    }
  }
  return { width, height, data: out };
}

/**
 * The photo as a 640x480 kiosk frame: scaled so it fills `fill` of the frame height, centred on grey.
 * fill < 1 makes the face smaller, as when the person stands further back.
 */
export function kioskFrame(frame: RgbaFrame, fill = 1): RgbaFrame {
  const W = 640;
  const H = 480;
  const scale = Math.min((H * fill) / frame.height, (W * fill) / frame.width);
  const w = Math.max(1, Math.round(frame.width * scale));
  const h = Math.max(1, Math.round(frame.height * scale));
  const small = resize(frame, w, h);
  const out = new Uint8Array(W * H * 4).fill(128);
  const ox = Math.floor((W - w) / 2);
  const oy = Math.floor((H - h) / 2);
  for (let y = 0; y < h; y++) out.set(small.data.subarray(y * w * 4, (y + 1) * w * 4), ((y + oy) * W + ox) * 4);
  return { width: W, height: H, data: out };
}

function mapPixels(frame: RgbaFrame, f: (value: number, index: number) => number): RgbaFrame {
  const data = new Uint8Array(frame.data.length);
  for (let i = 0; i < data.length; i++) data[i] = (i & 3) === 3 ? 255 : Math.max(0, Math.min(255, Math.round(f(frame.data[i] as number, i))));
  return { width: frame.width, height: frame.height, data };
}

export function brightness(frame: RgbaFrame, factor: number): RgbaFrame {
  return mapPixels(frame, (v) => v * factor);
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

/** The box grown by `margin` face widths on every side, clipped to the frame. */
export function crop(frame: RgbaFrame, box: Box, margin = 0.6): RgbaFrame {
  const x0 = Math.max(0, Math.floor(box.x - box.width * margin));
  const y0 = Math.max(0, Math.floor(box.y - box.height * margin));
  const x1 = Math.min(frame.width, Math.ceil(box.x + box.width * (1 + margin)));
  const y1 = Math.min(frame.height, Math.ceil(box.y + box.height * (1 + margin)));
  const width = x1 - x0;
  const height = y1 - y0;
  const out = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) out.set(frame.data.subarray(((y0 + y) * frame.width + x0) * 4, ((y0 + y) * frame.width + x1) * 4), y * width * 4);
  return { width, height, data: out };
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
      out.set(frame.data.subarray((sy * frame.width + sx) * 4, (sy * frame.width + sx) * 4 + 4), (y * frame.width + x) * 4);
    }
  }
  return { width: frame.width, height: frame.height, data: out };
}

/** The camera-like variants used by tests and calibration, by name. */
export const CAMERA_VARIANTS: Readonly<Record<string, (photo: RgbaFrame) => Uint8Array>> = {
  kiosk: (p) => encode(kioskFrame(p), 85),
  dark: (p) => encode(brightness(kioskFrame(p), 0.55), 85),
  bright: (p) => encode(brightness(kioskFrame(p), 1.35), 85),
  far: (p) => encode(kioskFrame(p, 0.6), 85),
  blur: (p) => encode(blur(kioskFrame(p), 1), 85),
  'jpeg-q25': (p) => encode(kioskFrame(p), 25),
  noisy: (p) => encode(noise(kioskFrame(p), 12), 70),
  mirrored: (p) => encode(mirror(kioskFrame(p)), 85),
};
