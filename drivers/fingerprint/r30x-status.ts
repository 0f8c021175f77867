// R30x confirmation codes (first payload byte of every acknowledge) mapped to family-neutral errors.
import { type FingerprintErrorCode, FingerprintError } from './fingerprint-sensor.ts';

const CODES: ReadonlyMap<number, readonly [FingerprintErrorCode, string]> = new Map([
  [0x01, ['fingerprint.rejected', 'packet receive error']],
  [0x02, ['fingerprint.no-finger', 'no finger on the sensor']],
  [0x03, ['fingerprint.poor-image', 'image capture failed']],
  [0x04, ['fingerprint.poor-image', 'image too dry or faint']],
  [0x05, ['fingerprint.poor-image', 'image too wet']],
  [0x06, ['fingerprint.poor-image', 'image too messy']],
  [0x07, ['fingerprint.poor-image', 'too few feature points']],
  [0x08, ['fingerprint.no-match', 'fingers do not match']],
  [0x09, ['fingerprint.no-match', 'no matching template in the library']],
  [0x0a, ['fingerprint.merge-failed', 'the two captures could not be merged']],
  [0x0b, ['fingerprint.bad-id', 'page id out of range']],
  [0x0c, ['fingerprint.bad-template', 'bad template in flash']],
  [0x0d, ['fingerprint.rejected', 'template upload failed']],
  [0x0e, ['fingerprint.rejected', 'cannot receive more packets']],
  [0x0f, ['fingerprint.rejected', 'image upload failed']],
  [0x10, ['fingerprint.flash-error', 'delete failed']],
  [0x11, ['fingerprint.flash-error', 'clear failed']],
  [0x13, ['fingerprint.wrong-password', 'wrong password']],
  [0x15, ['fingerprint.poor-image', 'no valid image in the buffer']],
  [0x18, ['fingerprint.flash-error', 'flash write error']],
  [0x19, ['fingerprint.rejected', 'undefined error']],
  [0x1a, ['fingerprint.rejected', 'bad register number']],
  [0x1b, ['fingerprint.rejected', 'bad register configuration']],
  [0x1c, ['fingerprint.rejected', 'bad notepad page']],
  [0x1d, ['fingerprint.rejected', 'port operation failed']],
]);

export function r30xStatusError(confirmation: number, command: number): FingerprintError {
  const [code, text] = CODES.get(confirmation) ?? (['fingerprint.rejected', 'unknown confirmation code'] as const);
  const hex = (n: number): string => n.toString(16).padStart(2, '0');
  return new FingerprintError(code, `${text} (command ${hex(command)}, code ${hex(confirmation)})`, confirmation);
}
