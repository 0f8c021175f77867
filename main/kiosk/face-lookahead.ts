// The face step's first frame, taken while the fingerprint step runs: the camera is idle then and the person
// already stands in front of it, so the serial camera's transfer (about 1.4 s for a 320x240 JPEG at 115200
// baud) and the face worker's analysis overlap the sensor's search instead of following it. Only a fresh
// frame with a usable face is offered (a person looking down at the sensor gives none), and it counts as one
// of the try's frames, so a try takes no more frames than before and an impostor gets no extra chance.
import type { Camera } from '../../drivers/camera/vc0706-camera.ts';
import type { Capture } from '../../face/capture.ts';
import type { FaceService } from '../../face/face-service.ts';
import { traced, tracedCapture } from './checkin-trace.ts';
import type { FingerprintPort } from './ports.ts';

/** A frame older than this when the face step starts may show someone else: it is dropped. */
export const LOOKAHEAD_MAX_AGE_MS = 5000;

export interface AheadFrame {
  readonly bytes: Uint8Array;
  readonly capture: Capture;
}

interface Taken extends AheadFrame {
  readonly at: number;
}

export class FaceLookahead {
  #pending: Promise<Taken | undefined> | undefined;

  constructor(
    private readonly camera: Camera,
    private readonly service: () => Promise<FaceService>,
    private readonly now: () => number = performance.now.bind(performance),
  ) {}

  /**
   * Takes a new frame, replacing any taken before (a new fingerprint try may be a new person). A camera or
   * worker fault is dropped here: the face step meets it again on its own capture and reports it there.
   */
  start(): void {
    this.#pending = this.#take().catch(() => undefined);
  }

  /** The frame taken ahead, at most once, when it is fresh and shows a usable face. */
  async take(): Promise<AheadFrame | undefined> {
    const pending = this.#pending;
    this.#pending = undefined;
    const taken = await pending;
    if (!taken || taken.capture.kind !== 'usable' || this.now() - taken.at > LOOKAHEAD_MAX_AGE_MS) return undefined;
    return { bytes: taken.bytes, capture: taken.capture };
  }

  async #take(): Promise<Taken> {
    const bytes = await traced(
      'camera',
      () => this.camera.capture(),
      () => ({ ahead: 1 }),
    );
    const at = this.now();
    return { bytes, at, capture: await tracedCapture(await this.service(), bytes) };
  }
}

/** The fingerprint port with a frame taken ahead at each of its calls (each may be a new person's try). */
export function lookingAhead(port: FingerprintPort, lookahead: FaceLookahead | undefined): FingerprintPort {
  if (!lookahead) return port;
  return {
    ...port,
    identify: () => {
      lookahead.start();
      return port.identify();
    },
    verify: (subject) => {
      lookahead.start();
      return port.verify(subject);
    },
  };
}
