// Enrolling a person at the kiosk: the sensor page, the badge and the sealed face template in the enrolment
// table, the person's name and photo in the personal-data store, and an `enrolment` entry on the log that holds
// no biometrics and names the staff member. Replacing what a person has enrolled needs a second person's approval
// (core/records/enrolment.ts), checked here before anything is replaced.
import { MusterError, errorMessage } from '../../core/errors.ts';
import type { EnrolStep } from '../../drivers/fingerprint/fingerprint-sensor.ts';
import { enrol as enrolFace } from '../../face/enrolment.ts';
import { createTemplate, type FaceTemplate, MIN_ENROLMENT_CAPTURES } from '../../face/template.ts';
import type { PersonalDataStore } from '../../access/personal-data-store.ts';
import type { EnrolmentStore } from './enrolment-store.ts';
import type { KioskConfig } from './kiosk-config.ts';
import type { KioskConnectivity } from './kiosk-connectivity.ts';
import type { KioskDevices } from './kiosk-devices.ts';
import type { KioskFace } from './kiosk-face.ts';

export interface Enrolment {
  readonly subject: string;
  /** The sensor page holding the person's finger (enrolled on the sensor beforehand, or with `enrolFinger`). */
  readonly page?: number;
  /** Capture the finger on the sensor into `page` now. */
  readonly enrolFinger?: boolean;
  readonly card?: string;
  /** Kept in the personal-data store, never on the log. */
  readonly name?: string;
  readonly idNumber?: string;
  /** The enrolment photo (JPEG) for staff to compare with; the first face capture when omitted. */
  readonly photo?: Uint8Array;
  /** Face captures (JPEG), at least three, through the face worker and the quality gate. */
  readonly frames?: readonly Uint8Array[];
  /** Or descriptors computed before (the demo's cache of its sample faces). */
  readonly descriptors?: readonly Float32Array[];
  /** Who enrols, and for a re-enrolment who approved it. */
  readonly by?: EnrolledBy;
}

export interface EnrolledBy {
  readonly staff: string;
  /** A second person (another staff member or an officer): required when the person is enrolled here already. */
  readonly approvedBy?: string;
}

export interface EnrolmentParts {
  readonly config: KioskConfig;
  readonly clock: () => number;
  readonly devices: KioskDevices;
  readonly face: KioskFace;
  readonly personal: PersonalDataStore;
  readonly enrolments: EnrolmentStore;
  readonly connectivity: KioskConnectivity;
}

/** Enrols a person: sensor page, badge and face template in the enrolment table, and an `enrolment` entry (no biometrics). */
export async function enrol(parts: EnrolmentParts, e: Enrolment): Promise<{ seq: number; faceCommitment?: string }> {
  const { config, devices } = parts;
  // An approved enrolment is a re-enrolment even when this kiosk holds nothing of the person (enrolled at a peer).
  const replaces = parts.enrolments.enrolled(e.subject) || e.by?.approvedBy !== undefined;
  if (replaces && (e.by?.approvedBy === undefined || e.by.approvedBy === e.by.staff)) {
    throw new MusterError(
      'approval-required',
      `${e.subject} is enrolled already: replacing their biometrics needs a second person's approval (another staff member or an officer)`,
    );
  }
  if (e.enrolFinger) {
    if (!devices.sensor || e.page === undefined)
      throw new MusterError('enrol-failed', 'enrolling a finger needs the fingerprint sensor and a page');
    await devices.sensor.enrol(e.page, { fingerTimeoutMs: config.timeouts.fingerMs });
  }
  // The person's record in the personal-data store comes first: their data key seals the face template.
  const photo = e.photo ?? e.frames?.[0];
  const personal = {
    ...(e.name === undefined ? {} : { name: e.name }),
    ...(e.idNumber === undefined ? {} : { idNumber: e.idNumber }),
    ...(photo ? { photo } : {}),
  };
  if (Object.keys(personal).length > 0) parts.personal.put(e.subject, config.centre, personal);
  let template: FaceTemplate | undefined;
  if (e.descriptors) template = createTemplate(e.subject, e.descriptors, new Date(parts.clock()));
  else if (e.frames) {
    const service = await parts.face.service();
    template = (
      await enrolFace(
        service,
        e.subject,
        e.frames.map((bytes) => ({ kind: 'jpeg' as const, bytes })),
        parts.face.threshold,
      )
    ).template;
  }
  const faceCommitment = parts.enrolments.save(e.subject, {
    ...(e.page === undefined ? {} : { page: e.page }),
    ...(e.card === undefined ? {} : { card: e.card }),
    ...(template ? { template } : {}),
  });
  const methods = [
    ...(e.page === undefined ? [] : ['fingerprint']),
    ...(e.card === undefined ? [] : ['badge']),
    ...(template ? ['face'] : []),
  ];
  const by =
    e.by === undefined
      ? {}
      : { staff: e.by.staff, ...(replaces ? { replaces: true, approvedBy: e.by.approvedBy ?? '' } : {}) };
  const { seq } = await parts.connectivity.append('enrolment', {
    subject: e.subject,
    centre: config.centre,
    kiosk: config.kiosk,
    methods,
    ...(faceCommitment ? { faceCommitment } : {}),
    ...by,
  });
  return { seq, ...(faceCommitment ? { faceCommitment } : {}) };
}

export interface KioskEnrolOptions {
  readonly card?: string;
  readonly by?: EnrolledBy;
  readonly onStep?: (step: EnrolStep) => void | Promise<void>;
}

/**
 * Enrols a person with the kiosk's own devices, as staff do it: the finger twice on the sensor (into the next free
 * page), then three camera frames through the face worker. Failures come back as a message for staff, not an exception.
 */
export async function enrolWithDevices(
  parts: EnrolmentParts,
  subject: string,
  options: KioskEnrolOptions,
): Promise<{ ok: boolean; message: string }> {
  const { sensor, camera } = parts.devices;
  if (!sensor || !camera || !parts.devices.availability().fingerprint || !parts.devices.availability().camera) {
    return { ok: false, message: 'enrolment needs the fingerprint sensor and the camera in service' };
  }
  try {
    const page = parts.enrolments.nextPage();
    await sensor.enrol(page, {
      fingerTimeoutMs: parts.config.timeouts.fingerMs,
      ...(options.onStep ? { onStep: options.onStep } : {}),
    });
    const frames: Uint8Array[] = [];
    for (let i = 0; i < MIN_ENROLMENT_CAPTURES; i++) frames.push(await camera.capture());
    const { seq } = await enrol(parts, {
      subject,
      page,
      frames,
      ...(options.card === undefined ? {} : { card: options.card }),
      ...(options.by === undefined ? {} : { by: options.by }),
    });
    return { ok: true, message: `${subject} enrolled (sensor page ${page}, face template sealed; entry ${seq})` };
  } catch (error) {
    return { ok: false, message: `enrolment of ${subject} failed: ${errorMessage(error)}` };
  }
}
