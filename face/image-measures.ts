// Brightness and sharpness of the face region, measured on a fixed-size resample so that the figures mean
// the same for a small face and a large one.
import type { Box } from './face-api-types.ts';
import type { RgbaFrame } from './frame.ts';

const SAMPLE = 64;

/** Mean luma (0-255) and a contrast-normalised sharpness (variance of the Laplacian over variance of luma). */
export function regionMeasures(frame: RgbaFrame, box: Box): { brightness: number; sharpness: number } {
  const luma = sampleLuma(frame, box);
  let sum = 0;
  for (const v of luma) sum += v;
  const mean = sum / luma.length;
  let variance = 0;
  for (const v of luma) variance += (v - mean) ** 2;
  variance /= luma.length;
  let lapSum = 0;
  let lapSq = 0;
  let n = 0;
  for (let y = 1; y < SAMPLE - 1; y++) {
    for (let x = 1; x < SAMPLE - 1; x++) {
      const i = y * SAMPLE + x;
      const lap =
        4 * (luma[i] as number) -
        (luma[i - 1] as number) -
        (luma[i + 1] as number) -
        (luma[i - SAMPLE] as number) -
        (luma[i + SAMPLE] as number);
      lapSum += lap;
      lapSq += lap * lap;
      n++;
    }
  }
  const lapVariance = lapSq / n - (lapSum / n) ** 2;
  return { brightness: mean, sharpness: variance > 1 ? lapVariance / variance : 0 };
}

/** Area-averaged SAMPLE x SAMPLE luma of the box, clipped to the frame. */
function sampleLuma(frame: RgbaFrame, box: Box): Float64Array {
  const out = new Float64Array(SAMPLE * SAMPLE);
  const x0 = Math.max(0, Math.floor(box.x));
  const y0 = Math.max(0, Math.floor(box.y));
  const x1 = Math.min(frame.width, Math.max(x0 + 1, Math.ceil(box.x + box.width)));
  const y1 = Math.min(frame.height, Math.max(y0 + 1, Math.ceil(box.y + box.height)));
  const w = x1 - x0;
  const h = y1 - y0;
  for (let sy = 0; sy < SAMPLE; sy++) {
    const ya = y0 + Math.floor((sy * h) / SAMPLE);
    const yb = Math.max(ya + 1, y0 + Math.floor(((sy + 1) * h) / SAMPLE));
    for (let sx = 0; sx < SAMPLE; sx++) {
      const xa = x0 + Math.floor((sx * w) / SAMPLE);
      const xb = Math.max(xa + 1, x0 + Math.floor(((sx + 1) * w) / SAMPLE));
      let total = 0;
      for (let y = ya; y < yb; y++) {
        for (let x = xa; x < xb; x++) {
          const i = (y * frame.width + x) * 4;
          total +=
            0.299 * (frame.data[i] as number) +
            0.587 * (frame.data[i + 1] as number) +
            0.114 * (frame.data[i + 2] as number);
        }
      }
      out[sy * SAMPLE + sx] = total / ((yb - ya) * (xb - xa));
    }
  }
  return out;
}
