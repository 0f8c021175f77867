// MediaPipe BlazeFace (the 256 px "back" model that @vladmandic/human ships) as the live face detector. On
// 640x480 kiosk frames it found every development face down to about 90 px wide, where face-api's
// TinyFaceDetector at 320 px missed half of them, for about 0.6x its CPU time (ARCHITECTURE.md, face).
import { join } from 'node:path';
import type { GraphModel, Tensor, Tensor4D } from '@tensorflow/tfjs';
import type { Box, Tensor3D, Tf } from './face-api-types.ts';
import { fileModelHandler } from './graph-model-file.ts';
import { humanModelDirectory } from './models.ts';

const INPUT = 256;
/** Two SSD feature maps: stride 16 with 2 anchors per cell, stride 32 with 6; 896 anchors in all. */
const FEATURE_MAPS = [
  { stride: 16, anchors: 2 },
  { stride: 32, anchors: 6 },
] as const;
/** Per anchor: score logit, box (dx, dy, w, h in input pixels), 6 keypoints (x, y). */
const ROW = 17;
const IOU_LIMIT = 0.3;

export interface Detection {
  readonly score: number;
  /** In pixels of the analysed frame. */
  readonly box: Box;
}

export class BlazeFace {
  private readonly anchors: Float32Array;

  private constructor(
    private readonly tf: Tf,
    private readonly model: GraphModel,
  ) {
    const centres: number[] = [];
    for (const { stride, anchors } of FEATURE_MAPS) {
      const cells = INPUT / stride;
      for (let y = 0; y < cells; y++)
        for (let x = 0; x < cells; x++)
          for (let k = 0; k < anchors; k++) centres.push(stride * (x + 0.5), stride * (y + 0.5));
    }
    this.anchors = Float32Array.from(centres);
  }

  static async load(tf: Tf): Promise<BlazeFace> {
    return new BlazeFace(
      tf,
      await tf.loadGraphModel(fileModelHandler(tf, join(humanModelDirectory(), 'blazeface.json'))),
    );
  }

  /** Faces scoring at least minScore, best first, overlapping detections suppressed. */
  async detect(image: Tensor3D, minScore: number): Promise<Detection[]> {
    const { tf } = this;
    const [height, width] = image.shape;
    // Shrink first, then pad to the square input at the bottom/right: the padding costs nothing to resize.
    const scale = INPUT / Math.max(height, width);
    const output = tf.tidy(() => {
      const [rows, cols] = [Math.round(height * scale), Math.round(width * scale)];
      const resized = tf.image.resizeBilinear(tf.expandDims<Tensor4D>(image, 0), [rows, cols]);
      const input = tf.pad(tf.sub(tf.div(resized, 127.5), 1), [
        [0, 0],
        [0, INPUT - rows],
        [0, INPUT - cols],
        [0, 0],
      ]);
      // The converted model returns its two feature maps' scores and boxes separately; order by size.
      const [scores32, scores16, rows32, rows16] = [...(this.model.execute(input) as Tensor[])].sort(
        (a, b) => a.size - b.size,
      ) as [Tensor, Tensor, Tensor, Tensor];
      return tf.concat([tf.concat([scores16, rows16], 2), tf.concat([scores32, rows32], 2)], 1);
    });
    const values = await output.data();
    output.dispose();
    const found: Detection[] = [];
    for (let i = 0; i * ROW < values.length; i++) {
      const score = 1 / (1 + Math.exp(-(values[i * ROW] as number)));
      if (score < minScore) continue;
      const cx = (values[i * ROW + 1] as number) + (this.anchors[2 * i] as number);
      const cy = (values[i * ROW + 2] as number) + (this.anchors[2 * i + 1] as number);
      const w = values[i * ROW + 3] as number;
      const h = values[i * ROW + 4] as number;
      if (!(w > 0 && h > 0)) continue;
      found.push({
        score,
        box: { x: (cx - w / 2) / scale, y: (cy - h / 2) / scale, width: w / scale, height: h / scale },
      });
    }
    found.sort((a, b) => b.score - a.score);
    const kept: Detection[] = [];
    for (const d of found) if (kept.every((k) => iou(k.box, d.box) < IOU_LIMIT)) kept.push(d);
    return kept;
  }
}

function iou(a: Box, b: Box): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  if (w <= 0 || h <= 0) return 0;
  return (w * h) / (a.width * a.height + b.width * b.height - w * h);
}
