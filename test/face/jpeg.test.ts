import { readFileSync } from 'node:fs';
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MusterError } from '../../core/errors.ts';
import { MAX_FRAME_PIXELS, checkFrame, downscale } from '../../face/frame.ts';
import { MAX_IMAGE_FILE_BYTES, readImageFile } from '../../face/image-file.ts';
import { decodeJpeg, jpegSize } from '../../face/jpeg.ts';
import { FACES_DIR, encode } from './camera.ts';

/** SOI, a start-of-frame (baseline SOF0 unless told) claiming width x height, EOI: a header with no image behind it. */
function headerOnly(width: number, height: number, marker = 0xc0): Uint8Array {
  const sof = [
    0xff,
    marker,
    0x00,
    0x11,
    0x08,
    height >> 8,
    height & 0xff,
    width >> 8,
    width & 0xff,
    0x03,
    1,
    0x22,
    0,
    2,
    0x11,
    1,
    3,
    0x11,
    1,
  ];
  return new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0x4a, 0x46, ...sof, 0xff, 0xd9]);
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof MusterError ? error.code : `not a MusterError: ${String(error)}`;
  }
  return undefined;
}

describe('JPEG decoding with bounded memory', () => {
  const photo = readFileSync(new URL('obama_1.jpg', FACES_DIR));

  it('reads the size from the frame header and decodes to RGBA', () => {
    const size = jpegSize(photo);
    const frame = decodeJpeg(photo);
    expect(frame).toMatchObject(size);
    expect(frame.data.length).toBe(size.width * size.height * 4);
  });

  it('refuses a 50 MP image from its header, before decoding', () => {
    const header = headerOnly(8660, 5773);
    expect(jpegSize(header)).toEqual({ width: 8660, height: 5773 });
    expect(8660 * 5773).toBeGreaterThan(MAX_FRAME_PIXELS);
    // No scan data follows the header: had it been decoded, the error would be a different one.
    expect(codeOf(() => decodeJpeg(header))).toBe('image-too-large');
  });

  it.each([
    ['text', new TextEncoder().encode('hello, not an image')],
    ['a PNG signature', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0])],
    ['nothing', new Uint8Array()],
  ])('refuses %s as not-jpeg', (_name, bytes) => {
    expect(codeOf(() => decodeJpeg(bytes))).toBe('not-jpeg');
  });

  it('refuses a JPEG cut off before its frame header', () => {
    expect(codeOf(() => decodeJpeg(photo.subarray(0, 20)))).toBe('image-truncated');
  });

  it('refuses a JPEG cut off in its image data rather than decoding half a face', () => {
    expect(codeOf(() => decodeJpeg(photo.subarray(0, Math.floor(photo.length / 2))))).toMatch(
      /^image-(truncated|corrupt)$/,
    );
  });

  it('refuses a header with no image data behind it', () => {
    expect(codeOf(() => decodeJpeg(headerOnly(640, 480)))).toBe('image-truncated');
  });

  it('refuses impossible dimensions and codings jpeg-js does not decode', () => {
    expect(codeOf(() => decodeJpeg(headerOnly(0, 480)))).toBe('image-invalid');
    // SOF3 lossless and SOF9 arithmetic coding: rare, and no camera Muster drives sends them.
    expect(codeOf(() => decodeJpeg(headerOnly(640, 480, 0xc3)))).toBe('image-corrupt');
    expect(codeOf(() => decodeJpeg(headerOnly(640, 480, 0xc9)))).toBe('image-corrupt');
  });

  it('refuses garbage after a valid start', () => {
    const bytes = new Uint8Array(64).fill(0x41);
    bytes.set([0xff, 0xd8], 0);
    expect(codeOf(() => decodeJpeg(bytes))).toBe('image-corrupt');
  });

  it('shrinks a 5 MP frame to the inference size by area averaging', () => {
    const big = { width: 2592, height: 1944, data: new Uint8Array(2592 * 1944 * 4).fill(200) };
    const small = downscale(big);
    expect([small.width, small.height]).toEqual([640, 480]);
    expect(small.data[0]).toBe(200);
    expect(downscale(small)).toBe(small);
  });

  it('checks raw RGBA frames from the renderer', () => {
    expect(codeOf(() => checkFrame({ width: 640, height: 480, data: new Uint8Array(10) }))).toBe('image-invalid');
    expect(codeOf(() => checkFrame({ width: 0, height: 480, data: new Uint8Array(0) }))).toBe('image-invalid');
    expect(codeOf(() => checkFrame({ width: 10_000, height: 10_000, data: new Uint8Array(0) }))).toBe(
      'image-too-large',
    );
    const ok = { width: 2, height: 2, data: new Uint8Array(16) };
    expect(checkFrame(ok)).toBe(ok);
  });

  it('round-trips the test encoder', () => {
    const frame = { width: 16, height: 8, data: new Uint8Array(16 * 8 * 4).fill(90) };
    expect(decodeJpeg(encode(frame))).toMatchObject({ width: 16, height: 8 });
  });

  it('refuses an image file over the size limit from its size, without reading it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'muster-face-file-'));
    try {
      const huge = join(dir, 'huge.jpg');
      await writeFile(huge, new Uint8Array([0xff, 0xd8]));
      await truncate(huge, MAX_IMAGE_FILE_BYTES + 1); // sparse: costs no disk
      await expect(readImageFile(huge)).rejects.toMatchObject({ code: 'image-too-large' });
      await expect(readImageFile(dir)).rejects.toMatchObject({ code: 'image-unreadable' });
      await expect(readImageFile(join(dir, 'missing.jpg'))).rejects.toMatchObject({ code: 'image-unreadable' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
