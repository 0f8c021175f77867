// The webcam's emulator: a video that Chromium's fake camera plays as the kiosk screen's webcam
// (`--use-fake-device-for-media-stream --use-file-for-fake-video-capture=FILE.y4m`), looping. A person's movement
// for the active challenge is a sequence of frames held for a while each: a head turn is the person straight, then
// turned, for long enough that frames taken across the challenge see both; a photo held up is one frame alone.
// Y4M (YUV4MPEG2) with 4:2:0 chroma is the uncompressed format Chromium reads.

/** An RGBA picture (4 bytes a pixel, row by row), as decoded from a JPEG. */
export interface VideoFrame {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/** The Y4M file of `frames`, `fps` a second (a whole number: Chromium drops a fraction); all the same even size. */
export function y4mVideo(frames: readonly VideoFrame[], fps: number): Uint8Array {
  const [first] = frames;
  if (!first) throw new TypeError('frames: expected at least one');
  const { width, height } = first;
  if (width % 2 !== 0 || height % 2 !== 0 || frames.some((f) => f.width !== width || f.height !== height))
    throw new TypeError(
      `frames: expected one even size for all, got ${frames.map((f) => `${f.width}x${f.height}`).join(', ')}`,
    );
  if (!Number.isInteger(fps) || fps < 1 || fps > 30) throw new RangeError(`fps: expected a whole 1-30, got ${fps}`);
  const header = new TextEncoder().encode(`YUV4MPEG2 W${width} H${height} F${fps}:1 Ip A1:1 C420jpeg\n`);
  const marker = new TextEncoder().encode('FRAME\n');
  const plane = width * height;
  const frameBytes = marker.length + plane + plane / 2;
  const out = new Uint8Array(header.length + frames.length * frameBytes);
  out.set(header);
  frames.forEach((frame, n) => {
    const at = header.length + n * frameBytes;
    out.set(marker, at);
    writeI420(frame, out.subarray(at + marker.length, at + frameBytes));
  });
  return out;
}

/** BT.601 full range (JPEG's), chroma averaged over each 2x2 block. */
function writeI420({ width, height, data }: VideoFrame, out: Uint8Array): void {
  const plane = width * height;
  const rgb = (x: number, y: number): [number, number, number] => {
    const i = (y * width + x) * 4;
    return [data[i] ?? 0, data[i + 1] ?? 0, data[i + 2] ?? 0];
  };
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const [r, g, b] = rgb(x, y);
      out[y * width + x] = 0.299 * r + 0.587 * g + 0.114 * b;
    }
  const half = width / 2;
  for (let y = 0; y < height / 2; y++)
    for (let x = 0; x < half; x++) {
      let [r, g, b] = [0, 0, 0];
      for (const [dx, dy] of [
        [0, 0],
        [1, 0],
        [0, 1],
        [1, 1],
      ] as const) {
        const [pr, pg, pb] = rgb(2 * x + dx, 2 * y + dy);
        r += pr / 4;
        g += pg / 4;
        b += pb / 4;
      }
      out[plane + y * half + x] = Math.min(255, Math.max(0, 128 - 0.168736 * r - 0.331264 * g + 0.5 * b));
      out[plane + plane / 4 + y * half + x] = Math.min(255, Math.max(0, 128 + 0.5 * r - 0.418688 * g - 0.081312 * b));
    }
}
