// Small real JPEGs for camera tests: a gradient with a seed-dependent tint, encoded by jpeg-js.
import jpeg from 'jpeg-js';

export function testJpeg(width: number, height: number, seed: number): Uint8Array {
  const data = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      data[i] = (x * 7 + seed * 31) & 0xff;
      data[i + 1] = (y * 5 + seed * 17) & 0xff;
      data[i + 2] = ((x ^ y) + seed) & 0xff;
      data[i + 3] = 0xff;
    }
  }
  return new Uint8Array(jpeg.encode({ data, width, height }, 60).data);
}
