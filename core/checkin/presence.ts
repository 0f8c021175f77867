// Whether the person is still at the kiosk, judged from what the devices report during a long wait (the face
// step, staff confirming a person while the camera is down, the tasks). Pure: readings come in with their time.
//
// A walk-away is only ever concluded from a working camera that looked and saw no face for the whole presence
// window (with no touch, finger or face in between): a camera that is down, busy or failing reports nothing, and
// a finger off the sensor is no evidence (nobody is asked to keep one there). Without such a camera only the
// idle rule ends the wait: nothing at all seen (no touch, no finger, no face) for the idle time.

/** Where a reading came from: the screen, the fingerprint sensor's finger detect, a camera frame. */
export type PresenceSource = 'touch' | 'finger' | 'face';

/** true: someone is there; false: a working device looked and saw nobody; null: the device could not tell. */
export type PresenceReading = boolean | null;

export interface PresenceTimes {
  /** No face in the camera's frames, and nothing else seen, for this long: the person walked away. */
  readonly presenceMs: number;
  /** Nothing at all seen for this long (the camera gives no evidence either way): the person walked away. */
  readonly idleMs: number;
  /** A camera reading older than this no longer counts as the camera looking (it stopped answering). */
  readonly freshMs?: number;
}

const FRESH_MS = 5000;

export class PresenceWindow {
  private lastSeen: number;
  /** The first "no face" frame since anything was last seen, while the camera keeps looking. */
  private noFaceSince: number | undefined;
  private lastFrame: number | undefined;

  constructor(
    private readonly times: PresenceTimes,
    start: number,
  ) {
    this.lastSeen = start;
  }

  read(source: PresenceSource, reading: PresenceReading, at: number): void {
    if (reading === true) {
      this.lastSeen = Math.max(this.lastSeen, at);
      this.noFaceSince = undefined;
      return;
    }
    if (source !== 'face') return;
    if (reading === null) {
      // A camera that cannot tell breaks the run of empty frames: absence must be seen throughout.
      this.noFaceSince = undefined;
      this.lastFrame = undefined;
      return;
    }
    this.noFaceSince ??= at;
    this.lastFrame = at;
  }

  /** Whether the person has gone, at `now`. */
  absent(now: number): boolean {
    if (now - this.lastSeen >= this.times.idleMs) return true;
    if (this.noFaceSince === undefined || this.lastFrame === undefined) return false;
    const fresh = now - this.lastFrame <= (this.times.freshMs ?? FRESH_MS);
    return fresh && now - this.noFaceSince >= this.times.presenceMs;
  }
}
