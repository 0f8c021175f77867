// Pixel edits on RGBA frames that turn photos into kiosk frames: scale, place on a 640x480 grey frame, crop
// around a face box, change the light. Used where frames are cut from photos: the demo's faces, the
// calibration pair set and the tests' camera-like variants.
import type { Box } from './face-api-types.ts';
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
