// What the check-in workflow needs from the world, as small interfaces: the drivers, the face worker and the
// screen are adapted to these, and tests use in-process fakes. A port that throws counts as its device being
// down (logged as a device fault, which excuses the person), never as the person failing.
import type {
  BadgeResult,
  CancelReason,
  DeviceAvailability,
  FaceResult,
  FingerResult,
  StaffAnswer,
} from '../../core/checkin/checkin-machine.ts';
import type { GuidanceCode } from '../../core/checkin/guidance.ts';
import type { PresenceReading, PresenceSource } from '../../core/checkin/presence.ts';
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
  /** How long one call waits for a finger (the screen's countdown). */
  readonly waitMs?: number;
}

export interface BadgePort {
  read(): Promise<BadgeResult>;
  /** How long one read waits for a card. */
  readonly waitMs?: number;
}

export interface FacePort {
  /** 1:1 with liveness against the subject's template; scores only, never images. */
  verify(subject: string): Promise<FaceResult>;
  readonly waitMs?: number;
}

export interface StaffPort {
  /** A staff member confirms or refuses the person's identity in person; timeout when nobody answers in time, or when `signal` aborts (the person left). */
  confirm(subject: string, signal?: AbortSignal): Promise<StaffAnswer>;
  /** How long staff have to answer. */
  readonly waitMs?: number;
}

export interface ScreenPort {
  /** `tryNumber`: the try about to start, on a retry. */
  guide(guidance: GuidanceCode, tryNumber?: number): void;
  /** Shows today's tasks and returns what the person marks as done. */
  tasks(subject: string, due: readonly TaskSpec[]): Promise<readonly TaskCompletion[]>;
  /**
   * The session now waits on a device for at most `ms` (undefined: the device gives no bound): a countdown.
   * `idleMs`: the presence cue ends the wait that long after the person was last seen (restarted by `seen`), so
   * the countdown shows whichever end comes first.
   */
  waiting?(ms: number | undefined, idleMs?: number): void;
  /** Settles when the person ends the running session early (Cancel, Call staff, or walking away). */
  interrupted?(): Promise<CancelReason>;
  /** A frame the serial camera just took for the face step, shown to the person in front of it. */
  still?(jpeg: Uint8Array): void;
  /** A device asks the person for something within the current try (the face challenge's movement). */
  prompt?(guidance: GuidanceCode): void;
  /** Calls `listener` on each touch of the screen during the session; returns the way to stop. */
  touches?(listener: () => void): () => void;
  /** A device saw the person (a finger, a face): the screen's own idle countdown restarts, as on a touch. */
  present?(): void;
  /** The presence cue saw the person (a touch, finger or face): it ends the wait `idleMs` from now at the latest. */
  seen?(idleMs: number): void;
}

/**
 * What the devices report about someone being there, during the long waits (presence-watch.ts). Each answers
 * null where it cannot tell (down, busy, still starting): that is never taken for nobody being there.
 */
export interface PresencePort {
  /** Whether a finger is on the sensor now (its finger detect, without a capture). */
  finger?(): Promise<PresenceReading>;
  /** Whether the camera sees a face now (one frame); not asked while the face step uses the camera. */
  face?(): Promise<PresenceReading>;
  /** Readings the devices make on their own (the face step's frames); returns the way to stop. */
  subscribe?(listener: (source: PresenceSource, reading: PresenceReading) => void): () => void;
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
  readonly presence?: PresencePort;
}
