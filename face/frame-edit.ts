// Pixel edits on RGBA frames that turn photos into kiosk frames: scale, place on a 640x480 grey frame, crop
// around a face box, change the light, shut the eyes. Used where frames are cut from photos: the demo's faces
// and their blink, the calibration pair set and the tests' camera-like variants.
import type { Box, Point } from './face-api-types.ts';
import type { RgbaFrame } from './frame.ts';

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

export function mapPixels(frame: RgbaFrame, f: (value: number, index: number) => number): RgbaFrame {
  const data = new Uint8Array(frame.data.length);
  for (let i = 0; i < data.length; i++)
    data[i] = (i & 3) === 3 ? 255 : Math.max(0, Math.min(255, Math.round(f(frame.data[i] as number, i))));
  return { width: frame.width, height: frame.height, data };
}

export function brightness(frame: RgbaFrame, factor: number): RgbaFrame {
  return mapPixels(frame, (v) => v * factor);
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
  for (let y = 0; y < height; y++)
    out.set(frame.data.subarray(((y0 + y) * frame.width + x0) * 4, ((y0 + y) * frame.width + x1) * 4), y * width * 4);
  return { width, height, data: out };
}

/** Each eye's 68 landmarks (iBUG 300-W numbering): corner, two on the upper lid, corner, two on the lower lid. */
const EYES = [
  [36, 37, 38, 39, 40, 41],
  [42, 43, 44, 45, 46, 47],
] as const;

/** The y of a lid through `points` (left to right) at x, straight between them, level past the ends. */
function lid(points: readonly Point[], x: number): number {
  for (let i = 0; i + 1 < points.length; i++) {
    const p = points[i] as Point;
    const q = points[i + 1] as Point;
    if (x <= q.x || i + 2 === points.length) {
      const t = Math.min(1, Math.max(0, (x - p.x) / Math.max(1e-6, q.x - p.x)));
      return p.y + (q.y - p.y) * t;
    }
  }
  return (points[0] as Point).y;
}

/**
 * The face with its eyes shut, as a blink shows it: over each eye the upper lid's skin, from the crease down to
 * the lid's edge, is stretched down to the lower lid, with the lashes a darker line along it. The lids are where
 * the face's 68 `landmarks` put them, opened by a margin (the points sit inside the lash lines). The emulated
 * camera's blink for the active challenge.
 */
export function closeEyes(frame: RgbaFrame, landmarks: readonly Point[]): RgbaFrame {
  const { width, height } = frame;
  const out = new Uint8Array(frame.data);
  for (const eye of EYES) {
    const points = eye.map((i) => landmarks[i]);
    if (points.some((p) => p === undefined))
      throw new TypeError(`landmarks: expected 68 points, got ${landmarks.length}`);
    const [corner0, upper1, upper2, corner1, lower2, lower1] = points as [Point, Point, Point, Point, Point, Point];
    const opening = Math.max(2, (lower1.y - upper1.y + lower2.y - upper2.y) / 2);
    const reach = (corner1.x - corner0.x) * 0.65;
    const cx = (corner0.x + corner1.x) / 2;
    for (let x = Math.max(0, Math.floor(cx - reach)); x <= Math.min(width - 1, Math.ceil(cx + reach)); x++) {
      // Full over the eye, fading out past its corners.
      const fade = Math.sqrt(Math.cos((Math.PI / 2) * Math.min(1, Math.abs(x - cx) / reach)));
      const edge = lid([corner0, upper1, upper2, corner1], x) - opening * 0.35 * fade;
      const bottom = lid([corner0, lower1, lower2, corner1], x) + opening * 0.35 * fade;
      const crease = edge - opening * 1.6 * fade;
      if (bottom - crease < 1) continue;
      for (let y = Math.max(0, Math.floor(crease)); y <= Math.min(height - 1, Math.ceil(bottom)); y++) {
        // Row y of crease..bottom takes its colour from crease..edge: the lid pulled down over the eye.
        const from = crease + ((y - crease) * (edge - crease)) / (bottom - crease);
        const y0 = Math.min(height - 1, Math.max(0, Math.floor(from)));
        const y1 = Math.min(height - 1, y0 + 1);
        const w = from - Math.floor(from);
        const lashes = Math.max(0, 1 - Math.abs(y - bottom + opening * 0.2) / Math.max(1, opening * 0.25)) * fade;
        for (let c = 0; c < 3; c++) {
          const above = frame.data[(y0 * width + x) * 4 + c] as number;
          const below = frame.data[(y1 * width + x) * 4 + c] as number;
          out[(y * width + x) * 4 + c] = (above * (1 - w) + below * w) * (1 - 0.55 * lashes);
        }
      }
    }
  }
  return { width, height, data: out };
}
