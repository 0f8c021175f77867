// The demo's clock: simulated time that steps from one scripted moment to the next, pausing in real time
// in proportion (`speed` simulated ms per real ms). Every entry of the script therefore carries exactly its
// scripted time, so the day's outcome never depends on how busy the machine is.
export class SimClock {
  private current: number;

  constructor(
    start: number,
    readonly speed: number,
  ) {
    if (!(speed > 0)) throw new TypeError(`speed: expected a positive number, got ${speed}`);
    this.current = start;
  }

  readonly now = (): number => this.current;

  /** Pauses for the real time the step stands for (pacing the demo, not synchronising anything), then steps. */
  async advanceTo(instant: number): Promise<void> {
    const wait = (instant - this.current) / this.speed;
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, Math.ceil(wait)));
    this.current = Math.max(this.current, instant);
  }
}
