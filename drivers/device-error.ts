// Typed device errors. `device.*` codes are link failures (they count against a device's health);
// family codes such as `fingerprint.no-finger` are the device answering normally with bad news.
import { type ErrorCode, MusterError } from '../core/errors.ts';

export type LinkErrorCode =
  | 'device.timeout'
  | 'device.disconnected'
  | 'device.not-found'
  | 'device.closed'
  | 'device.bad-checksum'
  | 'device.bad-frame'
  | 'device.noise'
  | 'device.unexpected-reply'
  | 'device.unsupported';

export class DeviceError extends MusterError {
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'DeviceError';
  }

  /** A failure of the link or the firmware, as opposed to a normal negative answer. */
  get isLinkFailure(): boolean {
    return this.code.startsWith('device.') && this.code !== 'device.unsupported';
  }
}

export function linkError(code: LinkErrorCode, message: string, options?: { cause?: unknown }): DeviceError {
  return new DeviceError(code, message, options);
}
