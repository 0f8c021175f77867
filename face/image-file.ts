// Frames from image files (CLI, enrolment, calibration): the file's size is checked before it is read, so a
// huge file costs no memory, and a missing or unreadable file is an unusable input like any other.
import { readFile, stat } from 'node:fs/promises';
import { MusterError, errorMessage } from '../core/errors.ts';
import type { FrameInput } from './analysis.ts';
import { type Capture, capture } from './capture.ts';
import type { FaceService } from './face-service.ts';
import { DEFAULT_QUALITY_LIMITS, GUIDANCE, type QualityLimits } from './quality.ts';

/** A 12 MP JPEG at the highest quality is about 10 MB. */
export const MAX_IMAGE_FILE_BYTES = 32 * 1024 * 1024;

/** Throws MusterError('image-unreadable' | 'image-too-large'). */
export async function readImageFile(path: string): Promise<FrameInput> {
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new MusterError('image-unreadable', `${path} is not a file`);
    size = info.size;
  } catch (error) {
    if (error instanceof MusterError) throw error;
    throw new MusterError('image-unreadable', `${path}: ${errorMessage(error)}`, { cause: error });
  }
  if (size > MAX_IMAGE_FILE_BYTES)
    throw new MusterError('image-too-large', `${path} is ${size} bytes; the limit is ${MAX_IMAGE_FILE_BYTES}`);
  try {
    return { kind: 'jpeg', bytes: await readFile(path) };
  } catch (error) {
    throw new MusterError('image-unreadable', `${path}: ${errorMessage(error)}`, { cause: error });
  }
}

export async function captureFile(
  service: FaceService,
  path: string,
  limits: QualityLimits = DEFAULT_QUALITY_LIMITS,
): Promise<Capture> {
  let input: FrameInput;
  try {
    input = await readImageFile(path);
  } catch (error) {
    if (!(error instanceof MusterError)) throw error;
    const reason = error.code === 'image-too-large' ? 'image-too-large' : 'not-an-image';
    return { kind: 'unusable', reason, guidance: GUIDANCE[reason], detail: error.message };
  }
  return capture(service, input, limits);
}
