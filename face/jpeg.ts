// JPEG decoding without a native build step (jpeg-js), with the size read from the header first so a
// 50 MP image is refused before a byte of it is decoded.
import jpeg from 'jpeg-js';
import { MusterError, errorMessage } from '../core/errors.ts';
import { resize } from './frame-edit.ts';
import { MAX_FRAME_PIXELS, type RgbaFrame, checkFrameSize } from './frame.ts';

/** jpeg-js's own ceiling on its working memory; the header check above already bounds it. */
const MAX_DECODE_MEMORY_MB = 256;

export interface JpegSize {
  readonly width: number;
  readonly height: number;
}

/** Reads the frame size from the first SOF segment; throws MusterError('not-jpeg' | 'image-truncated'). */
export function jpegSize(bytes: Uint8Array): JpegSize {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) throw new MusterError('not-jpeg', 'not a JPEG image');
  let at = 2;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) throw new MusterError('image-corrupt', `JPEG marker expected at byte ${at}`);
    const marker = bytes[at + 1] as number;
    if (marker === 0xff) {
      at++; // fill byte
      continue;
    }
    // Markers without a length: TEM and RSTn.
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2;
      continue;
    }
    const length = ((bytes[at + 2] as number) << 8) | (bytes[at + 3] as number);
    if (isStartOfFrame(marker)) {
      if (at + 9 > bytes.length) break;
      const height = ((bytes[at + 5] as number) << 8) | (bytes[at + 6] as number);
      const width = ((bytes[at + 7] as number) << 8) | (bytes[at + 8] as number);
      return { width, height };
    }
    if (marker === 0xda || marker === 0xd9)
      throw new MusterError('image-corrupt', 'JPEG has no frame header before its data');
    at += 2 + length;
  }
  throw new MusterError('image-truncated', 'JPEG ends before its frame header');
}

function isStartOfFrame(marker: number): boolean {
  // SOF0-SOF15 except DHT (C4), JPG (C8) and DAC (CC).
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

/** Decodes a JPEG to RGBA after checking its header size against MAX_FRAME_PIXELS. */
export function decodeJpeg(bytes: Uint8Array): RgbaFrame {
  const { width, height } = jpegSize(bytes);
  checkFrameSize(width, height);
  let decoded;
  try {
    decoded = jpeg.decode(bytes, {
      useTArray: true,
      formatAsRGBA: true,
      // A frame cut off in transfer is refused, not half-grey: the descriptor of half a face is no evidence.
      tolerantDecoding: false,
      maxResolutionInMP: MAX_FRAME_PIXELS / 1e6,
      maxMemoryUsageInMB: MAX_DECODE_MEMORY_MB,
    });
  } catch (error) {
    const message = errorMessage(error);
    const code = /not found|end of|out of|undefined/i.test(message) ? 'image-truncated' : 'image-corrupt';
    throw new MusterError(code, `JPEG cannot be decoded: ${message}`, { cause: error });
  }
  return { width: decoded.width, height: decoded.height, data: decoded.data };
}

/**
 * The JPEG at a smaller size (never larger), re-encoded: what a camera set to a smaller image size sends. The
 * emulated serial camera uses it, since a 640x480 frame takes seconds over a serial line.
 */
export function shrinkJpeg(bytes: Uint8Array, width: number, height: number, quality = 85): Uint8Array {
  const frame = decodeJpeg(bytes);
  if (frame.width <= width && frame.height <= height) return bytes;
  const small = resize(frame, width, height);
  return new Uint8Array(jpeg.encode({ width: small.width, height: small.height, data: small.data }, quality).data);
}
