// Frames as the face layer sees them: 8-bit RGBA, row-major, the layout of a canvas ImageData and of what
// jpeg-js decodes to, so a webcam frame from the renderer and a VC0706 JPEG end up in the same shape.
import { MusterError } from '../core/errors.ts';

export interface RgbaFrame {
  readonly width: number;
  readonly height: number;
  /** width * height * 4 bytes: R, G, B, A. */
  readonly data: Uint8Array;
}

/** Largest frame accepted from any source: 12 MP covers phone photos; a 50 MP image is refused. */
export const MAX_FRAME_PIXELS = 12_000_000;

/** Longest side inference runs on: a 5 MP photo is reduced to this, so it costs what a 640x480 kiosk frame costs. */
export const INFERENCE_MAX_SIDE = 640;

export function checkFrameSize(width: number, height: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new MusterError('image-invalid', `image has impossible dimensions ${width}x${height}`);
  }
  if (width * height > MAX_FRAME_PIXELS) {
    throw new MusterError(
      'image-too-large',
      `image is ${width}x${height} (${((width * height) / 1e6).toFixed(1)} MP); the limit is ${MAX_FRAME_PIXELS / 1e6} MP`,
    );
  }
}

/** Checks a raw frame (e.g. from the renderer's webcam) before any work is done on it. */
export function checkFrame(frame: RgbaFrame): RgbaFrame {
  checkFrameSize(frame.width, frame.height);
  if (!(frame.data instanceof Uint8Array) || frame.data.length !== frame.width * frame.height * 4) {
    throw new MusterError('image-invalid', `frame data is not ${frame.width}x${frame.height} RGBA`);
  }
  return frame;
}

/**
 * Shrinks a frame so its longest side is at most maxSide, averaging each source area (no aliasing, so
 * sharpness measured afterwards means the same at any input resolution). Smaller frames are returned as is.
 */
export function downscale(frame: RgbaFrame, maxSide: number = INFERENCE_MAX_SIDE): RgbaFrame {
  const scale = maxSide / Math.max(frame.width, frame.height);
  if (scale >= 1) return frame;
  const width = Math.max(1, Math.round(frame.width * scale));
  const height = Math.max(1, Math.round(frame.height * scale));
  const out = new Uint8Array(width * height * 4);
  const src = frame.data;
  for (let y = 0; y < height; y++) {
    const y0 = Math.floor((y * frame.height) / height);
    const y1 = Math.max(y0 + 1, Math.floor(((y + 1) * frame.height) / height));
    for (let x = 0; x < width; x++) {
      const x0 = Math.floor((x * frame.width) / width);
      const x1 = Math.max(x0 + 1, Math.floor(((x + 1) * frame.width) / width));
      let r = 0;
      let g = 0;
      let b = 0;
      for (let sy = y0; sy < y1; sy++) {
        let i = (sy * frame.width + x0) * 4;
        for (let sx = x0; sx < x1; sx++, i += 4) {
          r += src[i] as number;
          g += src[i + 1] as number;
          b += src[i + 2] as number;
        }
      }
      const n = (y1 - y0) * (x1 - x0);
      const o = (y * width + x) * 4;
      out[o] = r / n;
      out[o + 1] = g / n;
      out[o + 2] = b / n;
      out[o + 3] = 255;
    }
  }
  return { width, height, data: out };
}

/** Packed RGB, the layout the models take. */
export function toRgb(frame: RgbaFrame): Uint8Array {
  const out = new Uint8Array(frame.width * frame.height * 3);
  for (let i = 0, o = 0; o < out.length; i += 4, o += 3) {
    out[o] = frame.data[i] as number;
    out[o + 1] = frame.data[i + 1] as number;
    out[o + 2] = frame.data[i + 2] as number;
  }
  return out;
}
