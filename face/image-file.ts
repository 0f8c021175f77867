// Captures from image files (CLI, calibration): the file's size is checked before it is read, so a huge
// file costs no memory, and a missing or unreadable file is an unusable input like any other.
import { readFile, stat } from 'node:fs/promises';
import { errorMessage } from '../core/errors.ts';
import { type Capture, capture } from './capture.ts';
import type { FaceService } from './face-service.ts';
import { DEFAULT_QUALITY_LIMITS, GUIDANCE, type QualityLimits } from './quality.ts';

/** A 12 MP JPEG at the highest quality is about 10 MB. */
export const MAX_IMAGE_FILE_BYTES = 32 * 1024 * 1024;

export async function captureFile(service: FaceService, path: string, limits: QualityLimits = DEFAULT_QUALITY_LIMITS): Promise<Capture> {
  let bytes: Uint8Array;
  try {
    const info = await stat(path);
    if (!info.isFile()) return unreadable(`${path} is not a file`);
    if (info.size > MAX_IMAGE_FILE_BYTES) {
      return { kind: 'unusable', reason: 'image-too-large', guidance: GUIDANCE['image-too-large'], detail: `${path} is ${info.size} bytes; the limit is ${MAX_IMAGE_FILE_BYTES}` };
    }
    bytes = await readFile(path);
  } catch (error) {
    return unreadable(`${path}: ${errorMessage(error)}`);
  }
  return capture(service, { kind: 'jpeg', bytes }, limits);
}

function unreadable(detail: string): Capture {
  return { kind: 'unusable', reason: 'not-an-image', guidance: GUIDANCE['not-an-image'], detail };
}
