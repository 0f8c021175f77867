// Presentation attacks made at test time from the shared development faces: what the kiosk camera sees when
// someone holds up a phone or tablet showing a face, or a printed photo of one. Plain pixel operations, seeded,
// so every run makes the same images. They model the cues a single RGB frame can carry (a bezel or paper
// border, the screen's reduced contrast, gamma and blue cast, moire from the pixel grid beating with the
// sensor's, a print's halftone and paper tint); they do not model everything a real attack shows.
import type { RgbaFrame } from '../../face/frame.ts';
import { blur, kioskFrame, resize } from './camera.ts';

const W = 640;
const H = 480;

/** A plain, lightly textured room behind whatever is held up to the camera. */
function room(seed: number): Uint8Array {
  const out = new Uint8Array(W * H * 4);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < W * H; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    const y = Math.floor(i / W);
    const v = 150 - y / 8 + ((state >>> 0) / 2 ** 32 - 0.5) * 10;
    out.set([v + 8, v + 4, v, 255], i * 4);
  }
  return out;
}

/** Pastes `inner` centred on a W x H canvas, inside a border `border` px wide of colour `rgb`. */
function mount(inner: RgbaFrame, border: number, rgb: readonly [number, number, number], seed: number): RgbaFrame {
  const data = room(seed);
  const ox = Math.floor((W - inner.width) / 2);
  const oy = Math.floor((H - inner.height) / 2);
  for (let y = -border; y < inner.height + border; y++) {
    for (let x = -border; x < inner.width + border; x++) {
      const cy = y + oy;
      const cx = x + ox;
      if (cx < 0 || cy < 0 || cx >= W || cy >= H) continue;
      const o = (cy * W + cx) * 4;
      const inside = x >= 0 && y >= 0 && x < inner.width && y < inner.height;
      if (inside) data.set(inner.data.subarray((y * inner.width + x) * 4, (y * inner.width + x) * 4 + 4), o);
      else data.set([...rgb, 255], o);
    }
  }
  return { width: W, height: H, data };
}

function clamp(v: number): number {
  return Math.max(0, Math.min(255, Math.round(v)));
}

/** The photo (already a kiosk-sized face image) shrunk to `fill` of the frame height. */
function shrink(photo: RgbaFrame, fill: number): RgbaFrame {
  const frame = kioskFrame(photo);
  return resize(frame, Math.round(W * fill), Math.round(H * fill));
}

/**
 * A phone or tablet screen showing the face, held up to the camera: black bezel, contrast squeezed into the
 * screen's range, display gamma, a blue cast, and moire (a slanted interference pattern plus the sub-pixel
 * column structure).
 */
export function screenReplay(photo: RgbaFrame, fill = 0.75, seed = 7): RgbaFrame {
  const inner = shrink(photo, fill);
  const data = new Uint8Array(inner.data.length);
  const angle = (12 * Math.PI) / 180;
  for (let y = 0; y < inner.height; y++) {
    for (let x = 0; x < inner.width; x++) {
      const i = (y * inner.width + x) * 4;
      const moire =
        1 +
        0.1 * Math.sin((2 * Math.PI * (x * Math.cos(angle) + y * Math.sin(angle))) / 3.4) -
        (x % 3 === 0 ? 0.06 : 0);
      const tone = (v: number): number => 25 + 200 * (v / 255) ** 0.8;
      data[i] = clamp(tone(inner.data[i] as number) * moire - 6);
      data[i + 1] = clamp(tone(inner.data[i + 1] as number) * moire);
      data[i + 2] = clamp(tone(inner.data[i + 2] as number) * moire + 14);
      data[i + 3] = 255;
    }
  }
  return mount({ width: inner.width, height: inner.height, data }, 14, [12, 12, 14], seed);
}

/**
 * A printed photo held up to the camera: white paper border, the print's narrower range and warm paper tint,
 * a fine halftone dot pattern, and the softness of print and paper.
 */
export function printedPhoto(photo: RgbaFrame, fill = 0.7, seed = 11): RgbaFrame {
  const inner = shrink(photo, fill);
  const data = new Uint8Array(inner.data.length);
  for (let y = 0; y < inner.height; y++) {
    for (let x = 0; x < inner.width; x++) {
      const i = (y * inner.width + x) * 4;
      const dot = ((x % 4) - 1.5) ** 2 + ((y % 4) - 1.5) ** 2 < 2 ? 0.93 : 1.02;
      const ink = (v: number, paper: number): number => (30 + (paper - 30) * (v / 255)) * dot;
      data[i] = clamp(ink(inner.data[i] as number, 236));
      data[i + 1] = clamp(ink(inner.data[i + 1] as number, 228));
      data[i + 2] = clamp(ink(inner.data[i + 2] as number, 206));
      data[i + 3] = 255;
    }
  }
  return mount(blur({ width: inner.width, height: inner.height, data }, 1), 18, [236, 228, 206], seed);
}
