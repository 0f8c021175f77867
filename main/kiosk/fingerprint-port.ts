// The workflow's fingerprint port on a real sensor driver (R30x, GT-511 or their emulators): 1:N search, then
// the kiosk's enrolment table maps the sensor page to a pseudonymous subject id. Negative answers become
// outcomes the state machine retries; link failures become device-down, which excuses the person.
import type { FingerResult } from '../../core/checkin/checkin-machine.ts';
import { DeviceError } from '../../drivers/device-error.ts';
import type { FingerprintSensor } from '../../drivers/fingerprint/fingerprint-sensor.ts';
import type { FingerprintPort } from './ports.ts';

export interface SensorPortOptions {
  /** The enrolment table: sensor page -> subject id (from the encrypted personal-data store). */
  readonly subjectOf: (page: number) => string | undefined;
  /** How long to wait for a finger per try. */
  readonly fingerTimeoutMs: number;
}

export function sensorFingerprintPort(sensor: FingerprintSensor, options: SensorPortOptions): FingerprintPort {
  const identify = async (): Promise<FingerResult> => {
    try {
      const match = await sensor.identify({ fingerTimeoutMs: options.fingerTimeoutMs });
      const subject = options.subjectOf(match.id);
      // A page the table does not know (enrolment not yet synced) names nobody.
      if (subject === undefined) return { kind: 'no-match' };
      return { kind: 'match', subject, score: match.score ?? 0 };
    } catch (error) {
      if (!(error instanceof DeviceError)) throw error;
      switch (error.code) {
        case 'fingerprint.no-match':
          return { kind: 'no-match' };
        case 'fingerprint.poor-image':
          return { kind: 'poor-quality' };
        case 'fingerprint.no-finger':
          return { kind: 'timeout' };
        default:
          return { kind: 'device-down' };
      }
    }
  };
  return {
    identify,
    // 1:1 after a badge: search, and let the state machine compare the subject found with the badge's.
    verify: () => identify(),
    waitMs: options.fingerTimeoutMs,
  };
}
