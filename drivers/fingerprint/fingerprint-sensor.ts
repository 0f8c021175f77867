// What the kiosk needs from a fingerprint sensor, whatever the family: R30x / AS608 (search with a score, two
// captures per enrolment, 512-byte templates) and GT-511C3 (identify without a score, three captures, 498-byte
// templates) both fit. Negative answers are FingerprintErrors with family-neutral codes.
import { DeviceError } from '../device-error.ts';

export type FingerprintErrorCode =
  | 'fingerprint.no-finger'
  | 'fingerprint.poor-image'
  | 'fingerprint.no-match'
  | 'fingerprint.merge-failed'
  | 'fingerprint.bad-id'
  | 'fingerprint.bad-template'
  | 'fingerprint.flash-error'
  | 'fingerprint.wrong-password'
  | 'fingerprint.rejected';

export class FingerprintError extends DeviceError {
  /** The family's own status code (R30x confirmation code, GT-511 NACK parameter), for logs. */
  readonly deviceCode: number;

  constructor(code: FingerprintErrorCode, message: string, deviceCode: number) {
    super(code, message);
    this.name = 'FingerprintError';
    this.deviceCode = deviceCode;
  }
}

export interface SensorInfo {
  readonly family: string;
  readonly model: string;
  /** Number of template slots; ids run from 0 to capacity - 1. */
  readonly capacity: number;
  /** Templates move only between sensors with the same format (e.g. "r30x-512"). */
  readonly templateFormat: string;
  readonly capturesPerEnrolment: number;
  readonly hasLed: boolean;
}

export interface FingerMatch {
  readonly id: number;
  /** Opaque, comparable only within one sensor model; null where the family reports none (GT-511C3). */
  readonly score: number | null;
}

export interface FingerprintTemplate {
  readonly format: string;
  readonly bytes: Uint8Array;
}

export type EnrolStep =
  { readonly action: 'place'; readonly capture: number; readonly of: number } | { readonly action: 'lift' };

export interface WaitOptions {
  /** How long to wait for a finger (or for it to lift) before fingerprint.no-finger. */
  readonly fingerTimeoutMs?: number;
  readonly signal?: AbortSignal;
}

export interface EnrolOptions extends WaitOptions {
  /** Called before each capture and between captures, to prompt the person. */
  readonly onStep?: (step: EnrolStep) => void | Promise<void>;
}

export type LedColour = 'red' | 'blue' | 'purple' | 'green' | 'yellow' | 'cyan' | 'white';
export type LedState =
  { readonly mode: 'off' } | { readonly mode: 'on' | 'breathing' | 'flashing'; readonly colour: LedColour };

export interface FingerprintSensor {
  readonly info: SensorInfo;
  fingerPresent(): Promise<boolean>;
  /** Waits for a finger, then searches the whole library. */
  identify(options?: WaitOptions): Promise<FingerMatch>;
  enrol(id: number, options?: EnrolOptions): Promise<void>;
  remove(id: number): Promise<void>;
  clear(): Promise<void>;
  count(): Promise<number>;
  ids(): Promise<number[]>;
  exportTemplate(id: number): Promise<FingerprintTemplate>;
  importTemplate(id: number, template: FingerprintTemplate): Promise<void>;
  /** device.unsupported where the model has no controllable LED. */
  setLed(state: LedState): Promise<void>;
  close(): Promise<void>;
}
