// What the check-in workflow needs from the world, as small interfaces: the drivers, the face worker and the
// screen are adapted to these, and tests use in-process fakes. A port that throws counts as its device being
// down (logged as a device fault, which excuses the person), never as the person failing.
import type { BadgeResult, DeviceAvailability, FaceResult, FingerResult } from '../../core/checkin/checkin-machine.ts';
import type { GuidanceCode } from '../../core/checkin/guidance.ts';
import type { EntryType, Payload } from '../../core/entry.ts';
import type { TaskCompletion } from '../../core/records/checkin.ts';
import type { TaskSpec } from '../../core/records/plan.ts';
import type { Appended } from '../../ledger/log-writer.ts';
import type { LedgerStore, StoredCheckpoint } from '../../ledger/store.ts';

export interface FingerprintPort {
  /** 1:N search on the sensor; maps the page id to a pseudonymous subject id. */
  identify(): Promise<FingerResult>;
  /** 1:1 against the subject's enrolled pages (badge + fingerprint). */
  verify(subject: string): Promise<FingerResult>;
}

export interface BadgePort {
  read(): Promise<BadgeResult>;
}

export interface FacePort {
  /** 1:1 with liveness against the subject's template; scores only, never images. */
  verify(subject: string): Promise<FaceResult>;
}

export interface StaffPort {
  /** A staff member confirms the person's identity in person; null when they do not. */
  confirm(subject: string): Promise<string | null>;
}

export interface ScreenPort {
  guide(guidance: GuidanceCode): void;
  /** Shows today's tasks and returns what the person marks as done. */
  tasks(subject: string, due: readonly TaskSpec[]): Promise<readonly TaskCompletion[]>;
}

export interface DevicesPort {
  availability(): DeviceAvailability;
}

export interface PlansPort {
  /** Tasks due today for the subject (from the plans on the log). */
  dueToday(subject: string): readonly TaskSpec[];
}

/** The kiosk's own log: LogWriter fits. */
export interface LogPort {
  readonly origin: string;
  readonly store: LedgerStore;
  append(type: EntryType, payload: Payload): Promise<Appended>;
  checkpoint(): StoredCheckpoint;
}

export interface CheckinPorts {
  readonly fingerprint: FingerprintPort;
  readonly badge: BadgePort;
  readonly face: FacePort;
  readonly staff: StaffPort;
  readonly screen: ScreenPort;
  readonly devices: DevicesPort;
  readonly plans: PlansPort;
  readonly log: LogPort;
}
