// How open the eyes are, for the blink challenge, from MediaPipe's iris landmark model (Human ships it as
// iris.json). face-api's 68-point net hardly moves its eyelid points when the eyes shut: 19 faces with their eyes
// warped shut (frame-edit.ts closeEyes) read 1-17% lower there, never the challenge's 30%; this model's lids read
// 37-84% lower on 16 of them (the other three 0-29%: the warp left an eye open), and a held photo stays within
// 15% of its own level across light, distance, blur and noise. Each eye is cropped square around its two 68-point
// corners and scaled to the model's input; the model draws the lid margins, and their gap over the eye's width is
// the eye aspect ratio (Soukupová and Čech 2016) on a contour that follows the lids.
import type { Box, Point } from './face-api-types.ts';

/** The model's input side, in pixels. */
export const IRIS_INPUT = 64;
/** Numbers the model outputs per eye: 71 contour and 5 iris points, x y z each, in input pixels. */
export const IRIS_VALUES = 76 * 3;
/** The crop's side over the distance between the eye's corners (MediaPipe's and Human's framing). */
const CROP_SCALE = 2.3;
/** The 68-point corners of each eye, the image-left eye first. */
const CORNERS = [
  [36, 39],
  [42, 45],
] as const;
/** In the model's contour: the lower lid margin corner to corner (0-8), the upper lid between them (9-15). */
const LOWER_LID = [0, 1, 2, 3, 4, 5, 6, 7, 8] as const;
const UPPER_LID = [9, 10, 11, 12, 13, 14, 15] as const;

/**
 * The two eyes' crops in frame pixels, image-left eye first. The model reads an image-left eye: the other one's
 * crop is mirrored before it goes in (a mirror leaves the lids' gap and width as they are).
 */
export function eyeCrops(landmarks: readonly Point[]): [Box, Box] {
  const crop = ([a, b]: readonly [number, number]): Box => {
    const p = landmarks[a];
    const q = landmarks[b];
    if (!p || !q) throw new TypeError(`landmarks: expected 68 points, got ${landmarks.length}`);
    const side = Math.hypot(q.x - p.x, q.y - p.y) * CROP_SCALE;
    return { x: (p.x + q.x - side) / 2, y: (p.y + q.y - side) / 2, width: side, height: side };
  };
  return [crop(CORNERS[0]), crop(CORNERS[1])];
}

/** The lid gap over the eye's width, from one eye's model output starting at `offset`: about 0.2-0.3 open, under 0.1 shut. */
export function lidAspectRatio(output: ArrayLike<number>, offset = 0): number {
  if (output.length < offset + IRIS_VALUES)
    throw new TypeError(`iris output: expected ${IRIS_VALUES} values from ${offset}, got ${output.length}`);
  const point = (i: number): Point => ({ x: Number(output[offset + i * 3]), y: Number(output[offset + i * 3 + 1]) });
  const distance = (a: Point, b: Point): number => Math.hypot(a.x - b.x, a.y - b.y);
  const width = distance(point(LOWER_LID[0]), point(LOWER_LID[8]));
  // Each upper-lid point stands above the lower-lid point one further along from the first corner.
  const gap = UPPER_LID.reduce((sum, upper, k) => sum + distance(point(upper), point(LOWER_LID[k + 1] ?? 0)), 0);
  return gap / UPPER_LID.length / Math.max(1e-6, width);
}
