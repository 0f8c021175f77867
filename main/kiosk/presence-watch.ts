// The presence cue of a long wait (the face step, staff confirming a person while the camera is down, the
// tasks): touches of the screen, the fingerprint sensor's finger detect and camera frames, polled or pushed,
// judged by core/checkin/presence.ts. It settles only when the person has gone; a device that fails only stops
// giving evidence, so a person before a broken camera is never taken for nobody (the idle rule still applies).
import {
  type PresenceReading,
  type PresenceSource,
  type PresenceTimes,
  PresenceWindow,
} from '../../core/checkin/presence.ts';
import type { PresencePort, ScreenPort } from './ports.ts';

export interface PresenceOptions extends PresenceTimes {
  /** How often the sensor and the camera are asked. Default 1000. */
  readonly pollMs?: number;
  readonly clock?: () => number;
}

export interface PresenceWatch {
  /** Settles once the person has gone; never rejects. */
  readonly absent: Promise<'absent'>;
  stop(): void;
}

/** Watches one wait. `camera`: whether the camera may be asked for frames (not while the face step uses it). */
export function watchPresence(
  screen: ScreenPort,
  presence: PresencePort | undefined,
  camera: boolean,
  options: PresenceOptions,
): PresenceWatch {
  const clock = options.clock ?? Date.now;
  const window = new PresenceWindow(options, clock());
  let stopped = false;
  let settle: (absent: 'absent') => void = () => undefined;
  const absent = new Promise<'absent'>((resolve) => {
    settle = resolve;
  });
  // The screen's own idle countdown (the tasks) restarts when a device sees the person, often enough to never run out.
  let noticed = clock();
  const check = (): void => {
    if (stopped || !window.absent(clock())) return;
    stop();
    settle('absent');
  };
  const read = (source: PresenceSource, reading: PresenceReading): void => {
    if (stopped) return;
    const now = clock();
    window.read(source, reading, now);
    // The wait's countdown on the screen: the idle time runs again from now.
    if (reading === true) screen.seen?.(options.idleMs);
    if (reading === true && source !== 'touch' && now - noticed >= options.idleMs / 3) {
      noticed = now;
      screen.present?.();
    }
    check();
  };
  const unsubscribe = [
    screen.touches?.(() => {
      read('touch', true);
    }),
    presence?.subscribe?.(read),
  ];
  let polling = false;
  const poll = async (): Promise<void> => {
    if (polling) return;
    polling = true;
    try {
      const [finger, face] = await Promise.all([
        ask(presence?.finger?.bind(presence)),
        camera ? ask(presence?.face?.bind(presence)) : undefined,
      ]);
      if (finger !== undefined) read('finger', finger);
      if (face !== undefined) read('face', face);
    } finally {
      polling = false;
    }
    check();
  };
  const timer = setInterval(() => void poll(), options.pollMs ?? 1000);
  timer.unref();
  function stop(): void {
    if (stopped) return;
    stopped = true;
    clearInterval(timer);
    for (const off of unsubscribe) off?.();
  }
  return { absent, stop };
}

/** One reading; a device whose call throws could not tell. */
async function ask(reading: (() => Promise<PresenceReading>) | undefined): Promise<PresenceReading | undefined> {
  if (!reading) return undefined;
  try {
    return await reading();
  } catch {
    return null;
  }
}
